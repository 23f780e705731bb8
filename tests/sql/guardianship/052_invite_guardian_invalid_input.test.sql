-- invite_guardian: invalid input is TU422 (a bad email, an unknown permission key, a
-- permission that is not a boolean, an unknown relation), and nothing is stored.
begin;
select plan(9);

select tutela_tests.create_user('admin@example.test') as admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset

select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'not-an-email') $$, :'student'),
  'TU422', null, 'an email without @ is TU422'
);
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'a b@example.test') $$, :'student'),
  'TU422', null, 'an email with a space is TU422'
);
select throws_ok(
  format($$ select tutela.invite_guardian(%L, null) $$, :'student'),
  'TU422', null, 'a missing email is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_guardian(%L, 'a@example.test', p_permissions => '{"diary": true}') $$,
    :'student'
  ),
  'TU422', null, 'an unknown permission key is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_guardian(%L, 'a@example.test', p_permissions => '{"journal": 1}') $$,
    :'student'
  ),
  'TU422', null, 'a permission that is not true or false is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_guardian(%L, 'a@example.test', p_permissions => '[]') $$,
    :'student'
  ),
  'TU422', null, 'permissions that are not an object are TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_guardian(%L, 'a@example.test', p_relation => 'uncle') $$,
    :'student'
  ),
  'TU422', null, 'an unknown relation is TU422'
);
select throws_ok(
  format(
    $$ select tutela.invite_guardian(%L, 'a@example.test', p_relation => null) $$,
    :'student'
  ),
  'TU422', null, 'a null relation is TU422'
);

select tutela_tests.clear_authentication();
select is_empty('select 1 from tutela.guardian_invites', 'no invalid call stored an invite');

select * from finish();
rollback;
