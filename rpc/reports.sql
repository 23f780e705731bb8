-- Reports: generate_report builds an immutable JSON snapshot of one student's data over a
-- period (tutela.reports), with a section for each link permission the caller holds for that
-- student; the report records those sections, and only someone who may read the student for
-- every one of them may read it (tutela_hidden.readable_report_ids, the select policy in
-- policies/reports.sql). Days are UTC days. Shapes and rules: docs/reports.md.

-- =============================================================================================
-- Immutability and the read helper
-- =============================================================================================

-- A report never changes. The one update let through is the foreign key's own: the user who
-- generated it was deleted, so generated_by becomes null and nothing else moves.
create or replace function tutela_private.reports_before_update()
returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
  if new.generated_by is null and old.generated_by is not null
    and (pg_catalog.to_jsonb(new) - 'generated_by') = (pg_catalog.to_jsonb(old) - 'generated_by')
    then
    return new;
  end if;
  raise exception 'reports are snapshots and cannot be changed'
    using errcode = 'TU403', hint = 'Generate a new report instead.';
end;
$$;

revoke all on function tutela_private.reports_before_update()
from public, anon, authenticated, service_role;

drop trigger if exists reports_immutable on tutela.reports;
create trigger reports_immutable
before update on tutela.reports
for each row execute function tutela_private.reports_before_update();

-- The reports the caller may read: of a student they may read, and only when they may read
-- that student for every section the report holds (a guardian without `grades` does not read
-- a report with grades in it). Each permission's student set is computed once per statement.
create or replace function tutela_hidden.readable_report_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  with granted as (
    select ids.student_id, array_agg(p.perm) as perms
    from unnest(tutela_hidden.link_permission_keys()) as p (perm)
    cross join lateral tutela_hidden.readable_student_ids(p.perm) as ids (student_id)
    group by ids.student_id
  )
  select r.id
  from tutela.reports as r
  left join granted as g on g.student_id = r.student_id
  where r.student_id in (select tutela_hidden.readable_student_ids())
    and r.sections <@ coalesce(g.perms, '{}'::text[])
$$;

revoke all on function tutela_hidden.readable_report_ids()
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.readable_report_ids() to authenticated;

-- =============================================================================================
-- Sections (each over [p_start, p_end], UTC days)
-- =============================================================================================

-- progress: study stats per day and their totals, streaks, courses, certificates, badges.
create or replace function tutela_private.report_progress(
  p_student_id uuid, p_start date, p_end date
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with days as (
    select d.day, d.reviews, d.correct, d.xp, d.minutes, d.activities
    from tutela.daily_study_stats as d
    where d.student_id = p_student_id and d.day between p_start and p_end
  ),
  runs as (
    select count(*)::integer as days
    from (
      select a.day - (row_number() over (order by a.day))::integer as run
      from days as a
      where a.reviews > 0 or a.activities > 0
    ) as r
    group by r.run
  )
  select jsonb_build_object(
    'daily', coalesce((
      select jsonb_agg(jsonb_build_object(
        'day', d.day, 'reviews', d.reviews, 'correct', d.correct, 'xp', d.xp,
        'minutes', d.minutes, 'activities', d.activities
      ) order by d.day)
      from days as d
    ), '[]'::jsonb),
    'totals', (
      select jsonb_build_object(
        'reviews', coalesce(sum(d.reviews), 0),
        'correct', coalesce(sum(d.correct), 0),
        'accuracy', round(100.0 * sum(d.correct) / nullif(sum(d.reviews), 0), 1),
        'xp', coalesce(sum(d.xp), 0),
        'minutes', coalesce(sum(d.minutes), 0),
        'active_days', count(*) filter (where d.reviews > 0 or d.activities > 0)
      )
      from days as d
    ),
    'streak', (
      select jsonb_build_object(
        'longest_in_period', coalesce((select max(r.days) from runs as r), 0),
        'current', coalesce(tutela_private.live_streak(st), 0),
        'longest', coalesce(st.longest_streak, 0)
      )
      from (select 1) as one
      left join tutela.student_stats as st on st.student_id = p_student_id
    ),
    'courses', coalesce((
      select jsonb_agg(jsonb_build_object(
        'course_id', c.id, 'title', c.title, 'subject', c.subject, 'status', e.status,
        'progress_percent', e.progress_percent, 'completed_at', e.completed_at,
        'completed_in_period', coalesce(
          (e.completed_at at time zone 'UTC')::date between p_start and p_end, false)
      ) order by e.status, c.title)
      from tutela.enrollments as e
      join tutela.courses as c on c.id = e.course_id
      where e.student_id = p_student_id and e.status in ('active', 'completed')
        and (e.enrolled_at at time zone 'UTC')::date <= p_end
    ), '[]'::jsonb),
    'certificates', coalesce((
      select jsonb_agg(jsonb_build_object(
        'certificate_id', c.id, 'title', c.title, 'issued_at', c.issued_at
      ) order by c.issued_at)
      from tutela.certificates as c
      where c.student_id = p_student_id
        and (c.issued_at at time zone 'UTC')::date between p_start and p_end
    ), '[]'::jsonb),
    'badges', coalesce((
      select jsonb_agg(jsonb_build_object(
        'code', a.code, 'title', a.title, 'awarded_at', sa.awarded_at
      ) order by sa.awarded_at, a.code)
      from tutela.student_achievements as sa
      join tutela.achievements as a on a.id = sa.achievement_id
      where sa.student_id = p_student_id
        and (sa.awarded_at at time zone 'UTC')::date between p_start and p_end
    ), '[]'::jsonb)
  )
$$;

revoke all on function tutela_private.report_progress(uuid, date, date)
from public, anon, authenticated, service_role;

-- grades: submissions graded in the period, their average and per-course averages.
-- No reviewer feedback: a report is a summary, and feedback detail is a plan feature.
create or replace function tutela_private.report_grades(p_student_id uuid, p_start date, p_end date)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with g as (
    select s.id, a.title, c.title as course, s.score, a.max_score, s.graded_at,
      round(100 * s.score / a.max_score, 1) as percent,
      100 * s.score / a.max_score >= a.passing_percent as passed
    from tutela.submissions as s
    join tutela.assignments as a on a.id = s.assignment_id
    join tutela.courses as c on c.id = a.course_id
    where s.student_id = p_student_id and s.status in ('graded', 'returned')
      and (s.graded_at at time zone 'UTC')::date between p_start and p_end
  )
  select jsonb_build_object(
    'graded', coalesce((
      select jsonb_agg(jsonb_build_object(
        'submission_id', g.id, 'title', g.title, 'course', g.course, 'score', g.score,
        'max_score', g.max_score, 'percent', g.percent, 'passed', g.passed,
        'graded_at', g.graded_at
      ) order by g.graded_at, g.title)
      from g
    ), '[]'::jsonb),
    'count', (select count(*) from g),
    'passed', (select count(*) from g where g.passed),
    'failed', (select count(*) from g where not g.passed),
    'average_percent', (select round(avg(g.percent), 1) from g),
    'by_course', coalesce((
      select jsonb_agg(jsonb_build_object(
        'course', b.course, 'count', b.n, 'average_percent', b.average
      ) order by b.course)
      from (
        select g.course, count(*) as n, round(avg(g.percent), 1) as average
        from g
        group by g.course
      ) as b
    ), '[]'::jsonb)
  )
$$;

revoke all on function tutela_private.report_grades(uuid, date, date)
from public, anon, authenticated, service_role;

-- attendance: live classes that started in the period.
create or replace function tutela_private.report_attendance(
  p_student_id uuid, p_start date, p_end date
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'classes', coalesce(jsonb_agg(jsonb_build_object(
      'live_class_id', lc.id, 'title', lc.title, 'starts_at', lc.starts_at, 'status', a.status
    ) order by lc.starts_at, lc.title), '[]'::jsonb),
    'attended', count(*) filter (where a.status = 'attended'),
    'missed', count(*) filter (where a.status = 'missed'),
    'registered', count(*) filter (where a.status = 'registered'),
    'rate', round(100.0 * count(*) filter (where a.status = 'attended')
      / nullif(count(*) filter (where a.status in ('attended', 'missed')), 0), 1)
  )
  from tutela.live_class_attendance as a
  join tutela.live_classes as lc on lc.id = a.live_class_id
  where a.student_id = p_student_id
    and (lc.starts_at at time zone 'UTC')::date between p_start and p_end
$$;

revoke all on function tutela_private.report_attendance(uuid, date, date)
from public, anon, authenticated, service_role;

-- sessions: coaching sessions held in the period, with attendance and scores.
create or replace function tutela_private.report_sessions(
  p_student_id uuid, p_start date, p_end date
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'sessions', coalesce(jsonb_agg(jsonb_build_object(
      'session_id', cs.id, 'starts_at', cs.starts_at, 'focus', cs.focus,
      'attendance', ss.attendance, 'score', sc.score, 'coach_notes', sc.coach_notes
    ) order by cs.starts_at), '[]'::jsonb),
    'present', count(*) filter (where ss.attendance = 'present'),
    'absent', count(*) filter (where ss.attendance = 'absent'),
    'excused', count(*) filter (where ss.attendance = 'excused'),
    'scored', count(sc.score),
    'average_score', round(avg(sc.score), 2),
    'best_score', max(sc.score)
  )
  from tutela.session_students as ss
  join tutela.coaching_sessions as cs on cs.id = ss.session_id
  left join tutela.session_scores as sc
    on sc.session_id = ss.session_id and sc.student_id = ss.student_id
  where ss.student_id = p_student_id and cs.starts_at <= pg_catalog.now()
    and (cs.starts_at at time zone 'UTC')::date between p_start and p_end
$$;

revoke all on function tutela_private.report_sessions(uuid, date, date)
from public, anon, authenticated, service_role;

-- journal: trends only (averages over the period and per week); never the entries' text.
create or replace function tutela_private.report_journal(
  p_student_id uuid, p_start date, p_end date
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with j as (
    select e.entry_date, e.mood, e.energy, e.confidence
    from tutela.journal_entries as e
    where e.student_id = p_student_id and e.entry_date between p_start and p_end
  )
  select jsonb_build_object(
    'entries', (select count(*) from j),
    'mood_avg', (select round(avg(j.mood), 2) from j),
    'energy_avg', (select round(avg(j.energy), 2) from j),
    'confidence_avg', (select round(avg(j.confidence), 2) from j),
    'weekly', coalesce((
      select jsonb_agg(jsonb_build_object(
        'week_start', w.week_start, 'entries', w.n, 'mood', w.mood, 'energy', w.energy,
        'confidence', w.confidence
      ) order by w.week_start)
      from (
        select j.entry_date - extract(isodow from j.entry_date)::integer + 1 as week_start,
          count(*) as n,
          round(avg(j.mood), 2) as mood, round(avg(j.energy), 2) as energy,
          round(avg(j.confidence), 2) as confidence
        from j
        group by 1
      ) as w
    ), '[]'::jsonb)
  )
$$;

revoke all on function tutela_private.report_journal(uuid, date, date)
from public, anon, authenticated, service_role;

-- The first day a transcript covers: the student's record, or older data (imports).
create or replace function tutela_private.report_first_day(p_student_id uuid)
returns date
language sql
stable
security definer
set search_path = ''
as $$
  select least(
    (select (s.created_at at time zone 'UTC')::date from tutela.students as s
      where s.id = p_student_id),
    (select min(d.day) from tutela.daily_study_stats as d where d.student_id = p_student_id),
    (select (min(x.graded_at) at time zone 'UTC')::date from tutela.submissions as x
      where x.student_id = p_student_id),
    (select (min(lc.starts_at) at time zone 'UTC')::date from tutela.live_class_attendance as a
      join tutela.live_classes as lc on lc.id = a.live_class_id
      where a.student_id = p_student_id),
    (select (min(cs.starts_at) at time zone 'UTC')::date from tutela.session_students as ss
      join tutela.coaching_sessions as cs on cs.id = ss.session_id
      where ss.student_id = p_student_id),
    (select min(j.entry_date) from tutela.journal_entries as j where j.student_id = p_student_id)
  )
$$;

revoke all on function tutela_private.report_first_day(uuid)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- API
-- =============================================================================================

create or replace function tutela.generate_report(
  p_student_id uuid,
  p_type text,
  p_period_start date default null,
  p_period_end date default null
)
returns tutela.reports
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid;
  v_student tutela.students;
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_start date := p_period_start;
  v_end date := p_period_end;
  v_max_days integer;
  v_perm text;
  v_sections text[] := '{}';
  v_hidden text[] := '{}';
  v_part jsonb;
  v_data jsonb;
  v_summary jsonb := '{}'::jsonb;
  v_status text := 'ready';
  v_row tutela.reports;
begin
  -- who may: anyone who may read the student at all (the student, staff and admins of the
  -- organisation, an active guardian); the sections follow the caller's permissions
  v_uid := tutela_hidden.require_uid();
  select * into v_student from tutela.students as s where s.id = p_student_id;
  if not found then
    perform tutela_private.not_found('student', 'reports on this student');
  end if;
  if p_student_id not in (select tutela_hidden.readable_student_ids()) then
    perform tutela_private.deny('reports on this student');
  end if;

  if p_type is null or p_type not in ('weekly', 'monthly', 'term', 'transcript') then
    perform tutela_private.invalid(pg_catalog.format('unknown report type %L', p_type),
      'Use weekly, monthly, term or transcript.');
  end if;
  if p_type = 'transcript' then
    v_end := coalesce(v_end, v_today);
    v_start := coalesce(v_start, least(tutela_private.report_first_day(p_student_id), v_end));
  elsif v_start is null or v_end is null then
    perform tutela_private.invalid('a period start and end are required',
      'Give p_period_start and p_period_end (only a transcript may leave them out).');
  end if;
  -- 'infinity' and '-infinity' are dates to PostgreSQL, but no period (their difference raises)
  if not pg_catalog.isfinite(v_start) or not pg_catalog.isfinite(v_end) then
    perform tutela_private.invalid('the period needs finite dates',
      'Give calendar dates, not infinity.');
  end if;
  if v_end < v_start then
    perform tutela_private.invalid('the period ends before it starts',
      'p_period_end must be on or after p_period_start.');
  end if;
  if v_start > v_today then
    perform tutela_private.invalid('the period starts in the future',
      'A report covers days that have begun (UTC).');
  end if;
  v_max_days := case p_type when 'weekly' then 7 when 'monthly' then 31 when 'term' then 400 end;
  if v_end - v_start + 1 > v_max_days then
    perform tutela_private.invalid(
      pg_catalog.format('a %s report covers at most %s days', p_type, v_max_days),
      'Shorten the period, or use a longer report type (transcript: any length).');
  end if;

  -- the sections this caller may read (journal: with the student's consent, rpc/privacy.sql)
  foreach v_perm in array array['progress', 'grades', 'attendance', 'sessions', 'journal'] loop
    if p_student_id in (select tutela_hidden.readable_student_ids(v_perm)) then
      v_sections := array_append(v_sections, v_perm);
    else
      v_hidden := array_append(v_hidden, v_perm);
    end if;
  end loop;

  v_data := jsonb_build_object(
    'report_type', p_type,
    'student', jsonb_build_object(
      'student_id', v_student.id, 'display_name', v_student.display_name,
      'organization', (select o.name from tutela.organizations as o
        where o.id = v_student.organization_id)
    ),
    'period', jsonb_build_object('start', v_start, 'end', v_end, 'days', v_end - v_start + 1),
    'generated_at', pg_catalog.now(),
    'sections', to_jsonb(v_sections),
    'hidden_sections', to_jsonb(v_hidden)
  );

  -- a section that fails leaves a failed report (with the SQLSTATE) rather than no trace
  begin
    foreach v_perm in array v_sections loop
      v_part := case v_perm
        when 'progress' then tutela_private.report_progress(p_student_id, v_start, v_end)
        when 'grades' then tutela_private.report_grades(p_student_id, v_start, v_end)
        when 'attendance' then tutela_private.report_attendance(p_student_id, v_start, v_end)
        when 'sessions' then tutela_private.report_sessions(p_student_id, v_start, v_end)
        when 'journal' then tutela_private.report_journal(p_student_id, v_start, v_end)
      end;
      v_data := v_data || jsonb_build_object(v_perm, v_part);
      v_summary := v_summary || jsonb_build_object(v_perm, case v_perm
        when 'progress' then v_part -> 'totals'
          || jsonb_build_object('longest_streak_in_period',
            v_part -> 'streak' -> 'longest_in_period')
        when 'grades' then v_part - 'graded' - 'by_course'
        when 'attendance' then v_part - 'classes'
        when 'sessions' then v_part - 'sessions'
        when 'journal' then v_part - 'weekly'
      end);
    end loop;
  exception when others then
    v_status := 'failed';
    v_summary := '{}'::jsonb;
    v_data := v_data - v_sections
      || jsonb_build_object('error', jsonb_build_object('sqlstate', sqlstate));
  end;

  insert into tutela.reports (
    student_id, type, period_start, period_end, status, data, summary, sections, generated_by
  )
  values (
    p_student_id, p_type, v_start, v_end, v_status, v_data, v_summary, v_sections, v_uid
  )
  returning * into v_row;
  return v_row;
end;
$$;

comment on function tutela.generate_report(uuid, text, date, date) is
'Makes an immutable report (weekly, monthly, term, transcript) of a student over a period of '
'UTC days, with a section per permission the caller holds. Anyone who may read the student; '
'others TU403.';
revoke all on function tutela.generate_report(uuid, text, date, date)
from public, anon, authenticated, service_role;
grant execute on function tutela.generate_report(uuid, text, date, date)
to authenticated, service_role;

create or replace function tutela.list_reports(p_student_id uuid)
returns setof tutela.reports
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- who may: anyone who may read the student; they see the reports whose every section they
  -- may read
  perform tutela_hidden.require_uid();
  if p_student_id is null
    or not exists (select 1 from tutela.students as s where s.id = p_student_id) then
    perform tutela_private.not_found('student', 'reports on this student');
  end if;
  if p_student_id not in (select tutela_hidden.readable_student_ids()) then
    perform tutela_private.deny('reports on this student');
  end if;
  return query
  select r.*
  from tutela.reports as r
  where r.student_id = p_student_id
    and r.id in (select tutela_hidden.readable_report_ids())
  order by r.created_at desc, r.id;
end;
$$;

comment on function tutela.list_reports(uuid) is
'A student''s reports, newest first: only those whose every section the caller may read. '
'Anyone who may read the student; others TU403.';
revoke all on function tutela.list_reports(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.list_reports(uuid) to authenticated, service_role;
