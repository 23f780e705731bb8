-- guardian_list_children(): the caller's children with an active or pending link, across
-- organisations, with relation, is_primary, status and permissions. Revoked links are not
-- listed.
begin;
select plan(8);

select tutela_tests.create_user('admin-a@example.test') as admin_a \gset
select tutela_tests.create_user('admin-b@example.test') as admin_b \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('ann@example.test') as ann_user \gset

-- organisation A: Ann (mum is primary, journal granted) and Dan (mum's link revoked)
select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('Alpha School', 'alpha') \gset
select id as ann from tutela.create_student(:'org_a', 'Ann') \gset
select tutela_tests.attach_student_login(:'ann', :'ann_user');
select id as dan from tutela.create_student(:'org_a', 'Dan') \gset
select code as ann_code from tutela.create_guardian_link_code(:'ann') \gset
select code as dan_code from tutela.create_guardian_link_code(:'dan') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'ann_code', 'mother') ->> 'id') as ann_link \gset
select (tutela.redeem_guardian_link_code(:'dan_code') ->> 'id') as dan_link \gset
select tutela_tests.authenticate_as(:'admin_a');
select tutela.set_primary_guardian(:'ann_link');
select tutela.set_guardian_link_permissions(:'ann_link', '{"journal": true}');
select tutela.revoke_guardian_link(:'dan_link');

-- organisation B: Ben (active) and Cat (pending the student's approval)
select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta') \gset
select id as ben from tutela.create_student(:'org_b', 'Ben') \gset
select id as cat from tutela.create_student(:'org_b', 'Cat') \gset
select code as ben_code from tutela.create_guardian_link_code(:'ben') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'ben_code', 'guardian') ->> 'id') as ben_link \gset
select tutela_tests.authenticate_as(:'admin_b');
select tutela.update_organization_settings(:'org_b', '{"link_requires_student_approval": true}');
select code as cat_code from tutela.create_guardian_link_code(:'cat') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'cat_code', 'other') ->> 'id') as cat_link \gset

select tutela_tests.authenticate_as(:'mum');
select results_eq(
  $$ select display_name, organization_name, relation, is_primary, status
     from tutela.guardian_list_children() $$,
  $$ values ('Ann'::text, 'Alpha School'::text, 'mother'::text, true, 'active'::text),
            ('Ben', 'Beta School', 'guardian', false, 'active'),
            ('Cat', 'Beta School', 'other', false, 'pending') $$,
  'active and pending children of both organisations, with relation, primary and status'
);
select results_eq(
  $$ select student_id, organization_id, link_id from tutela.guardian_list_children() $$,
  format(
    $$ values (%L::uuid, %L::uuid, %L::uuid), (%L, %L, %L), (%L, %L, %L) $$,
    :'ann', :'org_a', :'ann_link', :'ben', :'org_b', :'ben_link', :'cat', :'org_b', :'cat_link'
  ),
  'each row names the student, the organisation and the link'
);
select is(
  (select permissions ->> 'journal' from tutela.guardian_list_children() where student_id = :'ann'),
  'true',
  'permissions are the link''s (journal granted for Ann)'
);
select is(
  (select permissions ->> 'journal' from tutela.guardian_list_children() where student_id = :'ben'),
  'false',
  'permissions are the link''s (journal not granted for Ben)'
);
select is_empty(
  format('select 1 from tutela.guardian_list_children() where student_id = %L', :'dan'),
  'a child whose link was revoked is not listed'
);
select isnt(
  (select linked_at from tutela.guardian_list_children() where student_id = :'ann'),
  null,
  'linked_at is set'
);

-- the list follows the links: restoring Dan brings him back, revoking Ben removes him
select tutela_tests.authenticate_as(:'admin_a');
select tutela.restore_guardian_link(:'dan_link');
select tutela_tests.authenticate_as(:'admin_b');
select tutela.revoke_guardian_link(:'ben_link');
select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select display_name from tutela.guardian_list_children()',
  $$ values ('Ann'::text), ('Cat'), ('Dan') $$,
  'the list reflects restored and revoked links'
);
select is(
  (select count(*) from tutela.guardian_list_children()),
  3::bigint,
  'one row per linked child'
);

select * from finish();
rollback;
