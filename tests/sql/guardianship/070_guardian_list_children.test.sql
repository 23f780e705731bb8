-- guardian_list_children(): the caller's children with an active or pending link, across
-- organisations, with relation, is_primary, status and permissions. Revoked links are not
-- listed.
begin;
select plan(8);

select tests.create_user('admin-a@example.test') as admin_a \gset
select tests.create_user('admin-b@example.test') as admin_b \gset
select tests.create_user('mum@example.test') as mum \gset
select tests.create_user('ann@example.test') as ann_user \gset

-- organisation A: Ann (mum is primary, journal granted) and Dan (mum's link revoked)
select tests.authenticate_as(:'admin_a');
select id as org_a from public.create_organization('Alpha School', 'alpha') \gset
select id as ann from public.create_student(:'org_a', 'Ann') \gset
select tests.attach_student_login(:'ann', :'ann_user');
select id as dan from public.create_student(:'org_a', 'Dan') \gset
select code as ann_code from public.create_guardian_link_code(:'ann') \gset
select code as dan_code from public.create_guardian_link_code(:'dan') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'ann_code', 'mother') ->> 'id') as ann_link \gset
select (public.redeem_guardian_link_code(:'dan_code') ->> 'id') as dan_link \gset
select tests.authenticate_as(:'admin_a');
select public.set_primary_guardian(:'ann_link');
select public.set_guardian_link_permissions(:'ann_link', '{"journal": true}');
select public.revoke_guardian_link(:'dan_link');

-- organisation B: Ben (active) and Cat (pending the student's approval)
select tests.authenticate_as(:'admin_b');
select id as org_b from public.create_organization('Beta School', 'beta') \gset
select id as ben from public.create_student(:'org_b', 'Ben') \gset
select id as cat from public.create_student(:'org_b', 'Cat') \gset
select code as ben_code from public.create_guardian_link_code(:'ben') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'ben_code', 'guardian') ->> 'id') as ben_link \gset
select tests.authenticate_as(:'admin_b');
select public.update_organization_settings(:'org_b', '{"link_requires_student_approval": true}');
select code as cat_code from public.create_guardian_link_code(:'cat') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'cat_code', 'other') ->> 'id') as cat_link \gset

select tests.authenticate_as(:'mum');
select results_eq(
  $$ select display_name, organization_name, relation, is_primary, status
     from public.guardian_list_children() $$,
  $$ values ('Ann'::text, 'Alpha School'::text, 'mother'::text, true, 'active'::text),
            ('Ben', 'Beta School', 'guardian', false, 'active'),
            ('Cat', 'Beta School', 'other', false, 'pending') $$,
  'active and pending children of both organisations, with relation, primary and status'
);
select results_eq(
  $$ select student_id, organization_id, link_id from public.guardian_list_children() $$,
  format(
    $$ values (%L::uuid, %L::uuid, %L::uuid), (%L, %L, %L), (%L, %L, %L) $$,
    :'ann', :'org_a', :'ann_link', :'ben', :'org_b', :'ben_link', :'cat', :'org_b', :'cat_link'
  ),
  'each row names the student, the organisation and the link'
);
select is(
  (select permissions ->> 'journal' from public.guardian_list_children() where student_id = :'ann'),
  'true',
  'permissions are the link''s (journal granted for Ann)'
);
select is(
  (select permissions ->> 'journal' from public.guardian_list_children() where student_id = :'ben'),
  'false',
  'permissions are the link''s (journal not granted for Ben)'
);
select is_empty(
  format('select 1 from public.guardian_list_children() where student_id = %L', :'dan'),
  'a child whose link was revoked is not listed'
);
select isnt(
  (select linked_at from public.guardian_list_children() where student_id = :'ann'),
  null,
  'linked_at is set'
);

-- the list follows the links: restoring Dan brings him back, revoking Ben removes him
select tests.authenticate_as(:'admin_a');
select public.restore_guardian_link(:'dan_link');
select tests.authenticate_as(:'admin_b');
select public.revoke_guardian_link(:'ben_link');
select tests.authenticate_as(:'mum');
select results_eq(
  'select display_name from public.guardian_list_children()',
  $$ values ('Ann'::text), ('Cat'), ('Dan') $$,
  'the list reflects restored and revoked links'
);
select is(
  (select count(*) from public.guardian_list_children()),
  3::bigint,
  'one row per linked child'
);

select * from finish();
rollback;
