-- import_roster 'guardian-links', for an organisation that trusts its roster (roster_trusted;
-- by default an existing account is invited instead: 008_roster_needs_acceptance): an existing
-- account gets an active link (created_via
-- 'roster', managed_by_roster, the row's sis_id, relation and permissions); an address without
-- an account gets a roster invite and an invite email in the outbox, and accepting it makes a
-- roster-managed link with the invite's sis_id, primary when asked and no primary exists. The
-- same rows again change nothing. status deleted revokes the link and withdraws a pending
-- invite; a full sync revokes the roster's links and invites missing from the file and leaves
-- links made by code alone. primary=true moves the primary. Errors, each a row: unknown student
-- (TU404), malformed email, unknown relation or permission (TU422), a full cap (TU409, nothing
-- created), a repeated row (TU409 duplicate_row), two primaries for a student (TU409
-- two_primaries), a link the family ended (TU409 revoked_by_family, not restored).
begin;
select plan(35);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('dad@a.test') as dad \gset
select tutela_tests.create_user('coder@a.test') as coder \gset
select tutela_tests.create_user('aunt@a.test') as aunt \gset
select tutela_tests.create_user('kid3@a.test') as kid3 \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela.update_organization_settings(
  :'org', '{"max_guardians_per_student": 5, "roster_trusted": true}'
);
select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset
select tutela.update_organization_settings(
  :'org_b', '{"max_guardians_per_student": 1, "roster_trusted": true}'
);

select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Ann"}, {"sis_id": "S2", "display_name": "Ben"},
  {"sis_id": "S3", "display_name": "Cat", "email": "cat@s.test"}
]$$);
select tutela.import_roster(:'org_b', 'students', '[{"sis_id": "B1", "display_name": "Bo"}]');
select tutela_tests.clear_authentication();
select id as s1 from tutela.students where organization_id = :'org' and sis_id = 'S1' \gset
select id as s2 from tutela.students where organization_id = :'org' and sis_id = 'S2' \gset
select id as s3 from tutela.students where organization_id = :'org' and sis_id = 'S3' \gset
select id as b1 from tutela.students where organization_id = :'org_b' and sis_id = 'B1' \gset
select tutela_tests.attach_student_login(:'s3', :'kid3');

-- ---------------------------------------------------------------------------------------------
-- links and invites
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "MUM@a.test", "relation": "Mother", "primary": "yes",
   "permissions": "progress;grades", "sis_id": "G1"},
  {"student": "S2", "guardian_email": "dad@a.test", "relation": "father"},
  {"student": "S2", "guardian_email": "nan@a.test", "relation": "other",
   "guardian_name": "Nan", "primary": "true", "sis_id": "G9"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 2, "update": 0, "revoke": 0, "invite": 1, "unchanged": 0, "error": 0}'::jsonb,
  'links: two links created, one invite'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, created_via, managed_by_roster, sis_id, relation, is_primary
      from tutela.guardian_links where student_id = %L and guardian_id = %L$$,
    :'s1', :'mum'
  ),
  $$values ('active'::text, 'roster'::text, true, 'G1'::text, 'mother'::text, true)$$,
  'links: an active roster link with its sis_id, relation (any case) and primary'
);
select is(
  (select permissions from tutela.guardian_links where student_id = :'s1' and guardian_id = :'mum'),
  '{"progress": true, "grades": true, "sessions": false, "lessons": false,
    "card_content": false, "attendance": false, "journal": false, "messaging": false}'::jsonb,
  'links: "progress;grades" grants exactly those two permissions'
);
select results_eq(
  format(
    $$select relation, is_primary, sis_id, permissions = tutela_hidden.default_link_permissions()
      from tutela.guardian_links where student_id = %L and guardian_id = %L$$,
    :'s2', :'dad'
  ),
  $$values ('father'::text, false, null::text, true)$$,
  'links: no permissions column gives the default permissions'
);
select results_eq(
  format(
    $$select status, managed_by_roster, make_primary, sis_id, relation, name, invited_by
      from tutela.guardian_invites where student_id = %L and email = 'nan@a.test'$$,
    :'s2'
  ),
  $$values ('pending'::text, true, true, 'G9'::text, 'other'::text, 'Nan'::text, null::uuid)$$,
  'invite: a pending roster invite, primary on acceptance, with the sis_id and the name'
);
select results_eq(
  format(
    $$select kind, payload ->> 'organization_name', payload ->> 'token' is not null
      from tutela_private.notification_outbox where recipient_email = 'nan@a.test' and student_id = %L$$,
    :'s2'
  ),
  $$values ('guardian_invite'::text, 'Alpha School'::text, true)$$,
  'invite: one guardian_invite email queued, with the token'
);
select payload ->> 'token' as nan_token from tutela_private.notification_outbox
where recipient_email = 'nan@a.test' \gset

-- the same rows again
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "relation": "mother", "primary": "yes",
   "permissions": "progress;grades", "sis_id": "G1"},
  {"student": "S2", "guardian_email": "dad@a.test", "relation": "father"},
  {"student": "S2", "guardian_email": "nan@a.test", "relation": "other",
   "guardian_name": "Nan", "primary": "true", "sis_id": "G9"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 0, "invite": 0, "unchanged": 3, "error": 0}'::jsonb,
  'again: all unchanged'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.notification_outbox where recipient_email = 'nan@a.test'),
  1::bigint,
  'again: no second invite email'
);

-- ---------------------------------------------------------------------------------------------
-- accepting a roster invite
-- ---------------------------------------------------------------------------------------------
select tutela_tests.create_user('nan@a.test') as nan \gset
select tutela_tests.authenticate_as(:'nan');
select tutela.accept_guardian_invite(:'nan_token');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, created_via, managed_by_roster, sis_id, is_primary, relation
      from tutela.guardian_links where student_id = %L and guardian_id = %L$$,
    :'s2', :'nan'
  ),
  $$values ('active'::text, 'invite'::text, true, 'G9'::text, true, 'other'::text)$$,
  'accepted: a roster-managed link with the invite''s sis_id, primary (there was none)'
);

-- now with an account, the same rows are still unchanged
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "relation": "mother", "primary": "yes",
   "permissions": "progress;grades", "sis_id": "G1"},
  {"student": "S2", "guardian_email": "dad@a.test", "relation": "father"},
  {"student": "S2", "guardian_email": "nan@a.test", "relation": "other",
   "guardian_name": "Nan", "primary": "true", "sis_id": "G9"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'unchanged', '3', 'accepted: the same rows are all unchanged'
);

-- an invite asking for primary where the student has one: accepted, not primary
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "gran@a.test", "primary": "true"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'invite', '1', 'gran: invited');
select tutela_tests.clear_authentication();
select payload ->> 'token' as gran_token from tutela_private.notification_outbox
where recipient_email = 'gran@a.test' \gset
select tutela_tests.create_user('gran@a.test') as gran \gset
select tutela_tests.authenticate_as(:'gran');
select tutela.accept_guardian_invite(:'gran_token');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, is_primary, managed_by_roster from tutela.guardian_links
      where student_id = %L and status = 'active' order by is_primary desc$$,
    :'s1'
  ),
  format($$values (%L::uuid, true, true), (%L::uuid, false, true)$$, :'mum', :'gran'),
  'gran: linked, not primary: mum stays the primary guardian'
);

-- ---------------------------------------------------------------------------------------------
-- status deleted
-- ---------------------------------------------------------------------------------------------
select id as dad_link from tutela.guardian_links where student_id = :'s2' and guardian_id = :'dad'
\gset
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S2", "guardian_email": "dad@a.test", "status": "deleted"},
  {"student": "S3", "guardian_email": "pending@a.test"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 1, "invite": 1, "unchanged": 0, "error": 0}'::jsonb,
  'deleted: one link revoked (and an invite sent)'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, is_primary, revoked_by, revoke_reason like 'roster sync%%'
      from tutela.guardian_links where id = %L$$,
    :'dad_link'
  ),
  $$values ('revoked'::text, false, null::uuid, true)$$,
  'deleted: the link is revoked, by the roster'
);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S3", "guardian_email": "pending@a.test", "status": "deleted"},
  {"student": "S3", "guardian_email": "never@a.test", "status": "deleted"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 1, "invite": 0, "unchanged": 1, "error": 0}'::jsonb,
  'deleted: a pending invite withdrawn; deleting what does not exist is unchanged'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where email = 'pending@a.test'),
  'withdrawn', 'deleted: the pending invite is withdrawn'
);

-- ---------------------------------------------------------------------------------------------
-- primary: the roster moves it; a link the roster revoked comes back
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S2", "guardian_email": "dad@a.test", "relation": "father", "primary": "true"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'create', '1', 'primary: the revoked link is restored');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select id, guardian_id, status, is_primary from tutela.guardian_links
      where student_id = %L order by is_primary desc$$,
    :'s2'
  ),
  format(
    $$values (%L::uuid, %L::uuid, 'active'::text, true),
      ((select id from tutela.guardian_links where student_id = %L and guardian_id = %L),
        %L::uuid, 'active', false)$$,
    :'dad_link', :'dad', :'s2', :'nan', :'nan'
  ),
  'primary: the same row, active and primary; the previous primary is unset'
);

-- an existing link made primary by a later file
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "gran@a.test", "primary": "true"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'update', '1', 'primary: gran''s link is updated');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, is_primary from tutela.guardian_links
      where student_id = %L and status = 'active' order by is_primary desc$$,
    :'s1'
  ),
  format($$values (%L::uuid, true), (%L::uuid, false)$$, :'gran', :'mum'),
  'primary: gran is primary, mum no longer'
);

-- ---------------------------------------------------------------------------------------------
-- errors
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S99", "guardian_email": "x@a.test"},
  {"student": "S1", "guardian_email": "not-an-email"},
  {"student": "S1", "guardian_email": "y@a.test", "relation": "uncle"},
  {"student": "S3", "guardian_email": "z@a.test", "primary": "true"},
  {"student": "S3", "guardian_email": "w@a.test", "primary": "yes"},
  {"student": "S3", "guardian_email": "Z@A.test"},
  {"student": "S1", "guardian_email": "v@a.test", "permissions": "progress;pocket_money"},
  {"student": "S1", "guardian_email": "u@a.test", "primary": "perhaps"},
  {"guardian_email": "t@a.test"},
  {"student": "cat@s.test", "guardian_email": "s@a.test"}
]$$) as r \gset
select results_eq(
  format(
    $$select (e ->> 'line')::int, e ->> 'code', nullif(e ->> 'detail', '')
      from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values (2, 'TU404'::text, null::text), (3, 'TU422', null), (4, 'TU422', null),
    (6, 'TU409', 'two_primaries'), (7, 'TU409', 'duplicate_row'), (8, 'TU422', null),
    (9, 'TU422', null), (10, 'TU422', null)$$,
  'errors: unknown student, bad email, relation, permission, primary, missing student, '
  || 'a second primary, a repeated row'
);
select results_eq(
  format(
    $$select (c ->> 'line')::int, c ->> 'action' from jsonb_array_elements(%L::jsonb) as c$$,
    :'r'::jsonb -> 'changes'
  ),
  $$values (5, 'invite'::text), (11, 'invite')$$,
  'errors: the good rows are applied (a student named by email too)'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_invites
    where email in ('x@a.test', 'y@a.test', 'w@a.test', 'v@a.test', 'u@a.test', 't@a.test')
  ),
  0::bigint,
  'errors: no invite for a bad row'
);
select results_eq(
  format(
    $$select student_id, email from tutela.guardian_invites
      where email in ('z@a.test', 's@a.test') order by email$$
  ),
  format($$values (%L::uuid, 's@a.test'::text), (%L::uuid, 'z@a.test')$$, :'s3', :'s3'),
  'errors: one invite per good row'
);

-- the cap
select tutela_tests.as_service_role();
select tutela.import_roster(:'org_b', 'guardian-links', $$[
  {"student": "B1", "guardian_email": "mum@a.test"},
  {"student": "B1", "guardian_email": "dad@a.test"},
  {"student": "B1", "guardian_email": "nobody@b.test"}
]$$) as r \gset
select results_eq(
  format(
    $$select (e ->> 'line')::int, e ->> 'code', e ->> 'detail'
      from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values (3, 'TU409'::text, 'guardian_limit_reached'::text),
    (4, 'TU409', 'guardian_limit_reached')$$,
  'cap: a second guardian, with or without an account, is TU409'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select guardian_id from tutela.guardian_links where student_id = %L', :'b1'),
  format('values (%L::uuid)', :'mum'),
  'cap: only the first link exists'
);
select is(
  (select count(*) from tutela.guardian_invites where student_id = :'b1'), 0::bigint,
  'cap: and no invite'
);

-- a link the family ended is not restored by the roster
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S3", "guardian_email": "aunt@a.test"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'create', '1', 'family: the aunt is linked');
select tutela_tests.clear_authentication();
select id as aunt_link from tutela.guardian_links where student_id = :'s3' and guardian_id = :'aunt'
\gset
select tutela_tests.authenticate_as(:'kid3');
select tutela.revoke_guardian_link(:'aunt_link');
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S3", "guardian_email": "aunt@a.test"}
]$$) as r \gset
select results_eq(
  format(
    $$select e ->> 'code', e ->> 'detail' from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values ('TU409'::text, 'revoked_by_family'::text)$$,
  'family: a link the student revoked is a TU409 row'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select status, revoked_by from tutela.guardian_links where id = %L', :'aunt_link'),
  format($$values ('revoked'::text, %L::uuid)$$, :'kid3'),
  'family: the link stays revoked by the student'
);

-- ---------------------------------------------------------------------------------------------
-- full sync
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select code from tutela.create_guardian_link_code(:'s1') \gset
select tutela_tests.authenticate_as(:'coder');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as coder_link \gset
select tutela_tests.clear_authentication();
select id as gran_link from tutela.guardian_links where student_id = :'s1' and guardian_id = :'gran'
\gset

-- the file lists mum (S1), dad and nan (S2); gran's roster link and the invites of S3 go
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "relation": "mother",
   "permissions": "progress;grades", "sis_id": "G1"},
  {"student": "S2", "guardian_email": "dad@a.test", "relation": "father", "primary": "true"},
  {"student": "S2", "guardian_email": "nan@a.test", "relation": "other", "sis_id": "G9"}
]$$, '{"full": true}') as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 3, "invite": 0, "unchanged": 3, "error": 0}'::jsonb,
  'full: three listed unchanged; gran''s link and two invites revoked'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, revoke_reason from tutela.guardian_links where id = %L$$, :'gran_link'
  ),
  $$values ('revoked'::text, 'roster sync: not in the file'::text)$$,
  'full: the roster link missing from the file is revoked'
);
select results_eq(
  format(
    $$select status, managed_by_roster from tutela.guardian_links where id = %L$$, :'coder_link'
  ),
  $$values ('active'::text, false)$$,
  'full: the link made by code is untouched'
);
select results_eq(
  $$select email, status from tutela.guardian_invites
    where email in ('z@a.test', 's@a.test') order by email$$,
  $$values ('s@a.test'::text, 'withdrawn'::text), ('z@a.test', 'withdrawn')$$,
  'full: the roster invites missing from the file are withdrawn'
);
select results_eq(
  format(
    $$select guardian_id, status from tutela.guardian_links
      where student_id in (%L, %L) and status = 'active' order by guardian_id$$,
    :'s1', :'s2'
  ),
  format(
    $$select * from (values (%L::uuid, 'active'::text), (%L::uuid, 'active'),
      (%L::uuid, 'active'), (%L::uuid, 'active')) as v order by 1$$,
    :'mum', :'coder', :'dad', :'nan'
  ),
  'full: mum, dad, nan and the code-made link remain active'
);

select * from finish();
rollback;
