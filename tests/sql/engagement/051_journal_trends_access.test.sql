-- Who may call journal_trends(student): the student, staff and admins of the student's
-- organisation, and an active guardian whose link grants `journal` (off by default). Refused
-- with TU403: a guardian with the default permissions, pending and revoked guardians (even
-- with `journal`), another student, staff of another organisation, a stranger. An unknown
-- student: TU404. anon: 42501 (no execute grant).
begin;
select plan(16);

select tutela_tests.create_user('student@trendsacc.test') as u_student \gset
select tutela_tests.create_user('other_student@trendsacc.test') as u_other_student \gset
select tutela_tests.create_user('guardian_journal@trendsacc.test') as u_guardian_journal \gset
select tutela_tests.create_user('guardian_default@trendsacc.test') as u_guardian_default \gset
select tutela_tests.create_user('guardian_pending@trendsacc.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian_revoked@trendsacc.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff@trendsacc.test') as u_staff \gset
select tutela_tests.create_user('admin@trendsacc.test') as u_admin \gset
select tutela_tests.create_user('other_staff@trendsacc.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@trendsacc.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Trends A', 'trends-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Trends B', 'trends-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student');
-- the journal guardian is the primary one (a co-guardian would also need the student's consent
-- for the journal: tests/sql/privacy/)
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, revoked_at,
  permissions
)
values
(
  :'student', :'u_guardian_journal', 'active', true, 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"journal": true}'
),
(
  :'student', :'u_guardian_default', 'active', false, 'staff', now(), null,
  tutela_hidden.default_link_permissions()
),
(
  :'student', :'u_guardian_pending', 'pending', false, 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"journal": true}'
),
(
  :'student', :'u_guardian_revoked', 'revoked', false, 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"journal": true}'
);
insert into tutela.journal_entries (student_id, mood) values (:'student', 4);

prepare trends as select tutela.journal_trends(:'student');
prepare unknown as select tutela.journal_trends(gen_random_uuid());
prepare no_student as select tutela.journal_trends(null);

-- allowed
select tutela_tests.authenticate_as(:'u_student');
select is(
  (tutela.journal_trends(:'student') ->> 'entries_7d')::integer, 1,
  'the student reads their trends'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (tutela.journal_trends(:'student') ->> 'entries_7d')::integer, 1, 'staff read the trends'
);
select tutela_tests.authenticate_as(:'u_admin');
select is(
  (tutela.journal_trends(:'student') ->> 'entries_7d')::integer, 1, 'an admin reads the trends'
);
select tutela_tests.authenticate_as(:'u_guardian_journal');
select is(
  (tutela.journal_trends(:'student') ->> 'entries_7d')::integer, 1,
  'a guardian whose link grants journal reads the trends'
);

-- refused
select tutela_tests.authenticate_as(:'u_guardian_default');
select throws_ok(
  'trends', 'TU403', null, 'a guardian with the default permissions (no journal): TU403'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select throws_ok('trends', 'TU403', null, 'a pending guardian (with journal): TU403');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok('trends', 'TU403', null, 'a revoked guardian (with journal): TU403');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok('trends', 'TU403', null, 'another student of the organisation: TU403');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('trends', 'TU403', null, 'staff of another organisation: TU403');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('trends', 'TU403', null, 'a stranger: TU403');
select tutela_tests.as_anon();
select throws_ok('trends', '42501', null, 'anon: no execute grant');

-- unknown student
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('unknown', 'TU403', null, 'an unknown student: TU403');
select throws_ok('no_student', 'TU403', null, 'no student: TU403');

-- the guardian gains and loses access with the permission
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(l.id, '{"journal": true}') is not null as granted
from tutela.guardian_links as l where l.guardian_id = :'u_guardian_default' \gset
select tutela_tests.authenticate_as(:'u_guardian_default');
select throws_ok(
  'trends', 'TU403', null,
  'a co-guardian with the journal permission still needs the student''s consent'
);
-- the child is under the consent age (no birth date): the primary guardian decides
select tutela_tests.authenticate_as(:'u_guardian_journal');
select tutela.set_consent(:'student', 'journal', 'other_guardians', true) is not null as consent
\gset
select tutela_tests.authenticate_as(:'u_guardian_default');
select lives_ok('trends', 'with the permission and the consent, the co-guardian reads the trends');
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(l.id, '{"journal": false}') is not null as withdrawn
from tutela.guardian_links as l where l.guardian_id = :'u_guardian_journal' \gset
select tutela_tests.authenticate_as(:'u_guardian_journal');
select throws_ok('trends', 'TU403', null, 'once staff withdraw journal, the guardian: TU403');

select * from finish();
rollback;
