-- invite_guardian: inviting the same address again (any case) withdraws the earlier pending
-- invite of that student, so only the newest token works. Other invites are untouched.
begin;
select plan(6);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as student2 from tutela.create_student(:'org', 'Sibling') \gset
select
  invite_id as first,
  token as first_token
from tutela.invite_guardian(:'student', 'gran@example.test') \gset
select invite_id as sibling from tutela.invite_guardian(:'student2', 'gran@example.test') \gset
select invite_id as other from tutela.invite_guardian(:'student', 'gramps@example.test') \gset
select invite_id as second from tutela.invite_guardian(:'student', 'GRAN@example.test') \gset

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'first'),
  'withdrawn',
  'the earlier pending invite to the same address is withdrawn'
);
select is(
  (select status from tutela.guardian_invites where id = :'second'),
  'pending',
  'the new invite is pending'
);
select is(
  (select status from tutela.guardian_invites where id = :'other'),
  'pending',
  'an invite to another address stays pending'
);
select is(
  (select status from tutela.guardian_invites where id = :'sibling'),
  'pending',
  'an invite to the same address for another student stays pending'
);
select is(
  (
    select count(*) from tutela.guardian_invites
    where student_id = :'student' and email = 'gran@example.test' and status = 'pending'
  ),
  1::bigint,
  'one pending invite per address and student'
);

select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'first_token'),
  'TU404', null, 'the withdrawn invite''s token no longer works'
);

select * from finish();
rollback;
