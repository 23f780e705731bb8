-- guardian_list_children: the activity columns (last_active_at, current_streak as of today,
-- reviews_7d, accuracy_7d) are filled for an active link with the progress permission and
-- equal a recount; for a pending link or an active link without progress they are null, even
-- though those children study too.
begin;
select plan(8);

select tutela_tests.create_user('guardian-113@world.test') as u_guardian \gset
select tutela_tests.create_user('ann-113@world.test') as u_ann \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 113', 'world-113', 10) returning id as org \gset
-- Ann: active link with progress; Ben: pending; Cat: active without progress;
-- Dan: active with progress, last active 3 days ago; Eve: active with progress, no history
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Ann', :'u_ann') returning id as ann \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ben') returning id as ben \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Cat') returning id as cat \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Dan') returning id as dan \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Eve') returning id as eve \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'ann', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'ben', :'u_guardian', 'pending', 'code', null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'cat', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'dan', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'eve', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
);
select (now() at time zone 'UTC')::date as today \gset

-- Ann, Ben and Cat study alike: reviews today (1 of 2 correct), yesterday (2 correct),
-- 8 days ago (1 correct), an activity 2 days ago; Dan: 3 and 4 days ago
select tutela_tests.clear_authentication();
insert into tutela.flashcards (student_id, subject, question, answer)
select
  s.id as student_id,
  'Maths' as subject,
  'q-113' as question,
  'a' as answer
from tutela.students as s
where
  s.display_name in ('Ann', 'Ben', 'Cat')
  and s.organization_id = (select o.id from tutela.organizations as o where o.slug = 'world-113');
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
with v as (
  select
    x.ok,
    (:'today'::date - x.d + time '00:00:00') at time zone 'UTC' as reviewed_at
  from (values (0, true), (0, false), (1, true), (1, true), (8, true)) as x (d, ok)
)

select
  f.student_id,
  f.id as flashcard_id,
  v.reviewed_at,
  v.ok
from tutela.flashcards as f
cross join v
where f.question = 'q-113';
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
select
  s.id as student_id,
  'lesson' as kind,
  (:'today'::date - 2 + time '00:00:00') at time zone 'UTC' as occurred_at,
  30 as minutes
from tutela.students as s where s.id in (:'ann', :'ben', :'cat');
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'dan', 'lesson', (:'today'::date - 4 + time '08:00') at time zone 'UTC', 10),
(:'dan', 'lesson', (:'today'::date - 3 + time '08:00') at time zone 'UTC', 10);

select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  $$ select display_name, current_streak, reviews_7d, accuracy_7d
     from tutela.guardian_list_children() where display_name = 'Ann' $$,
  $$ values ('Ann', 3, 4, 75.0) $$,
  'Ann (active, progress): a streak of 3 days, 4 reviews in 7 days, 75.0 % correct'
);
select results_eq(
  $$ select last_active_at from tutela.guardian_list_children() where display_name = 'Ann' $$,
  format(
    $$ select greatest(
         (select max(reviewed_at) from tutela.card_reviews where student_id = %1$L),
         (select max(occurred_at) from tutela.activity_events where student_id = %1$L)
       ) $$,
    :'ann'
  ),
  'Ann''s last_active_at is her latest review or activity'
);
select results_eq(
  $$ select reviews_7d, accuracy_7d from tutela.guardian_list_children()
     where display_name = 'Ann' $$,
  format(
    $$ select count(*)::integer,
         round(100.0 * count(*) filter (where correct) / nullif(count(*), 0), 1)
       from tutela.card_reviews
       where student_id = %L and (reviewed_at at time zone 'UTC')::date > %L::date - 7 $$,
    :'ann', :'today'
  ),
  'Ann''s reviews_7d and accuracy_7d equal a recount of her reviews of the last 7 days'
);
select results_eq(
  $$ select last_active_at, current_streak, reviews_7d, accuracy_7d
     from tutela.guardian_list_children() where display_name in ('Ben', 'Cat')
     order by display_name $$,
  $$ values (null::timestamptz, null::integer, null::integer, null::numeric),
     (null::timestamptz, null::integer, null::integer, null::numeric) $$,
  'Ben (pending) and Cat (no progress): every activity column is null'
);
select results_eq(
  $$ select display_name, status, (permissions ->> 'progress')::boolean
     from tutela.guardian_list_children() where display_name in ('Ben', 'Cat')
     order by display_name $$,
  $$ values ('Ben', 'pending', true), ('Cat', 'active', false) $$,
  'Ben and Cat are listed (their rows are there, their activity is not)'
);
select results_eq(
  $$ select current_streak, reviews_7d, accuracy_7d
     from tutela.guardian_list_children() where display_name = 'Dan' $$,
  $$ values (0, 0, null::numeric) $$,
  'Dan (last active 3 days ago): streak 0 as of today, no reviews in 7 days'
);
select results_eq(
  $$ select last_active_at, current_streak, reviews_7d, accuracy_7d
     from tutela.guardian_list_children() where display_name = 'Eve' $$,
  $$ values (null::timestamptz, 0, 0, null::numeric) $$,
  'Eve (no history yet): streak 0 and 0 reviews, not null'
);

-- the guardian loses progress on Ann's link: her activity disappears from the list
select tutela_tests.clear_authentication();
update tutela.guardian_links
set permissions = permissions || '{"progress": false}'
where student_id = :'ann' and guardian_id = :'u_guardian';
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  $$ select last_active_at, current_streak, reviews_7d, accuracy_7d
     from tutela.guardian_list_children() where display_name = 'Ann' $$,
  $$ values (null::timestamptz, null::integer, null::integer, null::numeric) $$,
  'with progress switched off, Ann''s activity columns are null'
);

select * from finish();
rollback;
