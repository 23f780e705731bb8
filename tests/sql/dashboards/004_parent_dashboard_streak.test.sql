-- parent_dashboard(): `streak` on an active card follows the live rule. A run that ended
-- yesterday still counts (the child can keep it today); a run whose last day is before
-- yesterday is over (current 0) although student_stats still holds its length; longest is
-- the best run ever; a child who never studied has 0, 0 and no last activity.
begin;
select plan(10);

select tutela_tests.create_user('guardian-d004@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 004', 'academy-d004')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
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

-- one review on each of the given days ago
create function pg_temp.studied(p_student uuid, p_days_ago integer[])
returns void
language sql
as $$
  insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, reviewed_at)
  select f.student_id, f.id, true, 3, now() - make_interval(days => d)
  from tutela.flashcards as f, unnest(p_days_ago) as d
  where f.student_id = p_student
$$;

select pg_temp.studied(:'mia', array[1, 2, 3]);        -- ended yesterday: live
select pg_temp.studied(:'leo', array[2, 3, 4, 5]);     -- ended the day before: over
select pg_temp.studied(:'ava', array[0, 1, 7, 8, 9, 10]); -- today, after a longer run

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.clear_authentication();

create function pg_temp.streak(p_dash jsonb, p_name text)
returns jsonb
language sql
as $$
  select jsonb_path_query_first(
    p_dash, '$.children[*] ? (@.display_name == $n).streak', jsonb_build_object('n', p_name)
  )
$$;

select is(
  (pg_temp.streak(:'dash', 'Mia') ->> 'current')::integer, 3,
  'a run that ended yesterday is current: 3 days'
);
select is(
  (pg_temp.streak(:'dash', 'Mia') ->> 'longest')::integer, 3, 'Mia''s longest run is 3 days'
);
select is(
  (pg_temp.streak(:'dash', 'Mia') ->> 'last_active_at')::timestamptz,
  (select st.last_active_at from tutela.student_stats as st where st.student_id = :'mia'),
  'last_active_at is the child''s last activity'
);
select is(
  (select st.current_streak from tutela.student_stats as st where st.student_id = :'leo'),
  4,
  'student_stats still holds Leo''s last run of 4 days'
);
select is(
  (pg_temp.streak(:'dash', 'Leo') ->> 'current')::integer, 0,
  'a run whose last day was two days ago is over: current 0'
);
select is(
  (pg_temp.streak(:'dash', 'Leo') ->> 'longest')::integer, 4, 'the longest run stays 4 days'
);
select is(
  (pg_temp.streak(:'dash', 'Ava') ->> 'current')::integer, 2,
  'a run that includes today: 2 days'
);
select is(
  (pg_temp.streak(:'dash', 'Ava') ->> 'longest')::integer, 4,
  'longest is the best earlier run: 4 days'
);
select is(
  pg_temp.streak(:'dash', 'Sam'),
  '{"current": 0, "longest": 0, "last_active_at": null}'::jsonb,
  'a child who never studied: no streak and no last activity'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].hidden_sections.size()'),
  '[0, 0, 0, 0]'::jsonb,
  'nothing is hidden on these cards'
);

select * from finish();
rollback;
