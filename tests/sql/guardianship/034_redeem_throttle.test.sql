-- redeem_guardian_link_code throttle: 5 failed attempts within the last 15 minutes -> TU429,
-- even with a good code. Older failures, successful attempts and other users' failures do not
-- count. Attempts are back-dated rows inserted as postgres.
begin;
select plan(9);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('eve@example.test') as eve \gset
select tutela_tests.create_user('four@example.test') as four \gset
select tutela_tests.create_user('old@example.test') as old \gset
select tutela_tests.create_user('lucky@example.test') as lucky \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 10}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student', 10) \gset

select tutela_tests.clear_authentication();
-- eve: 5 failures, the oldest 14 minutes 59 seconds ago
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'eve'::uuid as user_id,
  now() - interval '1 minute' * g.m - interval '4 minutes 59 seconds' as attempted_at,
  false as succeeded
from generate_series(0, 10, 2.5) as g (m);
-- four: 4 recent failures and 1 of 16 minutes ago
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'four'::uuid as user_id,
  now() - interval '1 minute' * g.m as attempted_at,
  false as succeeded
from generate_series(1, 4) as g (m);
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
values (:'four', now() - interval '16 minutes', false);
-- old: 5 failures, all 16 minutes ago or older
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'old'::uuid as user_id,
  now() - interval '16 minutes' - interval '1 minute' * g.m as attempted_at,
  false as succeeded
from generate_series(0, 4) as g (m);
-- lucky: 5 recent successful attempts
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'lucky'::uuid as user_id,
  now() - interval '1 minute' * g.m as attempted_at,
  true as succeeded
from generate_series(1, 5) as g (m);
select is(
  (
    select count(*) from tutela_private.link_code_attempts
    where user_id = :'eve' and attempted_at > now() - interval '15 minutes'
  ),
  5::bigint,
  'eve has 5 failures within 15 minutes'
);

select tutela_tests.authenticate_as(:'eve');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU429', null, 'after 5 recent failures even a good code is refused: TU429'
);
select throws_ok(
  $$ select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') $$,
  'TU429', null, 'and a bad code too'
);
select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.guardian_links where guardian_id = %L', :'eve'),
  'the throttled user was not linked'
);
select is(
  (select uses from tutela_private.guardian_link_codes where student_id = :'student'),
  0,
  'the throttled call did not use the code'
);

select tutela_tests.authenticate_as(:'four');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'active',
  '4 recent failures (and an older one) are under the limit'
);
select tutela_tests.authenticate_as(:'old');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'active',
  '5 failures older than 15 minutes do not count'
);
select tutela_tests.authenticate_as(:'lucky');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'active',
  'successful attempts do not count'
);

-- a fifth failure in the window closes the door
select tutela_tests.authenticate_as(:'admin');
select tutela_tests.create_user('five@example.test') as five \gset
select tutela_tests.clear_authentication();
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'five'::uuid as user_id,
  now() - interval '1 minute' * g.m as attempted_at,
  false as succeeded
from generate_series(1, 4) as g (m);
select tutela_tests.authenticate_as(:'five');
select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU429', null, 'a fifth failure made through the function counts: TU429'
);

select * from finish();
rollback;
