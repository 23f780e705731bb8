-- Profiles: a user reads and renames only their own profile; anon and strangers see nothing.
begin;
select plan(12);

select tutela_tests.create_user('ada@example.test', '{"display_name": "Ada"}') as ada \gset
select tutela_tests.create_user('bob@example.test') as bob \gset

-- the sign-up trigger made both profiles
select is(
  (select display_name from tutela.profiles where user_id = :'ada'),
  'Ada',
  'sign-up creates a profile named from the user metadata'
);
select is(
  (select display_name from tutela.profiles where user_id = :'bob'),
  'bob',
  'without a name, the profile is named after the email'
);

-- Ada sees her profile only
select tutela_tests.authenticate_as(:'ada');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'ada'),
  'a user sees exactly their own profile'
);
select lives_ok(
  $$ update tutela.profiles set display_name = 'Ada L.' $$,
  'a user renames their profile'
);
select is(
  (select display_name from tutela.profiles where user_id = :'ada'),
  'Ada L.',
  'the rename is visible to them'
);

-- Ada cannot touch Bob's profile: no row matches, nothing changes
update tutela.profiles set display_name = 'hacked' where user_id = :'bob';
select tutela_tests.clear_authentication();
select is(
  (select display_name from tutela.profiles where user_id = :'bob'),
  'bob',
  'another user''s profile cannot be renamed'
);

-- Ada cannot insert a profile for someone else, nor change columns she has no grant on
select tutela_tests.authenticate_as(:'ada');
select throws_ok(
  format('insert into tutela.profiles (user_id) values (%L)', :'bob'),
  '42501',
  null,
  'inserting a profile for another user is refused'
);
select throws_ok(
  $$ update tutela.profiles set last_seen_at = now() $$,
  '42501',
  null,
  'last_seen_at is not writable directly'
);
select throws_ok(
  $$ delete from tutela.profiles $$,
  '42501',
  null,
  'profiles cannot be deleted through the API'
);

-- anon sees nothing and cannot read the table at all
select tutela_tests.as_anon();
select throws_ok(
  'select * from tutela.profiles',
  '42501',
  null,
  'anon has no access to profiles'
);

-- the service role sees every profile
select tutela_tests.as_service_role();
select cmp_ok(
  (select count(*) from tutela.profiles where user_id in (:'ada', :'bob')),
  '=',
  2::bigint,
  'service_role reads all profiles'
);

-- a signed-in user without a profile row sees an empty table, not an error
select tutela_tests.clear_authentication();
delete from tutela.profiles where user_id = :'bob';
select tutela_tests.authenticate_as(:'bob');
select is_empty('select * from tutela.profiles', 'a user without a profile sees nothing');

select * from finish();
rollback;
