-- Learning data: triggers that keep the stats exact, the policy helpers the rendered policies
-- use, and the stats API (guardian_get_child_daily_study_stats, get_child_overview).
--
-- Stats: daily_study_stats (one row per student per UTC day) and student_stats (totals,
-- streaks) are maintained by STATEMENT-level triggers with transition tables, so a bulk COPY
-- costs one grouped upsert, and a single review one small upsert. Totals move by deltas under
-- the row lock of student_stats; streaks are then recomputed from the daily rows in a new
-- statement (a fresh snapshot taken after that lock), so concurrent writers stay exact.

-- =============================================================================================
-- Policy helpers (see policies/registry.toml)
-- =============================================================================================

-- Coaching sessions the caller may read: sessions of organisations they work in, and sessions
-- in which a student they may read for 'sessions' took part.
create or replace function tutela_hidden.readable_session_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select cs.id from tutela.coaching_sessions as cs
  where cs.organization_id in (select tutela_hidden.staff_organization_ids())
  union
  select ss.session_id from tutela.session_students as ss
  where ss.student_id in (select tutela_hidden.readable_student_ids('sessions'));
end;
$$;

revoke all on function tutela_hidden.readable_session_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.readable_session_ids() to authenticated;

-- Courses the caller may see: every course of organisations they work in, and the published
-- courses of organisations they study in or have a child in (active link).
create or replace function tutela_hidden.visible_course_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select c.id from tutela.courses as c
  where c.organization_id in (select tutela_hidden.staff_organization_ids())
    or (c.is_published and c.organization_id in (select tutela_hidden.visible_organization_ids()));
end;
$$;

revoke all on function tutela_hidden.visible_course_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.visible_course_ids() to authenticated;

create or replace function tutela_hidden.visible_assignment_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return query
  select a.id from tutela.assignments as a
  where a.course_id in (select tutela_hidden.visible_course_ids());
end;
$$;

revoke all on function tutela_hidden.visible_assignment_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.visible_assignment_ids() to authenticated;

-- =============================================================================================
-- Reviews: XP is the database's, history is immutable
-- =============================================================================================

-- XP of one review: a correct answer earns 10, plus 2 per quality point; a wrong one earns 2.
create or replace function tutela_hidden.review_xp(p_correct boolean, p_quality smallint)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when p_correct then 10 + 2 * coalesce(p_quality, 3) else 2 end
$$;

create or replace function tutela_private.card_review_before_insert()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  new.xp := tutela_hidden.review_xp(new.correct, new.quality);
  -- API callers record what happens now (offline sync: up to 7 days back); back-office
  -- imports (service role, owner) may load any history
  if pg_catalog.current_setting('role') in ('authenticated', 'anon')
    and (new.reviewed_at > pg_catalog.now() + interval '5 minutes'
      or new.reviewed_at < pg_catalog.now() - interval '7 days') then
    raise exception 'reviewed_at must lie within the last 7 days'
      using errcode = 'TU422', hint = 'Leave it out to record the review now.';
  end if;
  return new;
end;
$$;

create or replace function tutela_private.activity_before_insert()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if pg_catalog.current_setting('role') in ('authenticated', 'anon')
    and (new.occurred_at > pg_catalog.now() + interval '5 minutes'
      or new.occurred_at < pg_catalog.now() - interval '7 days') then
    raise exception 'occurred_at must lie within the last 7 days'
      using errcode = 'TU422', hint = 'Leave it out to record the activity now.';
  end if;
  return new;
end;
$$;

create or replace function tutela_private.forbid_history_update()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  raise exception '% rows are history and cannot be changed', tg_table_name
    using errcode = 'TU403', hint = 'Delete and insert instead (service role only).';
end;
$$;

revoke all on function tutela_hidden.review_xp(boolean, smallint)
from public, anon, authenticated, service_role;
-- the before-insert trigger runs as the inserting role
grant execute on function tutela_hidden.review_xp(boolean, smallint) to authenticated, service_role;
revoke all on function tutela_private.card_review_before_insert()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.activity_before_insert()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.forbid_history_update()
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Stats maintenance
-- =============================================================================================

-- Lock some students' stats rows in student order: every writer takes them in the same order,
-- so concurrent batches wait for each other instead of deadlocking.
create or replace function tutela_private.lock_stats(p_student_ids uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform 1 from tutela.student_stats as s
  where s.student_id = any(p_student_ids)
  order by s.student_id
  for update;
end;
$$;

revoke all on function tutela_private.lock_stats(uuid[])
from public, anon, authenticated, service_role;

-- Recompute streaks and the last active day of some students from their daily rows.
create or replace function tutela_private.recompute_streaks(p_student_ids uuid[])
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  with active_days as (
    select d.student_id, d.day,
      d.day - (row_number() over (partition by d.student_id order by d.day))::integer as run
    from tutela.daily_study_stats as d
    where d.student_id = any(p_student_ids) and (d.reviews > 0 or d.activities > 0)
  ),
  runs as (
    select a.student_id, a.run, count(*)::integer as days, max(a.day) as last_day
    from active_days as a
    group by a.student_id, a.run
  ),
  per_student as (
    select r.student_id, max(r.days) as longest,
      (array_agg(r.days order by r.last_day desc))[1] as current_run, max(r.last_day) as last_day
    from runs as r
    group by r.student_id
  )
  update tutela.student_stats as s
  set current_streak = coalesce(p.current_run, 0),
    longest_streak = coalesce(p.longest, 0),
    last_active_day = p.last_day,
    updated_at = pg_catalog.now()
  from (select distinct unnest(p_student_ids) as student_id) as ids
  left join per_student as p on p.student_id = ids.student_id
  where s.student_id = ids.student_id
$$;

create or replace function tutela_private.card_reviews_after_insert()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  select array_agg(distinct n.student_id) into v_ids from new_rows as n;
  if v_ids is null then
    return null;
  end if;
  -- totals by delta; the upsert holds the row lock of each student's stats until commit
  insert into tutela.student_stats as s (
    student_id, total_reviews, total_correct, total_xp, total_points, last_active_at
  )
  select n.student_id, count(*), count(*) filter (where n.correct), sum(n.xp), sum(n.xp),
    max(n.reviewed_at)
  from new_rows as n
  group by n.student_id
  order by n.student_id  -- one lock order for every writer: no deadlocks between batches
  on conflict (student_id) do update
  set total_reviews = s.total_reviews + excluded.total_reviews,
    total_correct = s.total_correct + excluded.total_correct,
    total_xp = s.total_xp + excluded.total_xp,
    total_points = s.total_points + excluded.total_points,
    last_active_at = greatest(s.last_active_at, excluded.last_active_at),
    updated_at = pg_catalog.now();
  insert into tutela.daily_study_stats as d (student_id, day, reviews, correct, xp)
  select n.student_id, (n.reviewed_at at time zone 'UTC')::date, count(*),
    count(*) filter (where n.correct), sum(n.xp)
  from new_rows as n
  group by 1, 2
  on conflict (student_id, day) do update
  set reviews = d.reviews + excluded.reviews,
    correct = d.correct + excluded.correct,
    xp = d.xp + excluded.xp;
  perform tutela_private.recompute_streaks(v_ids);
  -- Leitner: the newest review of each card in this batch moves it
  -- (a review synced late, older than the card's last one, leaves the card where it is)
  update tutela.flashcards as f
  set leitner_box = case when r.correct then least(f.leitner_box + 1, 5) else 1 end,
    due_at = r.reviewed_at + case
      when not r.correct then interval '10 minutes'
      else interval '1 day' * (2 ^ (least(f.leitner_box + 1, 5) - 1))
    end,
    last_reviewed_at = r.reviewed_at,
    updated_at = pg_catalog.now()
  from (
    select distinct on (n.flashcard_id) n.flashcard_id, n.correct, n.reviewed_at
    from new_rows as n
    order by n.flashcard_id, n.reviewed_at desc, n.id desc
  ) as r
  where f.id = r.flashcard_id
    and r.reviewed_at >= coalesce(f.last_reviewed_at, '-infinity'::timestamptz);
  return null;
end;
$$;

create or replace function tutela_private.card_reviews_after_delete()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  select array_agg(distinct o.student_id) into v_ids from old_rows as o;
  if v_ids is null then
    return null;
  end if;
  perform tutela_private.lock_stats(v_ids);
  update tutela.student_stats as s
  set total_reviews = s.total_reviews - o.reviews,
    total_correct = s.total_correct - o.correct,
    total_xp = s.total_xp - o.xp,
    total_points = s.total_points - o.xp,
    updated_at = pg_catalog.now()
  from (
    select x.student_id, count(*) as reviews, count(*) filter (where x.correct) as correct,
      sum(x.xp) as xp
    from old_rows as x
    group by x.student_id
  ) as o
  where s.student_id = o.student_id;
  update tutela.daily_study_stats as d
  set reviews = d.reviews - o.reviews, correct = d.correct - o.correct, xp = d.xp - o.xp
  from (
    select x.student_id, (x.reviewed_at at time zone 'UTC')::date as day, count(*) as reviews,
      count(*) filter (where x.correct) as correct, sum(x.xp) as xp
    from old_rows as x
    group by 1, 2
  ) as o
  where d.student_id = o.student_id and d.day = o.day;
  delete from tutela.daily_study_stats as d
  where d.student_id = any(v_ids) and d.reviews = 0 and d.activities = 0 and d.minutes = 0;
  perform tutela_private.recompute_streaks(v_ids);
  perform tutela_private.recompute_last_active(v_ids);
  return null;
end;
$$;

create or replace function tutela_private.recompute_last_active(p_student_ids uuid[])
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update tutela.student_stats as s
  set last_active_at = greatest(
    (select max(r.reviewed_at) from tutela.card_reviews as r where r.student_id = s.student_id),
    (select max(a.occurred_at) from tutela.activity_events as a where a.student_id = s.student_id)
  )
  where s.student_id = any(p_student_ids)
$$;

create or replace function tutela_private.activity_after_insert()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  select array_agg(distinct n.student_id) into v_ids from new_rows as n;
  if v_ids is null then
    return null;
  end if;
  insert into tutela.student_stats as s (student_id, total_minutes, last_active_at)
  select n.student_id, sum(n.minutes), max(n.occurred_at)
  from new_rows as n
  group by n.student_id
  order by n.student_id
  on conflict (student_id) do update
  set total_minutes = s.total_minutes + excluded.total_minutes,
    last_active_at = greatest(s.last_active_at, excluded.last_active_at),
    updated_at = pg_catalog.now();
  insert into tutela.daily_study_stats as d (student_id, day, minutes, activities)
  select n.student_id, (n.occurred_at at time zone 'UTC')::date, sum(n.minutes), count(*)
  from new_rows as n
  group by 1, 2
  on conflict (student_id, day) do update
  set minutes = d.minutes + excluded.minutes,
    activities = d.activities + excluded.activities;
  perform tutela_private.recompute_streaks(v_ids);
  return null;
end;
$$;

create or replace function tutela_private.activity_after_delete()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  select array_agg(distinct o.student_id) into v_ids from old_rows as o;
  if v_ids is null then
    return null;
  end if;
  perform tutela_private.lock_stats(v_ids);
  update tutela.student_stats as s
  set total_minutes = s.total_minutes - o.minutes, updated_at = pg_catalog.now()
  from (
    select x.student_id, sum(x.minutes) as minutes from old_rows as x group by x.student_id
  ) as o
  where s.student_id = o.student_id;
  update tutela.daily_study_stats as d
  set minutes = d.minutes - o.minutes, activities = d.activities - o.activities
  from (
    select x.student_id, (x.occurred_at at time zone 'UTC')::date as day,
      sum(x.minutes) as minutes, count(*) as activities
    from old_rows as x
    group by 1, 2
  ) as o
  where d.student_id = o.student_id and d.day = o.day;
  delete from tutela.daily_study_stats as d
  where d.student_id = any(v_ids) and d.reviews = 0 and d.activities = 0 and d.minutes = 0;
  perform tutela_private.recompute_streaks(v_ids);
  perform tutela_private.recompute_last_active(v_ids);
  return null;
end;
$$;

create or replace function tutela_private.points_after_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into tutela.student_stats as s (student_id, total_points)
    select n.student_id, sum(n.points) from new_rows as n group by n.student_id
    order by n.student_id
    on conflict (student_id) do update
    set total_points = s.total_points + excluded.total_points, updated_at = pg_catalog.now();
  else
    perform tutela_private.lock_stats(array(select distinct x.student_id from old_rows as x));
    update tutela.student_stats as s
    set total_points = s.total_points - o.points, updated_at = pg_catalog.now()
    from (
      select x.student_id, sum(x.points) as points from old_rows as x group by x.student_id
    ) as o
    where s.student_id = o.student_id;
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.recompute_streaks(uuid[])
from public, anon, authenticated, service_role;
revoke all on function tutela_private.recompute_last_active(uuid[])
from public, anon, authenticated, service_role;
revoke all on function tutela_private.card_reviews_after_insert()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.card_reviews_after_delete()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.activity_after_insert()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.activity_after_delete()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.points_after_change()
from public, anon, authenticated, service_role;

drop trigger if exists card_reviews_before_insert on tutela.card_reviews;
create trigger card_reviews_before_insert
before insert on tutela.card_reviews
for each row execute function tutela_private.card_review_before_insert();

drop trigger if exists card_reviews_no_update on tutela.card_reviews;
create trigger card_reviews_no_update
before update on tutela.card_reviews
for each row execute function tutela_private.forbid_history_update();

drop trigger if exists card_reviews_stats_insert on tutela.card_reviews;
create trigger card_reviews_stats_insert
after insert on tutela.card_reviews
referencing new table as new_rows
for each statement execute function tutela_private.card_reviews_after_insert();

drop trigger if exists card_reviews_stats_delete on tutela.card_reviews;
create trigger card_reviews_stats_delete
after delete on tutela.card_reviews
referencing old table as old_rows
for each statement execute function tutela_private.card_reviews_after_delete();

drop trigger if exists activity_events_before_insert on tutela.activity_events;
create trigger activity_events_before_insert
before insert on tutela.activity_events
for each row execute function tutela_private.activity_before_insert();

drop trigger if exists activity_events_no_update on tutela.activity_events;
create trigger activity_events_no_update
before update on tutela.activity_events
for each row execute function tutela_private.forbid_history_update();

drop trigger if exists activity_events_stats_insert on tutela.activity_events;
create trigger activity_events_stats_insert
after insert on tutela.activity_events
referencing new table as new_rows
for each statement execute function tutela_private.activity_after_insert();

drop trigger if exists activity_events_stats_delete on tutela.activity_events;
create trigger activity_events_stats_delete
after delete on tutela.activity_events
referencing old table as old_rows
for each statement execute function tutela_private.activity_after_delete();

drop trigger if exists card_reviews_no_truncate on tutela.card_reviews;
create trigger card_reviews_no_truncate
before truncate on tutela.card_reviews
for each statement execute function tutela_private.forbid_history_update();

drop trigger if exists activity_events_no_truncate on tutela.activity_events;
create trigger activity_events_no_truncate
before truncate on tutela.activity_events
for each statement execute function tutela_private.forbid_history_update();

drop trigger if exists points_ledger_no_truncate on tutela.points_ledger;
create trigger points_ledger_no_truncate
before truncate on tutela.points_ledger
for each statement execute function tutela_private.forbid_history_update();

drop trigger if exists points_ledger_no_update on tutela.points_ledger;
create trigger points_ledger_no_update
before update on tutela.points_ledger
for each row execute function tutela_private.forbid_history_update();

drop trigger if exists points_ledger_stats_insert on tutela.points_ledger;
create trigger points_ledger_stats_insert
after insert on tutela.points_ledger
referencing new table as new_rows
for each statement execute function tutela_private.points_after_change();

drop trigger if exists points_ledger_stats_delete on tutela.points_ledger;
create trigger points_ledger_stats_delete
after delete on tutela.points_ledger
referencing old table as old_rows
for each statement execute function tutela_private.points_after_change();

-- =============================================================================================
-- Integrity: scores within the assignment's maximum, levels within the skill's; "by" columns
-- name the caller when the caller is an API user
-- =============================================================================================

create or replace function tutela_private.check_submission_scores()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_max numeric;
begin
  select a.max_score into v_max from tutela.assignments as a where a.id = new.assignment_id;
  if greatest(new.score, new.auto_score, new.reviewer_score) > v_max then
    raise exception 'a score cannot exceed the assignment''s maximum of %', v_max
      using errcode = 'TU422';
  end if;
  return new;
end;
$$;

create or replace function tutela_private.check_skill_level()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_max smallint;
begin
  select s.max_level into v_max from tutela.skills as s where s.id = new.skill_id;
  if new.level > v_max then
    raise exception 'the level cannot exceed the skill''s maximum of %', v_max
      using errcode = 'TU422';
  end if;
  return new;
end;
$$;

-- Sets the column named by the trigger argument to the calling user (API callers only: the
-- owner and the service role may load history with any author).
create or replace function tutela_private.stamp_caller()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if pg_catalog.current_setting('role') = 'authenticated' then
    new := jsonb_populate_record(new, jsonb_build_object(tg_argv[0], (select auth.uid())));
  end if;
  return new;
end;
$$;

-- For API users, the column named by the trigger argument keeps its value on update.
create or replace function tutela_private.keep_column()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if pg_catalog.current_setting('role') = 'authenticated' then
    new := jsonb_populate_record(new, jsonb_build_object(tg_argv[0], to_jsonb(old) -> tg_argv[0]));
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.keep_column() from public, anon, authenticated, service_role;
revoke all on function tutela_private.check_submission_scores()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.check_skill_level()
from public, anon, authenticated, service_role;
revoke all on function tutela_private.stamp_caller() from public, anon, authenticated, service_role;

drop trigger if exists submissions_check_scores on tutela.submissions;
create trigger submissions_check_scores
before insert or update of score, auto_score, reviewer_score, assignment_id
on tutela.submissions
for each row execute function tutela_private.check_submission_scores();

drop trigger if exists skill_assessments_check_level on tutela.skill_assessments;
create trigger skill_assessments_check_level
before insert or update of level, skill_id on tutela.skill_assessments
for each row execute function tutela_private.check_skill_level();

drop trigger if exists submissions_graded_by on tutela.submissions;
create trigger submissions_graded_by
before insert or update on tutela.submissions
for each row when (new.status in ('graded', 'returned'))
execute function tutela_private.stamp_caller('graded_by');

drop trigger if exists skill_assessments_assessed_by on tutela.skill_assessments;
create trigger skill_assessments_assessed_by
before insert or update on tutela.skill_assessments
for each row execute function tutela_private.stamp_caller('assessed_by');

drop trigger if exists drill_assignments_assigned_by on tutela.drill_assignments;
create trigger drill_assignments_assigned_by
before insert on tutela.drill_assignments
for each row execute function tutela_private.stamp_caller('assigned_by');

drop trigger if exists points_ledger_awarded_by on tutela.points_ledger;
create trigger points_ledger_awarded_by
before insert on tutela.points_ledger
for each row execute function tutela_private.stamp_caller('awarded_by');

drop trigger if exists courses_created_by on tutela.courses;
create trigger courses_created_by
before insert on tutela.courses
for each row execute function tutela_private.stamp_caller('created_by');

drop trigger if exists assignments_created_by on tutela.assignments;
create trigger assignments_created_by
before insert on tutela.assignments
for each row execute function tutela_private.stamp_caller('created_by');

drop trigger if exists submissions_keep_graded_by on tutela.submissions;
create trigger submissions_keep_graded_by
before update on tutela.submissions
for each row when (new.status not in ('graded', 'returned'))
execute function tutela_private.keep_column('graded_by');

drop trigger if exists drill_assignments_keep_assigned_by on tutela.drill_assignments;
create trigger drill_assignments_keep_assigned_by
before update on tutela.drill_assignments
for each row execute function tutela_private.keep_column('assigned_by');

drop trigger if exists points_ledger_keep_awarded_by on tutela.points_ledger;

drop trigger if exists courses_keep_created_by on tutela.courses;
create trigger courses_keep_created_by
before update on tutela.courses
for each row execute function tutela_private.keep_column('created_by');

drop trigger if exists assignments_keep_created_by on tutela.assignments;
create trigger assignments_keep_created_by
before update on tutela.assignments
for each row execute function tutela_private.keep_column('created_by');

drop trigger if exists drills_keep_created_by on tutela.drills;
create trigger drills_keep_created_by
before update on tutela.drills
for each row execute function tutela_private.keep_column('created_by');

drop trigger if exists drills_created_by on tutela.drills;
create trigger drills_created_by
before insert on tutela.drills
for each row execute function tutela_private.stamp_caller('created_by');

-- =============================================================================================
-- Stats API
-- =============================================================================================

-- TU404 for an unknown student; TU403 unless the caller may read the student for p_permission
-- (the student, staff and admins of the organisation, an active guardian with the permission).
-- The rule is that of tutela_hidden.readable_student_ids(p_permission), tested for one student with
-- index probes instead of building the caller's whole set (docs/scaling.md): the student
-- themself, staff and admins of the student's organisation, an active guardian whose link
-- grants the permission (journal: the primary guardian, or with the consent for others).
create or replace function tutela_private.require_student_access(
  p_student_id uuid, p_permission text
)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_student tutela.students;
begin
  -- tutela_hidden.require_uid(), inlined: this check runs on every stats call
  if v_uid is null or not exists (select 1 from auth.users as u where u.id = v_uid) then
    raise exception 'not signed in'
      using errcode = 'TU401', hint = 'Sign in, then try again.';
  end if;
  select * into v_student from tutela.students as s where s.id = p_student_id;
  if not found then
    -- refused exactly like a student the caller may not read (no probing of ids)
    perform tutela_private.not_found('student', pg_catalog.format('this student''s %s', p_permission));
  end if;
  if v_student.user_id = v_uid
    or exists (
      select 1 from tutela.memberships as m
      where m.user_id = v_uid and m.organization_id = v_student.organization_id
    )
    or exists (
      select 1 from tutela.guardian_links as l
      where l.student_id = p_student_id and l.guardian_id = v_uid and l.status = 'active'
        and (p_permission is null or coalesce((l.permissions ->> p_permission)::boolean, false))
        and (p_permission is distinct from 'journal' or l.is_primary
          or tutela_private.consent_granted(l.student_id, 'journal', 'other_guardians'))
    ) and tutela_private.family_access_on(p_student_id) then  -- off: guardians see nothing
    return;
  end if;
  perform tutela_private.deny(pg_catalog.format('this student''s %s', p_permission));
end;
$$;

revoke all on function tutela_private.require_student_access(uuid, text)
from public, anon, authenticated, service_role;

-- The current streak as of today: a streak whose last day is before yesterday is over.
create or replace function tutela_private.live_streak(p_stats tutela.student_stats)
returns integer
language sql
stable
set search_path = ''
as $$
  select case
    when p_stats.last_active_day >= (pg_catalog.now() at time zone 'UTC')::date - 1
      then p_stats.current_streak
    else 0
  end
$$;

revoke all on function tutela_private.live_streak(tutela.student_stats)
from public, anon, authenticated, service_role;

create or replace function tutela.guardian_get_child_daily_study_stats(
  p_student_id uuid, p_limit integer default 60
)
returns table (
  day date, reviews integer, correct integer, accuracy numeric, xp integer, minutes integer
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform tutela_private.require_student_access(p_student_id, 'progress');
  if p_limit is null or p_limit not between 1 and 366 then
    perform tutela_private.invalid('the limit must be from 1 to 366 days');
  end if;
  return query
  select d.day, d.reviews, d.correct,
    case when d.reviews > 0 then round(100.0 * d.correct / d.reviews, 1) end,
    d.xp, d.minutes
  from tutela.daily_study_stats as d
  where d.student_id = p_student_id
  order by d.day desc
  limit p_limit;
end;
$$;

comment on function tutela.guardian_get_child_daily_study_stats(uuid, integer) is
'A student''s study days, newest first: reviews, accuracy, XP, minutes. Student, staff, or an '
'active guardian with the progress permission.';
revoke all on function tutela.guardian_get_child_daily_study_stats(uuid, integer)
from public, anon, authenticated, service_role;
grant execute on function tutela.guardian_get_child_daily_study_stats(uuid, integer)
to authenticated, service_role;

-- The flashcard KPIs and (with p_portfolio) the portfolio of one student, with no access
-- check: the callers check first. Also the service role's "floor" in `tutela bench`.
create or replace function tutela_hidden.flashcard_overview(p_student_id uuid, p_portfolio boolean)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
  v_stats tutela.student_stats;
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_kpis jsonb;
  v_portfolio jsonb;
  v_hidden text[] := '{}';
begin
  select * into v_student from tutela.students as s where s.id = p_student_id;
  select * into v_stats from tutela.student_stats as st where st.student_id = p_student_id;
  select jsonb_build_object(
    'current_streak', coalesce(tutela_private.live_streak(v_stats), 0),
    'longest_streak', coalesce(v_stats.longest_streak, 0),
    'total_xp', coalesce(v_stats.total_xp, 0),
    'total_points', coalesce(v_stats.total_points, 0),
    'total_reviews', coalesce(v_stats.total_reviews, 0),
    'last_active_at', v_stats.last_active_at,
    'reviews_7d', coalesce(sum(d.reviews) filter (where d.day > v_today - 7), 0),
    'reviews_30d', coalesce(sum(d.reviews), 0),
    'accuracy_7d', round(100.0 * sum(d.correct) filter (where d.day > v_today - 7)
      / nullif(sum(d.reviews) filter (where d.day > v_today - 7), 0), 1),
    'accuracy_30d', round(100.0 * sum(d.correct) / nullif(sum(d.reviews), 0), 1),
    'xp_7d', coalesce(sum(d.xp) filter (where d.day > v_today - 7), 0),
    'xp_30d', coalesce(sum(d.xp), 0),
    'minutes_7d', coalesce(sum(d.minutes) filter (where d.day > v_today - 7), 0),
    'active_days_30d', count(*) filter (where d.reviews > 0 or d.activities > 0)
  ) into v_kpis
  from tutela.daily_study_stats as d
  where d.student_id = p_student_id and d.day > v_today - 30;

  if p_portfolio then
    select coalesce(jsonb_agg(t order by t.subject, t.topic), '[]'::jsonb) into v_portfolio
    from (
      select f.subject, f.topic, count(*) as cards,
        count(*) filter (where f.due_at <= pg_catalog.now()) as due,
        count(*) filter (where f.leitner_box = 5) as mastered
      from tutela.flashcards as f
      where f.student_id = p_student_id
      group by f.subject, f.topic
    ) as t;
  else
    v_hidden := array_append(v_hidden, 'portfolio');
  end if;

  return jsonb_build_object(
    'student_id', v_student.id,
    'display_name', v_student.display_name,
    'kpis', v_kpis,
    'portfolio', v_portfolio,
    'hidden_sections', to_jsonb(v_hidden)
  );
end;
$$;

revoke all on function tutela_hidden.flashcard_overview(uuid, boolean)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.flashcard_overview(uuid, boolean) to service_role;

create or replace function tutela.get_child_overview(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform tutela_private.require_student_access(p_student_id, 'progress');
  return tutela_hidden.flashcard_overview(
    p_student_id, p_student_id in (select tutela_hidden.readable_student_ids('card_content')));
end;
$$;

comment on function tutela.get_child_overview(uuid) is
'KPI tiles (streak, reviews, accuracy and XP over 7 and 30 days) and the flashcard portfolio '
'(per subject and topic: cards, due, mastered; only with the card_content permission).';
revoke all on function tutela.get_child_overview(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.get_child_overview(uuid) to authenticated, service_role;

-- A student marks a drill done (staff may too); nothing else of the assignment changes.
create or replace function tutela.complete_drill_assignment(p_assignment_id uuid)
returns tutela.drill_assignments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tutela.drill_assignments;
begin
  perform tutela_hidden.require_uid();
  select * into v_row from tutela.drill_assignments as a where a.id = p_assignment_id for update;
  if not found then
    perform tutela_private.not_found('drill assignment',
      'only the student or their organisation''s staff complete a drill');
  end if;
  if v_row.student_id not in (select tutela_hidden.own_student_ids())
    and v_row.student_id not in (select tutela_hidden.staff_student_ids()) then
    perform tutela_private.deny('only the student or their organisation''s staff complete a drill');
  end if;
  if v_row.completed_at is not null then
    return v_row;
  end if;
  update tutela.drill_assignments as a set completed_at = pg_catalog.now()
  where a.id = p_assignment_id
  returning * into v_row;
  return v_row;
end;
$$;

comment on function tutela.complete_drill_assignment(uuid) is
'Marks a drill assignment completed (idempotent). The student or staff of their organisation.';
revoke all on function tutela.complete_drill_assignment(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela.complete_drill_assignment(uuid) to authenticated, service_role;
