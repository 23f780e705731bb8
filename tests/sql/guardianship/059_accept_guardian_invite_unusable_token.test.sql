-- accept_guardian_invite: an unknown token, a withdrawn invite, an invite accepted already and
-- an expired invite all look the same: TU404.
begin;
select plan(6);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('gran@example.test') as gran \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as s1 from public.create_student(:'org', 'One') \gset
select id as s2 from public.create_student(:'org', 'Two') \gset
select id as s3 from public.create_student(:'org', 'Three') \gset
select
  invite_id as withdrawn,
  token as withdrawn_token
from public.invite_guardian(:'s1', 'gran@example.test') \gset
select public.withdraw_guardian_invite(:'withdrawn');
select token as accepted_token from public.invite_guardian(:'s2', 'gran@example.test') \gset
select
  invite_id as expired,
  token as expired_token
from public.invite_guardian(:'s3', 'gran@example.test') \gset

select tests.authenticate_as(:'gran');
select public.accept_guardian_invite(:'accepted_token');

select tests.clear_authentication();
update public.guardian_invites set expires_at = now() - interval '1 second'
where id = :'expired';

select tests.authenticate_as(:'gran');
select throws_ok(
  $$ select public.accept_guardian_invite('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') $$,
  'TU404', null, 'an unknown token: TU404'
);
select throws_ok(
  $$ select public.accept_guardian_invite(null) $$,
  'TU404', null, 'no token: TU404'
);
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'withdrawn_token'),
  'TU404', null, 'a withdrawn invite: TU404'
);
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'accepted_token'),
  'TU404', null, 'an invite accepted already: TU404'
);
select throws_ok(
  format('select public.accept_guardian_invite(%L)', :'expired_token'),
  'TU404', null, 'an expired invite: TU404'
);

select tests.clear_authentication();
select results_eq(
  $$ select s.display_name from public.guardian_links as l
     join public.students as s on s.id = l.student_id $$,
  $$ values ('Two'::text) $$,
  'only the invite accepted in time made a link'
);

select * from finish();
rollback;
