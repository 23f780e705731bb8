-- Consent is enforced for the journal: a guardian who is not primary reads journal_entries
-- (the table, under RLS) and journal_trends(student) only while consent (journal,
-- other_guardians) is in force, even with the journal permission on their link. A consent
-- for another data type or recipient does not open it; revoking it or its expiry closes it
-- at once (no job needed). The primary guardian needs no consent; a co-guardian without the
-- journal permission is not let in by the consent.
begin;
select plan(23);

select tutela_tests.create_user('kid@journal-consent.test') as u_kid \gset
select tutela_tests.create_user('mum@journal-consent.test') as u_mum \gset
select tutela_tests.create_user('dad@journal-consent.test') as u_dad \gset
select tutela_tests.create_user('gran@journal-consent.test') as u_gran \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Journal Consent', 'journal-consent', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_kid') returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, permissions
)
values
(
  :'kid', :'u_mum', 'active', true, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"journal": true}'
),
(
  :'kid', :'u_dad', 'active', false, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"journal": true}'
),
(
  :'kid', :'u_gran', 'active', false, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"journal": false}'
);
insert into tutela.journal_entries (student_id, mood, energy, confidence, body)
values (:'kid', 4, 3, 5, 'A good week');

prepare entries as
select count(*) from tutela.journal_entries where student_id = :'kid';
prepare trends as select tutela.journal_trends(:'kid') ->> 'entries_30d';

-- ---------------------------------------------------------------------------------------------
-- No consent yet
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select results_eq('entries', 'values (1::bigint)', 'the primary guardian reads the journal');
select results_eq('trends', $$values ('1')$$, 'the primary guardian reads the journal trends');
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (0::bigint)',
  'without consent, a co-guardian with the journal permission reads no entry'
);
select throws_ok(
  'trends', 'TU403', null, 'without consent, the co-guardian is refused the journal trends'
);

-- consents next to the one that matters change nothing
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_consent(:'kid', 'journal', 'teachers', true) is not null as c1 \gset
select tutela.set_consent(:'kid', 'progress', 'other_guardians', true) is not null as c2 \gset
select tutela.set_consent(:'kid', 'journal', 'other_guardians', false) is not null as c3 \gset
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (0::bigint)',
  'consent for teachers, for progress, or a refusal: still no entry'
);
select throws_ok('trends', 'TU403', null, 'and still no trends');

-- ---------------------------------------------------------------------------------------------
-- Granted
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_consent(:'kid', 'journal', 'other_guardians', true) is not null as granted
\gset
select tutela_tests.authenticate_as(:'u_dad');
select results_eq('entries', 'values (1::bigint)', 'with consent, the co-guardian reads the entry');
select results_eq('trends', $$values ('1')$$, 'with consent, the co-guardian reads the trends');
select tutela_tests.authenticate_as(:'u_gran');
select results_eq(
  'entries', 'values (0::bigint)',
  'with consent, a co-guardian without the journal permission still reads nothing'
);
select throws_ok('trends', 'TU403', null, 'and is still refused the trends');

-- the permission is still needed: the student turns it off for dad
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || '{"journal": false}'
where student_id = :'kid' and guardian_id = :'u_dad';
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (0::bigint)', 'consent without the permission: no entry'
);
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || '{"journal": true}'
where student_id = :'kid' and guardian_id = :'u_dad';

-- ---------------------------------------------------------------------------------------------
-- Revoked: closed at once
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_consent(:'kid', 'journal', 'other_guardians', false) is not null as revoked
\gset
select tutela_tests.authenticate_as(:'u_dad');
select results_eq('entries', 'values (0::bigint)', 'revoked: the co-guardian reads no entry');
select throws_ok('trends', 'TU403', null, 'revoked: the co-guardian is refused the trends');
select tutela_tests.authenticate_as(:'u_mum');
select results_eq('entries', 'values (1::bigint)', 'revoked: the primary guardian still reads');
select results_eq('trends', $$values ('1')$$, 'revoked: the primary guardian still reads trends');

-- ---------------------------------------------------------------------------------------------
-- Expired: closed at once, before the job runs
-- ---------------------------------------------------------------------------------------------
select
  tutela.set_consent(:'kid', 'journal', 'other_guardians', true, now() + interval '1 day')
  is not null as granted_again
\gset
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (1::bigint)', 'granted with an expiry: the co-guardian reads again'
);
select tutela_tests.clear_authentication();
update tutela.consent_records set expires_at = now() - interval '1 second'
where student_id = :'kid' and data_type = 'journal' and recipient_type = 'other_guardians';
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (0::bigint)', 'expired (job not run): the co-guardian reads no entry'
);
select throws_ok(
  'trends', 'TU403', null, 'expired (job not run): the co-guardian is refused the trends'
);
select tutela_tests.clear_authentication();
select is(tutela_private.expire_consents(), 1, 'the job then records the expiry');
select tutela_tests.authenticate_as(:'u_dad');
select results_eq('entries', 'values (0::bigint)', 'after the job: still no entry');
select tutela_tests.authenticate_as(:'u_mum');
select results_eq('entries', 'values (1::bigint)', 'expired: the primary guardian still reads');

-- a co-guardian made primary needs no consent
select tutela_tests.clear_authentication();
update tutela.guardian_links set is_primary = false where student_id = :'kid';
update tutela.guardian_links set is_primary = true
where student_id = :'kid' and guardian_id = :'u_dad';
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'entries', 'values (1::bigint)', 'made primary, the guardian reads without consent'
);
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'entries', 'values (0::bigint)', 'no longer primary, the other guardian now needs consent'
);

select * from finish();
rollback;
