-- invite_student: a bad email or display name is TU422, an unknown organisation TU403; no
-- student, invite or email is left behind.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset

select throws_ok(
  format($$ select tutela.invite_student(%L, 'Kid', 'not-an-email') $$, :'org'),
  'TU422', null, 'an email without @ is TU422'
);
select throws_ok(
  format($$ select tutela.invite_student(%L, 'Kid', null) $$, :'org'),
  'TU422', null, 'a missing email is TU422'
);
select throws_ok(
  format($$ select tutela.invite_student(%L, '  ', 'kid@example.test') $$, :'org'),
  'TU422', null, 'a blank display name is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_student(%L, repeat('x', 201), 'kid@example.test') $$, :'org'
  ),
  'TU422', null, 'a display name over 200 characters is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_student(%L, 'Kid', 'kid@example.test') $$, gen_random_uuid()
  ),
  'TU403', null, 'an unknown organisation is TU403, like one the caller does not run'
);

select tutela_tests.clear_authentication();
select is_empty('select 1 from tutela.students', 'no student record was created');
select is_empty(
  $$ select 1 from tutela_private.notification_outbox where kind = 'student_invite' $$,
  'no email was queued'
);

select * from finish();
rollback;
