-- export_student_data(student): an access request. Allowed for the student, their primary
-- guardian while the student is under the consent age, and admins of the organisation; TU403
-- for staff who are not admins, a non-primary guardian, the primary guardian of a student at
-- or above the age, admins of another organisation and strangers; TU403 for an unknown
-- student; anon 42501. The document is complete: a key for every table of public with a
-- student_id column (read from information_schema, so a new table cannot be forgotten) plus
-- students, each holding that student's rows as far as the requester may see them: tables
-- behind a link permission the requester lacks are empty and listed under "withheld"; rows
-- that belong to other people (a guardian's mood notes, alerts, thresholds, preferences) and
-- conversations (and their messages) the requester is not in are left out. No token hash,
-- client address or user agent anywhere. Each export is recorded as a completed data_requests
-- row of kind export.
begin;
select plan(36);

select tutela_tests.create_user('kid@export.test') as u_kid \gset
select tutela_tests.create_user('sibling@export.test') as u_sibling \gset
select tutela_tests.create_user('adult@export.test') as u_adult \gset
select tutela_tests.create_user('mum@export.test') as u_mum \gset
select tutela_tests.create_user('dad@export.test') as u_dad \gset
select tutela_tests.create_user('staff@export.test') as u_staff \gset
select tutela_tests.create_user('admin@export.test') as u_admin \gset
select tutela_tests.create_user('other-admin@export.test') as u_other_admin \gset
select tutela_tests.create_user('stranger@export.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Export School', 'export-school', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other', 'export-other')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin'),
(:'other_org', :'u_other_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Kid', :'u_kid', (now() at time zone 'UTC')::date - interval '12 years')
returning id as kid \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Sibling', :'u_sibling', (now() at time zone 'UTC')::date - interval '9 years')
returning id as sibling \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Adult', :'u_adult', (now() at time zone 'UTC')::date - interval '17 years')
returning id as adult \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values
(:'kid', :'u_mum', 'active', true, 'staff', now()),
(:'kid', :'u_dad', 'active', false, 'staff', now()),
(:'sibling', :'u_mum', 'active', true, 'staff', now()),
(:'adult', :'u_mum', 'active', true, 'staff', now());

-- ---------------------------------------------------------------------------------------------
-- The kid's data, one row or more in every kind of table
-- ---------------------------------------------------------------------------------------------
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'kid', 'Maths', 'What is 1/2 + 1/4?', '3/4') returning id as card \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'kid', :'card', true, 4);
insert into tutela.student_stats (student_id, total_xp) values (:'kid', 42)
on conflict (student_id) do update set total_xp = 42;
insert into tutela.daily_study_stats (student_id, day, reviews, correct)
values (:'kid', current_date - 3, 3, 2) on conflict do nothing;
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
values (:'org', 'Lab', now(), now() + interval '1 hour') returning id as live_class \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'kid', :'org', :'live_class', 'missed');
insert into tutela.certificates (student_id, organization_id, title)
values (:'kid', :'org', 'Algebra I');
insert into tutela.lessons (student_id, organization_id, coach_id, scheduled_at, topic)
values (:'kid', :'org', :'u_staff', now() + interval '3 days', 'Backhand');
insert into tutela.coaching_sessions (organization_id, starts_at)
values (:'org', now() - interval '1 day') returning id as coaching \gset
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'coaching', :'kid', :'org');
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'coaching', :'kid', :'org', 7.5);
insert into tutela.drills (organization_id, title) values (:'org', 'Ten pop-ups')
returning id as drill \gset
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'kid', :'org');
insert into tutela.skills (organization_id, category, name) values (:'org', 'Surfing', 'Pop-up')
returning id as skill \gset
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level)
values (:'skill', :'kid', :'org', 2);
insert into tutela.journal_entries (student_id, mood, body) values (:'kid', 4, 'A good week');
insert into tutela.activity_events (student_id, kind, minutes)
values (:'kid', 'video_watched', 12);
insert into tutela.points_ledger (student_id, points, reason)
values (:'kid', 50, 'Helped a classmate');
insert into tutela.student_achievements (student_id, achievement_id)
select
  :'kid',
  a.id
from tutela.achievements as a where a.code = 'first_session';
insert into tutela.goals (student_id, created_by, title)
values (:'kid', :'u_kid', 'Read a book a week');
insert into tutela.guardian_mood_entries (guardian_id, student_id, emoji)
values (:'u_mum', :'kid', 'happy');
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('student_staff', :'org', :'kid', :'u_staff') returning id as conversation \gset
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'conversation', :'u_kid', 'student'), (:'conversation', :'u_staff', 'staff');
insert into tutela.messages (conversation_id, sender_id, body)
values (:'conversation', :'u_staff', 'See you on Monday');
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id,
  :'kid'
from tutela.plans as p where p.code = 'starter';
insert into tutela.notification_preferences (user_id, student_id, type)
values (:'u_mum', :'kid', 'weekly_digest');
insert into tutela.alert_thresholds (guardian_id, student_id, type, percent)
values (:'u_mum', :'kid', 'course_grade_low', 60);
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key)
values (:'u_mum', :'kid', 'child_absent', 'Absent today', 'export-test-absent'),
(:'u_kid', :'kid', 'milestone_reached', 'Well done', 'export-test-milestone');
insert into tutela.notification_preferences (user_id, student_id, type)
values (:'u_kid', :'kid', 'milestone_reached');
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('guardian_staff', :'org', :'kid', :'u_staff') returning id as parents_room \gset
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'parents_room', :'u_mum', 'guardian'), (:'parents_room', :'u_staff', 'staff');
insert into tutela.messages (conversation_id, sender_id, body)
values (:'parents_room', :'u_mum', 'Between mum and the school');
insert into tutela.student_invites (student_id, email, token_hash, expires_at)
values (:'kid', 'kid@export.test', sha256('student secret'::bytea), now() + interval '7 days');
-- through the API: an invite (guardian_invites, link_events), a consent (consent_records,
-- consent_audit_log), an earlier export by the admin (data_requests)
select tutela_tests.authenticate_as(:'u_staff');
select invite_id from tutela.invite_guardian(:'kid', 'aunt@export.test') \gset
select tutela_tests.authenticate_as(:'u_mum');
select
  set_config('request.headers', '{"x-forwarded-for": "203.0.113.7", "user-agent": "UA/9"}', true)
  is not null as headers
\gset
select tutela.set_consent(:'kid', 'journal', 'other_guardians', true) is not null as consent
\gset
select set_config('request.headers', '{}', true) is not null as no_headers \gset
select tutela_tests.authenticate_as(:'u_admin');
select tutela.export_student_data(:'kid') ->> 'request_id' as admin_request \gset

-- the sibling's data must not leak into the kid's export
select tutela_tests.clear_authentication();
insert into tutela.journal_entries (student_id, mood, body)
values (:'sibling', 2, 'The sibling''s own diary');
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'sibling', 'Art', 'Sibling question', 'Sibling answer');

-- the rows of the private tables and of a report (export_rules): the kid's achievement queue
-- and course averages; mum's and dad's weekly digests and outbox messages about the kid; a
-- staff report with every section
insert into tutela_private.achievement_queue (student_id, due_at) values (:'kid', now());
-- (tutela_private.course_averages has the kid's average already, from the graded submission)
insert into tutela_private.weekly_digests (guardian_id, student_id, week_start, summary)
values
(:'u_mum', :'kid', current_date - 7, '{"for": "mum"}'),
(:'u_dad', :'kid', current_date - 7, '{"for": "dad"}');
insert into tutela_private.notification_outbox (
  kind, recipient_user_id, student_id, payload, template, idempotency_key
)
values
('child_graded', :'u_mum', :'kid', '{"for": "mum"}', 'alert', 'export-test-mum'),
('child_graded', :'u_dad', :'kid', '{"for": "dad"}', 'alert', 'export-test-dad'),
('child_graded', :'u_kid', :'kid', '{"for": "kid"}', 'alert', 'export-test-kid');
select tutela_tests.authenticate_as(:'u_staff');
select (tutela.generate_report(:'kid', 'weekly', current_date - 6, current_date)).id as report
\gset
select tutela_tests.authenticate_as(:'u_kid');
select code as kid_code from tutela.create_guardian_link_code() \gset

-- the sibling's data must not leak into the kid's export
select tutela_tests.clear_authentication();
insert into tutela.journal_entries (student_id, mood, body)
values (:'sibling', 2, 'The sibling''s own diary');
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'sibling', 'Art', 'Sibling question', 'Sibling answer');

-- What refers to the kid, found independently of the function: every table of public and
-- private with a student_id column, a foreign key to students or one to auth.users
create temporary table refs on commit drop as
select distinct
  kcu.table_schema::text as table_schema,
  kcu.table_name::text as table_name
from information_schema.referential_constraints as rc
inner join information_schema.key_column_usage as kcu
  on rc.constraint_schema = kcu.constraint_schema and rc.constraint_name = kcu.constraint_name
inner join information_schema.constraint_column_usage as ccu
  on
    rc.unique_constraint_schema = ccu.constraint_schema
    and rc.unique_constraint_name = ccu.constraint_name
where
  kcu.table_schema in ('tutela', 'tutela_private')
  and (ccu.table_schema, ccu.table_name) in (('tutela', 'students'), ('auth', 'users'))
union
select
  c.table_schema::text,
  c.table_name::text
from information_schema.columns as c
inner join information_schema.tables as t
  on c.table_schema = t.table_schema and c.table_name = t.table_name
where
  c.table_schema in ('tutela', 'tutela_private') and c.column_name = 'student_id'
  and t.table_type = 'BASE TABLE'
union
select
  'tutela' as table_schema,
  'students' as table_name;
grant select on refs to authenticated;

-- ---------------------------------------------------------------------------------------------
-- The student exports
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_kid');
select tutela.export_student_data(:'kid') as doc \gset

select set_eq(
  format($$select jsonb_object_keys(%L::jsonb -> 'data')$$, :'doc'),
  $$select case when table_schema = 'tutela' then table_name
        else table_schema || '.' || table_name end
      from refs where (table_schema, table_name) not in (
        ('tutela_private', 'erased_users'), ('tutela_private', 'student_guardian_locks'))
    union select 'messages_in_conversations_about_the_student'$$,
  'a key for every table of public and private that refers to a student or a login'
);
select is(
  :'doc'::jsonb -> 'withheld_permissions', '[]'::jsonb, 'nothing is withheld from the student'
);
select is(
  :'doc'::jsonb #>> '{excluded,tutela_private.erased_users}' is not null, true,
  'the one excluded table is named with its reason'
);
-- each table of public holds exactly the rows of the kid (or the kid's login) that the kid
-- reads through the API (RLS and column grants), counted here as the kid
select is_empty(
  format(
    $$select t.table_name, jsonb_array_length(%1$L::jsonb -> 'data' -> t.table_name) as got,
        (xpath('/row/n/text()', query_to_xml(format(
          'select count(*) as n from tutela.%%I where %%s', t.table_name,
          (select string_agg(format('%%I = %%L', c.column_name,
              case when c.refers_to = 'student' then %2$L else %3$L end), ' or ')
            from tutela_hidden.student_reference_columns() as c
            where c.table_schema = 'tutela' and c.table_name = t.table_name)),
          false, true, '')))[1]::text::integer
        -- (data_requests: this export's own request is recorded after the read)
        - (t.table_name = 'data_requests')::integer as want
      from refs as t
      where t.table_schema = 'tutela' and t.table_name <> 'reports'
        and jsonb_array_length(%1$L::jsonb -> 'data' -> t.table_name)
        <> (xpath('/row/n/text()', query_to_xml(format(
          'select count(*) as n from tutela.%%I where %%s', t.table_name,
          (select string_agg(format('%%I = %%L', c.column_name,
              case when c.refers_to = 'student' then %2$L else %3$L end), ' or ')
            from tutela_hidden.student_reference_columns() as c
            where c.table_schema = 'tutela' and c.table_name = t.table_name)),
          false, true, '')))[1]::text::integer
          - (t.table_name = 'data_requests')::integer$$,
    :'doc', :'kid', :'u_kid'
  ),
  'each table of public holds every row of the kid the kid may read, and no other'
);
select tutela_tests.clear_authentication();
select is_empty(
  format(
    $$select t from unnest(array[
        'activity_events', 'alerts', 'card_reviews', 'certificates',
        'consent_audit_log', 'consent_records', 'conversations', 'conversation_members',
        'daily_study_stats', 'data_requests', 'drill_assignments', 'enrollments', 'flashcards',
        'goals', 'guardian_invites', 'guardian_links', 'journal_entries',
        'lessons', 'link_events', 'live_class_attendance', 'notification_preferences',
        'points_ledger', 'profiles', 'reports', 'session_scores', 'session_students',
        'skill_assessments', 'student_achievements', 'student_invites', 'student_stats',
        'submissions', 'subscriptions', 'students', 'tutela_private.achievement_queue',
        'tutela_private.course_averages', 'tutela_private.guardian_link_codes',
        'tutela_private.notification_outbox', 'messages_in_conversations_about_the_student'
      ]) as t
      where coalesce(jsonb_array_length(%L::jsonb -> 'data' -> t), 0) = 0$$,
    :'doc'
  ),
  'every seeded table is present and not empty in the student''s export (profile included)'
);
select results_eq(
  format(
    $$select r ->> 'id', r ->> 'display_name' from jsonb_array_elements(%L::jsonb
      #> '{data,students}') as r$$,
    :'doc'
  ),
  format($$values (%L, 'Kid')$$, :'kid'),
  'students holds the student record itself'
);
select results_eq(
  format(
    $$select r ->> 'body' from jsonb_array_elements(%L::jsonb
      #> '{data,messages_in_conversations_about_the_student}') as r$$,
    :'doc'
  ),
  $$values ('See you on Monday')$$,
  'the messages of the student''s conversations are included, not those between others'
);
select is_empty(
  format(
    $$select e.key from jsonb_each(%L::jsonb -> 'data') as e, jsonb_array_elements(e.value) as r
      where %L in (r ->> 'guardian_id', r ->> 'recipient_id', r ->> 'user_id',
        r ->> 'recipient_user_id')
        and e.key in ('guardian_mood_entries', 'alerts', 'alert_thresholds',
          'notification_preferences', 'tutela_private.weekly_digests', 'tutela_private.notification_outbox')$$,
    :'doc', :'u_mum'
  ),
  'the guardian''s own mood notes, alerts, thresholds, preferences, digests, mail are left out'
);
select results_eq(
  format(
    $$select (%1$L::jsonb #>> '{data,journal_entries,0,body}'),
        (%1$L::jsonb #>> '{data,flashcards,0,question}'),
        (%1$L::jsonb #>> '{data,guardian_invites,0,email}'),
        (%1$L::jsonb #>> '{data,consent_records,0,data_type}'),
        (%1$L::jsonb #>> '{data,tutela_private.notification_outbox,0,payload,for}')$$,
    :'doc'
  ),
  $$values ('A good week', 'What is 1/2 + 1/4?', 'aunt@export.test', 'journal', 'kid')$$,
  'the rows carry their content'
);
select ok(strpos(:'doc', 'Sibling') = 0, 'nothing of the sibling is in the export');
select ok(
  strpos(:'doc', 'token_hash') = 0 and strpos(:'doc', 'code_hash') = 0
  and strpos(:'doc', '"token"') = 0,
  'no token, token_hash or code_hash key anywhere in the export'
);
select ok(
  strpos(:'doc', 'request_ip') = 0 and strpos(:'doc', 'user_agent') = 0
  and strpos(:'doc', '203.0.113.7') = 0 and strpos(:'doc', 'UA/9') = 0,
  'no client address or user agent anywhere in the export'
);
select is_empty(
  format(
    $$select 1 from tutela.guardian_invites where student_id = %1$L
        and strpos(%2$L, encode(token_hash, 'hex')) > 0
      union all
      select 1 from tutela.student_invites where student_id = %1$L
        and strpos(%2$L, encode(token_hash, 'hex')) > 0
      union all
      select 1 from tutela_private.guardian_link_codes where student_id = %1$L
        and strpos(%2$L, encode(code_hash, 'hex')) > 0
      union all
      select 1 where strpos(%2$L, %3$L) > 0$$,
    :'kid', :'doc', :'kid_code'
  ),
  'no secret or its hash anywhere in the export'
);

-- the request is recorded
select results_eq(
  format(
    $$select student_id, organization_id, kind, requested_by, status, completed_at is not null,
        (result ->> 'tables')::integer, requester_basis
      from tutela.data_requests where id = %L$$,
    :'doc'::jsonb ->> 'request_id'
  ),
  format(
    $$values (%L::uuid, %L::uuid, 'export', %L::uuid, 'completed', true,
      (select count(*)::integer from jsonb_object_keys(%L::jsonb -> 'data')), 'student')$$,
    :'kid', :'org', :'u_kid', :'doc'
  ),
  'a completed export request is recorded, by the student, with the number of tables'
);
select tutela_tests.authenticate_as(:'u_kid');
select set_eq(
  format('select kind, requested_by from tutela.data_requests where student_id = %L', :'kid'),
  format($$values ('export', %L::uuid), ('export', %L::uuid)$$, :'u_admin', :'u_kid'),
  'the student reads both export requests (the admin''s and their own)'
);

-- ---------------------------------------------------------------------------------------------
-- Other allowed actors
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select tutela.export_student_data(:'kid') as mum_doc \gset
select tutela_tests.clear_authentication();
select is(
  :'mum_doc'::jsonb #>> '{data,students,0,id}', :'kid',
  'the primary guardian of a child under the age exports'
);
select results_eq(
  format(
    $$select %1$L::jsonb -> 'withheld_permissions', %1$L::jsonb #> '{data,journal_entries}',
        jsonb_array_length(%1$L::jsonb #> '{data,flashcards}')$$,
    :'mum_doc'
  ),
  $$values ('["journal"]'::jsonb, '[]'::jsonb, 1)$$,
  'without the journal permission, the guardian''s export withholds the journal, not the rest'
);
select results_eq(
  format(
    $$select jsonb_array_length(%1$L::jsonb #> '{data,guardian_mood_entries}'),
        (select count(*)::integer from jsonb_array_elements(%1$L::jsonb #> '{data,alerts}') as a
          where a ->> 'recipient_id' <> %2$L),
        (select array_agg(m ->> 'body' order by m ->> 'body') from jsonb_array_elements(
          %1$L::jsonb #> '{data,messages_in_conversations_about_the_student}') as m),
        (select array_agg(d #>> '{summary,for}') from jsonb_array_elements(
          %1$L::jsonb #> '{data,tutela_private.weekly_digests}') as d),
        (select array_agg(distinct d ->> 'recipient_user_id') from jsonb_array_elements(
          %1$L::jsonb #> '{data,tutela_private.notification_outbox}') as d),
        (select count(*)::integer from jsonb_array_elements(
          %1$L::jsonb #> '{data,tutela_private.notification_outbox}') as d
          where d #>> '{payload,for}' = 'mum')$$,
    :'mum_doc', :'u_mum'
  ),
  format(
    $$values (1, 0, array['Between mum and the school'], array['mum'], array[%L], 1)$$,
    :'u_mum'
  ),
  'the guardian gets their own mood note, alerts, digests and mail, and their conversations'
);
select results_eq(
  format(
    $$select (c ->> 'id')::uuid from jsonb_array_elements(%L::jsonb #> '{data,conversations}')
      as c$$,
    :'mum_doc'
  ),
  format('values (%L::uuid)', :'parents_room'),
  'of the conversations about the child, the guardian gets only those they are a member of'
);
select is(
  :'mum_doc'::jsonb #> '{data,tutela_private.guardian_link_codes}', '[]'::jsonb,
  'a guardian gets no link codes (only the student and staff list them)'
);
select tutela_tests.authenticate_as(:'u_admin');
select is(
  tutela.export_student_data(:'adult') #>> '{data,students,0,id}', :'adult',
  'an admin of the organisation exports'
);
select tutela.export_student_data(:'kid') as admin_doc \gset
select is(
  :'admin_doc'::jsonb -> 'withheld_permissions', '[]'::jsonb,
  'no permission is withheld from an admin'
);
select results_eq(
  format(
    $$select jsonb_array_length(%1$L::jsonb #> '{data,subscriptions}'),
        jsonb_array_length(%1$L::jsonb #> '{data,journal_entries}')$$,
    :'admin_doc'
  ),
  $$values (0, 1)$$,
  'an admin gets the journal but not the subscription, which the table hides from staff'
);
select tutela_tests.authenticate_as(:'u_adult');
select is(
  tutela.export_student_data(:'adult') #>> '{data,students,0,id}', :'adult',
  'a student at or above the age exports'
);

-- ---------------------------------------------------------------------------------------------
-- Refused
-- ---------------------------------------------------------------------------------------------
prepare export_kid as select tutela.export_student_data(:'kid');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('export_kid', 'TU403', null, 'staff who are not admins are refused');
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok('export_kid', 'TU403', null, 'a non-primary guardian is refused');
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format('select tutela.export_student_data(%L)', :'adult'), 'TU403', null,
  'the primary guardian of a student at or above the age is refused'
);
select tutela_tests.authenticate_as(:'u_sibling');
select throws_ok('export_kid', 'TU403', null, 'another student is refused');
select tutela_tests.authenticate_as(:'u_other_admin');
select throws_ok('export_kid', 'TU403', null, 'an admin of another organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('export_kid', 'TU403', null, 'a stranger is refused');
select is_empty(
  format('select 1 from tutela.data_requests where student_id = %L', :'kid'),
  'a stranger reads no data request'
);
select throws_ok(
  format('select tutela.export_student_data(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);
select tutela_tests.as_anon();
select throws_ok('export_kid', '42501', null, 'anon may not call it');
select tutela_tests.as_service_role();
select throws_ok('export_kid', 'TU401', null, 'the service key alone is not a user: TU401');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select requested_by, count(*) from tutela.data_requests
      where kind = 'export' and student_id = %L group by requested_by order by 1$$,
    :'kid'
  ),
  format(
    $$select u, n from (values (%L::uuid, 1::bigint), (%L::uuid, 1), (%L::uuid, 2)) as v (u, n)
      order by 1$$,
    :'u_kid', :'u_mum', :'u_admin'
  ),
  'one recorded export per allowed call, none for the refused ones'
);
select is(
  (select count(*) from tutela.data_requests where student_id = :'kid' and kind = 'erasure'),
  0::bigint,
  'an export records no erasure request'
);

select * from finish();
rollback;
