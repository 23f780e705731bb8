-- Dashboards: one rpc() call per screen, one JSON document, built in SQL over live data
-- (the stats tables are kept current by triggers). The private helpers are plpgsql rather than
-- sql: a security definer SQL function is never inlined and is planned again on every call,
-- which cost more than the queries themselves; plpgsql keeps their plans (docs/scaling.md).
-- Permission-aware: a section a link does not permit is absent and named in `hidden_sections`.
-- Tier-aware: what a plan does not include is masked (absent, and named in `masked`). Shapes:
-- docs/api.md.

-- =============================================================================================
-- Plans, subscriptions and entitlements
-- =============================================================================================

-- The default plans. Inserted when missing, never overwritten: operators configure them.
create or replace function tutela.seed_plans()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  insert into tutela.plans (code, name, rank, entitlements, price_cents)
  values
  ('free', 'Free', 0, jsonb_build_object(
    'next_billing_date', false, 'quick_actions_limit', 3, 'reviewer_feedback_detail', false,
    'session_analysis', false, 'score_history_days', 30), 0),
  ('starter', 'Starter', 1, jsonb_build_object(
    'next_billing_date', true, 'quick_actions_limit', 5, 'reviewer_feedback_detail', false,
    'session_analysis', true, 'score_history_days', 90), 900),
  ('professional', 'Professional', 2, jsonb_build_object(
    'next_billing_date', true, 'quick_actions_limit', 10, 'reviewer_feedback_detail', true,
    'session_analysis', true, 'score_history_days', 365), 2900)
  on conflict (code) do nothing;
  select count(*) into v_count from tutela.plans;
  return v_count;
end;
$$;

comment on function tutela.seed_plans() is
'Inserts the default plans (free, starter, professional) when missing. Service role.';
revoke all on function tutela.seed_plans() from public, anon, authenticated, service_role;
grant execute on function tutela.seed_plans() to service_role;

-- What a student's plan includes: the best current subscription of the student, or of any
-- guardian with an active link (a family plan); the free plan otherwise. Unknown keys of a
-- configured plan fall back to the free plan's, then to the most restrictive built-in values.
create or replace function tutela_private.student_entitlements(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    -- two index probes (the student's own plans, then their guardians'), not one `or` that
    -- scans every subscription; a subscription has a student or a guardian, never both
    with current_subs as (
      select s.*, p.code, p.name, p.rank, p.entitlements
      from tutela.subscriptions as s
      join tutela.plans as p on p.id = s.plan_id
      where s.student_id = p_student_id
        and s.status in ('trialing', 'active', 'past_due')
        and (s.access_until is null or s.access_until > pg_catalog.now())
      union all
      select s.*, p.code, p.name, p.rank, p.entitlements
      from tutela.subscriptions as s
      join tutela.plans as p on p.id = s.plan_id
      where s.guardian_id in (
          select l.guardian_id from tutela.guardian_links as l
          where l.student_id = p_student_id and l.status = 'active'
        )
        and s.status in ('trialing', 'active', 'past_due')
        and (s.access_until is null or s.access_until > pg_catalog.now())
    ),
    best as (
      select * from current_subs order by rank desc, started_at limit 1
    ),
    base as (
      select jsonb_build_object(
        'next_billing_date', false, 'quick_actions_limit', 3,
        'reviewer_feedback_detail', false, 'session_analysis', false, 'score_history_days', 30
      ) || coalesce((select p.entitlements from tutela.plans as p where p.code = 'free'), '{}')
        as e
    )
    select case
      when exists (select 1 from best) then (
        select jsonb_build_object(
          'tier', b.code, 'plan_name', b.name, 'status', b.status,
          'covered_by', case when b.student_id is not null then 'student' else 'family' end,
          'started_at', b.started_at, 'access_until', b.access_until,
          'next_billing_at', b.next_billing_at,
          'entitlements', (select base.e from base) || b.entitlements
        )
        from best as b
      )
      else jsonb_build_object(
        'tier', 'free',
        'plan_name',
        coalesce((select p.name from tutela.plans as p where p.code = 'free'), 'Free'),
        'status', 'none', 'covered_by', null,
        'started_at', null, 'access_until', null, 'next_billing_at', null,
        'entitlements', (select base.e from base)
      )
    end
  );
end;
$$;

revoke all on function tutela_private.student_entitlements(uuid)
from public, anon, authenticated, service_role;

-- The subscription block a client shows, masked by the tier's own entitlements.
create or replace function tutela_private.subscription_view(p_ent jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select (p_ent - 'next_billing_at')
    || case
      when coalesce((p_ent -> 'entitlements' ->> 'next_billing_date')::boolean, false)
        then jsonb_build_object('next_billing_at', p_ent -> 'next_billing_at')
      else '{}'::jsonb
    end
$$;

revoke all on function tutela_private.subscription_view(jsonb)
from public, anon, authenticated, service_role;

-- Every link permission, granted: what the student, staff and admins see.
create or replace function tutela_private.all_permissions()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_object_agg(k, true) from unnest(tutela_hidden.link_permission_keys()) as k
$$;

revoke all on function tutela_private.all_permissions()
from public, anon, authenticated, service_role;

-- Which sections the caller may see for a student: every permission for the student, staff
-- and admins; the link's permissions for an active guardian; null for anyone else.
create or replace function tutela_private.caller_permissions(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_role text;
  v_perms jsonb;
begin
  v_role := tutela_private.role_for_student(p_student_id);  -- null for an unknown student
  if v_role in ('admin', 'staff', 'student') then
    return tutela_private.all_permissions();
  elsif v_role = 'guardian' then
    select l.permissions into v_perms from tutela.guardian_links as l
    where l.student_id = p_student_id and l.guardian_id = (select auth.uid())
      and l.status = 'active';  -- role_for_student said guardian: family access is on
    return v_perms;
  end if;
  return null;
end;
$$;

revoke all on function tutela_private.caller_permissions(uuid)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Shared pieces
-- =============================================================================================

-- Coaching section of one student (the parts the permissions allow).
create or replace function tutela_private.coaching_section(
  p_student_id uuid, p_perms jsonb, p_ent jsonb
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_out jsonb := '{}'::jsonb;
  v_analysis boolean := coalesce((p_ent -> 'entitlements' ->> 'session_analysis')::boolean, false);
  v_days integer := coalesce((p_ent -> 'entitlements' ->> 'score_history_days')::integer, 30);
begin
  if coalesce((p_perms ->> 'lessons')::boolean, false) then
    v_out := v_out || jsonb_build_object('upcoming_lessons', coalesce((
      select jsonb_agg(jsonb_build_object(
        'lesson_id', l.id, 'scheduled_at', l.scheduled_at,
        'duration_minutes', l.duration_minutes, 'topic', l.topic,
        'coach', coalesce(nullif(p.display_name, ''), 'Coach')
      ) order by l.scheduled_at)
      from (
        select * from tutela.lessons as l2
        where l2.student_id = p_student_id and l2.status = 'scheduled'
          and l2.scheduled_at >= pg_catalog.now()
        order by l2.scheduled_at
        limit 5
      ) as l
      left join tutela.profiles as p on p.user_id = l.coach_id
    ), '[]'::jsonb));
  end if;
  if coalesce((p_perms ->> 'sessions')::boolean, false) then
    v_out := v_out || jsonb_build_object(
      'recent_sessions', coalesce((
        select jsonb_agg(
          jsonb_build_object(
            'session_id', r.session_id, 'starts_at', r.starts_at, 'focus', r.focus,
            'attendance', r.attendance, 'score', r.score, 'coach_notes', r.coach_notes
          ) || case when v_analysis then jsonb_build_object('analysis', r.analysis)
            else '{}'::jsonb end
          order by r.starts_at desc)
        from (
          select cs.id as session_id, cs.starts_at, cs.focus, ss.attendance, sc.score,
            sc.coach_notes, sc.analysis
          from tutela.session_students as ss
          join tutela.coaching_sessions as cs on cs.id = ss.session_id
          left join tutela.session_scores as sc
            on sc.session_id = ss.session_id and sc.student_id = ss.student_id
          where ss.student_id = p_student_id and cs.starts_at <= pg_catalog.now()
          order by cs.starts_at desc
          limit 5
        ) as r
      ), '[]'::jsonb),
      'score_history', coalesce((
        select jsonb_agg(jsonb_build_object('at', cs.starts_at, 'score', sc.score)
          order by cs.starts_at)
        from tutela.session_scores as sc
        join tutela.coaching_sessions as cs on cs.id = sc.session_id
        where sc.student_id = p_student_id and sc.score is not null
          and cs.starts_at > pg_catalog.now() - pg_catalog.make_interval(days => v_days)
          and cs.starts_at <= pg_catalog.now()
      ), '[]'::jsonb),
      'attendance', (
        select jsonb_build_object(
          'present', count(*) filter (where ss.attendance = 'present'),
          'absent', count(*) filter (where ss.attendance = 'absent'),
          'excused', count(*) filter (where ss.attendance = 'excused'),
          'sessions_per_week_8w', round(count(*) filter (
            where ss.attendance = 'present'
              and cs.starts_at > pg_catalog.now() - interval '8 weeks') / 8.0, 2)
        )
        from tutela.session_students as ss
        join tutela.coaching_sessions as cs on cs.id = ss.session_id
        where ss.student_id = p_student_id and cs.starts_at <= pg_catalog.now()
      )
    );
  end if;
  if coalesce((p_perms ->> 'progress')::boolean, false) then
    v_out := v_out || jsonb_build_object('skills', tutela_private.skill_tree(p_student_id));
  end if;
  return v_out;
end;
$$;

revoke all on function tutela_private.coaching_section(uuid, jsonb, jsonb)
from public, anon, authenticated, service_role;

-- The skill tree: every skill of the student's organisation by category, with the latest level.
create or replace function tutela_private.skill_tree(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('category', c.category, 'skills', c.skills)
      order by c.category), '[]'::jsonb)
    from (
      select sk.category, jsonb_agg(jsonb_build_object(
        'skill_id', sk.id, 'name', sk.name, 'level', coalesce(la.level, 0),
        'max_level', sk.max_level, 'assessed_at', la.assessed_at,
        'mastered', coalesce(la.level >= sk.max_level, false)
      ) order by sk.position, sk.name) as skills
      from tutela.students as st
      join tutela.skills as sk on sk.organization_id = st.organization_id
      left join lateral (
        select a.level, a.assessed_at from tutela.skill_assessments as a
        where a.student_id = st.id and a.skill_id = sk.id
        order by a.assessed_at desc, a.id desc
        limit 1
      ) as la on true
      where st.id = p_student_id
      group by sk.category
    ) as c
  );
end;
$$;

revoke all on function tutela_private.skill_tree(uuid)
from public, anon, authenticated, service_role;

create or replace function tutela_private.badges(p_student_id uuid, p_limit integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object(
      'code', b.code, 'title', b.title, 'category', b.category, 'icon', b.icon,
      'awarded_at', b.awarded_at
    ) order by b.awarded_at desc, b.code), '[]'::jsonb)
    from (
      select a.code, a.title, a.category, a.icon, sa.awarded_at
      from tutela.student_achievements as sa
      join tutela.achievements as a on a.id = sa.achievement_id
      where sa.student_id = p_student_id
      order by sa.awarded_at desc, a.code
      limit p_limit
    ) as b
  );
end;
$$;

revoke all on function tutela_private.badges(uuid, integer)
from public, anon, authenticated, service_role;

-- Graded submissions, newest first, with percent and pass/fail; feedback only when included.
create or replace function tutela_private.recent_grades(
  p_student_id uuid, p_limit integer, p_ent jsonb
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(
      jsonb_build_object(
        'submission_id', g.id, 'assignment_id', g.assignment_id, 'title', g.title,
        'course', g.course, 'score', g.score, 'max_score', g.max_score,
        'percent', round(100 * g.score / g.max_score, 1),
        'passed', 100 * g.score / g.max_score >= g.passing_percent, 'graded_at', g.graded_at,
        'status', g.status
      ) || case
        when coalesce((p_ent -> 'entitlements' ->> 'reviewer_feedback_detail')::boolean, false)
          then jsonb_build_object('feedback', g.feedback, 'reviewer_score', g.reviewer_score)
        else '{}'::jsonb
      end
      order by g.graded_at desc), '[]'::jsonb)
    from (
      select s.id, s.assignment_id, a.title, c.title as course, s.score, a.max_score,
        a.passing_percent, s.graded_at, s.status, s.feedback, s.reviewer_score
      from tutela.submissions as s
      join tutela.assignments as a on a.id = s.assignment_id
      join tutela.courses as c on c.id = a.course_id
      where s.student_id = p_student_id and s.status in ('graded', 'returned')
      order by s.graded_at desc
      limit p_limit
    ) as g
  );
end;
$$;

revoke all on function tutela_private.recent_grades(uuid, integer, jsonb)
from public, anon, authenticated, service_role;

-- Assignments of active enrollments not yet handed in, by due date.
create or replace function tutela_private.open_assignments(
  p_student_id uuid, p_from timestamptz, p_to timestamptz, p_limit integer
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object(
      'assignment_id', o.id, 'title', o.title, 'kind', o.kind, 'course', o.course,
      'due_at', o.due_at, 'status', o.status
    ) order by o.due_at, o.id), '[]'::jsonb)
    from (
      select a.id, a.title, a.kind, c.title as course, a.due_at,
        coalesce(s.status, 'pending') as status
      from tutela.enrollments as e
      join tutela.courses as c on c.id = e.course_id
      join tutela.assignments as a on a.course_id = e.course_id
      left join tutela.submissions as s
        on s.assignment_id = a.id and s.student_id = e.student_id
      where e.student_id = p_student_id and e.status = 'active'
        and a.due_at is not null and a.due_at >= p_from and a.due_at < p_to
        and coalesce(s.status, 'pending') in ('pending', 'in_progress')
      order by a.due_at, a.id
      limit p_limit
    ) as o
  );
end;
$$;

revoke all on function tutela_private.open_assignments(uuid, timestamptz, timestamptz, integer)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Parent portal
-- =============================================================================================

-- One child's status card for the parent dashboard.
create or replace function tutela_private.child_card(p_link tutela.guardian_links)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
  v_org tutela.organizations;
  v_perms jsonb := p_link.permissions;
  v_stats tutela.student_stats;
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_card jsonb;
  v_urgent jsonb := '[]'::jsonb;
  v_highlights jsonb := '[]'::jsonb;
  v_hidden text[] := '{}';
  v_progress boolean := coalesce((p_link.permissions ->> 'progress')::boolean, false);
  v_grades boolean := coalesce((p_link.permissions ->> 'grades')::boolean, false);
  v_sessions boolean := coalesce((p_link.permissions ->> 'sessions')::boolean, false);
begin
  select * into v_student from tutela.students as s where s.id = p_link.student_id;
  select * into v_org from tutela.organizations as o where o.id = v_student.organization_id;
  v_card := jsonb_build_object(
    'student_id', v_student.id, 'display_name', v_student.display_name,
    'organization', jsonb_build_object('id', v_org.id, 'name', v_org.name),
    'link_id', p_link.id, 'relation', p_link.relation, 'is_primary', p_link.is_primary,
    'status', p_link.status
  );
  if p_link.status = 'pending' then
    return v_card || jsonb_build_object(
      'urgent', jsonb_build_array(jsonb_build_object(
        'kind', 'pending_approval', 'link_id', p_link.id,
        'since', p_link.created_at)),
      'highlights', '[]'::jsonb,
      'hidden_sections', to_jsonb(array['today', 'streak', 'permissions'])
    );
  end if;
  v_card := v_card || jsonb_build_object('permissions', v_perms);

  if v_progress then
    select * into v_stats from tutela.student_stats as st where st.student_id = v_student.id;
    v_card := v_card || jsonb_build_object(
      'today', coalesce((
        select jsonb_build_object('reviews', d.reviews, 'correct', d.correct,
          'minutes', d.minutes, 'xp', d.xp, 'active', d.reviews > 0 or d.activities > 0)
        from tutela.daily_study_stats as d
        where d.student_id = v_student.id and d.day = v_today
      ), jsonb_build_object('reviews', 0, 'correct', 0, 'minutes', 0, 'xp', 0,
        'active', false)),
      'streak', jsonb_build_object(
        'current', coalesce(tutela_private.live_streak(v_stats), 0),
        'longest', coalesce(v_stats.longest_streak, 0),
        'last_active_at', v_stats.last_active_at
      )
    );
    -- work overdue (within the last 14 days) and deadlines in the next 48 hours
    v_urgent := v_urgent || coalesce((
      select jsonb_agg(x || jsonb_build_object('kind', 'overdue'))
      from jsonb_array_elements(tutela_private.open_assignments(
        v_student.id, pg_catalog.now() - interval '14 days', pg_catalog.now(), 10)) as x
    ), '[]'::jsonb) || coalesce((
      select jsonb_agg(x || jsonb_build_object('kind', 'deadline'))
      from jsonb_array_elements(tutela_private.open_assignments(
        v_student.id, pg_catalog.now(), pg_catalog.now() + interval '48 hours', 10)) as x
    ), '[]'::jsonb);
    -- a week without activity
    if coalesce(v_stats.last_active_day, v_today - 365) <= v_today - 7 then
      v_urgent := v_urgent || jsonb_build_array(jsonb_build_object(
        'kind', 'inactive_week', 'last_active_at', v_stats.last_active_at));
    end if;
    v_highlights := v_highlights || coalesce((
      select jsonb_agg(jsonb_build_object('kind', 'achievement', 'code', a.code,
        'title', a.title, 'at', sa.awarded_at))
      from tutela.student_achievements as sa
      join tutela.achievements as a on a.id = sa.achievement_id
      where sa.student_id = v_student.id and sa.awarded_at > pg_catalog.now() - interval '14 days'
    ), '[]'::jsonb) || coalesce((
      select jsonb_agg(jsonb_build_object('kind', 'certificate', 'title', c.title,
        'at', c.issued_at))
      from tutela.certificates as c
      where c.student_id = v_student.id and c.issued_at > pg_catalog.now() - interval '14 days'
    ), '[]'::jsonb);
  else
    v_hidden := v_hidden || array['today', 'streak'];
  end if;

  if v_grades then
    -- grades below passing in the last 14 days; good grades as highlights
    v_urgent := v_urgent || coalesce((
      select jsonb_agg(g || jsonb_build_object('kind', 'low_grade'))
      from jsonb_array_elements(tutela_private.recent_grades(v_student.id, 10, '{}'::jsonb)) as g
      where not (g ->> 'passed')::boolean
        and (g ->> 'graded_at')::timestamptz > pg_catalog.now() - interval '14 days'
    ), '[]'::jsonb);
    v_highlights := v_highlights || coalesce((
      select jsonb_agg(jsonb_build_object('kind', 'good_grade', 'title', g ->> 'title',
        'percent', (g ->> 'percent')::numeric, 'at', g -> 'graded_at'))
      from jsonb_array_elements(tutela_private.recent_grades(v_student.id, 10, '{}'::jsonb)) as g
      where (g ->> 'percent')::numeric >= 90
        and (g ->> 'graded_at')::timestamptz > pg_catalog.now() - interval '14 days'
    ), '[]'::jsonb);
  end if;
  if v_sessions then
    v_highlights := v_highlights || coalesce((
      select jsonb_agg(jsonb_build_object('kind', 'good_score', 'title', coalesce(cs.focus,
        'Session'), 'score', sc.score, 'at', cs.starts_at))
      from tutela.session_scores as sc
      join tutela.coaching_sessions as cs on cs.id = sc.session_id
      where sc.student_id = v_student.id and sc.score >= 8
        and cs.starts_at > pg_catalog.now() - interval '14 days'
        and cs.starts_at <= pg_catalog.now()
    ), '[]'::jsonb);
  end if;

  return v_card || jsonb_build_object(
    'urgent', v_urgent,
    'highlights', coalesce((
      select jsonb_agg(top.h order by top.at desc, top.h ->> 'kind', top.h ->> 'title')
      from (
        select h, (h ->> 'at')::timestamptz as at from jsonb_array_elements(v_highlights) as h
        order by (h ->> 'at')::timestamptz desc, h ->> 'kind', h ->> 'title'
        limit 5
      ) as top
    ), '[]'::jsonb),
    'hidden_sections', to_jsonb(v_hidden)
  );
end;
$$;

revoke all on function tutela_private.child_card(tutela.guardian_links)
from public, anon, authenticated, service_role;

-- The parent dashboard of one guardian, with no access check (parent_dashboard() passes the
-- caller). Also the service role's "floor" in `tutela bench`.
create or replace function tutela_hidden.parent_dashboard_doc(p_guardian_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select jsonb_build_object(
      'guardian_id', p_guardian_id,
      'generated_at', pg_catalog.now(),
      'children', coalesce((
        select jsonb_agg(tutela_private.child_card(l) order by s.display_name, s.id)
        from tutela.guardian_links as l
        join tutela.students as s on s.id = l.student_id
        join tutela.organizations as o on o.id = s.organization_id
        where l.guardian_id = p_guardian_id and l.status in ('active', 'pending')
          and o.family_access_enabled
      ), '[]'::jsonb),
      -- schools that turned family access off: named, so the app can say why a child is missing
      'family_access_paused', coalesce((
        select jsonb_agg(distinct jsonb_build_object('organization_id', o.id,
          'organization_name', o.name))
        from tutela.guardian_links as l
        join tutela.students as s on s.id = l.student_id
        join tutela.organizations as o on o.id = s.organization_id
        where l.guardian_id = p_guardian_id and l.status in ('active', 'pending')
          and not o.family_access_enabled
      ), '[]'::jsonb)
    )
  );
end;
$$;

revoke all on function tutela_hidden.parent_dashboard_doc(uuid)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.parent_dashboard_doc(uuid) to service_role;

create or replace function tutela.parent_dashboard()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- the caller, as guardian: their own links only
  return tutela_hidden.parent_dashboard_doc(tutela_hidden.require_uid());
end;
$$;

comment on function tutela.parent_dashboard() is
'The signed-in guardian''s children, each with a status card: today, streak, urgent items, '
'highlights; sections the link does not permit are listed in hidden_sections.';
revoke all on function tutela.parent_dashboard() from public, anon, authenticated, service_role;
grant execute on function tutela.parent_dashboard() to authenticated, service_role;

-- One child's overview for the permissions given, with no access check (child_overview()
-- passes the caller's). Also the service role's "floor" in `tutela bench`.
create or replace function tutela_hidden.child_overview_doc(p_student_id uuid, p_perms jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_perms jsonb := p_perms;
  v_student tutela.students;
  v_ent jsonb;
  v_sections jsonb := '{}'::jsonb;
  v_hidden text[] := '{}';
  v_coaching jsonb;
  v_month timestamptz := date_trunc('month', pg_catalog.now() at time zone 'UTC')
    at time zone 'UTC';
begin
  select * into v_student from tutela.students as s where s.id = p_student_id;
  v_ent := tutela_private.student_entitlements(p_student_id);

  if (v_perms ->> 'progress')::boolean then
    v_sections := v_sections || jsonb_build_object(
      'courses', coalesce((
        select jsonb_agg(jsonb_build_object(
          'course_id', c.id, 'title', c.title, 'subject', c.subject, 'status', e.status,
          'progress_percent', e.progress_percent, 'last_accessed_at', e.last_accessed_at,
          'completed_at', e.completed_at
        ) order by e.status, c.title)
        from tutela.enrollments as e join tutela.courses as c on c.id = e.course_id
        where e.student_id = p_student_id and e.status in ('active', 'completed')
      ), '[]'::jsonb),
      'upcoming_assignments', tutela_private.open_assignments(
        p_student_id, pg_catalog.now(), 'infinity'::timestamptz, 5),
      'gamification', (
        select jsonb_build_object(
          'current_streak', coalesce(tutela_private.live_streak(st), 0),
          'longest_streak', coalesce(st.longest_streak, 0),
          'total_points', coalesce(st.total_points, 0),
          'total_xp', coalesce(st.total_xp, 0),
          'badges', tutela_private.badges(p_student_id, 50)
        )
        from (select 1) as one
        left join tutela.student_stats as st on st.student_id = p_student_id
      ),
      'certificates', coalesce((
        select jsonb_agg(jsonb_build_object(
          'certificate_id', c.id, 'title', c.title, 'issued_at', c.issued_at,
          'pdf_url', c.pdf_url, 'verification_code', c.verification_code
        ) order by c.issued_at desc)
        from tutela.certificates as c where c.student_id = p_student_id
      ), '[]'::jsonb),
      'flashcards', tutela_hidden.flashcard_overview(p_student_id,
        coalesce((v_perms ->> 'card_content')::boolean, false)) - 'student_id' - 'display_name'
    );
  else
    v_hidden := v_hidden || array['courses', 'upcoming_assignments', 'gamification',
      'certificates', 'flashcards'];
  end if;

  if (v_perms ->> 'grades')::boolean then
    v_sections := v_sections || jsonb_build_object(
      'recent_grades', tutela_private.recent_grades(p_student_id, 10, v_ent));
  else
    v_hidden := array_append(v_hidden, 'recent_grades');
  end if;

  if (v_perms ->> 'attendance')::boolean then
    v_sections := v_sections || jsonb_build_object('live_classes', (
      select jsonb_build_object(
        'attended_this_month', count(*) filter (
          where a.status = 'attended' and lc.starts_at >= v_month),
        'missed_this_month', count(*) filter (
          where a.status = 'missed' and lc.starts_at >= v_month),
        'upcoming', coalesce((
          select jsonb_agg(jsonb_build_object('live_class_id', u.id, 'title', u.title,
            'starts_at', u.starts_at, 'ends_at', u.ends_at, 'status', u.status)
            order by u.starts_at)
          from (
            select lc2.id, lc2.title, lc2.starts_at, lc2.ends_at, a2.status
            from tutela.live_class_attendance as a2
            join tutela.live_classes as lc2 on lc2.id = a2.live_class_id
            where a2.student_id = p_student_id and lc2.starts_at >= pg_catalog.now()
            order by lc2.starts_at
            limit 5
          ) as u
        ), '[]'::jsonb)
      )
      from tutela.live_class_attendance as a
      join tutela.live_classes as lc on lc.id = a.live_class_id
      where a.student_id = p_student_id
    ));
  else
    v_hidden := array_append(v_hidden, 'live_classes');
  end if;

  v_coaching := tutela_private.coaching_section(p_student_id, v_perms, v_ent);
  if v_coaching = '{}'::jsonb then
    v_hidden := array_append(v_hidden, 'coaching');
  else
    v_sections := v_sections || jsonb_build_object('coaching', v_coaching);
    -- the parts of coaching this link does not permit, named as "coaching.<part>"
    if not (v_perms ->> 'lessons')::boolean then
      v_hidden := array_append(v_hidden, 'coaching.upcoming_lessons');
    end if;
    if not (v_perms ->> 'sessions')::boolean then
      v_hidden := v_hidden
        || array['coaching.recent_sessions', 'coaching.score_history', 'coaching.attendance'];
    end if;
    if not (v_perms ->> 'progress')::boolean then
      v_hidden := array_append(v_hidden, 'coaching.skills');
    end if;
  end if;

  return jsonb_build_object(
    'student_id', v_student.id,
    'display_name', v_student.display_name,
    'tier', v_ent ->> 'tier',
    'sections', v_sections,
    'hidden_sections', to_jsonb(v_hidden),
    'masked', to_jsonb(tutela_private.masked_fields(v_ent))
  );
end;
$$;

revoke all on function tutela_hidden.child_overview_doc(uuid, jsonb)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.child_overview_doc(uuid, jsonb) to service_role;

create or replace function tutela.child_overview(p_student_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_perms jsonb;
begin
  perform tutela_hidden.require_uid();
  if p_student_id is null then
    perform tutela_private.not_found('student', 'this student''s overview');
  end if;
  -- an unknown student has no permissions: refused like one the caller may not read
  v_perms := tutela_private.caller_permissions(p_student_id);
  if v_perms is null then
    perform tutela_private.deny('this student''s overview');
  end if;
  return tutela_hidden.child_overview_doc(p_student_id, v_perms);
end;
$$;

comment on function tutela.child_overview(uuid) is
'Read-only overview of one child, a section per kind of data, each present only when the '
'link permits it. The student, staff, or an active guardian; others TU403.';
revoke all on function tutela.child_overview(uuid) from public, anon, authenticated, service_role;
grant execute on function tutela.child_overview(uuid) to authenticated, service_role;

-- Fields a tier leaves out, for clients to say "upgrade to see this".
create or replace function tutela_private.masked_fields(p_ent jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array_remove(array[
    case when not coalesce((p_ent -> 'entitlements' ->> 'next_billing_date')::boolean, false)
      then 'subscription.next_billing_at' end,
    case when not coalesce(
        (p_ent -> 'entitlements' ->> 'reviewer_feedback_detail')::boolean, false)
      then 'grades.feedback' end,
    case when not coalesce(
        (p_ent -> 'entitlements' ->> 'reviewer_feedback_detail')::boolean, false)
      then 'grades.reviewer_score' end,
    case when not coalesce((p_ent -> 'entitlements' ->> 'session_analysis')::boolean, false)
      then 'sessions.analysis' end
  ], null)
$$;

revoke all on function tutela_private.masked_fields(jsonb)
from public, anon, authenticated, service_role;

-- =============================================================================================
-- Student dashboard
-- =============================================================================================

-- The caller's own student record, or TU403.
create or replace function tutela_private.require_student()
returns tutela.students
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students;
begin
  perform tutela_hidden.require_uid();
  select * into v_student from tutela.students as s where s.user_id = (select auth.uid());
  if not found then
    perform tutela_private.deny('only a student has a student dashboard');
  end if;
  return v_student;
end;
$$;

revoke all on function tutela_private.require_student()
from public, anon, authenticated, service_role;

-- Next best actions, ranked: 1 overdue assignments, 2 assignments due within 48 hours,
-- 3 streak at risk (active yesterday, not yet today), 4 flashcards due, 5 drills due within
-- 48 hours or overdue, 6 unread messages. Within a rank, the earliest due first.
create or replace function tutela_private.quick_actions(p_student tutela.students, p_limit integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    with today as (select (pg_catalog.now() at time zone 'UTC')::date as d),
    actions as (
      select 1 as rank, 'overdue_assignment' as kind, (x ->> 'title') as title,
        (x ->> 'assignment_id')::uuid as ref_id, (x ->> 'due_at')::timestamptz as due_at
      from jsonb_array_elements(tutela_private.open_assignments(
        p_student.id, '-infinity'::timestamptz, pg_catalog.now(), 20)) as x
      union all
      select 2, 'assignment_due_soon', x ->> 'title', (x ->> 'assignment_id')::uuid,
        (x ->> 'due_at')::timestamptz
      from jsonb_array_elements(tutela_private.open_assignments(
        p_student.id, pg_catalog.now(), pg_catalog.now() + interval '48 hours', 20)) as x
      union all
      select 3, 'streak_at_risk', pg_catalog.format('Keep your %s-day streak', st.current_streak),
        null::uuid, ((select d from today) + 1)::timestamp at time zone 'UTC'
      from tutela.student_stats as st
      where st.student_id = p_student.id and st.current_streak > 0
        and st.last_active_day = (select d from today) - 1
      union all
      select 4, 'flashcards_due', pg_catalog.format('%s flashcards to review', count(*)),
        null::uuid, min(f.due_at)
      from tutela.flashcards as f
      where f.student_id = p_student.id and f.due_at <= pg_catalog.now()
      having count(*) > 0
      union all
      select 5, 'drill_due', dr.title, da.id, da.due_at
      from tutela.drill_assignments as da
      join tutela.drills as dr on dr.id = da.drill_id
      where da.student_id = p_student.id and da.completed_at is null
        and da.due_at < pg_catalog.now() + interval '48 hours'
      union all
      select 6, 'unread_messages', pg_catalog.format('%s unread messages', sum(u.unread)),
        null::uuid, null::timestamptz
      from tutela.unread_counts() as u
      having sum(u.unread) > 0
    )
    select coalesce(jsonb_agg(jsonb_build_object(
      'rank', a.rank, 'kind', a.kind, 'title', a.title, 'ref_id', a.ref_id, 'due_at', a.due_at
    ) order by a.rank, a.due_at nulls last, a.title), '[]'::jsonb)
    from (
      select * from actions order by rank, due_at nulls last, title limit p_limit
    ) as a
  );
end;
$$;

revoke all on function tutela_private.quick_actions(tutela.students, integer)
from public, anon, authenticated, service_role;

-- One student's own dashboard, with no access check (student_dashboard() passes the caller's
-- record). Also the service role's "floor" in `tutela bench`. Unread messages are the
-- caller's (tutela.unread_counts() reads auth.uid()).
create or replace function tutela_hidden.student_dashboard_doc(p_student tutela.students)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students := p_student;
  v_ent jsonb := tutela_private.student_entitlements(v_student.id);
  v_stats tutela.student_stats;
  v_today date := (pg_catalog.now() at time zone 'UTC')::date;
  v_coaching jsonb;
begin
  select * into v_stats from tutela.student_stats as st where st.student_id = v_student.id;
  v_coaching := tutela_private.coaching_section(v_student.id, tutela_private.all_permissions(), v_ent);
  return jsonb_build_object(
    'student_id', v_student.id,
    'display_name', v_student.display_name,
    'generated_at', pg_catalog.now(),
    'today', jsonb_build_object(
      'streak', jsonb_build_object(
        'current', coalesce(tutela_private.live_streak(v_stats), 0),
        'longest', coalesce(v_stats.longest_streak, 0),
        'at_risk', coalesce(v_stats.current_streak > 0
          and v_stats.last_active_day = v_today - 1, false)
      ),
      'reviews', coalesce((select d.reviews from tutela.daily_study_stats as d
        where d.student_id = v_student.id and d.day = v_today), 0),
      'minutes', coalesce((select d.minutes from tutela.daily_study_stats as d
        where d.student_id = v_student.id and d.day = v_today), 0),
      'goals_active', (select count(*) from tutela.goals as g
        where g.student_id = v_student.id and g.status = 'active'),
      'cards_due', (select count(*) from tutela.flashcards as f
        where f.student_id = v_student.id and f.due_at <= pg_catalog.now()),
      'assignments_due_today', jsonb_array_length(tutela_private.open_assignments(
        v_student.id, '-infinity'::timestamptz, (v_today + 1)::timestamp at time zone 'UTC',
        100)),
      'drills_due_today', (select count(*) from tutela.drill_assignments as da
        where da.student_id = v_student.id and da.completed_at is null
          and da.due_at < (v_today + 1)::timestamp at time zone 'UTC')
    ),
    'upcoming_lessons', coalesce(v_coaching -> 'upcoming_lessons', '[]'::jsonb),
    'recent_sessions', coalesce(v_coaching -> 'recent_sessions', '[]'::jsonb),
    'drills', coalesce((
      select jsonb_agg(jsonb_build_object(
        'drill_assignment_id', d.id, 'title', d.title, 'due_at', d.due_at,
        'completed_at', d.completed_at
      ) order by d.completed_at is not null, d.due_at nulls last, d.completed_at desc)
      from (
        -- open drills first, the most overdue first; then the latest completed
        select da.id, dr.title, da.due_at, da.completed_at
        from tutela.drill_assignments as da
        join tutela.drills as dr on dr.id = da.drill_id
        where da.student_id = v_student.id
        order by da.completed_at is not null, da.due_at nulls last, da.completed_at desc
        limit 10
      ) as d
    ), '[]'::jsonb),
    'badges', tutela_private.badges(v_student.id, 10),
    'unread_messages', coalesce((select sum(u.unread) from tutela.unread_counts() as u), 0),
    'curriculum', coalesce((
      select jsonb_agg(jsonb_build_object(
        'course_id', c.id, 'title', c.title, 'status', e.status,
        'progress_percent', e.progress_percent,
        'modules', coalesce((
          select jsonb_agg(jsonb_build_object(
            'module_id', m.id, 'title', m.title, 'position', m.position,
            'assignments', (select count(*) from tutela.assignments as a
              where a.module_id = m.id),
            'completed', (select count(*) from tutela.assignments as a
              join tutela.submissions as s on s.assignment_id = a.id
              where a.module_id = m.id and s.student_id = v_student.id
                and s.status in ('submitted', 'in_review', 'graded', 'returned'))
          ) order by m.position, m.title)
          from tutela.course_modules as m where m.course_id = c.id
        ), '[]'::jsonb)
      ) order by e.status, c.title)
      from tutela.enrollments as e join tutela.courses as c on c.id = e.course_id
      where e.student_id = v_student.id and e.status in ('active', 'completed')
    ), '[]'::jsonb),
    'quick_actions', tutela_private.quick_actions(v_student,
      coalesce((v_ent -> 'entitlements' ->> 'quick_actions_limit')::integer, 3)),
    'subscription', tutela_private.subscription_view(v_ent),
    'masked', to_jsonb(tutela_private.masked_fields(v_ent))
  );
end;
$$;

revoke all on function tutela_hidden.student_dashboard_doc(tutela.students)
from public, anon, authenticated, service_role;
grant execute on function tutela_hidden.student_dashboard_doc(tutela.students) to service_role;

create or replace function tutela.student_dashboard()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return tutela_hidden.student_dashboard_doc(tutela_private.require_student());  -- the caller's own record
end;
$$;

comment on function tutela.student_dashboard() is
'The signed-in student''s dashboard: today, lessons, sessions, drills, badges, unread messages, '
'curriculum, ranked quick actions and the subscription, masked by tier.';
revoke all on function tutela.student_dashboard() from public, anon, authenticated, service_role;
grant execute on function tutela.student_dashboard() to authenticated, service_role;

create or replace function tutela.student_missions(p_status text[] default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students := tutela_private.require_student();  -- the caller's own record
  v_ent jsonb := tutela_private.student_entitlements(v_student.id);
  v_detail boolean := coalesce(
    (v_ent -> 'entitlements' ->> 'reviewer_feedback_detail')::boolean, false);
  v_bad text;
begin
  select x into v_bad from unnest(coalesce(p_status, '{}')) as x
  where x is null
    or x not in ('pending', 'in_progress', 'submitted', 'in_review', 'graded', 'returned')
  limit 1;
  if found then
    perform tutela_private.invalid(pg_catalog.format('unknown status %L', v_bad),
      'Use pending, in_progress, submitted, in_review, graded or returned.');
  end if;
  return coalesce((
    select jsonb_agg(
      jsonb_build_object(
        'assignment_id', m.id, 'title', m.title, 'kind', m.kind, 'course_id', m.course_id,
        'course', m.course, 'module', m.module, 'due_at', m.due_at, 'max_score', m.max_score,
        'passing_percent', m.passing_percent, 'status', m.status,
        'submitted_at', m.submitted_at, 'score', m.score, 'auto_score', m.auto_score,
        'percent', round(100 * m.score / m.max_score, 1),
        'passed', case when m.score is not null
          then 100 * m.score / m.max_score >= m.passing_percent end,
        'graded_at', m.graded_at,
        'overdue', coalesce(m.due_at < pg_catalog.now(), false)
          and m.status in ('pending', 'in_progress'),
        'competencies', coalesce((
          select jsonb_agg(jsonb_build_object('skill_id', sk.id, 'name', sk.name,
            'category', sk.category) order by sk.category, sk.name)
          from tutela.assignment_skills as ask
          join tutela.skills as sk on sk.id = ask.skill_id
          where ask.assignment_id = m.id
        ), '[]'::jsonb)
      ) || case when v_detail then jsonb_build_object(
          'reviewer_score', m.reviewer_score, 'feedback', m.feedback)
        else '{}'::jsonb end
      order by m.due_at nulls last, m.title)
    from (
      select a.id, a.title, a.kind, a.course_id, c.title as course, cm.title as module,
        a.due_at, a.max_score, a.passing_percent, coalesce(s.status, 'pending') as status,
        s.submitted_at, s.score, s.auto_score, s.reviewer_score, s.feedback, s.graded_at
      from tutela.enrollments as e
      join tutela.courses as c on c.id = e.course_id
      join tutela.assignments as a on a.course_id = e.course_id
      left join tutela.course_modules as cm on cm.id = a.module_id
      left join tutela.submissions as s
        on s.assignment_id = a.id and s.student_id = e.student_id
      where e.student_id = v_student.id and e.status in ('active', 'completed')
    ) as m
    where p_status is null or m.status = any(p_status)
  ), '[]'::jsonb);
end;
$$;

comment on function tutela.student_missions(text[]) is
'The signed-in student''s assignments and missions with their status funnel, scores, feedback '
'(tier), deadlines and competencies; optionally filtered by status.';
revoke all on function tutela.student_missions(text[])
from public, anon, authenticated, service_role;
grant execute on function tutela.student_missions(text[]) to authenticated, service_role;

create or replace function tutela.student_progress()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_student tutela.students := tutela_private.require_student();  -- the caller's own record
  v_ent jsonb := tutela_private.student_entitlements(v_student.id);
begin
  return jsonb_build_object(
    'student_id', v_student.id,
    'skills', tutela_private.skill_tree(v_student.id),
    'score_history', coalesce(
      tutela_private.coaching_section(v_student.id, tutela_private.all_permissions(), v_ent)
        -> 'score_history', '[]'::jsonb),
    'badges', tutela_private.badges(v_student.id, 100),
    'goals', coalesce((
      select jsonb_agg(jsonb_build_object(
        'goal_id', g.id, 'title', g.title, 'kind', g.kind, 'category', g.category,
        'progress_percent', g.progress_percent, 'status', g.status,
        'target_date', g.target_date, 'completed_at', g.completed_at
      ) order by g.status, g.target_date nulls last, g.title)
      from tutela.goals as g where g.student_id = v_student.id
    ), '[]'::jsonb),
    'journal_trends', tutela.journal_trends(v_student.id) - 'student_id',
    'masked', to_jsonb(tutela_private.masked_fields(v_ent))
  );
end;
$$;

comment on function tutela.student_progress() is
'The signed-in student''s skill tree, score history (tier window), badges, goals and journal '
'trends.';
revoke all on function tutela.student_progress() from public, anon, authenticated, service_role;
grant execute on function tutela.student_progress() to authenticated, service_role;

select tutela.seed_plans();
