-- parent_dashboard(): `today` on an active card is the child's row of daily_study_stats for
-- the current UTC day (reviews, correct, minutes, XP, active), kept by the review and
-- activity triggers; yesterday's work does not count, and a child who has not studied today
-- shows zeros.
begin;
select plan(9);

select tutela_tests.create_user('guardian-d003@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 003', 'academy-d003')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'mia', :'u_guardian', 'active', 'staff', now()),
(:'leo', :'u_guardian', 'active', 'staff', now());
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56') returning id as mia_card \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'leo', 'French', 'chat?', 'cat') returning id as leo_card \gset

-- Mia today: two right answers of quality 4 (18 XP each), one wrong (2 XP); 20 + 15 minutes
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values
(:'mia', :'mia_card', true, 4),
(:'mia', :'mia_card', true, 4),
(:'mia', :'mia_card', false, null);
insert into tutela.activity_events (student_id, kind, minutes)
values (:'mia', 'reading', 20), (:'mia', 'practice', 15);
-- Mia and Leo yesterday: five reviews and 40 minutes each (not today's)
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, reviewed_at)
select
  s.student_id,
  s.flashcard_id,
  true as correct,
  5 as quality,
  now() - interval '1 day' as reviewed_at
from (
  values (:'mia'::uuid, :'mia_card'::uuid), (:'leo'::uuid, :'leo_card'::uuid)
) as s (student_id, flashcard_id)
cross join generate_series(1, 5);
insert into tutela.activity_events (student_id, kind, minutes, occurred_at)
values
(:'mia', 'reading', 40, now() - interval '1 day'),
(:'leo', 'reading', 40, now() - interval '1 day');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.clear_authentication();
select
  jsonb_path_query_first(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Mia")')
  -> 'today' as mia_today
\gset
select
  jsonb_path_query_first(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Leo")')
  -> 'today' as leo_today
\gset

select is((:'mia_today'::jsonb ->> 'reviews')::integer, 3, 'today: Mia''s three reviews');
select is((:'mia_today'::jsonb ->> 'correct')::integer, 2, 'today: two of them right');
select is((:'mia_today'::jsonb ->> 'minutes')::integer, 35, 'today: 35 minutes of activity');
select is((:'mia_today'::jsonb ->> 'xp')::integer, 38, 'today: 18 + 18 + 2 XP');
select is((:'mia_today'::jsonb ->> 'active')::boolean, true, 'today: Mia is active');
select is(
  :'mia_today'::jsonb,
  (
    select
      jsonb_build_object(
        'reviews', d.reviews, 'correct', d.correct, 'minutes', d.minutes, 'xp', d.xp,
        'active', true
      )
    from tutela.daily_study_stats as d
    where d.student_id = :'mia' and d.day = (now() at time zone 'UTC')::date
  ),
  'today is exactly today''s daily_study_stats row'
);
select is(
  (
    select d.reviews from tutela.daily_study_stats as d
    where d.student_id = :'mia' and d.day = (now() at time zone 'UTC')::date - 1
  ),
  5,
  'yesterday''s five reviews sit in another row'
);
select is(
  :'leo_today'::jsonb,
  '{"reviews": 0, "correct": 0, "minutes": 0, "xp": 0, "active": false}'::jsonb,
  'a child who studied only yesterday shows zeros today'
);
select ok(
  jsonb_path_exists(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Leo").streak'),
  'Leo''s card still has its streak'
);

select * from finish();
rollback;
