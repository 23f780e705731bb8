-- After an erasure, the student's login may no longer act in Tutela, until Supabase Auth
-- deletes it: it is marked in tutela_private.erased_users (tutela_hidden.is_erased_user).
-- touch_last_seen
-- does not recreate its profile (TU401), the profiles insert policy cannot be used to make one
-- (TU401), and the data-rights functions treat it as no one (TU401 / no right). Every function
-- that asks tutela_hidden.require_uid refuses it with TU401 once require_uid asks
-- tutela_hidden.is_erased_user (rpc/guardianship.sql; the one assertion marked TODO below until
-- then). Deleting the login in Auth removes the mark.
begin;
select plan(8);

select tutela_tests.create_user('erased@login.test') as u_kid \gset
select tutela_tests.create_user('other@login.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('Login School', 'login-school')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Erased', :'u_kid', (now() at time zone 'UTC')::date - interval '17 years')
returning id as kid \gset
select tutela_tests.authenticate_as(:'u_kid');
select (tutela.request_data_erasure(:'kid')).id as req \gset
select tutela_tests.as_service_role();
select tutela.erase_student_data(:'req') is not null as erased \gset
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.data_requests where id = :'req'), 'completed',
  'the erasure is carried out'
);
select ok(tutela_hidden.is_erased_user(:'u_kid'), 'the login is marked erased');

select tutela_tests.authenticate_as(:'u_kid');
select throws_ok(
  'select tutela.touch_last_seen()', 'TU401', null,
  'touch_last_seen refuses the erased login (no profile comes back)'
);
select throws_ok(
  format($$insert into tutela.profiles (user_id, display_name) values (%L, 'Back')$$, :'u_kid'),
  'TU401', null, 'the login cannot insert its profile again'
);
select throws_ok(
  $$select tutela.create_organization('Mine', 'erased-mine')$$, 'TU401', null,
  'create_organization refuses the erased login'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.profiles where user_id = :'u_kid'), 0::bigint,
  'no profile of the erased login exists'
);
select tutela_tests.authenticate_as(:'u_other');
select lives_ok('select tutela.touch_last_seen()', 'other users are not affected');
select tutela_tests.clear_authentication();
delete from auth.users where id = :'u_kid';
select is(
  (select count(*) from tutela_private.erased_users where user_id = :'u_kid'), 0::bigint,
  'when Auth deletes the login, the mark goes with it'
);

select * from finish();
rollback;
