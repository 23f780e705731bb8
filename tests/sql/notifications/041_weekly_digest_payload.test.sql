-- The weekly digest message: an outbox row with template 'weekly_digest' on the email channel
-- (its default; no in-app alert), whose payload holds the week: days (7 entries, Monday to
-- Sunday, reviews and minutes), totals, grades graded that week (only when the link grants
-- `grades`; null otherwise), live-class attendance that week, and upcoming assignments (open,
-- due in the next 7 days). The same summary is kept in tutela_private.weekly_digests.
begin;
select plan(12);

select tutela_tests.create_user('mum-041@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-041@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 041', 'ntf-041') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_dad', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"grades": false}'
);
select date_trunc('week', (now() at time zone 'utc')::date - 7)::date as mon \gset

-- study: Monday, Wednesday and Sunday of the week; the day after the week does not count
insert into tutela.daily_study_stats (student_id, day, reviews, correct, minutes, activities)
values
(:'sam', :'mon'::date, 10, 8, 15, 0),
(:'sam', :'mon'::date + 2, 0, 0, 20, 2),
(:'sam', :'mon'::date + 6, 5, 5, 5, 0),
(:'sam', :'mon'::date + 7, 99, 99, 99, 0);
-- grades: one that week (Tuesday), one before it
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'sam', :'org', :'algebra');
insert into tutela.assignments (organization_id, course_id, title, max_score, due_at)
values
(:'org', :'algebra', 'Quiz 1', 20, :'mon'::date - 3),
(:'org', :'algebra', 'Quiz 2', 20, :'mon'::date + 1),
(:'org', :'algebra', 'Homework 3', 10, now() + interval '3 days'),
(:'org', :'algebra', 'Homework 4', 10, now() + interval '9 days');
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'sam' as student_id,
  a.organization_id,
  a.id as assignment_id,
  'graded' as status,
  a.score,
  a.graded_at
from (
  select
    a.id,
    a.organization_id,
    case a.title when 'Quiz 1' then 12 else 17 end as score,
    a.due_at + interval '10 hours' as graded_at
  from tutela.assignments as a
  where a.title in ('Quiz 1', 'Quiz 2') and a.course_id = :'algebra'
) as a;
-- live classes: attended Wednesday, missed Friday, and one the week after
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values
(
  :'org', 'Live 1', :'mon'::date + interval '2 days 15 hours',
  :'mon'::date + interval '2 days 16 hours'
),
(
  :'org', 'Live 2', :'mon'::date + interval '4 days 15 hours',
  :'mon'::date + interval '4 days 16 hours'
),
(
  :'org', 'Live 3', :'mon'::date + interval '8 days 15 hours',
  :'mon'::date + interval '8 days 16 hours'
);
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'sam' as student_id,
  lc.organization_id,
  lc.id as live_class_id,
  case lc.title when 'Live 1' then 'attended' else 'missed' end as status
from tutela.live_classes as lc
where lc.organization_id = :'org';

select is(tutela_private.run_weekly_digests(:'mon'), 2, 'a digest for each guardian');

select o.payload as mum
from tutela_private.notification_outbox as o
where o.kind = 'weekly_digest' and o.recipient_user_id = :'u_mum' \gset
select o.payload as dad
from tutela_private.notification_outbox as o
where o.kind = 'weekly_digest' and o.recipient_user_id = :'u_dad' \gset

select results_eq(
  $$ select channel, template, status, student_id, count(*)::integer
     from tutela_private.notification_outbox where kind = 'weekly_digest'
     group by 1, 2, 3, 4 $$,
  format($$ values ('email', 'weekly_digest', 'pending', %L::uuid, 2) $$, :'sam'),
  'one pending email per guardian, template weekly_digest, about the child'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'weekly_digest'),
  0,
  'no in-app alert (the default channel is email only)'
);
select results_eq(
  format(
    $$ select %L::jsonb ->> 'title', %L::jsonb ->> 'student_name',
         (%L::jsonb ->> 'week_start')::date, (%L::jsonb ->> 'week_end')::date $$,
    :'mum', :'mum', :'mum', :'mum'
  ),
  format(
    $$ values (%L, 'Sam', %L::date, %L::date) $$,
    format('Sam''s week, %s to %s', :'mon'::date, :'mon'::date + 6),
    :'mon', :'mon'::date + 6
  ),
  'the title, the child and the week'
);
select is(
  :'mum'::jsonb -> 'days',
  (
    select
      jsonb_agg(
        jsonb_build_object('day', d.day, 'reviews', d.r, 'minutes', d.m) order by d.day
      )
    from (
      values
      (:'mon'::date, 10, 15), (:'mon'::date + 1, 0, 0), (:'mon'::date + 2, 0, 20),
      (:'mon'::date + 3, 0, 0), (:'mon'::date + 4, 0, 0), (:'mon'::date + 5, 0, 0),
      (:'mon'::date + 6, 5, 5)
    ) as d (day, r, m)
  ),
  'days: 7 entries, Monday to Sunday, with reviews and minutes (0 on idle days)'
);
select is(
  :'mum'::jsonb -> 'totals',
  '{"reviews": 15, "correct": 13, "minutes": 40, "active_days": 3}'::jsonb,
  'totals of the week; a day with activities only is active'
);
select is(
  :'mum'::jsonb -> 'grades',
  '[{"title": "Quiz 2", "percent": 85.0}]'::jsonb,
  'grades: those graded that week, as percents, for a guardian with grades'
);
select is(
  :'dad'::jsonb -> 'grades',
  'null'::jsonb,
  'grades: null for a guardian without grades'
);
select is(
  :'mum'::jsonb -> 'attendance',
  '{"attended": 1, "missed": 1}'::jsonb,
  'attendance: the live classes of that week'
);
select results_eq(
  format(
    $$ select u ->> 'title', u ->> 'status', u ->> 'course'
       from jsonb_array_elements(%L::jsonb -> 'upcoming') as u $$,
    :'mum'
  ),
  $$ values ('Homework 3', 'pending', 'Algebra') $$,
  'upcoming: open assignments due in the next 7 days'
);
select is(
  :'dad'::jsonb - 'grades' - 'type' - 'title',
  :'mum'::jsonb - 'grades' - 'type' - 'title',
  'both guardians get the same week otherwise'
);
select ok(
  (
    select :'mum'::jsonb @> w.summary from tutela_private.weekly_digests as w
    where w.guardian_id = :'u_mum' and w.student_id = :'sam'
  ),
  'tutela_private.weekly_digests keeps the same summary'
);

select * from finish();
rollback;
