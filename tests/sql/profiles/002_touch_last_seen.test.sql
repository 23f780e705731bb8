-- touch_last_seen(): signed-in users record activity; anon cannot call it.
begin;
select plan(5);

select tutela_tests.create_user('cy@example.test') as cy \gset

select tutela_tests.authenticate_as(:'cy');
select isnt(tutela.touch_last_seen(), null, 'a signed-in user records last seen');
select tutela_tests.clear_authentication();
select isnt(
  (select last_seen_at from tutela.profiles where user_id = :'cy'),
  null,
  'last_seen_at is stored on their profile'
);

-- recreates a missing profile instead of failing
delete from tutela.profiles where user_id = :'cy';
select tutela_tests.authenticate_as(:'cy');
select lives_ok('select tutela.touch_last_seen()', 'works when the profile row is missing');

-- authenticated role but no user in the token
select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok('select tutela.touch_last_seen()', 'TU401', null, 'no signed-in user: TU401');

select tutela_tests.as_anon();
select throws_ok('select tutela.touch_last_seen()', '42501', null, 'anon may not call it');

select * from finish();
rollback;
