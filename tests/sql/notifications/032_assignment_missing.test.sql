-- assignment_missing (tutela_private.run_early_warnings()): an assignment of a course the student
-- is
-- actively enrolled in, due in the last 14 days (past due, not more than 14 days ago), and
-- not handed in (no submission, or one still pending or in progress). Sent to guardians with
-- `progress`, once per student and assignment.
begin;
select plan(7);

select tutela_tests.create_user('mum-032@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-032@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 032', 'ntf-032') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'kim', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_noperm', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
);
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Physics') returning id as physics \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'History') returning id as history \gset
-- Sam: active in Algebra, dropped Physics, completed History; Kim: not enrolled anywhere
insert into tutela.enrollments (student_id, organization_id, course_id, status, completed_at)
values
(:'sam', :'org', :'algebra', 'active', null),
(:'sam', :'org', :'physics', 'dropped', null),
(:'sam', :'org', :'history', 'completed', now() - interval '1 day');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values
(:'org', :'algebra', 'none, due yesterday', now() - interval '1 day'),
(:'org', :'algebra', 'none, due 2 hours ago', now() - interval '2 hours'),
(:'org', :'algebra', 'pending, due 13 days 23 hours ago', now() - interval '13 days 23 hours'),
(:'org', :'algebra', 'in progress, due 3 days ago', now() - interval '3 days'),
(:'org', :'algebra', 'none, due 14 days 1 hour ago', now() - interval '14 days 1 hour'),
(:'org', :'algebra', 'none, due tomorrow', now() + interval '1 day'),
(:'org', :'algebra', 'none, no due date', null),
(:'org', :'algebra', 'submitted, due yesterday', now() - interval '1 day'),
(:'org', :'algebra', 'in review, due yesterday', now() - interval '1 day'),
(:'org', :'algebra', 'graded, due yesterday', now() - interval '1 day'),
(:'org', :'physics', 'dropped course, due yesterday', now() - interval '1 day'),
(:'org', :'history', 'completed course, due yesterday', now() - interval '1 day');
-- a submission for each title that starts with its status
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at, score, graded_at
)
select
  :'sam' as student_id,
  a.organization_id,
  a.id as assignment_id,
  replace(split_part(a.title, ',', 1), ' ', '_') as status,
  case when split_part(a.title, ',', 1) in ('submitted', 'in review', 'graded') then now() end
    as submitted_at,
  case when a.title like 'graded%' then 90 end as score,
  case when a.title like 'graded%' then now() end as graded_at
from tutela.assignments as a
where
  a.organization_id = :'org'
  and split_part(a.title, ',', 1) in (
    'pending', 'in progress', 'submitted', 'in review', 'graded'
  );

prepare missing as
select a.title
from tutela.assignments as a
inner join tutela.alerts as al on (al.data ->> 'assignment_id')::uuid = a.id
where al.type = 'assignment_missing';

select tutela_private.run_early_warnings();
select bag_eq(
  'missing',
  $$ values ('none, due yesterday'), ('none, due 2 hours ago'),
     ('pending, due 13 days 23 hours ago'), ('in progress, due 3 days ago') $$,
  'past due within 14 days, in an active enrollment, not handed in'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where type = 'assignment_missing' and student_id = :'sam' and recipient_id = :'u_mum'
  ),
  4,
  'all about Sam, for the guardian with progress'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_noperm' and type = 'assignment_missing'
  ),
  0,
  'a guardian without progress is not warned'
);
select results_eq(
  $$ select al.severity, al.title, al.dedupe_key = 'assignment_missing:' || al.student_id
       || ':' || a.id
     from tutela.alerts as al
     join tutela.assignments as a on a.id = (al.data ->> 'assignment_id')::uuid
     where a.title = 'none, due yesterday' $$,
  $$ values ('warning'::text, 'Missing: none, due yesterday'::text, true) $$,
  'a warning naming the assignment, keyed by student and assignment'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'assignment_missing' and channel = 'email'
  ),
  4,
  'with an email each (default channels in_app and email)'
);

select tutela_private.run_early_warnings();
select is(
  (select count(*)::integer from tutela.alerts where type = 'assignment_missing'),
  4,
  'a second run adds nothing'
);
-- handed in now: nothing new either, and the next one missing is warned of
update tutela.submissions set status = 'submitted', submitted_at = now()
where status = 'pending';
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'algebra', 'none, due an hour ago', now() - interval '1 hour');
select tutela_private.run_early_warnings();
select is(
  (select count(*)::integer from tutela.alerts where type = 'assignment_missing'),
  5,
  'a newly missing assignment is warned of on the next run'
);

select * from finish();
rollback;
