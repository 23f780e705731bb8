-- redeem_guardian_link_code respects max_uses: a two-use code links two guardians, then it is
-- used up and refused like any bad code (TU404, returned), though the cap would allow more.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student', 2) \gset

select tutela_tests.authenticate_as(:'mum');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status', 'active', 'the first use links mum'
);
select tutela_tests.clear_authentication();
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  1,
  'one use is counted'
);

select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status', 'active', 'the second use links dad'
);
select tutela_tests.clear_authentication();
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  2,
  'two uses are counted'
);

select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'code', 'TU404', 'a third use is refused'
);
select tutela_tests.clear_authentication();
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  2,
  'the refused use is not counted'
);
select results_eq(
  format(
    $$ select guardian_id from tutela.guardian_links where student_id = %L
       order by guardian_id = %L $$,
    :'student', :'dad'
  ),
  format('values (%L::uuid), (%L::uuid)', :'mum', :'dad'),
  'exactly mum and dad are linked'
);

select tutela_tests.authenticate_as(:'admin');
select is(
  (select status from tutela.list_guardian_link_codes(:'student')),
  'used',
  'the code is listed as used'
);

select * from finish();
rollback;
