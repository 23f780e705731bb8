-- ensure_personal_space() is idempotent: a second call (a retried request, the app opening the
-- screen again) returns the same record, in the same space, and writes nothing.
begin;
select plan(7);

select tutela_tests.create_user('kid@example.test', '{"display_name": "Kim"}') as kid \gset
select tutela_tests.create_user('other@example.test') as other \gset

select tutela_tests.authenticate_as(:'kid');
select * from tutela.ensure_personal_space('Kimmy') \gset first_
select is(:'first_display_name'::text, 'Kimmy', 'a name given on the first call is used');

select tutela_tests.clear_authentication();
select count(*) as events_before from tutela.link_events \gset

select tutela_tests.authenticate_as(:'kid');
select * from tutela.ensure_personal_space() \gset second_
select is(:'second_id'::uuid, :'first_id'::uuid, 'the second call returns the same record');
select is(
  (tutela.ensure_personal_space('Another name')).display_name, 'Kimmy',
  'a later call changes nothing, not even the name'
);

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.organizations where personal_user_id = :'kid'), 1::bigint,
  'one space per login'
);
select is(
  (select count(*) from tutela.students where user_id = :'kid'), 1::bigint,
  'one student record per login'
);
select is(
  (select count(*) from tutela.link_events), :'events_before'::bigint,
  'repeated calls are not audited again'
);

-- another user gets a space of their own, named after their profile (the email's name here)
select tutela_tests.authenticate_as(:'other');
select is(
  (tutela.ensure_personal_space()).display_name, 'other',
  'without a name, the profile''s display name is used'
);

select * from finish();
rollback;
