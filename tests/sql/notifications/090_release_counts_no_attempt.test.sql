-- release_notification(id, claim, reason, retry_seconds) (service role, issue 27) gives a
-- claimed message back untried (an SMTP outage, a lease running out): no attempt is counted,
-- the outage is kept as its last error and counted in deferrals, and it is due again after
-- the dispatcher's wait. Only the claim that holds the row may release it; other actors are
-- refused (42501); a missing claim number or a wait outside 0..86400 s is TU422.
begin;
select plan(9);

select tutela_tests.create_user('mum-090@ntf.test') as u_mum \gset
insert into tutela_private.notification_outbox (
  kind, channel, template, idempotency_key, recipient_email, payload
)
values ('test', 'email', 'alert', 'test-090', 'x-090@ntf.test', '{"title": "t"}')
returning id as msg \gset

select tutela_tests.as_service_role();
select claim as c1 from tutela.claim_notifications(10, 300) \gset
select is(
  tutela.release_notification(:'msg', :c1 + 1, 'cannot reach the SMTP server', 60), null,
  'another claim number: not released'
);
select is(
  tutela.release_notification(:'msg', :c1, 'cannot reach the SMTP server', 60), 'pending',
  'its own claim gives it back'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select status, attempts, deferrals, last_error, claimed_at is null,
       next_attempt_at between now() + interval '59 seconds' and now() + interval '61 seconds'
     from tutela_private.notification_outbox where idempotency_key = 'test-090' $$,
  $$ values ('pending'::text, 0, 1, 'cannot reach the SMTP server'::text, true, true) $$,
  'pending, no attempt counted, the outage kept, due after the wait'
);

-- twenty outage rounds later (the clock moved between them): still no attempt used (the
-- protocol run by the owner, who may move the clock)
do $$
declare v_claim integer;
begin
  for i in 1..20 loop
    update tutela_private.notification_outbox set next_attempt_at = now() - interval '1 second'
    where idempotency_key = 'test-090';
    select c.claim into v_claim from tutela.claim_notifications(10, 300) as c;
    perform tutela.release_notification(
      (select id from tutela_private.notification_outbox where idempotency_key = 'test-090'),
      v_claim, 'cannot reach the SMTP server', 60);
  end loop;
end;
$$;
select tutela_tests.clear_authentication();
select results_eq(
  $$ select status, attempts, deferrals from tutela_private.notification_outbox
     where idempotency_key = 'test-090' $$,
  $$ values ('pending'::text, 0, 21) $$,
  'twenty-one outage rounds: pending, not one attempt used'
);

select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.release_notification(%L, null)', :'msg'), 'TU422', null,
  'no claim number'
);
select throws_ok(
  format('select tutela.release_notification(%L, 1, null, 86401)', :'msg'), 'TU422', null,
  'a wait over a day'
);
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format('select tutela.release_notification(%L, 1)', :'msg'), '42501', null,
  'a signed-in user cannot release'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.release_notification(%L, 1)', :'msg'), '42501', null,
  'anon cannot release'
);
select tutela_tests.clear_authentication();
select is(
  (select deferrals from tutela_private.notification_outbox where idempotency_key = 'test-090'), 21,
  'the refused calls changed nothing'
);

select * from finish();
rollback;
