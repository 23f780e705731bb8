-- Erasure. request_data_erasure(student) records one pending request (asking again returns
-- the same one): the student, their primary guardian while the student is under the consent
-- age, admins of the organisation; TU403 for everyone else, TU403 for an unknown student,
-- anon 42501. erase_student_data(request) is the service role's alone (an API user gets
-- 42501). Afterwards nothing about the student remains: no row of any public table with that
-- student_id, the id in no uuid, jsonb or text column of public and private; the audit trails
-- (link_events, consent_audit_log) stay, under a new random id, without values, addresses or
-- the student's login; the request is completed with the counts. A second run is TU409, an
-- unknown request TU404.
begin;
select plan(38);

select tutela_tests.create_user('kid@erase.test') as u_kid \gset
select tutela_tests.create_user('sibling@erase.test') as u_sibling \gset
select tutela_tests.create_user('adult@erase.test') as u_adult \gset
select tutela_tests.create_user('mum@erase.test') as u_mum \gset
select tutela_tests.create_user('dad@erase.test') as u_dad \gset
select tutela_tests.create_user('staff@erase.test') as u_staff \gset
select tutela_tests.create_user('admin@erase.test') as u_admin \gset
select tutela_tests.create_user('other-admin@erase.test') as u_other_admin \gset
select tutela_tests.create_user('stranger@erase.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Erase School', 'erase-school', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other', 'erase-other')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin'),
(:'other_org', :'u_other_admin', 'admin');

-- the kid joins as students do: invited by staff, the invite accepted with their login
select tutela_tests.authenticate_as(:'u_staff');
select
  student_id as kid,
  token as kid_token
from tutela.invite_student(:'org', 'Kid', 'kid@erase.test') \gset
select tutela_tests.authenticate_as(:'u_kid');
select tutela.accept_student_invite(:'kid_token') is not null as accepted \gset
select tutela_tests.clear_authentication();
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '12 years'
where id = :'kid';
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
-- The kid's data, in every kind of table, public and private
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
insert into tutela.activity_events (student_id, kind, minutes, reference)
values (:'kid', 'video_watched', 12, jsonb_build_object('student_id', :'kid'));
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
values (:'conversation', :'u_kid', 'See you on Monday');
insert into tutela.subscriptions (plan_id, student_id)
select
  p.id,
  :'kid'
from tutela.plans as p where p.code = 'starter';
insert into tutela.notification_preferences (user_id, student_id, type)
values (:'u_mum', :'kid', 'weekly_digest');
insert into tutela.alert_thresholds (guardian_id, student_id, type, percent)
values (:'u_mum', :'kid', 'course_grade_low', 60);
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key, data)
values (
  :'u_mum', :'kid', 'child_absent', 'Absent today', 'absent-' || :'kid',
  jsonb_build_object('student_id', :'kid')
);
insert into tutela_private.weekly_digests (guardian_id, student_id, week_start, summary)
values (
  :'u_mum', :'kid', (now() at time zone 'UTC')::date - 7, jsonb_build_object('student_id', :'kid')
);
-- through the API: the kid's link code (tutela_private.guardian_link_codes, an event by the kid),
-- an
-- invite (guardian_invites, the outbox, an event), consents decided by mum and, while the kid
-- counted as of age, by the kid, an export (data_requests)
select tutela_tests.authenticate_as(:'u_kid');
select code as kid_code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'u_staff');
select invite_id from tutela.invite_guardian(:'kid', 'aunt@erase.test') \gset
select tutela_tests.authenticate_as(:'u_mum');
select
  set_config('request.headers', '{"x-forwarded-for": "203.0.113.7", "user-agent": "UA"}', true)
  is not null as headers
\gset
select
  tutela.set_consent(:'kid', 'journal', 'other_guardians', true, null, 'for dad')
  is not null as consent
\gset
select set_config('request.headers', '{}', true) is not null as no_headers \gset
select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 13 where id = :'org';
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '14 years'
where id = :'kid';
select tutela_tests.authenticate_as(:'u_kid');
select tutela.set_consent(:'kid', 'progress', 'ai_tutor', false) is not null as own_consent \gset
select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 16 where id = :'org';
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '12 years'
where id = :'kid';
select tutela_tests.authenticate_as(:'u_admin');
select tutela.export_student_data(:'kid') is not null as exported \gset

-- the sibling's data, which must survive
select tutela_tests.clear_authentication();
insert into tutela.journal_entries (student_id, mood, body)
values (:'sibling', 2, 'The sibling''s own diary');

-- ---------------------------------------------------------------------------------------------
-- Asking for erasure
-- ---------------------------------------------------------------------------------------------
prepare request_kid as select tutela.request_data_erasure(:'kid');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('request_kid', 'TU403', null, 'staff who are not admins cannot ask');
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok('request_kid', 'TU403', null, 'a non-primary guardian cannot ask');
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format('select tutela.request_data_erasure(%L)', :'adult'), 'TU403', null,
  'the primary guardian of a student at or above the age cannot ask'
);
select tutela_tests.authenticate_as(:'u_sibling');
select throws_ok('request_kid', 'TU403', null, 'another student cannot ask');
select tutela_tests.authenticate_as(:'u_other_admin');
select throws_ok('request_kid', 'TU403', null, 'an admin of another organisation cannot ask');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('request_kid', 'TU403', null, 'a stranger cannot ask');
select throws_ok(
  format('select tutela.request_data_erasure(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);
select tutela_tests.as_anon();
select throws_ok('request_kid', '42501', null, 'anon may not call it');

select tutela_tests.authenticate_as(:'u_kid');
select (tutela.request_data_erasure(:'kid')).id as req \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select student_id, organization_id, kind, requested_by, status, completed_at, result
      from tutela.data_requests where id = %L$$,
    :'req'
  ),
  format(
    $$values (%L::uuid, %L::uuid, 'erasure', %L::uuid, 'pending', null::timestamptz,
      null::jsonb)$$,
    :'kid', :'org', :'u_kid'
  ),
  'the student asks: a pending erasure request'
);
select tutela_tests.authenticate_as(:'u_mum');
select is(
  (tutela.request_data_erasure(:'kid')).id, :'req'::uuid,
  'the primary guardian of a child under the age asks again: the same pending request'
);
select tutela_tests.authenticate_as(:'u_admin');
select is(
  (tutela.request_data_erasure(:'kid')).id, :'req'::uuid,
  'an admin asks again: the same pending request'
);
select is(
  (tutela.request_data_erasure(:'adult')).kind, 'erasure',
  'an admin may ask for a student at or above the age'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.data_requests
    where student_id = :'kid' and kind = 'erasure' and status = 'pending'
  ),
  1::bigint,
  'one pending erasure request for the student'
);

-- ---------------------------------------------------------------------------------------------
-- Who carries it out
-- ---------------------------------------------------------------------------------------------
prepare erase as select tutela.erase_student_data(:'req');
select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('erase', '42501', null, 'an admin cannot carry out an erasure');
select tutela_tests.authenticate_as(:'u_kid');
select throws_ok('erase', '42501', null, 'the student cannot carry out an erasure');
select tutela_tests.as_anon();
select throws_ok('erase', '42501', null, 'anon cannot carry out an erasure');
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.data_requests where id = :'req'), 'pending',
  'the refused calls left the request pending'
);

-- what the audit trails hold before
select count(*) as events_before from tutela.link_events where student_id = :'kid' \gset
select count(*) as consent_audit_before from tutela.consent_audit_log where student_id = :'kid'
\gset
select ok(
  :events_before > 0 and :consent_audit_before > 0,
  'before: the student has link events and consent audit rows'
);

select tutela_tests.as_service_role();
select lives_ok('erase', 'the service role carries out the erasure');
select tutela_tests.clear_authentication();
-- (a failed erasure leaves no pseudonym: a random one keeps the checks below failing, not
-- crashing)
select coalesce(result ->> 'pseudonym', gen_random_uuid()::text) as pseudonym
from tutela.data_requests where id = :'req' \gset

-- ---------------------------------------------------------------------------------------------
-- Nothing about the student remains
-- ---------------------------------------------------------------------------------------------
select is_empty(
  format(
    $$with cols as materialized (
        select c.table_name from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'tutela' and c.column_name = 'student_id'
          and t.table_type = 'BASE TABLE'
      )
      select table_name from cols
      where (xpath('/row/n/text()', query_to_xml(
        format('select count(*) as n from tutela.%%I where student_id = %%L', table_name, %L),
        false, true, '')))[1]::text <> '0'$$,
    :'kid'
  ),
  'no row of any public table has the student''s id'
);
select is_empty(
  format(
    $$with cols as materialized (
        select c.table_schema, c.table_name, c.column_name from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema in ('tutela', 'tutela_private') and t.table_type = 'BASE TABLE'
          and c.data_type = 'uuid'
      )
      select * from cols
      where (xpath('/row/found/text()', query_to_xml(
        format('select exists (select 1 from %%I.%%I where %%I = %%L) as found',
          table_schema, table_name, column_name, %L),
        false, true, '')))[1]::text = 'true'$$,
    :'kid'
  ),
  'no uuid column of public or private holds the student''s id'
);
select is_empty(
  format(
    $$with cols as materialized (
        select c.table_schema, c.table_name, c.column_name from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema in ('tutela', 'tutela_private') and t.table_type = 'BASE TABLE'
          and c.data_type = 'jsonb'
      )
      select * from cols
      where (xpath('/row/found/text()', query_to_xml(
        format('select exists (select 1 from %%I.%%I where %%I::text like %%L) as found',
          table_schema, table_name, column_name, %L),
        false, true, '')))[1]::text = 'true'$$,
    '%' || :'kid' || '%'
  ),
  'no jsonb column of public or private mentions the student''s id'
);
select is_empty(
  format(
    $$with cols as materialized (
        select c.table_schema, c.table_name, c.column_name from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema in ('tutela', 'tutela_private') and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying')
      )
      select * from cols
      where (xpath('/row/found/text()', query_to_xml(
        format('select exists (select 1 from %%I.%%I where %%I like %%L) as found',
          table_schema, table_name, column_name, %L),
        false, true, '')))[1]::text = 'true'$$,
    '%' || :'kid' || '%'
  ),
  'no text column of public or private mentions the student''s id'
);
select is_empty(
  format(
    $$select 1 from tutela.journal_entries where body = 'A good week'
      union all select 1 from tutela.messages where body = 'See you on Monday'
      union all select 1 from tutela.profiles where user_id = %L
      union all select 1 from tutela.conversation_members where user_id = %L$$,
    :'u_kid', :'u_kid'
  ),
  'the journal, the messages, the login''s profile and memberships are gone'
);

-- ---------------------------------------------------------------------------------------------
-- The audit trails stay, pseudonymised
-- ---------------------------------------------------------------------------------------------
select isnt(:'pseudonym'::uuid, :'kid'::uuid, 'the pseudonym is a new id');
select results_eq(
  format(
    $$select count(*), count(*) filter (where old_values is null and new_values is null
        and request_ip is null and user_agent is null)
      from tutela.link_events where student_id = %L$$,
    :'pseudonym'
  ),
  format('values (%s::bigint, %1$s::bigint)', :events_before),
  'every link event stays, under the pseudonym, without values, address or agent'
);
select results_eq(
  format(
    $$select count(*), count(*) filter (where old_value is null and new_value is null
        and request_ip is null and user_agent is null)
      from tutela.consent_audit_log where student_id = %L$$,
    :'pseudonym'
  ),
  format('values (%s::bigint, %1$s::bigint)', :consent_audit_before),
  'every consent audit row stays, under the pseudonym, without values, address or agent'
);
select set_eq(
  format(
    $$select action from tutela.link_events where student_id = %L
      union select action from tutela.consent_audit_log where student_id = %L$$,
    :'pseudonym', :'pseudonym'
  ),
  $$values ('student_created'), ('student_invite_created'), ('student_invite_accepted'),
    ('code_created'), ('invite_created'), ('granted'), ('revoked')$$,
  'what happened is still known'
);
select is_empty(
  format(
    $$select 'link_events.actor_id' from tutela.link_events where actor_id = %1$L
      union all select 'link_events.subject_user_id' from tutela.link_events
        where subject_user_id = %1$L
      union all select 'consent_audit_log.performed_by' from tutela.consent_audit_log
        where performed_by = %1$L$$,
    :'u_kid'
  ),
  'the pseudonymised audit no longer names the student''s login'
);

-- ---------------------------------------------------------------------------------------------
-- The request, and what is kept
-- ---------------------------------------------------------------------------------------------
select results_eq(
  format(
    $$select student_id, status, completed_at is not null,
        (result #>> '{deleted,students}')::integer,
        (result #>> '{deleted,journal_entries}')::integer,
        (result #>> '{deleted,flashcards}')::integer,
        (result #>> '{deleted,guardian_links}')::integer,
        (result #>> '{deleted,messages_in_conversations_about_the_student}')::integer
      from tutela.data_requests where id = %L$$,
    :'req'
  ),
  format($$values (%L::uuid, 'completed', true, 1, 1, 1, 2, 1)$$, :'pseudonym'),
  'the request is completed, under the pseudonym, with the counts per table'
);
select is(
  (
    select count(*) from tutela.data_requests
    where student_id = :'pseudonym' and kind = 'export'
  ),
  1::bigint,
  'the earlier export request stays, under the pseudonym'
);
select results_eq(
  format(
    $$select (select count(*) from tutela.students where id = %L),
      (select count(*) from tutela.journal_entries where student_id = %L),
      (select count(*) from tutela.guardian_links where guardian_id = %L)$$,
    :'sibling', :'sibling', :'u_mum'
  ),
  $$values (1::bigint, 1::bigint, 2::bigint)$$,
  'the sibling and the guardians'' other links are untouched'
);
select is(
  (select count(*) from auth.users where id = :'u_kid'), 1::bigint,
  'the auth account is not Tutela''s to delete (Supabase Auth''s admin API does)'
);

-- deleting the auth account afterwards (as the Auth admin API would) leaves no trace of it
delete from auth.users where id = :'u_kid';
select is_empty(
  format(
    $$with cols as materialized (
        select c.table_schema, c.table_name, c.column_name from information_schema.columns as c
        join information_schema.tables as t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema in ('tutela', 'tutela_private') and t.table_type = 'BASE TABLE'
          and c.data_type = 'uuid'
      )
      select * from cols
      where (xpath('/row/found/text()', query_to_xml(
        format('select exists (select 1 from %%I.%%I where %%I = %%L) as found',
          table_schema, table_name, column_name, %L),
        false, true, '')))[1]::text = 'true'$$,
    :'u_kid'
  ),
  'once the auth account is deleted too, no uuid column holds the login''s id'
);

-- ---------------------------------------------------------------------------------------------
-- Once only
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select throws_ok('erase', 'TU409', null, 'a second erasure of the same request is TU409');
select throws_ok(
  format('select tutela.erase_student_data(%L)', gen_random_uuid()),
  'TU404', null, 'an unknown request is TU404'
);
select tutela_tests.clear_authentication();
select id as export_request from tutela.data_requests
where kind = 'export' and student_id = :'pseudonym' \gset
select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.erase_student_data(%L)', :'export_request'),
  'TU404', null, 'an export request cannot be carried out as an erasure (TU404)'
);
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  'request_kid', 'TU403', null, 'an erased student is unknown: a new request is TU403'
);

select * from finish();
rollback;
