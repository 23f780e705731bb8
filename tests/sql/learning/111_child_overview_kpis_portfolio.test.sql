-- get_child_overview: the KPI tiles (reviews, accuracy, XP and minutes over the last 7 and 30
-- UTC days, today included) equal a recount from card_reviews and activity_events; the
-- portfolio lists per (subject, topic) the cards, the cards due (due_at <= now()) and the
-- mastered ones (box 5), but only for callers who may read card_content: a guardian with
-- progress and without card_content gets portfolio null and hidden_sections ["portfolio"].
begin;
select plan(13);

-- The world: organisation A (admin, staff, the student with a login, another student), the
-- student's guardians in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student-111@world.test') as u_student \gset
select tutela_tests.create_user('other-student-111@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-111@world.test') as u_guardian \gset
select tutela_tests.create_user('guardian-noperm-111@world.test') as u_guardian_noperm \gset
select tutela_tests.create_user('guardian-pending-111@world.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian-revoked-111@world.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff-111@world.test') as u_staff \gset
select tutela_tests.create_user('admin-111@world.test') as u_admin \gset
select tutela_tests.create_user('other-staff-111@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-111@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 111', 'world-111', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 111', 'other-world-111')
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
select tutela_tests.create_user('guardian-cardless-111@world.test') as u_guardian_cardless \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values (
  :'student', :'u_guardian_cardless', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true, "card_content": false}'
);
select (now() at time zone 'UTC')::date as today \gset

-- reviews on days 0, 3, 6 (last 7 days), 7, 20, 29 (last 30 days), 30 and 45 (older)
insert into tutela.flashcards (student_id, subject, topic, question, answer)
values (:'student', 'History', 'Dates', 'q', 'a') returning id as card \gset
select tutela_tests.clear_authentication();
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
select
  :'student' as student_id,
  :'card' as flashcard_id,
  (:'today'::date - v.d + time '00:00:00') at time zone 'UTC' as reviewed_at,
  v.ok,
  v.q
from (
  values
  (0, true, 5::smallint), (0, false, 0::smallint), (3, true, 1::smallint),
  (6, true, null::smallint), (6, false, 2::smallint), (6, false, null::smallint),
  (7, true, 4::smallint), (7, true, 4::smallint), (20, false, 3::smallint),
  (29, true, 0::smallint), (30, true, 5::smallint), (45, false, 1::smallint)
) as v (d, ok, q);
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'student', 'lesson', (:'today'::date - 1 + time '12:00') at time zone 'UTC', 20),
(:'student', 'lesson', (:'today'::date - 6 + time '12:00') at time zone 'UTC', 15),
(:'student', 'lesson', (:'today'::date - 7 + time '12:00') at time zone 'UTC', 40);

-- the flashcards of the portfolio (set after the reviews, which move their card)
update tutela.flashcards set leitner_box = 2, due_at = now() + interval '3 days'
where id = :'card';
insert into tutela.flashcards (student_id, subject, topic, question, answer, leitner_box, due_at)
values
(:'student', 'Maths', 'Algebra', 'q1', 'a', 5, now() + interval '10 days'),
(:'student', 'Maths', 'Algebra', 'q2', 'a', 5, now() + interval '1 day'),
(:'student', 'Maths', 'Algebra', 'q3', 'a', 2, now() - interval '1 day'),
(:'student', 'Maths', 'Fractions', 'q4', 'a', 1, now()),
(:'student', 'Maths', 'Fractions', 'q5', 'a', 5, now() + interval '1 second'),
(:'student', 'Science', '', 'q6', 'a', 5, now() - interval '2 days'),
(:'other_student', 'Maths', 'Algebra', 'q7', 'a', 5, now() - interval '2 days');

-- the recount of the KPI tiles
create temporary view kpi_recount as
with r as (
  select
    cr.correct,
    cr.xp,
    (cr.reviewed_at at time zone 'UTC')::date > :'today'::date - 7 as in_7d
  from tutela.card_reviews as cr
  where
    cr.student_id = :'student'
    and (cr.reviewed_at at time zone 'UTC')::date > :'today'::date - 30
),

a as (
  select coalesce(sum(ae.minutes), 0)::integer as minutes_7d
  from tutela.activity_events as ae
  where
    ae.student_id = :'student'
    and (ae.occurred_at at time zone 'UTC')::date > :'today'::date - 7
)

select
  (count(*) filter (where r.in_7d))::integer as reviews_7d,
  count(*)::integer as reviews_30d,
  round(
    100.0 * count(*) filter (where r.in_7d and r.correct)
    / nullif(count(*) filter (where r.in_7d), 0), 1
  ) as accuracy_7d,
  round(100.0 * count(*) filter (where r.correct) / nullif(count(*), 0), 1) as accuracy_30d,
  coalesce(sum(r.xp) filter (where r.in_7d), 0)::integer as xp_7d,
  coalesce(sum(r.xp), 0)::integer as xp_30d,
  (select a.minutes_7d from a) as minutes_7d
from r;

prepare kpis (jsonb) as
select
  ($1 ->> 'reviews_7d')::integer,
  ($1 ->> 'reviews_30d')::integer,
  ($1 ->> 'accuracy_7d')::numeric,
  ($1 ->> 'accuracy_30d')::numeric,
  ($1 ->> 'xp_7d')::integer,
  ($1 ->> 'xp_30d')::integer,
  ($1 ->> 'minutes_7d')::integer;

select tutela_tests.authenticate_as(:'u_student');
select tutela.get_child_overview(:'student') as overview \gset
select tutela_tests.clear_authentication();
select results_eq(
  format('execute kpis(%L)', (:'overview'::jsonb) -> 'kpis'),
  'select * from kpi_recount',
  'the KPI tiles equal the recount'
);
select results_eq(
  format('execute kpis(%L)', (:'overview'::jsonb) -> 'kpis'),
  $$ values (6, 10, 50.0, 60.0, 54, 102, 35) $$,
  'the KPI tiles: 6 and 10 reviews, 50.0 % and 60.0 % accuracy, 54 and 102 XP, 35 minutes'
);
select is(
  (:'overview'::jsonb) -> 'kpis' -> 'active_days_30d',
  '7'::jsonb,
  'active days in the last 30: days 0, 1, 3, 6, 7, 20 and 29 (not 30 or 45)'
);
select is(
  (:'overview'::jsonb) - array['kpis', 'portfolio'],
  jsonb_build_object(
    'student_id', :'student', 'display_name', 'Student', 'hidden_sections', '[]'::jsonb
  ),
  'the student gets their id, name and no hidden section'
);
select is(
  (:'overview'::jsonb) -> 'portfolio',
  $$ [
    {"subject": "History", "topic": "Dates", "cards": 1, "due": 0, "mastered": 0},
    {"subject": "Maths", "topic": "Algebra", "cards": 3, "due": 1, "mastered": 2},
    {"subject": "Maths", "topic": "Fractions", "cards": 2, "due": 1, "mastered": 1},
    {"subject": "Science", "topic": "", "cards": 1, "due": 1, "mastered": 1}
  ] $$::jsonb,
  'the portfolio per subject and topic: cards, due now or earlier, mastered (box 5)'
);
select is(
  (:'overview'::jsonb) -> 'portfolio',
  (
    select jsonb_agg(t order by t.subject, t.topic)
    from (
      select
        subject,
        topic,
        count(*) as cards,
        count(*) filter (where due_at <= now()) as due,
        count(*) filter (where leitner_box = 5) as mastered
      from tutela.flashcards where student_id = :'student'
      group by subject, topic
    ) as t
  ),
  'the portfolio equals a recount from the flashcards'
);

-- staff and a guardian with card_content see the same
select tutela_tests.authenticate_as(:'u_staff');
select is(
  tutela.get_child_overview(:'student'),
  :'overview'::jsonb,
  'staff get the same overview'
);
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  tutela.get_child_overview(:'student'),
  :'overview'::jsonb,
  'a guardian with progress and card_content gets the same overview'
);

-- a guardian without card_content: KPI tiles yes, portfolio no
select tutela_tests.authenticate_as(:'u_guardian_cardless');
select tutela.get_child_overview(:'student') as cardless \gset
select is(
  (:'cardless'::jsonb) -> 'portfolio',
  'null'::jsonb,
  'a guardian without card_content gets portfolio null'
);
select is(
  (:'cardless'::jsonb) -> 'hidden_sections',
  '["portfolio"]'::jsonb,
  'and hidden_sections names the portfolio'
);
select is(
  (:'cardless'::jsonb) -> 'kpis',
  (:'overview'::jsonb) -> 'kpis',
  'and the same KPI tiles'
);
select ok(
  (:'cardless'::jsonb) ? 'portfolio',
  'the portfolio key is there (null), so clients need not guess'
);

-- the student's own overview is not affected by another student's cards
select tutela_tests.authenticate_as(:'u_other_student');
select is(
  tutela.get_child_overview(:'other_student') -> 'portfolio',
  '[{"subject": "Maths", "topic": "Algebra", "cards": 1, "due": 1, "mastered": 1}]'::jsonb,
  'the other student''s portfolio holds only their card'
);

select * from finish();
rollback;
