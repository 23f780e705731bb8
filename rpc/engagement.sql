-- Engagement: the achievements engine, journal trends, guardians' mood history, messaging.

-- =============================================================================================
-- Achievements
-- =============================================================================================

-- The rule book (docs/achievements.md). Upserts by code: never duplicates, never removes a
-- definition or an award. Applied at the end of this file, so every migrate keeps it current.
create or replace function tutela.seed_achievements()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  insert into tutela.achievements as a (code, title, description, category, rule, threshold, icon)
  values
  ('first_session', 'First session', 'Attended a first coaching session.',
    'sessions', 'sessions_attended', 1, 'wave'),
  ('sessions_10', '10 sessions', 'Attended 10 coaching sessions.',
    'sessions', 'sessions_attended', 10, 'wave'),
  ('sessions_50', '50 sessions', 'Attended 50 coaching sessions.',
    'sessions', 'sessions_attended', 50, 'wave'),
  ('sessions_100', '100 sessions', 'Attended 100 coaching sessions.',
    'sessions', 'sessions_attended', 100, 'trophy'),
  ('first_skill_mastered', 'First skill mastered',
    'Reached the top level of a skill.', 'skills', 'skills_mastered', 1, 'star'),
  ('category_mastered', 'Category mastered',
    'Reached the top level of every skill in a category.', 'skills', 'categories_mastered', 1,
    'crown'),
  ('weekly_streak_4', '4 weeks in a row', 'A session in each of 4 consecutive weeks.',
    'streaks', 'weekly_session_streak', 4, 'calendar'),
  ('weekly_streak_8', '8 weeks in a row', 'A session in each of 8 consecutive weeks.',
    'streaks', 'weekly_session_streak', 8, 'calendar'),
  ('weekly_streak_12', '12 weeks in a row', 'A session in each of 12 consecutive weeks.',
    'streaks', 'weekly_session_streak', 12, 'calendar'),
  ('study_streak_7', '7-day study streak', 'Studied on 7 consecutive days.',
    'streaks', 'study_streak_days', 7, 'flame'),
  ('study_streak_30', '30-day study streak', 'Studied on 30 consecutive days.',
    'streaks', 'study_streak_days', 30, 'flame'),
  ('journal_7', 'Journal habit', 'Wrote 7 journal entries.',
    'journal', 'journal_entries', 7, 'book'),
  ('journal_30', 'Dedicated journaler', 'Wrote 30 journal entries.',
    'journal', 'journal_entries', 30, 'book'),
  ('first_score_8', 'First 8+', 'Scored 8 or more in a session.',
    'scores', 'best_session_score', 8, 'medal'),
  ('first_score_9', 'First 9+', 'Scored 9 or more in a session.',
    'scores', 'best_session_score', 9, 'medal'),
  ('drills_1', 'First drill', 'Completed a first drill.',
    'drills', 'drills_completed', 1, 'target'),
  ('drills_10', '10 drills', 'Completed 10 drills.',
    'drills', 'drills_completed', 10, 'target'),
  ('drills_50', '50 drills', 'Completed 50 drills.',
    'drills', 'drills_completed', 50, 'target'),
  ('reviews_100', '100 reviews', 'Reviewed 100 flashcards.',
    'reviews', 'reviews', 100, 'cards'),
  ('reviews_1000', '1,000 reviews', 'Reviewed 1,000 flashcards.',
    'reviews', 'reviews', 1000, 'cards'),
  ('first_card_mastered', 'First card mastered', 'Moved a flashcard to the top box.',
    'flashcards', 'cards_mastered', 1, 'cards'),
  ('first_certificate', 'First certificate', 'Earned a first certificate.',
    'courses', 'certificates', 1, 'scroll'),
  ('first_course_completed', 'Course completed', 'Completed a first course.',
    'courses', 'courses_completed', 1, 'graduation'),
  ('perfect_assignment', 'Perfect score', 'Earned the maximum score on an assignment.',
    'scores', 'perfect_assignments', 1, 'hundred'),
  ('lessons_10', '10 lessons', 'Completed 10 lessons.',
    'lessons', 'lessons_completed', 10, 'bell')
  on conflict (code) do update
  set title = excluded.title, description = excluded.description,
    category = excluded.category, rule = excluded.rule, threshold = excluded.threshold,
    icon = excluded.icon, updated_at = pg_catalog.now()
  where (a.title, a.description, a.category, a.rule, a.threshold, a.icon)
    is distinct from
    (excluded.title, excluded.description, excluded.category, excluded.rule,
      excluded.threshold, excluded.icon);
  select count(*) into v_count from tutela.achievements;
  return v_count;
end;
$$;

comment on function tutela.seed_achievements() is
'Upserts the achievement rule book by code (never duplicates or removes). Service role.';
revoke all on function tutela.seed_achievements() from public, anon, authenticated, service_role;
grant execute on function tutela.seed_achievements() to service_role;

-- Every rule's metric for some students, set-based: one grouped query per data source.
create or replace function tutela_private.achievement_metrics(p_student_ids uuid[])
returns table (student_id uuid, rule text, value integer)
language sql
stable
security definer
set search_path = ''
as $$
  with present as (
    select ss.student_id, cs.starts_at
    from tutela.session_students as ss
    join tutela.coaching_sessions as cs on cs.id = ss.session_id
    where ss.student_id = any(p_student_ids) and ss.attendance = 'present'
      and cs.starts_at <= pg_catalog.now()
  ),
  weeks as (
    select distinct p.student_id, date_trunc('week', p.starts_at at time zone 'UTC')::date as week
    from present as p
  ),
  week_runs as (
    select w.student_id,
      count(*) as weeks
    from (
      select w2.student_id, w2.week,
        w2.week - (7 * row_number() over (partition by w2.student_id order by w2.week))::integer
          as run
      from weeks as w2
    ) as w
    group by w.student_id, w.run
  ),
  latest_levels as (
    select distinct on (sa.student_id, sa.skill_id) sa.student_id, sa.skill_id, sa.level
    from tutela.skill_assessments as sa
    where sa.student_id = any(p_student_ids)
    order by sa.student_id, sa.skill_id, sa.assessed_at desc, sa.id desc
  ),
  mastered as (
    select l.student_id, s.id as skill_id, s.organization_id, s.category
    from latest_levels as l
    join tutela.skills as s on s.id = l.skill_id
    where l.level >= s.max_level
  )
  select p.student_id, 'sessions_attended', count(*)::integer from present as p group by 1
  union all
  select wr.student_id, 'weekly_session_streak', max(wr.weeks)::integer
  from week_runs as wr group by 1
  union all
  select m.student_id, 'skills_mastered', count(*)::integer from mastered as m group by 1
  union all
  select c.student_id, 'categories_mastered', count(*)::integer
  from (
    select m.student_id, m.organization_id, m.category, count(*) as done
    from mastered as m
    group by 1, 2, 3
  ) as c
  where c.done = (
    select count(*) from tutela.skills as s
    where s.organization_id = c.organization_id and s.category = c.category
  )
  group by 1
  union all
  select st.student_id, 'study_streak_days', st.longest_streak
  from tutela.student_stats as st where st.student_id = any(p_student_ids)
  union all
  select st.student_id, 'reviews', least(st.total_reviews, 2147483647)::integer
  from tutela.student_stats as st where st.student_id = any(p_student_ids)
  union all
  select j.student_id, 'journal_entries', count(*)::integer
  from tutela.journal_entries as j where j.student_id = any(p_student_ids) group by 1
  union all
  select sc.student_id, 'best_session_score', floor(max(sc.score))::integer
  from tutela.session_scores as sc
  where sc.student_id = any(p_student_ids) and sc.score is not null
  group by 1
  union all
  select d.student_id, 'drills_completed', count(*)::integer
  from tutela.drill_assignments as d
  where d.student_id = any(p_student_ids) and d.completed_at is not null
  group by 1
  union all
  select f.student_id, 'cards_mastered', count(*)::integer
  from tutela.flashcards as f
  where f.student_id = any(p_student_ids) and f.leitner_box = 5
  group by 1
  union all
  select c.student_id, 'certificates', count(*)::integer
  from tutela.certificates as c where c.student_id = any(p_student_ids) group by 1
  union all
  select e.student_id, 'courses_completed', count(*)::integer
  from tutela.enrollments as e
  where e.student_id = any(p_student_ids) and e.status = 'completed'
  group by 1
  union all
  select s.student_id, 'perfect_assignments', count(*)::integer
  from tutela.submissions as s
  join tutela.assignments as a on a.id = s.assignment_id
  where s.student_id = any(p_student_ids) and s.status in ('graded', 'returned')
    and s.score >= a.max_score
  group by 1
  union all
  select l.student_id, 'lessons_completed', count(*)::integer
  from tutela.lessons as l
  where l.student_id = any(p_student_ids) and l.status = 'completed'
  group by 1
$$;

revoke all on function tutela_private.achievement_metrics(uuid[])
from public, anon, authenticated, service_role;

-- Award what the students have earned and not yet received; tell their guardians.
create or replace function tutela_private.award_achievements(p_student_ids uuid[])
returns table (student_id uuid, code text, title text, awarded_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_awards jsonb;
begin
  with awarded as (
    insert into tutela.student_achievements as sa (student_id, achievement_id, metric_value)
    select m.student_id, a.id, m.value
    from tutela_private.achievement_metrics(p_student_ids) as m
    join tutela.achievements as a on a.rule = m.rule and m.value >= a.threshold
    order by m.student_id, a.code
    on conflict on constraint student_achievements_student_id_achievement_id_key do nothing
    returning sa.student_id, sa.achievement_id, sa.awarded_at
  )
  select coalesce(jsonb_agg(jsonb_build_object(
    'student_id', aw.student_id, 'code', a.code, 'title', a.title, 'awarded_at', aw.awarded_at
  ) order by aw.student_id, a.code), '[]'::jsonb) into v_awards
  from awarded as aw join tutela.achievements as a on a.id = aw.achievement_id;
  -- guardians hear of each award through the notifications module (rpc/notifications.sql)
  perform tutela_private.notify(r.student_id, 'milestone_reached',
    pg_catalog.format('New badge: %s', r.title), '',
    'milestone:' || r.student_id::text || ':' || r.code,
    jsonb_build_object('achievement', r.code, 'title', r.title, 'awarded_at', r.awarded_at,
      'kind', 'achievement'))
  from jsonb_to_recordset(v_awards)
    as r (student_id uuid, code text, title text, awarded_at timestamptz);
  return query
  select r.student_id, r.code, r.title, r.awarded_at
  from jsonb_to_recordset(v_awards)
    as r (student_id uuid, code text, title text, awarded_at timestamptz);
end;
$$;

revoke all on function tutela_private.award_achievements(uuid[])
from public, anon, authenticated, service_role;

create or replace function tutela.check_achievements(p_student_id uuid default null)
returns table (student_id uuid, code text, title text, awarded_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
  v_service boolean := tutela_private.is_service_role();
begin
  -- who may: the service role (any or all students); the student or staff of their
  -- organisation (one student)
  if p_student_id is null then
    if not v_service then
      perform tutela_private.deny('only the service role checks every student at once');
    end if;
    select array_agg(s.id) into v_ids from tutela.students as s;
  else
    if not v_service then
      perform tutela_hidden.require_uid();
    end if;
    if not exists (select 1 from tutela.students as s where s.id = p_student_id) then
      perform tutela_private.not_found('student', 'only the student or their organisation''s staff');
    end if;
    if not v_service and p_student_id not in (select tutela_hidden.own_student_ids())
      and p_student_id not in (select tutela_hidden.staff_student_ids()) then
      perform tutela_private.deny('only the student or their organisation''s staff');
    end if;
    v_ids := array[p_student_id];
  end if;
  -- what is due now is done by this check; checks due later stay queued
  delete from tutela_private.achievement_queue as q
  where q.student_id = any(v_ids) and q.due_at <= pg_catalog.now();
  return query select * from tutela_private.award_achievements(coalesce(v_ids, '{}'));
end;
$$;

comment on function tutela.check_achievements(uuid) is
'Evaluates every achievement rule (one student, or all with null: service role) and returns '
'what it newly awarded. Idempotent.';
revoke all on function tutela.check_achievements(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.check_achievements(uuid) to authenticated, service_role;

-- Writes that can earn an achievement queue the student; a job drains the queue.
create or replace function tutela_private.queue_achievement_check()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  insert into tutela_private.achievement_queue (student_id, due_at)
  select distinct n.student_id, date_trunc('minute', pg_catalog.now()) from new_rows as n
  order by n.student_id
  on conflict (student_id, due_at) do nothing;
  return null;
end;
$$;

revoke all on function tutela_private.queue_achievement_check()
from public, anon, authenticated, service_role;

-- Attending a session counts once the session has started: queue a check for its start
-- (when a participant is added to a future session, and when a session moves).
create or replace function tutela_private.queue_session_start_check()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'session_students' then
    insert into tutela_private.achievement_queue (student_id, due_at)
    select distinct n.student_id, date_trunc('minute', cs.starts_at) + interval '1 minute'
    from new_rows as n
    join tutela.coaching_sessions as cs on cs.id = n.session_id
    where cs.starts_at > pg_catalog.now()
    order by 1, 2
    on conflict (student_id, due_at) do nothing;
  else
    execute $q$
      insert into tutela_private.achievement_queue (student_id, due_at)
      select distinct ss.student_id, date_trunc('minute', n.starts_at) + interval '1 minute'
      from new_rows as n
      join tutela.session_students as ss on ss.session_id = n.id
      where n.starts_at > pg_catalog.now()
      order by 1, 2
      on conflict (student_id, due_at) do nothing
    $q$;
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.queue_session_start_check()
from public, anon, authenticated, service_role;

-- Process up to p_limit queued students (oldest first); returns the number of awards.
create or replace function tutela_private.drain_achievement_queue(p_limit integer default 1000)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
  v_awards integer;
begin
  if p_limit is null or p_limit not between 1 and 100000 then
    perform tutela_private.invalid('the limit must be from 1 to 100000 students');
  end if;
  -- the students with the oldest due checks; every due check of theirs is done by this run
  select array_agg(d.student_id) into v_ids
  from (
    select q.student_id from tutela_private.achievement_queue as q
    where q.due_at <= pg_catalog.now()
    group by q.student_id
    order by min(q.due_at)
    limit p_limit
  ) as d;
  if v_ids is null then
    return 0;
  end if;
  delete from tutela_private.achievement_queue as q
  where q.student_id = any(v_ids) and q.due_at <= pg_catalog.now();
  select count(*) into v_awards from tutela_private.award_achievements(v_ids);
  return v_awards;
end;
$$;

revoke all on function tutela_private.drain_achievement_queue(integer)
from public, anon, authenticated, service_role;

create or replace function tutela.drain_achievement_queue(p_limit integer default 1000)
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  select tutela_private.drain_achievement_queue(p_limit)
$$;

comment on function tutela.drain_achievement_queue(integer) is
'Job: checks the achievements of queued students (oldest first). Service role.';
revoke all on function tutela.drain_achievement_queue(integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.drain_achievement_queue(integer) to service_role;

do $triggers$
declare
  v_table text;
begin
  foreach v_table in array array[
    'session_students', 'skill_assessments', 'journal_entries', 'session_scores',
    'drill_assignments', 'student_stats', 'flashcards', 'certificates', 'enrollments',
    'submissions', 'lessons'
  ] loop
    execute pg_catalog.format(
      'drop trigger if exists %I on tutela.%I', v_table || '_achievements_insert', v_table
    );
    execute pg_catalog.format(
      'create trigger %I after insert on tutela.%I referencing new table as new_rows '
      'for each statement execute function tutela_private.queue_achievement_check()',
      v_table || '_achievements_insert', v_table
    );
    execute pg_catalog.format(
      'drop trigger if exists %I on tutela.%I', v_table || '_achievements_update', v_table
    );
    execute pg_catalog.format(
      'create trigger %I after update on tutela.%I referencing new table as new_rows '
      'for each statement execute function tutela_private.queue_achievement_check()',
      v_table || '_achievements_update', v_table
    );
  end loop;
  drop trigger if exists session_students_achievements_start on tutela.session_students;
  create trigger session_students_achievements_start
  after insert on tutela.session_students
  referencing new table as new_rows
  for each statement execute function tutela_private.queue_session_start_check();
  drop trigger if exists coaching_sessions_achievements_start on tutela.coaching_sessions;
  create trigger coaching_sessions_achievements_start
  after update on tutela.coaching_sessions
  referencing new table as new_rows
  for each statement execute function tutela_private.queue_session_start_check();
end;
$triggers$;

-- =============================================================================================
-- Journal trends and guardians' mood
-- =============================================================================================

create or replace function tutela.journal_trends(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_out jsonb;
begin
  perform tutela_private.require_student_access(p_student_id, 'journal');
  select jsonb_build_object(
    'student_id', p_student_id,
    'entries_7d', count(*) filter (where j.entry_date > v_today - 7),
    'entries_30d', count(*),
    'mood_7d', round(avg(j.mood) filter (where j.entry_date > v_today - 7), 2),
    'energy_7d', round(avg(j.energy) filter (where j.entry_date > v_today - 7), 2),
    'confidence_7d', round(avg(j.confidence) filter (where j.entry_date > v_today - 7), 2),
    'mood_30d', round(avg(j.mood), 2),
    'energy_30d', round(avg(j.energy), 2),
    'confidence_30d', round(avg(j.confidence), 2)
  ) into v_out
  from tutela.journal_entries as j
  where j.student_id = p_student_id and j.entry_date > v_today - 30
    and j.entry_date <= v_today;
  return v_out;
end;
$$;

comment on function tutela.journal_trends(uuid) is
'7- and 30-day averages of mood, energy and confidence. The student, staff, or a guardian '
'with the journal permission.';
revoke all on function tutela.journal_trends(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.journal_trends(uuid) to authenticated, service_role;

create or replace function tutela.guardian_mood_history(p_days integer default 30)
returns table (
  entry_date date, emoji text, energy smallint, note text, student_id uuid,
  created_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller's own entries only
begin
  if p_days is null or p_days not between 1 and 366 then
    perform tutela_private.invalid('days must be from 1 to 366');
  end if;
  return query
  select m.entry_date, m.emoji, m.energy, m.note, m.student_id, m.created_at
  from tutela.guardian_mood_entries as m
  where m.guardian_id = v_uid
    and m.entry_date > (pg_catalog.now() at time zone 'UTC')::date - p_days
    -- (a day ahead of UTC at most: clients east of Greenwich)
    and m.entry_date <= (pg_catalog.now() at time zone 'UTC')::date + 1
  order by m.entry_date desc, m.created_at desc;
end;
$$;

comment on function tutela.guardian_mood_history(integer) is
'The caller''s own mood entries of the last p_days days, newest first.';
revoke all on function tutela.guardian_mood_history(integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.guardian_mood_history(integer) to authenticated, service_role;

create or replace function tutela_private.stamp_goal()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status <> 'completed') then
    new.completed_at := pg_catalog.now();
    new.progress_percent := 100;
  elsif new.status = 'completed' and pg_catalog.current_setting('role') = 'authenticated' then
    new.completed_at := old.completed_at;  -- for API users, completion stays as it happened
    new.progress_percent := 100;
  elsif new.status <> 'completed' then
    new.completed_at := null;
  end if;
  if tg_op = 'UPDATE' then
    new.created_by := old.created_by;  -- authorship never moves
    new.kind := old.kind;
    new.updated_at := pg_catalog.now();
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.stamp_goal() from public, anon, authenticated, service_role;

drop trigger if exists goals_stamp on tutela.goals;
create trigger goals_stamp
before insert or update on tutela.goals
for each row execute function tutela_private.stamp_goal();

drop trigger if exists goals_created_by on tutela.goals;
create trigger goals_created_by
before insert on tutela.goals
for each row execute function tutela_private.stamp_caller('created_by');

drop trigger if exists guardian_mood_guardian on tutela.guardian_mood_entries;
create trigger guardian_mood_guardian
before insert on tutela.guardian_mood_entries
for each row execute function tutela_private.stamp_caller('guardian_id');

-- =============================================================================================
-- Messaging
-- =============================================================================================

create or replace function tutela_private.is_support_staff(p_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from auth.users as u
    where u.id = p_user_id and u.raw_app_meta_data ->> 'tutela_role' = 'support'
  )
$$;

revoke all on function tutela_private.is_support_staff(uuid)
from public, anon, authenticated, service_role;

-- Conversations whose member the caller still is, by a relationship that still holds: a
-- guardian's link must be active with `messaging`, staff must still work there, a student
-- must still be that student. Revoking a link closes the child's conversations at once.
create or replace function tutela_hidden.my_conversation_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select cm.conversation_id
  from tutela.conversation_members as cm
  join tutela.conversations as c on c.id = cm.conversation_id
  where cm.user_id = (select auth.uid())
    and (
      (cm.role = 'guardian'
        and c.student_id in (select tutela_hidden.guardian_student_ids('messaging')))
      or (cm.role = 'staff'
        and c.organization_id in (select tutela_hidden.staff_organization_ids()))
      or (cm.role = 'student' and c.student_id in (select tutela_hidden.own_student_ids()))
      or (cm.role = 'support' and c.kind = 'support'
        and tutela_private.is_support_staff((select auth.uid())))
      or (cm.role = 'user' and c.kind = 'support')
    )
$$;

revoke all on function tutela_hidden.my_conversation_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.my_conversation_ids() to authenticated;


create or replace function tutela.start_conversation(
  p_kind text,
  p_student_id uuid default null,
  p_member_ids uuid[] default '{}',
  p_title text default null
)
returns tutela.conversations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_student tutela.students;
  v_conv tutela.conversations;
  v_people uuid[];
  v_person uuid;
  v_role text;
  v_roles jsonb := '{}'::jsonb;
begin
  if p_kind is null
    or p_kind not in ('student_staff', 'guardian_staff', 'co_guardians', 'support') then
    perform tutela_private.invalid(pg_catalog.format('unknown conversation kind %L', p_kind),
      'Use student_staff, guardian_staff, co_guardians or support.');
  end if;
  if p_title is not null and char_length(p_title) > 200 then
    perform tutela_private.invalid('the title is limited to 200 characters');
  end if;
  if cardinality(coalesce(p_member_ids, '{}')) > 50 then
    perform tutela_private.invalid('a conversation has at most 50 other members');
  end if;
  select array_agg(distinct x) into v_people
  from unnest(array_append(coalesce(p_member_ids, '{}'), v_uid)) as x
  where x is not null;
  if cardinality(v_people) < 2 then
    perform tutela_private.invalid('a conversation needs at least one other member');
  end if;
  -- an id that is no user has no relationship with anyone: the checks below refuse it exactly
  -- like a user the caller may not reach (no probing of ids)

  if p_kind = 'support' then
    if p_student_id is not null then
      perform tutela_private.invalid('a support conversation is not about a student');
    end if;
    -- one user and support staff
    foreach v_person in array v_people loop
      v_roles := v_roles || jsonb_build_object(v_person,
        case when tutela_private.is_support_staff(v_person) then 'support' else 'user' end);
    end loop;
    if (select count(*) from jsonb_each_text(v_roles) as r where r.value = 'user') <> 1
      or not exists (select 1 from jsonb_each_text(v_roles) as r where r.value = 'support') then
      perform tutela_private.deny('a support conversation joins one user and support staff');
    end if;
  else
    if p_student_id is null then
      perform tutela_private.invalid('this kind of conversation is about a student');
    end if;
    select * into v_student from tutela.students as s where s.id = p_student_id;
    if not found then
      perform tutela_private.not_found('student', 'everyone in the conversation must have a '
        || 'relationship with the student that this kind of conversation allows');
    end if;
    foreach v_person in array v_people loop
      v_role := case
        when exists (
          select 1 from tutela.memberships as m
          where m.organization_id = v_student.organization_id and m.user_id = v_person
        ) then 'staff'
        when v_student.user_id = v_person then 'student'
        when exists (
          select 1 from tutela.guardian_links as l
          where l.student_id = p_student_id and l.guardian_id = v_person
            and l.status = 'active'
            and coalesce((l.permissions ->> 'messaging')::boolean, false)
        ) and tutela_private.family_access_on(p_student_id) then 'guardian'
      end;
      if v_role is null
        or (p_kind = 'student_staff' and v_role not in ('student', 'staff'))
        or (p_kind = 'guardian_staff' and v_role not in ('guardian', 'staff'))
        or (p_kind = 'co_guardians' and v_role <> 'guardian') then
        perform tutela_private.deny('everyone in the conversation must have a relationship with the '
          || 'student that this kind of conversation allows');
      end if;
      v_roles := v_roles || jsonb_build_object(v_person, v_role);
    end loop;
    if (p_kind = 'student_staff' and not (v_roles @> '{}'::jsonb
        and exists (select 1 from jsonb_each_text(v_roles) as r where r.value = 'student')
        and exists (select 1 from jsonb_each_text(v_roles) as r where r.value = 'staff')))
      or (p_kind = 'guardian_staff' and not (
        exists (select 1 from jsonb_each_text(v_roles) as r where r.value = 'guardian')
        and exists (select 1 from jsonb_each_text(v_roles) as r where r.value = 'staff')))
    then
      perform tutela_private.deny('this kind of conversation needs both sides of the relationship');
    end if;
  end if;

  insert into tutela.conversations (kind, organization_id, student_id, title, created_by)
  values (p_kind, v_student.organization_id, p_student_id, nullif(btrim(p_title), ''), v_uid)
  returning * into v_conv;
  insert into tutela.conversation_members (conversation_id, user_id, role, last_read_at)
  select v_conv.id, r.key::uuid, r.value,
    case when r.key::uuid = v_uid then pg_catalog.now() end
  from jsonb_each_text(v_roles) as r;
  insert into tutela.messages (conversation_id, sender_id, kind, body)
  values (v_conv.id, null, 'system', 'Conversation started');
  return v_conv;
end;
$$;

comment on function tutela.start_conversation(text, uuid, uuid[], text) is
'Starts a conversation between people with a real relationship (docs/messaging.md).';
revoke all on function tutela.start_conversation(text, uuid, uuid[], text)
from public, anon, authenticated, service_role;
grant execute on function tutela.start_conversation(text, uuid, uuid[], text)
to authenticated, service_role;

create or replace function tutela.unread_counts()
returns table (conversation_id uuid, unread bigint, last_message_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- the caller's own conversations only
begin
  return query
  select cm.conversation_id,
    (select count(*) from tutela.messages as m
      where m.conversation_id = cm.conversation_id
        and m.created_at > coalesce(cm.last_read_at, '-infinity'::timestamptz)
        and m.sender_id is distinct from v_uid),
    c.last_message_at
  from tutela.conversation_members as cm
  join tutela.conversations as c on c.id = cm.conversation_id
  where cm.user_id = v_uid and cm.conversation_id in (select tutela_hidden.my_conversation_ids())
  order by c.last_message_at desc nulls last;
end;
$$;

comment on function tutela.unread_counts() is
'Unread messages per conversation of the caller (their own messages never count).';
revoke all on function tutela.unread_counts() from public, anon, authenticated, service_role;
grant execute on function tutela.unread_counts() to authenticated, service_role;

create or replace function tutela.mark_conversation_read(p_conversation_id uuid)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();
  v_at timestamptz := pg_catalog.now();
begin
  if not exists (select 1 from tutela.conversations as c where c.id = p_conversation_id) then
    perform tutela_private.not_found('conversation', 'only members of the conversation');
  end if;
  if p_conversation_id not in (select tutela_hidden.my_conversation_ids()) then
    perform tutela_private.deny('only members of the conversation');
  end if;
  update tutela.conversation_members as cm set last_read_at = v_at
  where cm.conversation_id = p_conversation_id and cm.user_id = v_uid;
  return v_at;
end;
$$;

comment on function tutela.mark_conversation_read(uuid) is
'Marks a conversation read up to now for the caller (a member).';
revoke all on function tutela.mark_conversation_read(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.mark_conversation_read(uuid) to authenticated, service_role;

create or replace function tutela_private.touch_conversation()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update tutela.conversations as c
  set last_message_at = greatest(c.last_message_at, n.at)
  from (
    select nr.conversation_id, max(nr.created_at) as at from new_rows as nr group by 1
  ) as n
  where c.id = n.conversation_id;
  return null;
end;
$$;

revoke all on function tutela_private.touch_conversation()
from public, anon, authenticated, service_role;

drop trigger if exists messages_touch_conversation on tutela.messages;
create trigger messages_touch_conversation
after insert on tutela.messages
referencing new table as new_rows
for each statement execute function tutela_private.touch_conversation();

-- The rule book is data: keep it current on every migrate.
select tutela.seed_achievements();
