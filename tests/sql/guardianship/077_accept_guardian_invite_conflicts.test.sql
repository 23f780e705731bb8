-- accept_guardian_invite: the state at accept time decides. An invitee who meanwhile linked by
-- code (already_linked), or the student themself accepting an invite sent to their own address
-- (self_link), get TU409; the invite stays pending.
begin;
select plan(5);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select
  invite_id,
  token
from tutela.invite_guardian(:'student', 'gran@example.test') \gset
select
  invite_id as self_invite,
  token as self_token
from tutela.invite_guardian(:'student', 'kid@example.test') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'gran');
select tutela.redeem_guardian_link_code(:'code');

select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'token'),
  'TU409', null, 'an invitee who is already linked: TU409'
);

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'self_token'),
  'TU409', null, 'the student cannot become their own guardian: TU409'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select status from tutela.guardian_invites where id in (%L, %L)',
    :'invite_id', :'self_invite'
  ),
  $$ values ('pending'::text), ('pending'::text) $$,
  'both invites stay pending'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  1::bigint,
  'no link was added'
);
select is(
  (select created_via from tutela.guardian_links where guardian_id = :'gran'),
  'code',
  'the existing link is unchanged'
);

select * from finish();
rollback;
