-- Goals: who writes which kind, and authorship the client cannot fake.
-- A goal of kind 'student' is written by the student; a 'family' goal by an active guardian
-- with `progress`. created_by is always the caller on insert (a client-sent value is replaced);
-- kind and created_by never change on update, so nobody can turn a student's goal into a
-- family goal, take over another guardian's family goal or hand their own to someone else.
-- The service role (imports) may set created_by.
begin;
select plan(27);

select tutela_tests.create_user('student@goalkind.test') as u_student \gset
select tutela_tests.create_user('other_student@goalkind.test') as u_other_student \gset
select tutela_tests.create_user('guardian@goalkind.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@goalkind.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@goalkind.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Goal kinds', 'goal-kinds', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_guardian', 'active', 'staff', now()),
(:'student', :'u_guardian2', 'active', 'staff', now());

insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'student', :'u_student', 'Own goal') returning id as g_own \gset
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'family', :'u_guardian', 'Family goal') returning id as g_family \gset
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'family', :'u_guardian2', 'Their goal') returning id as g_theirs \gset

prepare student_family as
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'family', :'u_guardian', 'Family goal by the student');
prepare guardian_student as
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'student', :'u_student', 'Student goal by the guardian');
prepare guardian_default_kind as
insert into tutela.goals (student_id, title) values (:'student', 'No kind given');
prepare staff_family as
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'family', :'u_guardian', 'Family goal by staff');
prepare student_moves as
update tutela.goals set student_id = :'other_student' where id = :'g_own';
prepare guardian_moves as
update tutela.goals set student_id = :'other_student' where id = :'g_family';

-- insert: created_by is the caller, whatever the client sends
select tutela_tests.authenticate_as(:'u_guardian');
select lives_ok(
  format(
    'insert into tutela.goals (student_id, kind, created_by, title) values (%L, %L, %L, %L)',
    :'student', 'family', :'u_guardian2', 'Sent as guardian2'
  ),
  'insert: a guardian''s family goal sent with another guardian as author is accepted'
);
select lives_ok(
  format(
    'insert into tutela.goals (student_id, kind, created_by, title) values (%L, %L, %L, %L)',
    :'student', 'family', :'u_student', 'Sent as the student'
  ),
  'insert: a guardian''s family goal sent with the student as author is accepted'
);
select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format(
    'insert into tutela.goals (student_id, kind, created_by, title) values (%L, %L, %L, %L)',
    :'student', 'student', :'u_guardian', 'Sent as the guardian'
  ),
  'insert: the student''s goal sent with a guardian as author is accepted'
);
select tutela_tests.clear_authentication();
select is(
  (select created_by from tutela.goals where title = 'Sent as guardian2'), :'u_guardian'::uuid,
  'insert: a family goal sent with another guardian as author is authored by the caller'
);
select is(
  (select created_by from tutela.goals where title = 'Sent as the student'), :'u_guardian'::uuid,
  'insert: a family goal sent with the student as author is authored by the caller'
);
select is(
  (select created_by from tutela.goals where title = 'Sent as the guardian'),
  :'u_student'::uuid,
  'insert: a student goal sent with a guardian as author is authored by the student'
);

-- insert: each kind has its one writer
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  'student_family', '42501', null,
  'insert: the student cannot create a family goal (even naming a guardian as author)'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  'guardian_student', '42501', null,
  'insert: a guardian cannot create a student goal (even naming the student as author)'
);
select throws_ok(
  'guardian_default_kind', '42501', null,
  'insert: a guardian who gives no kind gets the default (student) and is refused'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  'staff_family', '42501', null,
  'insert: staff cannot create a family goal (even naming a guardian as author)'
);

-- update: kind and created_by stay as they were
select tutela_tests.authenticate_as(:'u_student');
with changed as (
  update tutela.goals set kind = 'family', created_by = :'u_guardian'
  where id = :'g_own'
  returning id
)

select is(
  (select count(*) from changed), 1::bigint,
  'update: the student may change their goal'
);
select tutela_tests.clear_authentication();
select row_eq(
  $$select kind, created_by from tutela.goals where title = 'Own goal'$$,
  row('student'::text, :'u_student'::uuid),
  'update: ... and it stays kind student, authored by the student'
);
select tutela_tests.authenticate_as(:'u_guardian');
with changed as (
  update tutela.goals set kind = 'student', created_by = :'u_guardian2'
  where id = :'g_family'
  returning id
)

select is(
  (select count(*) from changed), 1::bigint,
  'update: the guardian may change their family goal'
);
select tutela_tests.clear_authentication();
select row_eq(
  $$select kind, created_by from tutela.goals where title = 'Family goal'$$,
  row('family'::text, :'u_guardian'::uuid),
  'update: ... and it stays a family goal authored by them'
);

-- nobody takes over a goal by rewriting its author or kind
select tutela_tests.authenticate_as(:'u_guardian');
with changed as (
  update tutela.goals set created_by = :'u_guardian'
  where id = :'g_theirs'
  returning id
)

select is(
  (select count(*) from changed), 0::bigint,
  'update: a guardian cannot claim another guardian''s family goal'
);
with changed as (
  update tutela.goals set kind = 'family', created_by = :'u_guardian'
  where id = :'g_own'
  returning id
)

select is(
  (select count(*) from changed), 0::bigint,
  'update: a guardian cannot turn the student''s goal into their family goal'
);
select tutela_tests.authenticate_as(:'u_student');
with changed as (
  update tutela.goals set kind = 'student', created_by = :'u_student'
  where id = :'g_theirs'
  returning id
)

select is(
  (select count(*) from changed), 0::bigint,
  'update: the student cannot turn a family goal into their own'
);
select tutela_tests.clear_authentication();
select row_eq(
  format('select kind, created_by from tutela.goals where id = %L', :'g_theirs'),
  row('family'::text, :'u_guardian2'::uuid),
  'update: the other guardian''s goal is still theirs'
);
select row_eq(
  format('select kind, created_by from tutela.goals where id = %L', :'g_own'),
  row('student'::text, :'u_student'::uuid),
  'update: the student''s goal is still the student''s'
);

-- goals stay with their student
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  'student_moves', '42501', null, 'update: the student cannot move a goal to another student'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  'guardian_moves', '42501', null,
  'update: a guardian cannot move a family goal to a child they do not guard'
);

-- delete: a guardian deletes their own family goal, not the other guardian's
select tutela_tests.authenticate_as(:'u_guardian');
with gone as (delete from tutela.goals where id = :'g_theirs' returning id)

select is(
  (select count(*) from gone), 0::bigint,
  'delete: a guardian cannot delete another guardian''s family goal'
);
with gone as (delete from tutela.goals where id = :'g_family' returning id)

select is(
  (select count(*) from gone), 1::bigint,
  'delete: a guardian deletes their own family goal'
);
select tutela_tests.authenticate_as(:'u_student');
with gone as (delete from tutela.goals where id = :'g_theirs' returning id)

select is(
  (select count(*) from gone), 0::bigint,
  'delete: the student cannot delete a family goal'
);

-- the service role may load goals with any author (imports)
select tutela_tests.as_service_role();
insert into tutela.goals (student_id, kind, created_by, title)
values (:'student', 'family', :'u_guardian2', 'Imported');
select tutela_tests.clear_authentication();
select is(
  (select created_by from tutela.goals where title = 'Imported'), :'u_guardian2'::uuid,
  'service role: an imported goal keeps the author it was given'
);

-- the student's own goal keeps the student as author after all this
select tutela_tests.authenticate_as(:'u_student');
select is(
  (select count(*) from tutela.goals where created_by = :'u_student'), 2::bigint,
  'the student authored exactly their two goals'
);
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  (select count(*) from tutela.goals where created_by = :'u_guardian'), 2::bigint,
  'the guardian authored exactly the two family goals they created through the API'
);

select * from finish();
rollback;
