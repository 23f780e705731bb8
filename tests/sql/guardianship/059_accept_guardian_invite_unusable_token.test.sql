-- accept_guardian_invite: an unknown token, a withdrawn invite, an invite accepted already and
-- an expired invite all look the same: TU404.
begin;
select plan(6);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as s1 from tutela.create_student(:'org', 'One') \gset
select id as s2 from tutela.create_student(:'org', 'Two') \gset
select id as s3 from tutela.create_student(:'org', 'Three') \gset
select
  invite_id as withdrawn,
  token as withdrawn_token
from tutela.invite_guardian(:'s1', 'gran@example.test') \gset
select tutela.withdraw_guardian_invite(:'withdrawn');
select token as accepted_token from tutela.invite_guardian(:'s2', 'gran@example.test') \gset
select
  invite_id as expired,
  token as expired_token
from tutela.invite_guardian(:'s3', 'gran@example.test') \gset

select tutela_tests.authenticate_as(:'gran');
select tutela.accept_guardian_invite(:'accepted_token');

select tutela_tests.clear_authentication();
update tutela.guardian_invites set expires_at = now() - interval '1 second'
where id = :'expired';

select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  $$ select tutela.accept_guardian_invite('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') $$,
  'TU404', null, 'an unknown token: TU404'
);
select throws_ok(
  $$ select tutela.accept_guardian_invite(null) $$,
  'TU404', null, 'no token: TU404'
);
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'withdrawn_token'),
  'TU404', null, 'a withdrawn invite: TU404'
);
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'accepted_token'),
  'TU404', null, 'an invite accepted already: TU404'
);
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'expired_token'),
  'TU404', null, 'an expired invite: TU404'
);

select tutela_tests.clear_authentication();
select results_eq(
  $$ select s.display_name from tutela.guardian_links as l
     join tutela.students as s on s.id = l.student_id $$,
  $$ values ('Two'::text) $$,
  'only the invite accepted in time made a link'
);

select * from finish();
rollback;
