-- withdraw_guardian_invite: only a pending invite can be withdrawn. An accepted, withdrawn or
-- expired one is TU409 (and keeps its status); an unknown invite id is TU403 (no probing of ids).
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as s1 from tutela.create_student(:'org', 'One') \gset
select id as s2 from tutela.create_student(:'org', 'Two') \gset
select id as s3 from tutela.create_student(:'org', 'Three') \gset
select
  invite_id as accepted,
  token
from tutela.invite_guardian(:'s1', 'gran@example.test') \gset
select invite_id as withdrawn from tutela.invite_guardian(:'s2', 'gran@example.test') \gset
select tutela.withdraw_guardian_invite(:'withdrawn');
select invite_id as expired from tutela.invite_guardian(:'s3', 'gran@example.test') \gset
select tutela_tests.authenticate_as(:'gran');
select tutela.accept_guardian_invite(:'token');
select tutela_tests.clear_authentication();
update tutela.guardian_invites
set status = 'expired', expires_at = now() - interval '1 day'
where id = :'expired';

select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.withdraw_guardian_invite(%L)', :'accepted'),
  'TU409', null, 'an accepted invite: TU409'
);
select throws_ok(
  format('select tutela.withdraw_guardian_invite(%L)', :'withdrawn'),
  'TU409', null, 'an invite withdrawn already: TU409'
);
select throws_ok(
  format('select tutela.withdraw_guardian_invite(%L)', :'expired'),
  'TU409', null, 'an expired invite: TU409'
);
select throws_ok(
  format('select tutela.withdraw_guardian_invite(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown invite: TU403, like one the caller may not act on'
);

select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_invites where id = :'accepted'),
  'accepted',
  'the accepted invite stays accepted'
);
select is(
  (select status from tutela.guardian_invites where id = :'expired'),
  'expired',
  'the expired invite stays expired'
);
select is(
  (select count(*) from tutela.link_events where action = 'invite_withdrawn'),
  1::bigint,
  'only the one real withdrawal is audited'
);

select * from finish();
rollback;
