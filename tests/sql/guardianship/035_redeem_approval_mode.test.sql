-- When the organisation requires student approval, a redeemed code makes a pending link: no
-- access yet, listed for the guardian as pending, and counted toward the guardian cap.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 3) \gset

select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code', 'mother') as mum_result \gset
select is((:'mum_result'::jsonb) ->> 'status', 'pending', 'the redeemed link is pending');
select is(
  (:'mum_result'::jsonb) -> 'activated_at', 'null'::jsonb, 'a pending link is not activated'
);
select results_eq(
  'select student_id, status from tutela.guardian_list_children()',
  format($$ values (%L::uuid, 'pending'::text) $$, :'student'),
  'the guardian sees the child as pending'
);
select is_empty(
  'select 1 from tutela.students',
  'a pending guardian cannot read the student''s record'
);

select tutela_tests.authenticate_as(:'kid');
select results_eq(
  'select guardian_id, status from tutela.student_list_guardians()',
  format($$ values (%L::uuid, 'pending'::text) $$, :'mum'),
  'the student sees the pending request'
);

-- pending counts toward the cap (2): dad fills it, gran is refused
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status', 'pending', 'dad is pending too'
);
select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'two pending links fill the cap of 2: TU409'
);
select tutela_tests.clear_authentication();
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  2,
  'the refused redemption did not use the code'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  2::bigint,
  'the student has two links'
);

-- turning approval off again: the next link is active at once
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(
  :'org', '{"link_requires_student_approval": false, "max_guardians_per_student": 3}'
);
select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'active',
  'without required approval the link is active'
);

select * from finish();
rollback;
