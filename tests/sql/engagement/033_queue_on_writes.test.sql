-- Writes that can earn an achievement queue the student in tutela_private.achievement_queue: an
-- insert (or update) of session_students, session_scores, skill_assessments, journal_entries,
-- drill_assignments, flashcards, student_stats (through reviews and activities), certificates,
-- enrollments, submissions and lessons. A student is queued once, however many rows and
-- statements, and keeps their first place in the queue.
begin;
select plan(16);

insert into tutela.organizations (name, slug) values ('Academy 033', 'academy-033')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.skills (organization_id, category, name)
values (:'org', 'Technique', 'Serve') returning id as skill \gset
insert into tutela.drills (organization_id, title)
values (:'org', 'Footwork ladder') returning id as drill \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra I') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as assignment \gset
insert into tutela.coaching_sessions (organization_id, starts_at)
values (:'org', now() - interval '1 day') returning id as session1 \gset
insert into tutela.coaching_sessions (organization_id, starts_at)
values (:'org', now() - interval '2 days') returning id as session2 \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', '7 x 8?', '56') returning id as card \gset

-- The queue, as a sorted list of student ids.
create function pg_temp.queued()
returns uuid[]
language sql
as $$
  select coalesce(array_agg(q.student_id order by q.student_id), '{}')
  from tutela_private.achievement_queue as q
$$;

delete from tutela_private.achievement_queue;
insert into tutela.session_students (session_id, student_id, organization_id)
values (:'session1', :'student', :'org'), (:'session2', :'student', :'org');
select is(pg_temp.queued(), array[:'student'::uuid], 'session_students: queued once');

delete from tutela_private.achievement_queue;
insert into tutela.session_scores (session_id, student_id, organization_id, score)
values (:'session1', :'student', :'org', 7);
select is(pg_temp.queued(), array[:'student'::uuid], 'session_scores: queued');

delete from tutela_private.achievement_queue;
insert into tutela.skill_assessments (skill_id, student_id, organization_id, level)
values (:'skill', :'student', :'org', 2);
select is(pg_temp.queued(), array[:'student'::uuid], 'skill_assessments: queued');

delete from tutela_private.achievement_queue;
insert into tutela.journal_entries (student_id, entry_date)
values (:'student', current_date), (:'student', current_date - 1);
insert into tutela.journal_entries (student_id, entry_date)
values (:'student', current_date - 2);
select is(
  pg_temp.queued(), array[:'student'::uuid],
  'journal_entries: two statements, three rows, queued once'
);

delete from tutela_private.achievement_queue;
insert into tutela.drill_assignments (drill_id, student_id, organization_id)
values (:'drill', :'student', :'org');
select is(pg_temp.queued(), array[:'student'::uuid], 'drill_assignments: queued');

delete from tutela_private.achievement_queue;
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', '6 x 9?', '54');
select is(pg_temp.queued(), array[:'student'::uuid], 'flashcards: queued');

delete from tutela_private.achievement_queue;
insert into tutela.card_reviews (student_id, flashcard_id, correct)
values (:'student', :'card', true);
select is(
  pg_temp.queued(), array[:'student'::uuid],
  'a review (student_stats and the card''s box change): queued'
);

delete from tutela_private.achievement_queue;
insert into tutela.activity_events (student_id, kind, minutes)
values (:'student', 'lesson', 30);
select is(
  pg_temp.queued(), array[:'student'::uuid],
  'an activity (only student_stats changes): queued'
);

delete from tutela_private.achievement_queue;
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee');
select is(pg_temp.queued(), array[:'student'::uuid], 'certificates: queued');

delete from tutela_private.achievement_queue;
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'student', :'org', :'course');
select is(pg_temp.queued(), array[:'student'::uuid], 'enrollments: queued');

delete from tutela_private.achievement_queue;
insert into tutela.submissions (student_id, organization_id, assignment_id)
values (:'student', :'org', :'assignment');
select is(pg_temp.queued(), array[:'student'::uuid], 'submissions: queued');

delete from tutela_private.achievement_queue;
insert into tutela.lessons (student_id, organization_id, scheduled_at)
values (:'student', :'org', now() - interval '1 day');
select is(pg_temp.queued(), array[:'student'::uuid], 'lessons: queued');

delete from tutela_private.achievement_queue;
update tutela.lessons set status = 'completed' where student_id = :'student';
select is(pg_temp.queued(), array[:'student'::uuid], 'an update (a lesson completed): queued');

-- the first place in the queue is kept
update tutela_private.achievement_queue set queued_at = now() - interval '1 hour';
insert into tutela.journal_entries (student_id, entry_date)
values (:'student', current_date - 3);
select is(
  (select queued_at from tutela_private.achievement_queue where student_id = :'student'),
  now() - interval '1 hour',
  'queuing again keeps the time the student was first queued'
);

-- one statement for two students queues each once
delete from tutela_private.achievement_queue;
insert into tutela.journal_entries (student_id, entry_date)
values (:'student', current_date - 4), (:'kim', current_date), (:'kim', current_date - 1);
select is(
  (select count(*)::integer from tutela_private.achievement_queue), 2,
  'rows of two students: two queue rows'
);
select set_eq(
  'select student_id from tutela_private.achievement_queue',
  format('values (%L::uuid), (%L::uuid)', :'student', :'kim'),
  'each of the two students is queued'
);

select * from finish();
rollback;
