-- guardian_mood_entries are private to the guardian who wrote them: another guardian of the
-- same child, the child, staff and admins of the child's organisation and strangers neither
-- see, change nor delete them. anon has no grant. The service role bypasses RLS and sees all.
begin;
select plan(27);

select tutela_tests.create_user('student@mood.test') as u_student \gset
select tutela_tests.create_user('guardian@mood.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@mood.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@mood.test') as u_staff \gset
select tutela_tests.create_user('admin@mood.test') as u_admin \gset
select tutela_tests.create_user('stranger@mood.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Mood', 'mood', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_guardian', 'active', 'staff', now()),
(:'student', :'u_guardian2', 'active', 'staff', now());

-- the guardian writes two entries (one about the child, one general); guardian2 writes one
select tutela_tests.authenticate_as(:'u_guardian');
insert into tutela.guardian_mood_entries (student_id, emoji, energy, note)
values (:'student', 'tired', 2, 'Long week'), (null, 'calm', 4, 'Quiet evening');
select tutela_tests.authenticate_as(:'u_guardian2');
insert into tutela.guardian_mood_entries (student_id, emoji) values (:'student', 'happy');
select tutela_tests.clear_authentication();

prepare sel as select count(*) from tutela.guardian_mood_entries;

-- the writer sees, changes and deletes their own
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select emoji from tutela.guardian_mood_entries order by emoji',
  $$values ('calm'), ('tired')$$,
  'the writing guardian sees their own two entries and not the other guardian''s'
);

-- everybody else: nothing of the guardian's entries
select tutela_tests.authenticate_as(:'u_guardian2');
select results_eq(
  'select emoji from tutela.guardian_mood_entries',
  $$values ('happy')$$,
  'another guardian of the same child sees only their own entry'
);
select tutela_tests.authenticate_as(:'u_student');
select is_empty('select * from tutela.guardian_mood_entries', 'the child sees none');
select tutela_tests.authenticate_as(:'u_staff');
select is_empty('select * from tutela.guardian_mood_entries', 'staff see none');
select tutela_tests.authenticate_as(:'u_admin');
select is_empty('select * from tutela.guardian_mood_entries', 'an admin sees none');
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty('select * from tutela.guardian_mood_entries', 'a stranger sees none');
select tutela_tests.as_anon();
select throws_ok('sel', '42501', null, 'anon has no access');
select tutela_tests.as_service_role();
select is(
  (select count(*) from tutela.guardian_mood_entries), 3::bigint,
  'the service role sees every entry'
);

-- update: only the writer's own entries change
select tutela_tests.authenticate_as(:'u_guardian2');
with changed as (
  update tutela.guardian_mood_entries set note = 'Overwritten'
  where guardian_id = :'u_guardian' returning id
)

select is(
  (select count(*) from changed), 0::bigint,
  'update: another guardian changes none of the guardian''s entries'
);
select tutela_tests.authenticate_as(:'u_student');
with changed as (update tutela.guardian_mood_entries set note = 'Overwritten' returning id)

select is((select count(*) from changed), 0::bigint, 'update: the child changes nothing');
select tutela_tests.authenticate_as(:'u_staff');
with changed as (update tutela.guardian_mood_entries set note = 'Overwritten' returning id)

select is((select count(*) from changed), 0::bigint, 'update: staff change nothing');
select tutela_tests.authenticate_as(:'u_admin');
with changed as (update tutela.guardian_mood_entries set note = 'Overwritten' returning id)

select is((select count(*) from changed), 0::bigint, 'update: an admin changes nothing');
select tutela_tests.authenticate_as(:'u_stranger');
with changed as (update tutela.guardian_mood_entries set note = 'Overwritten' returning id)

select is((select count(*) from changed), 0::bigint, 'update: a stranger changes nothing');
select tutela_tests.as_anon();
prepare upd as update tutela.guardian_mood_entries set note = 'Overwritten';
select throws_ok('upd', '42501', null, 'update: anon is refused');
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_mood_entries where note = 'Overwritten'), 0::bigint,
  'update: no entry was overwritten by anyone else'
);
select tutela_tests.authenticate_as(:'u_guardian');
with changed as (update tutela.guardian_mood_entries set energy = 3 returning id)

select is(
  (select count(*) from changed), 2::bigint,
  'update: the writing guardian changes their own two entries (and only those)'
);

-- delete: only the writer's own entries go
select tutela_tests.authenticate_as(:'u_guardian2');
with gone as (
  delete from tutela.guardian_mood_entries where guardian_id = :'u_guardian' returning id
)

select is(
  (select count(*) from gone), 0::bigint,
  'delete: another guardian deletes none of the guardian''s entries'
);
select tutela_tests.authenticate_as(:'u_student');
with gone as (delete from tutela.guardian_mood_entries returning id)

select is((select count(*) from gone), 0::bigint, 'delete: the child deletes nothing');
select tutela_tests.authenticate_as(:'u_staff');
with gone as (delete from tutela.guardian_mood_entries returning id)

select is((select count(*) from gone), 0::bigint, 'delete: staff delete nothing');
select tutela_tests.authenticate_as(:'u_admin');
with gone as (delete from tutela.guardian_mood_entries returning id)

select is((select count(*) from gone), 0::bigint, 'delete: an admin deletes nothing');
select tutela_tests.authenticate_as(:'u_stranger');
with gone as (delete from tutela.guardian_mood_entries returning id)

select is((select count(*) from gone), 0::bigint, 'delete: a stranger deletes nothing');
select tutela_tests.as_anon();
prepare del as delete from tutela.guardian_mood_entries;
select throws_ok('del', '42501', null, 'delete: anon is refused');
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_mood_entries), 3::bigint,
  'delete: every entry is still there'
);
select tutela_tests.authenticate_as(:'u_guardian');
with gone as (delete from tutela.guardian_mood_entries where emoji = 'calm' returning id)

select is(
  (select count(*) from gone), 1::bigint, 'delete: the writing guardian deletes their own entry'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_mood_entries where guardian_id = :'u_guardian2'),
  1::bigint,
  'delete: the other guardian''s entry is untouched'
);

-- the service role may change and delete any entry
select tutela_tests.as_service_role();
with changed as (update tutela.guardian_mood_entries set note = 'Fixed' returning id)

select is((select count(*) from changed), 2::bigint, 'update: the service role changes any');
with gone as (delete from tutela.guardian_mood_entries returning id)

select is((select count(*) from gone), 2::bigint, 'delete: the service role deletes any');

select * from finish();
rollback;
