-- Every section of an export passes the gate the requester meets through the API, for every
-- link permission: the primary guardian of a child under the consent age, holding exactly one
-- permission at a time, exports; each table of public then holds exactly the rows of the child
-- that guardian reads from the table itself (its policy and column grants); each stored
-- report keeps only the sections of permissions the guardian holds (the journal section of a
-- report never reaches a guardian without `journal`); the private course averages follow
-- `grades`, the achievement queue `progress`; billing follows the tables: the audit rows of
-- another payer's plan changes never reach them. withheld_permissions names the rest.
begin;
select plan(5);

select tutela_tests.create_user('kid@gates.test') as u_kid \gset
select tutela_tests.create_user('mum@gates.test') as u_mum \gset
select tutela_tests.create_user('dad@gates.test') as u_dad \gset
select tutela_tests.create_user('staff@gates.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Gates School', 'gates-school', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Kid', :'u_kid', (now() at time zone 'UTC')::date - interval '12 years')
returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values
(:'kid', :'u_mum', 'active', true, 'staff', now()),
(:'kid', :'u_dad', 'active', false, 'staff', now());
select id as mum_link from tutela.guardian_links where guardian_id = :'u_mum' \gset

-- the child's data in the tables of every permission
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'kid', 'Maths', 'What is 1/2 + 1/4?', '3/4') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'kid', :'card', true, 4);
insert into tutela.daily_study_stats (student_id, day, reviews, correct, minutes)
values (:'kid', current_date - 1, 3, 2, 20) on conflict do nothing;
insert into tutela.courses (organization_id, title) values (:'org', 'Algebra I')
returning id as course \gset
insert into tutela.enrollments (student_id, organization_id, course_id, progress_percent)
values (:'kid', :'org', :'course', 40);
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Worksheet 1') returning id as assignment \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'kid', :'org', :'assignment', 'graded', 72, now());
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (:'org', 'Lab', now() - interval '1 day', now() - interval '23 hours')
returning id as live_class \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'kid', :'org', :'live_class', 'attended');
insert into tutela.lessons (student_id, organization_id, coach_id, scheduled_at, topic)
values (:'kid', :'org', :'u_staff', now() + interval '3 days', 'Backhand');
insert into tutela.coaching_sessions (organization_id, starts_at)
values (:'org', now() - interval '1 day') returning id as coaching \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'coaching', :'kid', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'coaching', :'kid', :'org', 7.5);
insert into tutela.journal_entries (student_id, mood, energy, confidence, body)
values (:'kid', 4, 3, 5, 'A good week');
insert into tutela.goals (student_id, created_by, title)
values (:'kid', :'u_kid', 'Read a book a week');
insert into tutela_private.achievement_queue (student_id, due_at) values (:'kid', now());
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('guardian_staff', :'org', :'kid', :'u_staff') returning id as room \gset
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'room', :'u_mum', 'guardian'), (:'room', :'u_staff', 'staff');
insert into tutela.messages (conversation_id, sender_id, body)
values (:'room', :'u_staff', 'About the Kid');
-- dad pays the child's subscription and changes its plan (an audit row naming dad)
insert into tutela.subscriptions (plan_id, student_id, paid_by, status)
select
  p.id,
  :'kid' as student_id,
  :'u_dad' as paid_by,
  'active' as status
from tutela.plans as p where p.code = 'starter'
returning id as sub \gset
select tutela_tests.authenticate_as(:'u_dad');
select (tutela.change_plan(:'sub', 'professional')).id is not null as changed \gset
-- staff store a report with all five sections
select tutela_tests.authenticate_as(:'u_staff');
select (tutela.generate_report(:'kid', 'weekly', current_date - 6, current_date)).sections
  as report_sections
\gset
select tutela_tests.clear_authentication();

-- For one permission: mum holds only it, exports, and every mismatch between her export and
-- what she reads through the API is returned.
create function pg_temp.export_mismatches(p_perm text, p_kid uuid, p_mum uuid, p_link uuid)
returns setof text
language plpgsql
as $fn$
declare
  v_doc jsonb;
  v_table record;
  v_want integer;
  v_report jsonb;
  v_sections text[];
begin
  update tutela.guardian_links
  set permissions = (
    select jsonb_object_agg(k, k = p_perm) from unnest(tutela_hidden.link_permission_keys()) as k
  )
  where id = p_link;
  perform tutela_tests.authenticate_as(p_mum);
  v_doc := tutela.export_student_data(p_kid);
  -- every table of public: the rows mum reads from the table itself
  for v_table in
    select c.table_name,
      string_agg(format('%I = %L', c.column_name, case when c.refers_to = 'student'
        then p_kid::text else (select s.user_id::text from tutela.students as s
          where s.id = p_kid) end), ' or ') as cond
    from tutela_hidden.student_reference_columns() as c
    where c.table_schema = 'tutela' and c.table_name <> 'reports'
    group by c.table_name
  loop
    begin
      execute format('select count(*) from tutela.%I where %s', v_table.table_name,
        v_table.cond) into v_want;
    exception when insufficient_privilege then
      v_want := 0;
    end;
    if v_table.table_name = 'data_requests' then
      v_want := v_want - 1;  -- this export's own request is recorded after the read
    end if;
    if jsonb_array_length(v_doc -> 'data' -> v_table.table_name) is distinct from v_want then
      return next format('%s: %s has %s rows, the table shows %s', p_perm,
        v_table.table_name, jsonb_array_length(v_doc -> 'data' -> v_table.table_name), v_want);
    end if;
  end loop;
  -- reports: the sections mum holds, no other section's data or summary
  for v_report in select jsonb_array_elements(v_doc #> '{data,reports}') loop
    v_sections := array(select jsonb_array_elements_text(v_report -> 'sections'));
    if v_sections <> (case when p_perm in ('progress', 'grades', 'attendance', 'sessions',
        'journal') then array[p_perm] else '{}'::text[] end)
      or exists (
        select 1 from unnest(array['progress', 'grades', 'attendance', 'sessions', 'journal'])
          as s
        where s <> p_perm and (v_report -> 'data' ? s or v_report -> 'summary' ? s)
      ) then
      return next format('%s: a report carries sections %s', p_perm, v_report -> 'sections');
    end if;
  end loop;
  if jsonb_array_length(v_doc #> '{data,reports}') <> 1 then
    return next format('%s: %s reports', p_perm, jsonb_array_length(v_doc #> '{data,reports}'));
  end if;
  -- private tables
  if (jsonb_array_length(v_doc #> '{data,tutela_private.course_averages}') > 0) <> (p_perm = 'grades')
    then
    return next format('%s: course averages %s', p_perm, v_doc #> '{data,tutela_private.course_averages}');
  end if;
  if (jsonb_array_length(v_doc #> '{data,tutela_private.achievement_queue}') > 0)
    <> (p_perm = 'progress') then
    return next format('%s: achievement queue', p_perm);
  end if;
  -- billing: no audit row of dad's plan change
  if exists (
    select 1 from jsonb_array_elements(v_doc #> '{data,link_events}') as e
    where e ->> 'action' like 'subscription_%'
  ) then
    return next format('%s: the audit of another payer''s plan change', p_perm);
  end if;
  if v_doc -> 'withheld_permissions' is distinct from (
    select jsonb_agg(k order by k) from unnest(tutela_hidden.link_permission_keys()) as k
    where k <> p_perm
  ) then
    return next format('%s: withheld %s', p_perm, v_doc -> 'withheld_permissions');
  end if;
  perform tutela_tests.clear_authentication();
end;
$fn$;

select is(
  :'report_sections'::text[], '{progress,grades,attendance,sessions,journal}'::text[],
  'the stored report has all five sections'
);
select is_empty(
  format(
    $$select pg_temp.export_mismatches(k, %L, %L, %L)
      from unnest(tutela_hidden.link_permission_keys()) as k$$,
    :'kid', :'u_mum', :'mum_link'
  ),
  'for every permission, every section of the export is what the table shows mum'
);
-- the journal section in particular, by name: without journal it is nowhere in the export
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = tutela_hidden.default_link_permissions()
where id = :'mum_link';
select tutela_tests.authenticate_as(:'u_mum');
select tutela.export_student_data(:'kid') as doc \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select r -> 'withheld_sections', r #> '{data,journal}', r #> '{summary,journal}',
        r #> '{data,grades,count}'
      from jsonb_array_elements(%L::jsonb #> '{data,reports}') as r$$,
    :'doc'
  ),
  $$values ('["journal"]'::jsonb, null::jsonb, null::jsonb, '1'::jsonb)$$,
  'with the default permissions, a report''s journal section is withheld, its grades kept'
);
select ok(
  strpos(:'doc', 'mood_avg') = 0 and strpos(:'doc', 'confidence_avg') = 0,
  'no journal average anywhere in that export'
);
select is(
  (
    select count(*)
    from tutela.link_events where
      student_id = :'kid'
      and action = 'subscription_plan_changed'
  ),
  1::bigint,
  'the plan change dad made is audited (and was left out of mum''s exports above)'
);

select * from finish();
rollback;
