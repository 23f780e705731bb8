-- Re-linking after a revoke, by redeeming a new code, restores THE SAME guardian_links row
-- (one row per student and guardian), cleared of its revocation; link_events tells the
-- history: link_created, link_revoked, link_restored.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');

select tutela_tests.authenticate_as(:'kid');
select code as first_code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'first_code', 'guardian') ->> 'id') as link \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.set_guardian_link_permissions(:'link', '{"journal": true}');
select tutela.set_primary_guardian(:'link');
-- mum leaves (a link the student ended would come back only pending: 086)
select tutela_tests.authenticate_as(:'mum');
select tutela.revoke_guardian_link(:'link', 'moved away');

select tutela_tests.authenticate_as(:'kid');
select code as second_code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'second_code', 'mother') as result \gset

select is((:'result'::jsonb) ->> 'id', :'link', 'redeeming again returns the same link id');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id, status, relation, created_via from tutela.guardian_links
       where student_id = %L and guardian_id = %L $$,
    :'student', :'mum'
  ),
  format($$ values (%L::uuid, 'active'::text, 'mother'::text, 'code'::text) $$, :'link'),
  'there is one row for the student and guardian: active again, with the new relation'
);
select results_eq(
  format(
    $$ select revoked_at, revoked_by, revoke_reason, is_primary, activated_at
       from tutela.guardian_links where id = %L $$,
    :'link'
  ),
  $$ values (null::timestamptz, null::uuid, null::text, false, now()) $$,
  'the revocation is cleared, the link is not primary, and it is activated now'
);
select is(
  (select permissions from tutela.guardian_links where id = :'link'),
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": false, "messaging": true}'::jsonb,
  'a code restores the default permissions, not the old ones'
);
select results_eq(
  format(
    $$ select action from tutela.link_events
       where link_id = %L and action in ('link_created', 'link_revoked', 'link_restored')
       order by id $$,
    :'link'
  ),
  $$ values ('link_created'::text), ('link_revoked'), ('link_restored') $$,
  'the history reads: created, revoked, restored'
);
select is(
  (
    select old_values ->> 'status' from tutela.link_events
    where link_id = :'link' and action = 'link_restored'
  ),
  'revoked',
  'the restore event keeps the revoked state it replaced'
);

select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'student'),
  'the guardian reads the student''s record again'
);
select tutela_tests.authenticate_as(:'kid');
select results_eq(
  'select link_id, status from tutela.student_list_guardians()',
  format($$ values (%L::uuid, 'active'::text) $$, :'link'),
  'the student sees one link, active'
);

select * from finish();
rollback;
