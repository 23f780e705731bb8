-- parent_dashboard(): an urgent `inactive_week` item when the child's last active day is 7 or
-- more days ago (reviews or activities, back-dated), or the child never studied; none when
-- the child was active within the last 6 days. The item carries the last activity.
begin;
select plan(8);

select tutela_tests.create_user('guardian-d006@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 006', 'academy-d006')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ava') returning id as ava \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ben') returning id as ben \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Cleo') returning id as cleo \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Dan') returning id as dan \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Eve') returning id as eve \gset
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

-- Ava: last reviewed 7 days ago; Ben: 8 and 6 days ago; Cleo: never; Dan: today;
-- Eve: an activity 10 days ago
insert into tutela.card_reviews (student_id, flashcard_id, correct, reviewed_at)
select
  f.student_id,
  f.id as flashcard_id,
  true as correct,
  now() - make_interval(days => d.days_ago) as reviewed_at
from tutela.flashcards as f
inner join (
  values ('Ava', 7), ('Ben', 8), ('Ben', 6), ('Dan', 0)
) as d (display_name, days_ago)
  on f.student_id = (select s.id from tutela.students as s where s.display_name = d.display_name);
insert into tutela.activity_events (student_id, kind, minutes, occurred_at)
values (:'eve', 'reading', 30, now() - interval '10 days');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.clear_authentication();

create function pg_temp.inactive(p_dash jsonb, p_name text)
returns jsonb
language sql
as $$
  select jsonb_path_query_array(
    p_dash, '$.children[*] ? (@.display_name == $n).urgent[*] ? (@.kind == "inactive_week")',
    jsonb_build_object('n', p_name)
  )
$$;

select is(
  pg_temp.inactive(:'dash', 'Ava'),
  jsonb_build_array(jsonb_build_object(
    'kind', 'inactive_week',
    'last_active_at', (
      select st.last_active_at from tutela.student_stats as st where st.student_id = :'ava'
    )
  )),
  'last active 7 days ago: one inactive_week item with the last activity'
);
select is(
  (select st.last_active_day from tutela.student_stats as st where st.student_id = :'ava'),
  (now() at time zone 'UTC')::date - 7,
  'Ava''s last active day is 7 days ago'
);
select is(
  pg_temp.inactive(:'dash', 'Ben'), '[]'::jsonb,
  'last active 6 days ago (after an older day): not inactive'
);
select is(
  pg_temp.inactive(:'dash', 'Cleo'),
  '[{"kind": "inactive_week", "last_active_at": null}]'::jsonb,
  'never active: inactive_week without a last activity'
);
select is(pg_temp.inactive(:'dash', 'Dan'), '[]'::jsonb, 'active today: not inactive');
select is(
  jsonb_array_length(pg_temp.inactive(:'dash', 'Eve')), 1,
  'an activity (not a review) 10 days ago: inactive_week'
);

-- Ava studies today: the item goes
insert into tutela.card_reviews (student_id, flashcard_id, correct)
select
  f.student_id,
  f.id as flashcard_id,
  true as correct
from tutela.flashcards as f where f.student_id = :'ava';
select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.clear_authentication();
select is(
  pg_temp.inactive(:'dash', 'Ava'), '[]'::jsonb, 'after a review today Ava is not inactive'
);
select is(
  jsonb_array_length(pg_temp.inactive(:'dash', 'Cleo')), 1, 'Cleo still is'
);

select * from finish();
rollback;
