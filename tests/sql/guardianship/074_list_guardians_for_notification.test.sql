-- list_guardians_for_notification(student, permission): for the notification fan-out, run by
-- the service role. It lists only the active guardians whose link grants the permission:
-- 'grades' (on by default) includes them, 'journal' (off by default) only where granted.
-- Pending and revoked guardians are never listed.
begin;
select plan(6);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test', '{"display_name": "Mum Smith"}') as mum \gset
select tutela_tests.create_user('dad@example.test', '{"display_name": "Dad Smith"}') as dad \gset
select tutela_tests.create_user('ex@example.test') as ex \gset
select tutela_tests.create_user('aunt@example.test') as aunt \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as sibling from tutela.create_student(:'org', 'Sibling') \gset
select code from tutela.create_guardian_link_code(:'student', 3) \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code', 'father') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code', 'mother') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'ex');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select tutela.set_guardian_link_permissions(:'mum_link', '{"journal": true}');
select tutela.set_guardian_link_permissions(:'dad_link', '{"messaging": false}');
select tutela.set_guardian_link_permissions(:'ex_link', '{"journal": true}');
select tutela.revoke_guardian_link(:'ex_link');
-- aunt's link is pending (it carries the default grades permission)
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as aunt_code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'aunt');
select tutela.redeem_guardian_link_code(:'aunt_code');

select tutela_tests.as_service_role();
select results_eq(
  format(
    $$ select guardian_id, email, display_name, relation, is_primary
       from tutela.list_guardians_for_notification(%L, 'grades') $$,
    :'student'
  ),
  format(
    $$ values (%L::uuid, 'mum@example.test'::text, 'Mum Smith'::text, 'mother'::text, true),
              (%L::uuid, 'dad@example.test', 'Dad Smith', 'father', false) $$,
    :'mum', :'dad'
  ),
  'grades: both active guardians, primary first, with email and name'
);
select results_eq(
  format(
    'select guardian_id from tutela.list_guardians_for_notification(%L, %L)',
    :'student', 'journal'
  ),
  format('values (%L::uuid)', :'mum'),
  'journal (off by default): only the guardian it was granted to'
);
select results_eq(
  format(
    'select guardian_id from tutela.list_guardians_for_notification(%L, %L)',
    :'student', 'messaging'
  ),
  format('values (%L::uuid)', :'mum'),
  'a permission turned off excludes that guardian'
);
select is_empty(
  format(
    $$ select 1 from tutela.list_guardians_for_notification(%L, 'grades')
       where guardian_id in (%L, %L) $$,
    :'student', :'ex', :'aunt'
  ),
  'revoked and pending guardians are never listed'
);
select is_empty(
  format(
    $$ select 1 from tutela.list_guardians_for_notification(%L, 'grades') $$, :'sibling'
  ),
  'a student without guardians has nobody to notify'
);

-- after a revocation the next fan-out leaves that guardian out
select tutela_tests.authenticate_as(:'admin');
select tutela.revoke_guardian_link(:'dad_link');
select tutela_tests.as_service_role();
select results_eq(
  format(
    'select guardian_id from tutela.list_guardians_for_notification(%L, %L)',
    :'student', 'grades'
  ),
  format('values (%L::uuid)', :'mum'),
  'a guardian revoked since is no longer listed'
);

select * from finish();
rollback;
