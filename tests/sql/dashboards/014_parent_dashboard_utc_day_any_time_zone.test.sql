-- parent_dashboard() counts by the UTC day whatever the session's time zone (a PostgREST
-- client can set it per request with `Prefer: timezone=...`): today's numbers, the live
-- streak and the week without activity are the same at UTC-12 and at UTC+14 as at UTC. The
-- two zones are a day apart, so at any hour at least one of them has another local date.
begin;
select plan(9);

select tutela_tests.create_user('guardian-d014@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 014', 'academy-d014')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
select
  s.id as student_id,
  :'u_guardian'::uuid as guardian_id,
  'active' as status,
  'staff' as created_via,
  now() as activated_at
from tutela.students as s
where s.organization_id = :'org';
insert into tutela.flashcards (student_id, subject, question, answer)
select
  s.id as student_id,
  'Maths' as subject,
  '7 x 8?' as question,
  '56' as answer
from tutela.students as s
where s.organization_id = :'org';
-- Mia: two reviews now, one a day ago; Leo: one 7 days ago; Ava: one 6 days ago
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, reviewed_at)
select
  f.student_id,
  f.id as flashcard_id,
  true as correct,
  4 as quality,
  now() - make_interval(days => d.days_ago) as reviewed_at
from tutela.flashcards as f
inner join tutela.students as s on f.student_id = s.id
inner join (
  values ('Mia', 0), ('Mia', 0), ('Mia', 1), ('Leo', 7), ('Ava', 6)
) as d (display_name, days_ago) on s.display_name = d.display_name;

-- the numbers that depend on the day, as one guardian sees them in a time zone
create function pg_temp.day_numbers(p_guardian uuid, p_zone text)
returns jsonb
language plpgsql
as $$
declare
  v_dash jsonb;
begin
  perform set_config('timezone', p_zone, true);
  perform tutela_tests.authenticate_as(p_guardian);
  v_dash := tutela.parent_dashboard();
  perform tutela_tests.clear_authentication();
  perform set_config('timezone', 'UTC', true);
  return jsonb_build_object(
    'mia_today', jsonb_path_query_first(
      v_dash, '$.children[*] ? (@.display_name == "Mia").today.reviews'
    ),
    'mia_streak', jsonb_path_query_first(
      v_dash, '$.children[*] ? (@.display_name == "Mia").streak.current'
    ),
    'inactive', jsonb_path_query_array(
      v_dash,
      '$.children[*] ? (@.urgent[*].kind == "inactive_week").display_name'
    )
  );
end;
$$;

select pg_temp.day_numbers(:'u_guardian', 'UTC') as utc \gset
select pg_temp.day_numbers(:'u_guardian', 'Etc/GMT+12') as west \gset
select pg_temp.day_numbers(:'u_guardian', 'Pacific/Kiritimati') as east \gset

select is(
  :'utc'::jsonb,
  '{"mia_today": 2, "mia_streak": 2, "inactive": ["Leo"]}'::jsonb,
  'at UTC: two reviews today, a 2-day streak, Leo inactive for a week'
);
select is(:'west'::jsonb -> 'mia_today', '2'::jsonb, 'at UTC-12: the same reviews today');
select is(:'west'::jsonb -> 'mia_streak', '2'::jsonb, 'at UTC-12: the same streak');
select is(
  :'west'::jsonb -> 'inactive', '["Leo"]'::jsonb, 'at UTC-12: the same inactive child'
);
select is(:'east'::jsonb -> 'mia_today', '2'::jsonb, 'at UTC+14: the same reviews today');
select is(:'east'::jsonb -> 'mia_streak', '2'::jsonb, 'at UTC+14: the same streak');
select is(
  :'east'::jsonb -> 'inactive', '["Leo"]'::jsonb, 'at UTC+14: the same inactive child'
);
select is(
  current_setting('timezone'), 'UTC', 'the session is back in UTC after the calls'
);
select is(
  (
    select st.last_active_day from tutela.student_stats as st where st.student_id = :'leo'
  ),
  (now() at time zone 'UTC')::date - 7,
  'Leo''s last active UTC day is 7 days ago'
);

select * from finish();
rollback;
