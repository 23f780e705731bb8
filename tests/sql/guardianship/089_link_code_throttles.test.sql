-- Security review (issue 22, finding 6): link-code throttles per account, per student (the
-- code's owner) and across all accounts. A refusal is TU429 whose details say which limit and
-- when to try again ({"limit": ..., "retry_after": seconds}); a new account does not start with
-- a fresh budget against one child's codes, and a crowd of accounts is bounded globally.
-- Attempts of other accounts are back-dated rows inserted as postgres (as 034 does).
begin;
select plan(13);

-- the TU429 details of a statement (null when it does not raise TU429)
create function pg_temp.throttled(p_sql text)
returns jsonb
language plpgsql
as $$
declare
  v_detail text;
begin
  execute p_sql;
  return null;
exception
  when sqlstate 'TU429' then
    get stacked diagnostics v_detail = pg_exception_detail;
    return v_detail::jsonb;
end;
$$;
grant execute on function pg_temp.throttled(text) to authenticated;

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('guesser@x.test') as guesser \gset
select tutela_tests.create_user('newcomer@x.test') as newcomer \gset
select tutela_tests.create_user('parent@x.test') as parent \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select
  tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 10}')
  is not null as t
\gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as other_student from tutela.create_student(:'org', 'Other') \gset
select code as good_code from tutela.create_guardian_link_code(:'student', 5) \gset
select code as other_code from tutela.create_guardian_link_code(:'other_student', 5) \gset

-- ---------------------------------------------------------------------------------------------
-- per account: 5 failures in 15 minutes
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'guesser');
select count(*) as refused from (
  select tutela.redeem_guardian_link_code('AAAA-AAAA-AAA' || n) from generate_series(1, 5) as n
) as t \gset
select pg_temp.throttled(
  format('select tutela.redeem_guardian_link_code(%L)', :'good_code')
) as account \gset
select is(:'account'::jsonb ->> 'limit', 'account', 'the sixth attempt of one account: account');
select ok(
  (:'account'::jsonb ->> 'retry_after')::int between 1 and 900,
  'retry_after is inside the 15-minute window'
);

-- ---------------------------------------------------------------------------------------------
-- per student: 10 failed attempts on one child's codes in an hour, by ten other accounts
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded, student_id)
select
  tutela_tests.create_user(format('crowd%s@x.test', n)) as user_id,
  now() - interval '50 minutes' + n * interval '1 minute' as attempted_at,
  false as succeeded,
  :'student' as student_id
from generate_series(1, 10) as n;
select tutela_tests.authenticate_as(:'newcomer');
select pg_temp.throttled(
  format('select tutela.redeem_guardian_link_code(%L)', :'good_code')
) as student_limit \gset
select is(
  :'student_limit'::jsonb ->> 'limit', 'student',
  'a fresh account is refused on a child whose codes were tried too often'
);
select ok(
  (:'student_limit'::jsonb ->> 'retry_after')::int between 600 and 660,
  'retry_after: when the oldest of those attempts leaves the hour (about 11 minutes)'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where guardian_id = :'newcomer'),
  0::bigint,
  'no link was made'
);
select tutela_tests.authenticate_as(:'newcomer');
select is(
  tutela.redeem_guardian_link_code(:'other_code') ->> 'status',
  'active',
  'another child''s code is not held up'
);
-- attempts older than an hour do not count
select tutela_tests.clear_authentication();
update tutela_private.link_code_attempts set attempted_at = attempted_at - interval '1 hour'
where student_id = :'student';
select tutela_tests.authenticate_as(:'parent');
select is(
  tutela.redeem_guardian_link_code(:'good_code') ->> 'status',
  'active',
  'once the hour has passed, the child''s code works again'
);

-- ---------------------------------------------------------------------------------------------
-- global: 1,000 failed attempts by anyone in 15 minutes
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
insert into tutela_private.link_code_attempts (user_id, attempted_at, succeeded)
select
  :'guesser'::uuid as user_id,
  now() - interval '14 minutes' - interval '1 millisecond' * n as attempted_at,
  false as succeeded
from generate_series(1, 1000) as n;
select tutela_tests.create_user('late@x.test') as late \gset
select tutela_tests.authenticate_as(:'late');
select pg_temp.throttled(
  format('select tutela.redeem_guardian_link_code(%L)', :'good_code')
) as global_limit \gset
select is(
  :'global_limit'::jsonb ->> 'limit', 'global', 'past 1,000 failures everywhere: global'
);
select ok(
  (:'global_limit'::jsonb ->> 'retry_after')::int between 1 and 61,
  'retry_after: when the oldest counted failure leaves the window (within a minute)'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where guardian_id = :'late'),
  0::bigint,
  'nothing was linked while throttled'
);
select is(
  (select count(*) from tutela_private.link_code_attempts where user_id = :'late'),
  0::bigint,
  'a throttled attempt is not recorded (it never reached a code)'
);

-- the refusal is a raised TU429, documented, for every limit
select tutela_tests.authenticate_as(:'late');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'good_code'),
  'TU429', null, 'the refusal is TU429'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'good_code'),
  '42501', null, 'anon may not redeem'
);

select * from finish();
rollback;
