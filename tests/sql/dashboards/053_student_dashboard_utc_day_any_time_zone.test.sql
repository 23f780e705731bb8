-- student_dashboard() counts "today" by the UTC day whatever the session's time zone (a
-- PostgREST client can set it per request with `Prefer: timezone=...`). In America/Los_Angeles
-- (UTC-8 or -7) an assignment and a drill due at 04:00 UTC tomorrow are not due today, and the
-- streak-at-risk action is due at tomorrow's UTC midnight, as under UTC.
begin;
select plan(4);

select tutela_tests.create_user('student-053@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 053', 'world-053')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
select ((now() at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC' as tomorrow \gset

insert into tutela.courses (organization_id, title) values (:'org', 'English')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'course', 'Tomorrow early', :'tomorrow'::timestamptz + interval '4 hours');
insert into tutela.drills (organization_id, title) values (:'org', 'Drill') returning
  id as drill
\gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
values (:'drill', :'student', :'org', :'tomorrow'::timestamptz + interval '4 hours');
insert into tutela.activity_events (student_id, kind, occurred_at)
values (:'student', 'study', now() - interval '1 day');

select tutela_tests.authenticate_as(:'u_student');
set local timezone = 'America/Los_Angeles';
select tutela.student_dashboard() as dashboard \gset
reset timezone;

select is(
  (:'dashboard'::jsonb -> 'today' ->> 'assignments_due_today')::integer, 0,
  'an assignment due at 04:00 UTC tomorrow is not due today'
);
select is(
  (:'dashboard'::jsonb -> 'today' ->> 'drills_due_today')::integer, 0,
  'a drill due at 04:00 UTC tomorrow is not due today'
);
select is(
  (:'dashboard'::jsonb -> 'today' -> 'streak' ->> 'at_risk')::boolean, true,
  'the streak of yesterday (UTC) is at risk'
);
select is(
  (
    jsonb_path_query_first(
      :'dashboard'::jsonb, '$.quick_actions[*] ? (@.kind == "streak_at_risk").due_at'
    ) #>> '{}'
  )::timestamptz,
  :'tomorrow'::timestamptz,
  'the streak-at-risk action is due at tomorrow''s UTC midnight'
);

select * from finish();
rollback;
