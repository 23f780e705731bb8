-- redeem_guardian_link_code: an unknown, malformed, expired, withdrawn or used-up code is
-- refused WITHOUT RAISING, all in the same words, so an attacker cannot tell them apart: the
-- result is {"code": "TU404", "message", "details", "hint"}, response.status is set (400, the
-- status of every TU code: docs/errors.md, "Refusals that are returned"), and a failed attempt
-- is recorded (it would be rolled back if the function raised).
begin;
select plan(20);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('eve@example.test') as eve \gset
select tutela_tests.create_user('mallory@example.test') as mallory \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code as expired_code from tutela.create_guardian_link_code(:'student') \gset
select code as edge_code from tutela.create_guardian_link_code(:'student') \gset
select code as withdrawn_code from tutela.create_guardian_link_code(:'student') \gset
select code as used_code from tutela.create_guardian_link_code(:'student') \gset

-- expired: back-dated; edge: expires this very moment; withdrawn: by the student;
-- used up: mum redeemed the single-use code
select tutela_tests.clear_authentication();
update tutela_private.guardian_link_codes set expires_at = now() - interval '1 second'
where code_hash = sha256(convert_to(replace(:'expired_code', '-', ''), 'UTF8'));
update tutela_private.guardian_link_codes set expires_at = now()
where code_hash = sha256(convert_to(replace(:'edge_code', '-', ''), 'UTF8'));
select id as withdrawn_id from tutela_private.guardian_link_codes
where code_hash = sha256(convert_to(replace(:'withdrawn_code', '-', ''), 'UTF8')) \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.withdraw_guardian_link_code(:'withdrawn_id');
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'used_code');

-- eve and mallory try three each (under the throttle); the status is cleared before each call
select tutela_tests.authenticate_as(:'eve');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') as unknown_result \gset
select is(current_setting('response.status'), '400', 'an unknown code sets the HTTP status');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code(:'expired_code') as expired_result \gset
select is(current_setting('response.status'), '400', 'an expired code sets the HTTP status');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code(:'edge_code') as edge_result \gset
select is(
  current_setting('response.status'), '400',
  'a code expiring this very moment sets the HTTP status'
);
select tutela_tests.authenticate_as(:'mallory');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code(:'withdrawn_code') as withdrawn_result \gset
select is(current_setting('response.status'), '400', 'a withdrawn code sets the HTTP status');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code(:'used_code') as used_result \gset
select is(current_setting('response.status'), '400', 'a used-up code sets the HTTP status');
select set_config('response.status', '', true);
select tutela.redeem_guardian_link_code('not a code at all') as garbage_result \gset
select is(
  current_setting('response.status'), '400', 'text that is no code sets the HTTP status'
);

select is(
  (:'unknown_result'::jsonb) ->> 'code', 'TU404', 'an unknown code returns code TU404'
);
select is(
  (select array_agg(k order by k) from jsonb_object_keys(:'unknown_result'::jsonb) as k),
  array['code', 'details', 'hint', 'message'],
  'the refusal has the shape of a PostgREST error: code, message, details, hint'
);
select is(
  (:'unknown_result'::jsonb) -> 'details', 'null'::jsonb, 'details is null'
);
select is(:'expired_result'::jsonb, :'unknown_result'::jsonb, 'expired looks like unknown');
select is(:'edge_result'::jsonb, :'unknown_result'::jsonb, 'just expired looks like unknown');
select is(:'withdrawn_result'::jsonb, :'unknown_result'::jsonb, 'withdrawn looks like unknown');
select is(:'used_result'::jsonb, :'unknown_result'::jsonb, 'used up looks like unknown');
select is(:'garbage_result'::jsonb, :'unknown_result'::jsonb, 'no code looks like unknown');

-- the traces, read as postgres
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select user_id, count(*) filter (where not succeeded and attempted_at = now())
       from tutela_private.link_code_attempts where user_id in (%L, %L)
       group by user_id order by user_id = %L $$,
    :'eve', :'mallory', :'mallory'
  ),
  format($$ values (%L::uuid, 3::bigint), (%L::uuid, 3::bigint) $$, :'eve', :'mallory'),
  'each refusal recorded a failed attempt for its caller'
);
select is_empty(
  format(
    'select 1 from tutela.guardian_links where guardian_id in (%L, %L)', :'eve', :'mallory'
  ),
  'no refused code linked the caller'
);
select is(
  (
    select uses from tutela_private.guardian_link_codes
    where code_hash = sha256(convert_to(replace(:'used_code', '-', ''), 'UTF8'))
  ),
  1,
  'the used-up code is not counted again'
);
select is(
  (
    select sum(uses) from tutela_private.guardian_link_codes
    where
      student_id = :'student'
      and code_hash <> sha256(convert_to(replace(:'used_code', '-', ''), 'UTF8'))
  ),
  0::bigint,
  'the expired and withdrawn codes gained no use'
);

-- for PostgREST the refusal is the function's result, not an error
select tutela_tests.authenticate_as(:'eve');
select lives_ok(
  $$ select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') $$,
  'a bad code does not raise'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela_private.link_code_attempts where user_id = :'eve' and not succeeded),
  4::bigint,
  'the attempt of a call that returned a refusal is kept'
);

select * from finish();
rollback;
