-- An unpublished course is for staff only, and so is everything that belongs to it: its
-- modules, assignments, competencies and live classes. Published ones are for everyone who
-- belongs to the organisation.
begin;
select plan(10);

select tests.create_user('staff@draft.test') as u_staff \gset
select tests.create_user('student@draft.test') as u_student \gset
select tests.create_user('guardian@draft.test') as u_guardian \gset
insert into public.organizations (name, slug) values ('Draft', 'draft-org') returning
  id as org
\gset
insert into public.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into public.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_student') returning id as kid \gset
insert into public.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'kid', :'u_guardian', 'active', 'staff', now());
insert into public.courses (organization_id, title, is_published)
values (:'org', 'Draft course', false) returning id as draft \gset
insert into public.courses (organization_id, title) values (:'org', 'Live course')
returning id as live \gset
insert into public.course_modules (organization_id, course_id, title)
values (:'org', :'draft', 'Draft module'), (:'org', :'live', 'Live module');
insert into public.assignments (organization_id, course_id, title)
values (:'org', :'draft', 'Final exam (unreleased)') returning id as exam \gset
insert into public.assignments (organization_id, course_id, title)
values (:'org', :'live', 'Quiz 1') returning id as quiz \gset
insert into public.skills (organization_id, category, name)
values (:'org', 'Maths', 'Algebra') returning id as skill \gset
insert into public.assignment_skills (assignment_id, skill_id, organization_id)
values (:'exam', :'skill', :'org'), (:'quiz', :'skill', :'org');
insert into public.live_classes (organization_id, course_id, title, starts_at, ends_at)
values
(:'org', :'draft', 'Draft lab', now(), now() + interval '1 hour'),
(:'org', :'live', 'Live lab', now(), now() + interval '1 hour'),
(:'org', null, 'Open day', now(), now() + interval '1 hour');

select tests.authenticate_as(:'u_student');
select results_eq(
  'select title from public.course_modules', $$ values ('Live module') $$,
  'a student sees the published course''s modules only'
);
select results_eq(
  'select title from public.assignments', $$ values ('Quiz 1') $$,
  'a student sees the published course''s assignments only'
);
select results_eq(
  'select assignment_id from public.assignment_skills',
  format('values (%L::uuid)', :'quiz'), 'a student sees the published competencies only'
);
select results_eq(
  'select title from public.live_classes order by title',
  $$ values ('Live lab'), ('Open day') $$,
  'a student sees live classes of published courses and those of no course'
);

select tests.authenticate_as(:'u_guardian');
select results_eq(
  'select title from public.assignments', $$ values ('Quiz 1') $$,
  'a guardian sees the published course''s assignments only'
);
select results_eq(
  'select title from public.course_modules', $$ values ('Live module') $$,
  'a guardian sees the published course''s modules only'
);

select tests.authenticate_as(:'u_staff');
select is((select count(*) from public.course_modules), 2::bigint, 'staff see every module');
select is((select count(*) from public.assignments), 2::bigint, 'staff see every assignment');
select is(
  (select count(*) from public.assignment_skills), 2::bigint,
  'staff see every competency'
);
select is((select count(*) from public.live_classes), 3::bigint, 'staff see every live class');

select * from finish();
rollback;
