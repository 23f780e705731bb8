-- withdraw_guardian_invite: only a pending invite can be withdrawn. An accepted, withdrawn or
-- expired one is TU409 (and keeps its status); an unknown invite id is TU403 (no probing of ids).
begin;
select plan(7);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('gran@example.test') as gran \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as s1 from public.create_student(:'org', 'One') \gset
select id as s2 from public.create_student(:'org', 'Two') \gset
select id as s3 from public.create_student(:'org', 'Three') \gset
select
  invite_id as accepted,
  token
from public.invite_guardian(:'s1', 'gran@example.test') \gset
select invite_id as withdrawn from public.invite_guardian(:'s2', 'gran@example.test') \gset
select public.withdraw_guardian_invite(:'withdrawn');
select invite_id as expired from public.invite_guardian(:'s3', 'gran@example.test') \gset
select tests.authenticate_as(:'gran');
select public.accept_guardian_invite(:'token');
select tests.clear_authentication();
update public.guardian_invites
set status = 'expired', expires_at = now() - interval '1 day'
where id = :'expired';

select tests.authenticate_as(:'admin');
select throws_ok(
  format('select public.withdraw_guardian_invite(%L)', :'accepted'),
  'TU409', null, 'an accepted invite: TU409'
);
select throws_ok(
  format('select public.withdraw_guardian_invite(%L)', :'withdrawn'),
  'TU409', null, 'an invite withdrawn already: TU409'
);
select throws_ok(
  format('select public.withdraw_guardian_invite(%L)', :'expired'),
  'TU409', null, 'an expired invite: TU409'
);
select throws_ok(
  format('select public.withdraw_guardian_invite(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown invite: TU403, like one the caller may not act on'
);

select tests.clear_authentication();
select is(
  (select status from public.guardian_invites where id = :'accepted'),
  'accepted',
  'the accepted invite stays accepted'
);
select is(
  (select status from public.guardian_invites where id = :'expired'),
  'expired',
  'the expired invite stays expired'
);
select is(
  (select count(*) from public.link_events where action = 'invite_withdrawn'),
  1::bigint,
  'only the one real withdrawal is audited'
);

select * from finish();
rollback;
