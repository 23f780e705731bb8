-- accept_guardian_invite: a former guardian (revoked link) who accepts a new invite gets the
-- same link row back, active, with the invite's relation and permissions, created via
-- 'invite', not primary, and the revocation cleared.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('dad@example.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code', 'guardian') ->> 'id') as old_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'old_link');
select tutela.revoke_guardian_link(:'old_link', 'left the family');
select
  invite_id,
  token
from tutela.invite_guardian(
  :'student', 'dad@example.test', 'Dad', 'father', '{"grades": false}'
) \gset

select tutela_tests.authenticate_as(:'dad');
select id as new_link from tutela.accept_guardian_invite(:'token') \gset

select is(:'new_link'::uuid, :'old_link'::uuid, 'the same link row is restored');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, relation, created_via, is_primary, revoked_at, revoked_by, revoke_reason
       from tutela.guardian_links where id = %L $$,
    :'old_link'
  ),
  $$ values ('active'::text, 'father'::text, 'invite'::text, false, null::timestamptz,
     null::uuid, null::text) $$,
  'it is active, with the invite''s relation, not primary, and no longer revoked'
);
select is(
  (select permissions ->> 'grades' from tutela.guardian_links where id = :'old_link'),
  'false',
  'it carries the invite''s permissions'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  1::bigint,
  'still one row for this student and guardian'
);
select is(
  (select status from tutela.guardian_invites where id = :'invite_id'),
  'accepted',
  'the invite is accepted'
);
select is(
  (
    select count(*) from tutela.link_events
    where action = 'link_restored' and link_id = :'old_link' and invite_id = :'invite_id'
  ),
  1::bigint,
  'the restoration is audited against the invite'
);
select is(
  (
    select count(*) from tutela.link_events
    where action = 'invite_accepted' and invite_id = :'invite_id' and subject_user_id = :'dad'
  ),
  1::bigint,
  'the acceptance is audited'
);

select tutela_tests.authenticate_as(:'dad');
select results_eq(
  'select student_id, status from tutela.guardian_list_children()',
  format($$ values (%L::uuid, 'active'::text) $$, :'student'),
  'the guardian sees the child again'
);

select * from finish();
rollback;
