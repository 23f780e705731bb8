-- set_notification_preference validates its input (TU422): a known type, channels among
-- email, sms, push and in_app (no null among them), min_severity info, warning or critical,
-- enabled true or false. It needs a user: the service key alone is TU401, anon 42501.
-- Nothing is stored on a refusal.
begin;
select plan(10);

select tutela_tests.create_user('mum-071@ntf.test') as u_mum \gset

select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  $$ select tutela.set_notification_preference('homework_eaten') $$, 'TU422', null,
  'an unknown type'
);
select throws_ok(
  $$ select tutela.set_notification_preference(null) $$, 'TU422', null, 'no type'
);
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded', array['email', 'fax']) $$,
  'TU422', null, 'an unknown channel'
);
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded', array['email', null]) $$,
  'TU422', null, 'a null channel'
);
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded', p_min_severity => 'urgent') $$,
  'TU422', null, 'an unknown severity'
);
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded', p_min_severity => null) $$,
  'TU422', null, 'no severity'
);
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded', p_enabled => null) $$,
  'TU422', null, 'enabled null'
);
select tutela_tests.as_service_role();
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded') $$, 'TU401', null,
  'the service key: no user'
);
select tutela_tests.as_anon();
select throws_ok(
  $$ select tutela.set_notification_preference('child_graded') $$, '42501', null, 'anon'
);

select tutela_tests.clear_authentication();
select is_empty('select * from tutela.notification_preferences', 'nothing was stored');

select * from finish();
rollback;
