-- guardian_get_child_daily_study_stats(student, limit): the student's study days newest first,
-- each with reviews, correct, accuracy = round(100 * correct / reviews, 1) (null on a day
-- without reviews), XP and minutes, equal to a recount; at most `limit` days; only this
-- student's days.
begin;
select plan(8);

-- The world: organisation A (admin, staff, the student with a login, another student), the
-- student's guardians in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student-109@world.test') as u_student \gset
select tutela_tests.create_user('other-student-109@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-109@world.test') as u_guardian \gset
select tutela_tests.create_user('guardian-noperm-109@world.test') as u_guardian_noperm \gset
select tutela_tests.create_user('guardian-pending-109@world.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian-revoked-109@world.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff-109@world.test') as u_staff \gset
select tutela_tests.create_user('admin-109@world.test') as u_admin \gset
select tutela_tests.create_user('other-staff-109@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-109@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 109', 'world-109', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 109', 'other-world-109')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values
(:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Student') returning id as student \gset
select tutela_tests.attach_student_login(:'student', :'u_student');
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
  :'student', :'u_guardian_noperm', 'active', 'staff', now(), null,
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
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'other_student', 'Maths', 'q', 'a') returning id as other_card \gset
select (now() at time zone 'UTC')::date as today \gset

-- day 0: 3 reviews (2 correct) and 10 minutes; day 1: 15 minutes only; day 2: 1 wrong review;
-- day 5: 4 correct reviews; day 9: 6 reviews (1 correct). The other student studies too.
select tutela_tests.clear_authentication();
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
select
  :'student' as student_id,
  :'card' as flashcard_id,
  (:'today'::date - v.d + time '00:00:00') at time zone 'UTC' as reviewed_at,
  v.ok
from (
  values
  (0, true), (0, true), (0, false), (2, false), (5, true), (5, true), (5, true), (5, true),
  (9, true), (9, false), (9, false), (9, false), (9, false), (9, false)
) as v (d, ok);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'student', 'lesson', (:'today'::date + time '00:00:00') at time zone 'UTC', 10),
(:'student', 'lesson', (:'today'::date - 1 + time '12:00') at time zone 'UTC', 15);
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
values
(:'other_student', :'other_card', (:'today'::date - 3 + time '12:00') at time zone 'UTC', true);

select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  format(
    $$ select day - %L::date, reviews, correct, accuracy, xp, minutes
       from tutela.guardian_get_child_daily_study_stats(%L) $$,
    :'today', :'student'
  ),
  $$ values
     (0, 3, 2, 66.7, 34, 10),
     (-1, 0, 0, null, 0, 15),
     (-2, 1, 0, 0.0, 2, 0),
     (-5, 4, 4, 100.0, 64, 0),
     (-9, 6, 1, 16.7, 26, 0) $$,
  'the student''s days, newest first, with accuracy rounded to one decimal'
);
select results_eq(
  format(
    $$ select day, reviews, correct, accuracy, xp, minutes
       from tutela.guardian_get_child_daily_study_stats(%L, 366) $$,
    :'student'
  ),
  format(
    $$ with r as (
         select (reviewed_at at time zone 'UTC')::date as day, count(*)::integer as reviews,
           (count(*) filter (where correct))::integer as correct, sum(xp)::integer as xp
         from tutela.card_reviews where student_id = %1$L group by 1
       ),
       a as (
         select (occurred_at at time zone 'UTC')::date as day, sum(minutes)::integer as minutes
         from tutela.activity_events where student_id = %1$L group by 1
       )
       select coalesce(r.day, a.day), coalesce(r.reviews, 0), coalesce(r.correct, 0),
         round(100.0 * r.correct / nullif(r.reviews, 0), 1), coalesce(r.xp, 0),
         coalesce(a.minutes, 0)
       from r full join a on a.day = r.day
       order by 1 desc $$,
    :'student'
  ),
  'the rows equal a recount from the reviews and activities'
);
select results_eq(
  format(
    $$ select day - %L::date from tutela.guardian_get_child_daily_study_stats(%L, 2) $$,
    :'today', :'student'
  ),
  $$ values (0), (-1) $$,
  'limit 2: the two newest days'
);
select results_eq(
  format(
    $$ select day - %L::date from tutela.guardian_get_child_daily_study_stats(%L, 1) $$,
    :'today', :'student'
  ),
  $$ values (0) $$,
  'limit 1: today only'
);
select is(
  (select count(*) from tutela.guardian_get_child_daily_study_stats(:'student', 366)),
  5::bigint,
  'limit 366: all five days'
);

-- 70 more days: the default limit is 60
select tutela_tests.clear_authentication();
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
select
  :'student' as student_id,
  'lesson' as kind,
  (:'today'::date - d + time '12:00') at time zone 'UTC' as occurred_at,
  1 as minutes
from generate_series(10, 79) as d;
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  (select count(*) from tutela.guardian_get_child_daily_study_stats(:'student')),
  60::bigint,
  'without a limit, the newest 60 days'
);
select is(
  (
    select min(day) - :'today'::date
    from tutela.guardian_get_child_daily_study_stats(:'student')
  ),
  -64,
  'the 60th newest day is 64 days ago (days 0, 1, 2, 5 and 9 to 64)'
);
select is_empty(
  format(
    $$ select 1 from tutela.guardian_get_child_daily_study_stats(%L, 366)
       where day = %L::date - 3 $$,
    :'student', :'today'
  ),
  'the other student''s day (3 days ago) is not among the student''s days'
);

select * from finish();
rollback;
