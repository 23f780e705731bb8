-- An unpublished course is for staff only, and so is everything that belongs to it: its
-- modules, assignments, competencies and live classes. Published ones are for everyone who
-- belongs to the organisation.
begin;
select plan(10);

select tutela_tests.create_user('staff@draft.test') as u_staff \gset
select tutela_tests.create_user('student@draft.test') as u_student \gset
select tutela_tests.create_user('guardian@draft.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Draft', 'draft-org') returning
  id as org
\gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_student') returning id as kid \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'kid', :'u_guardian', 'active', 'staff', now());
insert into tutela.courses (organization_id, title, is_published)
values (:'org', 'Draft course', false) returning id as draft \gset
insert into tutela.courses (organization_id, title) values (:'org', 'Live course')
returning id as live \gset
insert into tutela.course_modules (organization_id, course_id, title)
values (:'org', :'draft', 'Draft module'), (:'org', :'live', 'Live module');
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'draft', 'Final exam (unreleased)') returning id as exam \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'live', 'Quiz 1') returning id as quiz \gset
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Maths', 'Algebra') returning id as skill \gset
insert into tutela.assignment_skills (assignment_id, skill_id, organization_id)
values (:'exam', :'skill', :'org'), (:'quiz', :'skill', :'org');
insert into tutela.live_classes (organization_id, course_id, title, starts_at, ends_at)
values
(:'org', :'draft', 'Draft lab', now(), now() + interval '1 hour'),
(:'org', :'live', 'Live lab', now(), now() + interval '1 hour'),
(:'org', null, 'Open day', now(), now() + interval '1 hour');

select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'select title from tutela.course_modules', $$ values ('Live module') $$,
  'a student sees the published course''s modules only'
);
select results_eq(
  'select title from tutela.assignments', $$ values ('Quiz 1') $$,
  'a student sees the published course''s assignments only'
);
select results_eq(
  'select assignment_id from tutela.assignment_skills',
  format('values (%L::uuid)', :'quiz'), 'a student sees the published competencies only'
);
select results_eq(
  'select title from tutela.live_classes order by title',
  $$ values ('Live lab'), ('Open day') $$,
  'a student sees live classes of published courses and those of no course'
);

select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select title from tutela.assignments', $$ values ('Quiz 1') $$,
  'a guardian sees the published course''s assignments only'
);
select results_eq(
  'select title from tutela.course_modules', $$ values ('Live module') $$,
  'a guardian sees the published course''s modules only'
);

select tutela_tests.authenticate_as(:'u_staff');
select is((select count(*) from tutela.course_modules), 2::bigint, 'staff see every module');
select is((select count(*) from tutela.assignments), 2::bigint, 'staff see every assignment');
select is(
  (select count(*) from tutela.assignment_skills), 2::bigint,
  'staff see every competency'
);
select is((select count(*) from tutela.live_classes), 3::bigint, 'staff see every live class');

select * from finish();
rollback;
