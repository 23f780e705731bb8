-- Access matrix of tutela.goals: every actor x select, insert, update, delete.
-- The student manages their own goals (kind 'student'); an active guardian with `progress`
-- reads the child's goals and manages only the family goals they created themself; staff and
-- admins of the organisation read; everyone else sees and changes nothing; anon has no grant;
-- the service role bypasses RLS.
-- The three goals under test are titled by whose they are: 'student' (the student's own),
-- 'mine' (a family goal of the acting guardian), 'theirs' (a family goal of another guardian),
-- so each write reports which goals it reached.
begin;
select plan(52);

-- The world: organisation A (admin, staff, two students with logins), the student's guardians
-- in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student@goals.test') as u_student \gset
select tutela_tests.create_user('other_student@goals.test') as u_other_student \gset
select tutela_tests.create_user('guardian@goals.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@goals.test') as u_guardian2 \gset
select tutela_tests.create_user('guardian_noprog@goals.test') as u_guardian_noprog \gset
select tutela_tests.create_user('guardian_pending@goals.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian_revoked@goals.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff@goals.test') as u_staff \gset
select tutela_tests.create_user('admin@goals.test') as u_admin \gset
select tutela_tests.create_user('other_staff@goals.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@goals.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Goals A', 'goals-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Goals B', 'goals-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian2', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_noprog', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'student', :'u_guardian_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
);

-- The goals under test, with fixed ids so that deleted ones can be put back
select
  gen_random_uuid() as g_student,
  gen_random_uuid() as g_mine,
  gen_random_uuid() as g_theirs
\gset
prepare restore as
insert into tutela.goals (id, student_id, kind, created_by, title)
values
(:'g_student', :'student', 'student', :'u_student', 'student'),
(:'g_mine', :'student', 'family', :'u_guardian', 'mine'),
(:'g_theirs', :'student', 'family', :'u_guardian2', 'theirs')
on conflict (id) do nothing;
execute restore;

-- Statements the actors try
prepare sel as select count(*) from tutela.goals where student_id = :'student';
prepare ins_student as
insert into tutela.goals (student_id, kind, title) values (:'student', 'student', 'Read more');
prepare ins_family as
insert into tutela.goals (student_id, kind, title) values (:'student', 'family', 'Tidy up');
prepare upd as update tutela.goals set description = 'Changed' where student_id = :'student';
prepare del as delete from tutela.goals where student_id = :'student';
prepare tidy as
delete from tutela.goals where id not in (:'g_student', :'g_mine', :'g_theirs');

-- select: how many of the student's three goals each actor sees
select tutela_tests.authenticate_as(:'u_student');
select is((select count(*) from tutela.goals), 3::bigint, 'select: the student sees all three');
select tutela_tests.authenticate_as(:'u_other_student');
select is((select count(*) from tutela.goals), 0::bigint, 'select: another student sees none');
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  (select count(*) from tutela.goals), 3::bigint,
  'select: a guardian with progress sees all three (the student''s and both family goals)'
);
select tutela_tests.authenticate_as(:'u_guardian_noprog');
select is(
  (select count(*) from tutela.goals), 0::bigint,
  'select: a guardian without progress sees none'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select is((select count(*) from tutela.goals), 0::bigint, 'select: a pending guardian sees none');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select is((select count(*) from tutela.goals), 0::bigint, 'select: a revoked guardian sees none');
select tutela_tests.authenticate_as(:'u_staff');
select is((select count(*) from tutela.goals), 3::bigint, 'select: staff see all three');
select tutela_tests.authenticate_as(:'u_admin');
select is((select count(*) from tutela.goals), 3::bigint, 'select: an admin sees all three');
select tutela_tests.authenticate_as(:'u_other_staff');
select is(
  (select count(*) from tutela.goals), 0::bigint,
  'select: staff of another organisation see none'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is((select count(*) from tutela.goals), 0::bigint, 'select: a stranger sees none');
select tutela_tests.as_anon();
select throws_ok('sel', '42501', null, 'select: anon has no access');
select tutela_tests.as_service_role();
select is((select count(*) from tutela.goals), 3::bigint, 'select: the service role sees all');

-- insert
select tutela_tests.authenticate_as(:'u_student');
select lives_ok('ins_student', 'insert: the student adds a goal of their own');
select throws_ok('ins_family', '42501', null, 'insert: the student cannot add a family goal');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok(
  'ins_student', '42501', null, 'insert: another student cannot add a goal for the student'
);
select tutela_tests.authenticate_as(:'u_guardian');
select lives_ok('ins_family', 'insert: a guardian with progress adds a family goal');
select throws_ok(
  'ins_student', '42501', null, 'insert: a guardian cannot add a goal of kind student'
);
select tutela_tests.authenticate_as(:'u_guardian_noprog');
select throws_ok(
  'ins_family', '42501', null, 'insert: a guardian without progress cannot add a family goal'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select throws_ok('ins_family', '42501', null, 'insert: a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok('ins_family', '42501', null, 'insert: a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('ins_student', '42501', null, 'insert: staff cannot add a student goal');
select throws_ok('ins_family', '42501', null, 'insert: staff cannot add a family goal');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('ins_student', '42501', null, 'insert: an admin cannot add a student goal');
select throws_ok('ins_family', '42501', null, 'insert: an admin cannot add a family goal');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('ins_student', '42501', null, 'insert: staff of another organisation refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('ins_family', '42501', null, 'insert: a stranger is refused');
select tutela_tests.as_anon();
select throws_ok('ins_student', '42501', null, 'insert: anon is refused');
select tutela_tests.as_service_role();
select lives_ok('ins_student', 'insert: the service role may insert');
select tutela_tests.clear_authentication();
execute tidy;

-- update: which of the three goals each actor's update reaches
select tutela_tests.authenticate_as(:'u_student');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'student',
  'update: the student changes their own goal only, not the family goals'
);
select tutela_tests.authenticate_as(:'u_other_student');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: another student changes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'mine',
  'update: a guardian changes only the family goal they created'
);
select tutela_tests.authenticate_as(:'u_guardian_noprog');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: a guardian without progress changes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: a pending guardian changes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_revoked');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: a revoked guardian changes nothing'
);
select tutela_tests.authenticate_as(:'u_staff');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: staff change nothing (read only)'
);
select tutela_tests.authenticate_as(:'u_admin');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: an admin changes nothing (read only)'
);
select tutela_tests.authenticate_as(:'u_other_staff');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: staff of another organisation change nothing'
);
select tutela_tests.authenticate_as(:'u_stranger');
with changed as (update tutela.goals set description = 'Changed' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed), 'nothing',
  'update: a stranger changes nothing'
);
select tutela_tests.as_anon();
select throws_ok('upd', '42501', null, 'update: anon is refused');
select tutela_tests.as_service_role();
with changed as (
  update tutela.goals set description = 'Changed' where student_id = :'student'
  returning title
)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from changed),
  'mine,student,theirs',
  'update: the service role changes all three'
);

-- delete: which of the three goals each actor's delete reaches (put back after each success)
select tutela_tests.authenticate_as(:'u_student');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'student',
  'delete: the student deletes their own goal only, not the family goals'
);
select tutela_tests.clear_authentication();
execute restore;
select tutela_tests.authenticate_as(:'u_other_student');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: another student deletes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'mine',
  'delete: a guardian deletes only the family goal they created'
);
select tutela_tests.clear_authentication();
execute restore;
select tutela_tests.authenticate_as(:'u_guardian_noprog');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: a guardian without progress deletes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: a pending guardian deletes nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_revoked');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: a revoked guardian deletes nothing'
);
select tutela_tests.authenticate_as(:'u_staff');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: staff delete nothing'
);
select tutela_tests.authenticate_as(:'u_admin');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: an admin deletes nothing'
);
select tutela_tests.authenticate_as(:'u_other_staff');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: staff of another organisation delete nothing'
);
select tutela_tests.authenticate_as(:'u_stranger');
with gone as (delete from tutela.goals returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone), 'nothing',
  'delete: a stranger deletes nothing'
);
select tutela_tests.as_anon();
select throws_ok('del', '42501', null, 'delete: anon is refused');
select tutela_tests.as_service_role();
with gone as (delete from tutela.goals where student_id = :'student' returning title)

select is(
  (select coalesce(string_agg(title, ',' order by title), 'nothing') from gone),
  'mine,student,theirs',
  'delete: the service role deletes all three'
);

select * from finish();
rollback;
