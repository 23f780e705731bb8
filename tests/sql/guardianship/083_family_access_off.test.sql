-- family_access_enabled off: a guardian of the organisation's students sees nothing of them, at
-- once, and keeps the link. With an active primary link granting every permission and a row in
-- every student-data table of policies/registry.toml: no row of the child in any of those
-- tables (nor alerts, the student row, the link row, the child's profile, nor in any table of
-- `public` with a student_id column, found in the catalog); parent_dashboard lists no card for
-- the child and names the organisation under family_access_paused; child_overview,
-- get_child_overview and guardian_get_child_daily_study_stats are TU403;
-- guardian_list_children leaves the child out; tutela_private.notify alerts nobody. The link stays
-- active; staff and the student still see everything; the guardian's child in another school
-- (family access on) is untouched. On again, everything is back in the same transaction.
begin;
select plan(89);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as u_staff \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'u_staff', 'staff');
select id as kid from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select code from tutela.create_guardian_link_code(:'kid') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.clear_authentication();
select tutela_private.all_permissions() as all_perms \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');
select tutela.set_guardian_link_permissions(:'mum_link', :'all_perms');

-- the guardian's other child, in a school that keeps family access on
select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset
select id as kid_b from tutela.create_student(:'org_b', 'Other Kid') \gset
select code as code_b from tutela.create_guardian_link_code(:'kid_b') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code_b') ->> 'id') as mum_link_b \gset

-- a row of the child in every student-data table of the registry (as the test superuser)
select tutela_tests.clear_authentication();
insert into tutela.flashcards (student_id, subject, topic, question, answer)
values (:'kid', 'Maths', 'Fractions', 'What is 1/2 + 1/4?', '3/4') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'kid', :'card', true, 4);
insert into tutela.student_stats (student_id, total_xp) values (:'kid', 42)
on conflict (student_id) do update set total_xp = 42;
insert into tutela.daily_study_stats (student_id, day, reviews, correct)
values (:'kid', current_date - 1, 3, 2);
insert into tutela.courses (organization_id, title, is_published)
values (:'org', 'Algebra I', true) returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id, progress_percent)
values (:'kid', :'org', :'course', 40);
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as assignment \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'kid', :'org', :'assignment', 'graded', 72, now());
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Lab', now(), now() + interval '1 hour') returning id as class \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'kid', :'org', :'class', 'missed');
insert into tutela.certificates (student_id, organization_id, title)
values (:'kid', :'org', 'Algebra I');
insert into tutela.lessons (student_id, organization_id, coach_id, scheduled_at, topic)
values (:'kid', :'org', :'u_staff', now() + interval '3 days', 'Backhand');
insert into tutela.coaching_sessions (organization_id, starts_at)
values (:'org', now()) returning id as session \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session', :'kid', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score, coach_notes)
values (:'session', :'kid', :'org', 7.5, 'Good line');
insert into tutela.drills (organization_id, title) values (:'org', 'Ten pop-ups')
returning id as drill \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id, due_at)
values (:'drill', :'kid', :'org', now() + interval '2 days');
insert into tutela.skills (organization_id, category, name) values (:'org', 'Surfing', 'Pop-up')
returning id as skill \gset
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level)
values (:'skill', :'kid', :'org', 2);
insert into tutela.journal_entries (student_id, mood, energy, confidence, body)
values (:'kid', 4, 3, 4, 'Good practice today');
insert into tutela.activity_events (student_id, kind, minutes)
values (:'kid', 'video_watched', 12);
insert into tutela.points_ledger (student_id, points, reason)
values (:'kid', 50, 'Helped a classmate');
insert into tutela.student_achievements (student_id, achievement_id)
select
  :'kid',
  a.id
from tutela.achievements as a where a.code = 'first_session';
insert into tutela.daily_study_stats (student_id, day, reviews, correct)
values (:'kid_b', current_date - 1, 5, 5);

-- the child's rows of a table as the current actor sees them (row level security applies)
create function pg_temp.visible_rows(p_table text, p_student uuid)
returns bigint
language plpgsql
stable
as $$
declare
  v_count bigint;
begin
  execute format('select count(*) from tutela.%I where student_id = $1', p_table)
  into v_count using p_student;
  return v_count;
end;
$$;
grant execute on function pg_temp.visible_rows(text, uuid) to authenticated;

-- the registry's student tables keyed by student_id (coaching_sessions is checked on its own)
create temporary table registry_tables (name text primary key) on commit drop;
insert into registry_tables (name)
values
('flashcards'), ('card_reviews'), ('student_stats'), ('daily_study_stats'), ('enrollments'),
('submissions'), ('live_class_attendance'), ('certificates'), ('lessons'),
('session_students'), ('session_scores'), ('drill_assignments'), ('skill_assessments'),
('journal_entries'), ('activity_events'), ('points_ledger'), ('student_achievements');
grant select on registry_tables to authenticated;

-- every table of `public` with a student_id column, from the catalog
create temporary table student_id_tables on commit drop as
select c.relname::text as name
from pg_catalog.pg_class as c
inner join pg_catalog.pg_attribute as a on c.oid = a.attrelid
where
  c.relnamespace = 'tutela'::regnamespace and c.relkind in ('r', 'p')
  and a.attname = 'student_id' and not a.attisdropped;
grant select on student_id_tables to authenticated;

select tutela_tests.clear_authentication();
select is_empty(
  'select name from registry_tables except select name from student_id_tables',
  'setup: every listed registry table has a student_id column'
);

-- ---------------------------------------------------------------------------------------------
-- family access on: the guardian sees the child's data
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'mum');
select
  cmp_ok(
    pg_temp.visible_rows(r.name, :'kid'), '>', 0::bigint, 'on: the guardian reads ' || r.name
  )
from registry_tables as r order by r.name;
select is(
  (select count(*) from tutela.coaching_sessions where id = :'session'), 1::bigint,
  'on: the guardian reads the child''s coaching session'
);
select cmp_ok(
  pg_temp.visible_rows('alerts', :'kid'), '>', 0::bigint,
  'on: the guardian reads alerts about the child'
);
select is(
  (select count(*) from tutela.students where id = :'kid'), 1::bigint,
  'on: the guardian reads the student row'
);
select is(
  jsonb_array_length(tutela.parent_dashboard() -> 'children'), 2,
  'on: parent_dashboard shows both children'
);
select lives_ok(
  format('select tutela.child_overview(%L)', :'kid'), 'on: child_overview is allowed'
);
select is(
  (select count(*) from tutela.guardian_get_child_daily_study_stats(:'kid', 30)), 2::bigint,
  'on: guardian_get_child_daily_study_stats returns the child''s two days'
);

-- ---------------------------------------------------------------------------------------------
-- the admin turns family access off
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"family_access_enabled": false}');

select tutela_tests.authenticate_as(:'mum');
select
  is(
    pg_temp.visible_rows(r.name, :'kid'), 0::bigint, 'off: the guardian reads no ' || r.name
  )
from registry_tables as r order by r.name;
select is(
  (select count(*) from tutela.coaching_sessions where id = :'session'), 0::bigint,
  'off: the guardian reads no coaching session of the child'
);
-- link_events: the guardian stays the subject of the audit rows of their own link
select is_empty(
  format(
    $$select s.name from student_id_tables as s
      where s.name <> 'link_events' and pg_temp.visible_rows(s.name, %L) > 0$$,
    :'kid'
  ),
  'off: no table of public with a student_id column shows the guardian a row of the child'
);
select is(
  pg_temp.visible_rows('alerts', :'kid'), 0::bigint, 'off: no alert about the child'
);
select is(
  (select count(*) from tutela.students where id = :'kid'), 0::bigint,
  'off: the student row is hidden'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'kid'), 0::bigint,
  'off: the guardian''s own link row is hidden'
);
select is(
  (select count(*) from tutela.profiles where user_id = :'kid_user'), 0::bigint,
  'off: the child''s profile is hidden'
);

-- the dashboards and lists
select is(
  tutela.parent_dashboard() -> 'children' -> 0 ->> 'student_id', :'kid_b',
  'off: parent_dashboard''s first card is the other school''s child'
);
select is(
  jsonb_array_length(tutela.parent_dashboard() -> 'children'), 1,
  'off: parent_dashboard has no card for the child'
);
select is(
  tutela.parent_dashboard() -> 'family_access_paused',
  jsonb_build_array(jsonb_build_object(
    'organization_id', :'org', 'organization_name',
    'Alpha School'
  )),
  'off: family_access_paused names the organisation'
);
select throws_ok(
  format('select tutela.child_overview(%L)', :'kid'),
  'TU403', null, 'off: child_overview is TU403'
);
select throws_ok(
  format('select tutela.get_child_overview(%L)', :'kid'),
  'TU403', null, 'off: get_child_overview is TU403'
);
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, 30)', :'kid'),
  'TU403', null, 'off: guardian_get_child_daily_study_stats is TU403'
);
select results_eq(
  'select student_id from tutela.guardian_list_children()',
  format('values (%L::uuid)', :'kid_b'),
  'off: guardian_list_children lists only the other school''s child'
);
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'dad@a.test')$$, :'kid'),
  'TU403', null, 'off: the primary guardian cannot invite a co-parent'
);

-- the other school's child is untouched
select is(
  pg_temp.visible_rows('daily_study_stats', :'kid_b'), 1::bigint,
  'off: the guardian still reads the other school''s child'
);
select is(
  (select count(*) from tutela.guardian_get_child_daily_study_stats(:'kid_b', 30)), 1::bigint,
  'off: and its stats'
);

-- the link is kept, active
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select status, is_primary, revoked_at from tutela.guardian_links where id = %L',
    :'mum_link'
  ),
  $$values ('active'::text, true, null::timestamptz)$$,
  'off: the link is still active and primary'
);

-- staff and the student still see everything
select tutela_tests.authenticate_as(:'u_staff');
select
  cmp_ok(
    pg_temp.visible_rows(r.name, :'kid'), '>', 0::bigint, 'off: staff read ' || r.name
  )
from registry_tables as r order by r.name;
select lives_ok(
  format('select tutela.child_overview(%L)', :'kid'), 'off: staff still open child_overview'
);
select tutela_tests.authenticate_as(:'kid_user');
select is_empty(
  format(
    $$select r.name from registry_tables as r where pg_temp.visible_rows(r.name, %L) = 0$$,
    :'kid'
  ),
  'off: the student still reads every table of their data'
);
select results_eq(
  'select guardian_id from tutela.student_list_guardians()',
  format('values (%L::uuid)', :'mum'),
  'off: the student still sees their guardian'
);

-- notifications: nobody is alerted about the child
select tutela_tests.clear_authentication();
select is(
  tutela_private.notify(:'kid', 'child_graded', 'Graded', 'Quiz 2 was graded', 'off-test-kid'), 0,
  'off: notify reaches no guardian'
);
select is(
  (select count(*) from tutela.alerts where dedupe_key = 'off-test-kid'), 0::bigint,
  'off: no alert was written'
);
select is(
  (
    select count(*) from tutela_private.notification_outbox
    where student_id = :'kid' and payload ->> 'title' = 'Graded'
  ),
  0::bigint,
  'off: nothing was queued for the guardian'
);
select is(
  tutela_private.notify(:'kid_b', 'child_graded', 'Graded', 'Quiz 2 was graded', 'off-test-kid-b'),
  1,
  'off: the other school''s child still notifies the guardian'
);

-- ---------------------------------------------------------------------------------------------
-- on again: everything is back at once
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"family_access_enabled": true}');

select tutela_tests.authenticate_as(:'mum');
select is_empty(
  format(
    $$select r.name from registry_tables as r where pg_temp.visible_rows(r.name, %L) = 0$$,
    :'kid'
  ),
  'on again: the guardian reads every table of the child''s data'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'kid'), 1::bigint,
  'on again: the link row is visible'
);
select is(
  jsonb_array_length(tutela.parent_dashboard() -> 'children'), 2,
  'on again: parent_dashboard shows both children'
);
select is(
  tutela.parent_dashboard() -> 'family_access_paused', '[]'::jsonb,
  'on again: nothing is paused'
);
select lives_ok(
  format('select tutela.child_overview(%L)', :'kid'), 'on again: child_overview is allowed'
);
select is(
  (select count(*) from tutela.guardian_list_children()), 2::bigint,
  'on again: guardian_list_children lists both children'
);
select tutela_tests.clear_authentication();
select is(
  tutela_private.notify(:'kid', 'child_graded', 'Graded', 'Quiz 3 was graded', 'on-test-kid'), 1,
  'on again: notify reaches the guardian'
);

select * from finish();
rollback;
