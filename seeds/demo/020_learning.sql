-- Demo data, part 2: a term of learning for the four children of 010_guardianship.sql.
-- Run as the database owner after 010: it back-dates history, which API callers may not.
--
-- Deterministic: ids are fixed, d0000000-0000-4000-8000-KKKKSSSNNNNN (KKKK a kind, SSS the
-- student: 201 Mia, 202 Leo, 203 Ava, 204 Noah, NNNNN a number; the catalog uses 1001-1799),
-- and every "random" value is a hash of its row's key (pg_temp.demo_rand), not a draw.
-- Dates count back from today, in UTC days as the stats count them; nothing lies in the future
-- except what is scheduled or due.
-- Idempotent: a second run inserts nothing. Rows with fixed ids use `on conflict do nothing`;
-- history without such ids (card_reviews, activity_events, points_ledger) is inserted only
-- for students who have none yet, each table in ONE statement, so that the statement triggers
-- build daily_study_stats and student_stats (streaks included) in one pass.
--
-- Mia (4, pre-school) plays and earns stickers; Leo (grade 3) reads and learns maths basics;
-- Ava (grade 6) and Noah (grade 8) have everything, Noah over the longest span (90 days) and
-- most densely. Ava and Noah studied today and yesterday, so their streaks are live.

-- ---------------------------------------------------------------------------------------------
-- Helpers for this script only (temporary: gone when the session ends, dropped at the end)
-- ---------------------------------------------------------------------------------------------
create or replace function pg_temp.demo_id(p_n bigint)
returns uuid
language sql
immutable
as $$
  select ('d0000000-0000-4000-8000-' || lpad(p_n::text, 12, '0'))::uuid
$$;

create or replace function pg_temp.demo_id(p_kind integer, p_student integer, p_n integer)
returns uuid
language sql
immutable
as $$
  select pg_temp.demo_id(p_kind * 100000000::bigint + p_student * 100000 + p_n)
$$;

-- A number in [0, 1) that depends only on the key.
create or replace function pg_temp.demo_rand(p_key text)
returns double precision
language sql
immutable
as $$
  select ('x' || substr(md5(p_key), 1, 8))::bit(32)::bigint::double precision / 4294967296
$$;

-- Midnight (UTC) of the day p_days_ago days before today (negative: after today).
create or replace function pg_temp.demo_day(p_days_ago integer)
returns timestamptz
language sql
stable
as $$
  select date_trunc('day', now(), 'UTC') - p_days_ago * interval '1 day'
$$;

create or replace function pg_temp.demo_date(p_days_ago integer)
returns date
language sql
stable
as $$
  select (now() at time zone 'UTC')::date - p_days_ago
$$;

-- A past moment: p_days_ago days ago at about p_hour o'clock (UTC). Today's moments are
-- squeezed into the part of today already gone, so that none lies in the future.
create or replace function pg_temp.demo_at(p_days_ago integer, p_hour numeric)
returns timestamptz
language sql
stable
as $$
  select pg_temp.demo_day(p_days_ago) + least(
    p_hour * interval '1 hour', (now() - pg_temp.demo_day(p_days_ago)) * (p_hour / 24)
  )
$$;

-- ---------------------------------------------------------------------------------------------
-- Catalog: courses, modules, assignments, live classes, skills, drills, coaching sessions
-- ---------------------------------------------------------------------------------------------
insert into tutela.courses (
  id, organization_id, title, subject, description, level, created_by, created_at, updated_at
)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(1) as organization_id,
  v.title,
  v.subject,
  v.description,
  v.level,
  pg_temp.demo_id(v.created_by) as created_by,
  pg_temp.demo_day(120) as created_at,
  pg_temp.demo_day(120) as updated_at
from (
  values
  (
    1001, 'Maths', 'Maths', 'From number bonds to algebra: short lessons, lots of practice.',
    'Grades 3-8', 103
  ),
  (
    1002, 'Reading', 'English', 'Phonics, fluency, reading for meaning and a novel study.',
    'Grades 3-8', 103
  ),
  (
    1003, 'Science', 'Science', 'Living things, matter, forces and space, with live labs.',
    'Grades 5-8', 103
  ),
  (
    1004, 'Surf coaching', 'Surfing',
    'Ocean safety, paddling, pop-ups and wave selection at North Beach.',
    'Beginner to intermediate', 102
  )
) as v (n, title, subject, description, level, created_by)
on conflict (id) do nothing;

insert into tutela.course_modules (id, organization_id, course_id, position, title, created_at)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.course) as course_id,
  v.pos,
  v.title,
  pg_temp.demo_day(120) as created_at
from (
  values
  (1101, 1001, 1, 'Number facts and times tables'),
  (1102, 1001, 2, 'Fractions, decimals and percentages'),
  (1103, 1001, 3, 'Equations and algebra'),
  (1104, 1002, 1, 'Phonics and fluency'),
  (1105, 1002, 2, 'Reading for meaning'),
  (1106, 1002, 3, 'Novel study'),
  (1107, 1003, 1, 'Living things'),
  (1108, 1003, 2, 'Matter and chemistry'),
  (1109, 1003, 3, 'Forces and space'),
  (1110, 1004, 1, 'Ocean safety'),
  (1111, 1004, 2, 'Paddling and pop-ups'),
  (1112, 1004, 3, 'Reading the waves')
) as v (n, course, pos, title)
on conflict (id) do nothing;

-- due: days from today (negative: already due)
insert into tutela.assignments (
  id, organization_id, course_id, module_id, title, kind, due_at, max_score, passing_percent,
  created_by, created_at
)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.course) as course_id,
  pg_temp.demo_id(v.module) as module_id,
  v.title,
  v.kind,
  pg_temp.demo_day(-v.due) + interval '20 hours' as due_at,
  v.max_score,
  v.passing,
  pg_temp.demo_id(case when v.course = 1004 then 102 else 103 end) as created_by,
  pg_temp.demo_day(100) as created_at
from (
  values
  (1201, 1001, 1101, 'Times tables check', 'quiz', -40, 20, 60),
  (1202, 1001, 1101, 'Number bonds worksheet', 'assignment', -12, 10, 60),
  (1203, 1001, 1102, 'Fractions worksheet', 'assignment', -30, 100, 60),
  (1204, 1001, 1102, 'Percentages quiz', 'quiz', -9, 20, 60),
  (1205, 1001, 1103, 'Linear equations test', 'exam', -3, 50, 60),
  (1206, 1001, 1103, 'Algebra project: growing patterns', 'project', 6, 100, 60),
  (1207, 1002, 1104, 'Phonics check', 'quiz', -35, 20, 60),
  (1208, 1002, 1105, 'Comprehension quiz: The Lighthouse Cat', 'quiz', -18, 10, 60),
  (1209, 1002, 1106, 'Book report', 'project', -5, 100, 60),
  (1210, 1002, 1106, 'Novel study: Holes', 'project', -50, 100, 60),
  (1211, 1003, 1107, 'Plant growth log', 'project', -25, 100, 60),
  (1212, 1003, 1108, 'States of matter quiz', 'quiz', -10, 20, 60),
  (1213, 1003, 1109, 'Forces lab report', 'assignment', 4, 50, 60),
  (1214, 1004, 1110, 'Ocean safety quiz', 'quiz', -36, 20, 80),
  (1215, 1004, 1111, 'Pop-up mission: 20 clean pop-ups', 'mission', -14, 10, 60),
  (1216, 1004, 1112, 'Wave selection mission', 'mission', 10, 10, 60)
) as v (n, course, module, title, kind, due, max_score, passing)
on conflict (id) do nothing;

-- Weekly series: class k (0, 1, ...) starts first_day - 7 k days ago (the first one is ahead).
insert into tutela.live_classes (
  id, organization_id, course_id, title, starts_at, ends_at, host_id, meeting_url, created_at
)
select
  pg_temp.demo_id(v.first_id + w.k) as id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.course) as course_id,
  v.title,
  pg_temp.demo_day(v.first_day + v.every_days * w.k) + v.hour * interval '1 hour' as starts_at,
  pg_temp.demo_day(v.first_day + v.every_days * w.k) + v.hour * interval '1 hour'
  + interval '45 minutes' as ends_at,
  pg_temp.demo_id(103) as host_id,
  v.url,
  pg_temp.demo_day(100) as created_at
from (
  values
  (
    1301, 1001, 'Maths live: problem of the week', -4, 7, 10, 16.0,
    'https://meet.example.org/riverside-maths'
  ),
  (1321, 1003, 'Science live lab', -2, 7, 9, 17.0, 'https://meet.example.org/riverside-science'),
  (1341, 1002, 'Reading circle', -6, 14, 4, 15.5, 'https://meet.example.org/riverside-reading')
) as v (first_id, course, title, first_day, every_days, classes, hour, url)
cross join lateral generate_series(0, v.classes - 1) as w (k)
on conflict (id) do nothing;

insert into tutela.skills (id, organization_id, category, name, description, max_level, position)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(1) as organization_id,
  v.category,
  v.name,
  v.description,
  5 as max_level,
  v.n - 1400 as position
from (
  values
  (1401, 'Surfing', 'Paddling', 'Position on the board, stroke, paddling out through white water'),
  (1402, 'Surfing', 'Pop-up', 'From lying to standing in one clean move'),
  (1403, 'Surfing', 'Wave selection', 'Reading sets, peaks and shoulders; picking the wave'),
  (1404, 'Surfing', 'Bottom turn', 'The first turn at the bottom of the wave'),
  (1405, 'Ocean safety', 'Rip currents', 'Spotting rips from the shore and getting out of one'),
  (1406, 'Ocean safety', 'Etiquette', 'Priority, dropping in, paddling wide'),
  (1407, 'Maths', 'Mental arithmetic', 'Number facts, tables, quick calculation'),
  (1408, 'Maths', 'Problem solving', 'Choosing a method, explaining it, checking the answer'),
  (1409, 'Reading', 'Fluency', 'Accuracy, pace and expression when reading aloud'),
  (1410, 'Reading', 'Comprehension', 'Retrieval, inference and summarising'),
  (1411, 'Science', 'Working scientifically', 'Fair tests, measuring, recording, concluding')
) as v (n, category, name, description)
on conflict (id) do nothing;

insert into tutela.drills (
  id, organization_id, skill_id, title, instructions, created_by,
  created_at
)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.skill) as skill_id,
  v.title,
  v.instructions,
  pg_temp.demo_id(v.created_by) as created_by,
  pg_temp.demo_day(95) as created_at
from (
  values
  (
    1501, 1402, 'Sand pop-ups x20', 'Twenty pop-ups on the sand: hands under the chest, eyes '
    || 'forward, back foot lands first.', 102
  ),
  (
    1502, 1401, 'Paddle sprints', 'Five 30-second sprints, 30 seconds rest; chin up, long '
    || 'strokes.', 102
  ),
  (
    1503, 1403, 'Wave count from the shore', 'Watch the sets for 10 minutes before paddling '
    || 'out; note where the peaks break and how many waves come in a set.', 102
  ),
  (
    1504, 1404, 'Bottom turn on the skateboard', 'Ten carving turns: compress, look down the '
    || 'line, drive off the back foot.', 102
  ),
  (
    1505, 1407, 'Times tables speed round', 'Two minutes, as many facts as you can; write '
    || 'down your score.', 103
  ),
  (
    1506, 1409, 'Read aloud for 10 minutes', 'Read to a grown-up; pause at full stops and '
    || 'do the voices.', 103
  )
) as v (n, skill, title, instructions, created_by)
on conflict (id) do nothing;

-- Group surf sessions twice a week over twelve weeks (id 1600 + days ago).
insert into tutela.coaching_sessions (
  id, organization_id, coach_id, starts_at, duration_minutes, location, focus, conditions,
  created_at
)
select
  pg_temp.demo_id(1600 + g.n) as id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(102) as coach_id,
  pg_temp.demo_day(g.n) + interval '7 hours 30 minutes' as starts_at,
  90 as duration_minutes,
  'North Beach' as location,
  (array[
    'Paddling technique', 'Pop-ups', 'Duck dives', 'Wave selection', 'Bottom turns',
    'Rip currents and safety'
  ])[1 + (g.n / 7) % 6] as focus,
  jsonb_build_object(
    'swell_m', round((0.4 + 1.6 * pg_temp.demo_rand('swell:' || g.n))::numeric, 1),
    'period_s', 6 + floor(9 * pg_temp.demo_rand('period:' || g.n))::integer,
    'wind', (array['offshore', 'glassy', 'cross-shore', 'light onshore'])[
      1 + floor(4 * pg_temp.demo_rand('wind:' || g.n))::integer
    ],
    'tide',
    (array['low', 'mid', 'high'])[1 + floor(3 * pg_temp.demo_rand('tide:' || g.n))::integer],
    'water_c', 15 + floor(4 * pg_temp.demo_rand('water:' || g.n))::integer
  ) as conditions,
  pg_temp.demo_day(g.n + 7) as created_at
from generate_series(1, 84) as g (n)
where g.n % 7 in (2, 5)
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Courses: enrollments, submissions, live class attendance, certificates
-- ---------------------------------------------------------------------------------------------
-- enrolled, accessed, completed: days ago
insert into tutela.enrollments (
  id, student_id, organization_id, course_id, status, progress_percent, enrolled_at,
  last_accessed_at, completed_at
)
select
  pg_temp.demo_id(12, v.student, v.course) as id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.course) as course_id,
  v.status,
  v.progress,
  pg_temp.demo_at(v.enrolled, 9) as enrolled_at,
  pg_temp.demo_at(v.accessed, 18) as last_accessed_at,
  pg_temp.demo_at(v.completed, 12) as completed_at
from (
  values
  (202, 1001, 'active', 35, 45, 1, null),
  (202, 1002, 'active', 48, 45, 0, null),
  (203, 1001, 'active', 62, 60, 0, null),
  (203, 1002, 'active', 55, 60, 2, null),
  (203, 1003, 'active', 40, 60, 1, null),
  (203, 1004, 'active', 30, 40, 4, null),
  (204, 1001, 'active', 71, 90, 0, null),
  (204, 1002, 'completed', 100, 90, 20, 20),
  (204, 1003, 'active', 58, 90, 1, null),
  (204, 1004, 'active', 64, 85, 2, null)
) as v (student, course, status, progress, enrolled, accessed, completed)
on conflict do nothing;

-- The whole funnel: pending, in_progress, submitted, in_review, graded, returned; some scores
-- below passing. submitted, graded: days ago.
insert into tutela.submissions (
  id, student_id, organization_id, assignment_id, status, submitted_at, score, auto_score,
  reviewer_score, feedback, graded_at, graded_by, created_at, updated_at
)
select
  pg_temp.demo_id(13, v.student, v.assignment) as id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  a.id as assignment_id,
  v.status,
  pg_temp.demo_at(v.submitted, 17.5) as submitted_at,
  v.score,
  case when a.kind = 'quiz' then v.score end as auto_score,
  case when a.kind <> 'quiz' then v.score end as reviewer_score,
  v.feedback,
  pg_temp.demo_at(v.graded, 10) as graded_at,
  case when v.graded is not null then a.created_by end as graded_by,
  a.due_at - interval '14 days' as created_at,
  coalesce(
    pg_temp.demo_at(v.graded, 10), pg_temp.demo_at(v.submitted, 17.5),
    pg_temp.demo_day(3)
  ) as updated_at
from (
  values
  (
    202, 1201, 'graded', 14, 41, 39,
    'Great work on the 2s, 5s and 10s. Keep practising the 3s.'
  ),
  (202, 1202, 'returned', 5, 13, 11, 'Let''s go over bonds to 20 together and try again.'),
  (202, 1207, 'graded', 17, 36, 34, 'Lovely blending. Watch "ay" and "ai".'),
  (202, 1208, 'submitted', null, 2, null, null),
  (203, 1203, 'graded', 82, 31, 28, 'Clear working. Simplify your final answers.'),
  (
    203, 1204, 'graded', 11, 9, 8,
    'Percent of an amount needs another look; a retake is open until Friday.'
  ),
  (203, 1206, 'in_progress', null, null, null, null),
  (203, 1208, 'graded', 9, 19, 17, 'Excellent inference on question 4.'),
  (203, 1209, 'in_review', null, 5, null, null),
  (203, 1211, 'graded', 74, 26, 22, 'Good measurements; the conclusion needs evidence.'),
  (203, 1212, 'graded', 16, 10, 9, null),
  (203, 1213, 'pending', null, null, null, null),
  (203, 1214, 'graded', 18, 38, 37, 'Passed: knows the flags, rips and what to do.'),
  (
    203, 1215, 'returned', 5, 14, 12,
    'Close: the back foot still drags. Try again after two more sessions.'
  ),
  (203, 1216, 'pending', null, null, null, null),
  (204, 1204, 'graded', 17, 9, 8, null),
  (204, 1205, 'graded', 41, 3, 1, 'Strong. Check signs when you move terms across.'),
  (204, 1206, 'in_progress', null, null, null, null),
  (204, 1210, 'graded', 88, 52, 48, 'Thoughtful essay on fate and friendship.'),
  (
    204, 1211, 'graded', 58, 27, 22,
    'Week 2 measurements are missing and the graph has no units. Resubmit for a higher mark.'
  ),
  (204, 1212, 'graded', 19, 10, 9, null),
  (204, 1213, 'in_progress', null, null, null, null),
  (204, 1214, 'graded', 20, 80, 79, 'Full marks.'),
  (204, 1215, 'graded', 9, 15, 14, 'Clean and fast. Now on green waves.'),
  (204, 1216, 'submitted', null, 1, null, null)
) as v (student, assignment, status, score, submitted, graded, feedback)
inner join tutela.assignments as a on a.id = pg_temp.demo_id(v.assignment)
on conflict do nothing;

-- Each child in the classes of courses they follow, from their enrollment on: past classes
-- attended or missed, upcoming ones registered.
insert into tutela.live_class_attendance (
  id, student_id, organization_id, live_class_id, status, joined_at, updated_at
)
select
  pg_temp.demo_id(14, x.student, x.class_no) as id,
  pg_temp.demo_id(x.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  x.class_id,
  x.status,
  case when x.status = 'attended' then x.starts_at + x.late * interval '1 minute' end as joined_at,
  least(x.starts_at, now()) as updated_at
from (
  select
    v.student,
    c.id as class_id,
    c.starts_at,
    right(c.id::text, 4)::integer as class_no,
    floor(6 * pg_temp.demo_rand(concat_ws(':', 'late', v.student, c.id)))::integer as late,
    case
      when c.starts_at > now() then 'registered'
      when pg_temp.demo_rand(concat_ws(':', 'attend', v.student, c.id)) < v.p_attend
        then 'attended'
      else 'missed'
    end as status
  from (
    values (1001, 203, 0.8), (1001, 204, 0.9), (1003, 203, 0.8), (1003, 204, 0.85),
    (1002, 202, 0.9), (1002, 203, 0.7)
  ) as v (course, student, p_attend)
  inner join tutela.live_classes as c on c.course_id = pg_temp.demo_id(v.course)
  inner join tutela.enrollments as e
    on e.student_id = pg_temp.demo_id(v.student) and c.course_id = e.course_id
  where c.starts_at >= e.enrolled_at
) as x
on conflict do nothing;

insert into tutela.certificates (
  id, student_id, organization_id, course_id, title, issued_at, pdf_url, verification_code
)
select
  pg_temp.demo_id(v.n) as id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.course) as course_id,
  v.title,
  pg_temp.demo_at(v.issued, 12) as issued_at,
  'https://certificates.example.org/riverside/' || v.code || '.pdf' as pdf_url,
  v.code
from (
  values
  (1701, 204, 1002, 'Reading: grade 8 novel study', 20, 'riverside-demo-1701'),
  (1702, 203, 1004, 'Ocean Safety Level 1', 36, 'riverside-demo-1702')
) as v (n, student, course, title, issued, code)
on conflict do nothing;

-- ---------------------------------------------------------------------------------------------
-- Coaching: lessons, session participants and ride scores, drills, skill assessments
-- ---------------------------------------------------------------------------------------------
-- One-to-one lessons, weekly: lesson k is first_day + 7 k days ago; k = 0 is the next one
-- (next), topics[k] and notes[k] are the past ones, the most recent first.
insert into tutela.lessons (
  id, student_id, organization_id, coach_id, scheduled_at, duration_minutes, status, topic,
  notes, created_at
)
select
  pg_temp.demo_id(16, v.student, w.k) as id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  pg_temp.demo_id(v.coach) as coach_id,
  pg_temp.demo_day(v.first_day + 7 * w.k) + v.hour * interval '1 hour' as scheduled_at,
  v.mins as duration_minutes,
  case
    when w.k = 0 then 'scheduled'
    when w.k = v.missed then 'missed'
    when w.k = v.cancelled then 'cancelled'
    else 'completed'
  end as status,
  case when w.k = 0 then v.next else v.topics[w.k] end as topic,
  case
    when w.k = 0 then null
    when w.k = v.missed then 'No show, no message.'
    when w.k = v.cancelled then v.cancel_note
    else v.notes[w.k]
  end as notes,
  pg_temp.demo_day(v.first_day + 7 * w.k + 5) as created_at
from (
  values
  (
    202, 103, -5, 15.5, 30, null, 4, 'Cancelled: Taylor was ill. Moved to next week.',
    'Phonics: "igh" and "ough"',
    array[
      'Fluency: punctuation and pauses', 'Retelling a story in order',
      'Reading a non-fiction text', 'Phonics: "igh" and "ough"', 'Vocabulary: describing words',
      'Comprehension: who, what, where', 'Phonics: vowel teams'
    ],
    array[
      'Paused at commas and full stops: a big step in fluency.',
      'Retold the story in order with one prompt.',
      'Enjoyed the shark book; used the contents page by himself.',
      null,
      'Came up with "gigantic" and "gloomy" on his own. Lovely!',
      'Answers who and what questions easily; why questions need prompting.',
      'Read three pages aloud; sounded out "rain" and "train" well. Practise "ay" words.'
    ]
  ),
  (
    203, 102, -3, 8.0, 60, null, null, null, 'Angling the take-off',
    array[
      'First green waves', 'Turning the board around', 'Riding white water to the beach',
      'Pop-up timing', 'Paddling position', 'Ocean safety and rips'
    ],
    array[
      'Caught two green waves with a push. Confidence way up.',
      'Sits steadier on the board; turning still takes two strokes.',
      'Rode five white-water waves to the beach standing. Big smile!',
      'Pop-up still in two moves; sand pop-ups assigned.',
      'Too far back on the board, the nose lifts. Marked the sweet spot with wax.',
      'Spotted the rip from the shore on her own. Great awareness.'
    ]
  ),
  (
    204, 102, -1, 8.5, 60, 4, 9, 'Cancelled by the coach: storm warning, no surf.',
    'Bottom turn to top turn',
    array[
      'Competition heat practice', 'Speed generation', 'Late take-offs',
      'Bottom turn to top turn', 'Video review', 'Priority and etiquette', 'Cutback basics',
      'Reading sets from the line-up', 'Trimming down the line', 'Bottom turn',
      'Wave selection: peaks and shoulders', 'Paddling efficiency'
    ],
    array[
      'Heat practice: picked the best two waves of the set both times. Ready for the club '
      || 'contest.',
      'Pumping down the line works on the small days now; keep the arms quiet.',
      'Made four late drops out of six. Commit with the front foot.',
      null,
      'Video: the bottom turn starts too early and too upright. Compress more.',
      'Knows priority; still paddles through the impact zone.',
      'First cutbacks on the bigger rights; loses speed coming out of them.',
      'Counts the sets and waits for the bigger waves. Good patience.',
      null,
      'Bottom turn deeper; timing still a little early.',
      'Picks shoulders over closeouts now.',
      'Paddle stroke longer and steadier; reaches the line-up without resting.'
    ]
  )
) as v (student, coach, first_day, hour, mins, missed, cancelled, cancel_note, next, topics, notes)
cross join lateral generate_series(0, cardinality(v.topics)) as w (k)
on conflict (id) do nothing;

-- Noah in every group session, Ava since she started surfing; mostly present.
insert into tutela.session_students (session_id, student_id, organization_id, attendance)
select
  s.id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  case
    when pg_temp.demo_rand(concat_ws(':', 'session', s.id, v.student)) < 0.06 then 'absent'
    when pg_temp.demo_rand(concat_ws(':', 'session', s.id, v.student)) < 0.11 then 'excused'
    else 'present'
  end as attendance
from tutela.coaching_sessions as s
cross join (values (203, 38), (204, 84)) as v (student, since_days)
where
  s.id between pg_temp.demo_id(1601) and pg_temp.demo_id(1699)
  and s.starts_at >= pg_temp.demo_day(v.since_days)
on conflict do nothing;

-- Ride scores 0-10, improving over time, for those present.
insert into tutela.session_scores (
  id, session_id, student_id, organization_id, score, coach_notes, analysis, created_at
)
select
  pg_temp.demo_id(17, x.student, x.session_no) as id,
  x.session_id,
  pg_temp.demo_id(x.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  x.score,
  x.notes[1 + floor(cardinality(x.notes) * x.note_pick)::integer] as coach_notes,
  jsonb_build_object(
    'waves_caught', 2 + floor(x.score + 3 * pg_temp.demo_rand('waves:' || x.key))::integer,
    'best_ride_s', round((3 + 1.5 * x.score + 4 * pg_temp.demo_rand('ride:' || x.key))::numeric),
    'falls', floor(6 * (1 - x.score / 10) + 2 * pg_temp.demo_rand('falls:' || x.key))::integer
  ) as analysis,
  x.starts_at + interval '3 hours' as created_at
from (
  select
    v.student,
    v.notes,
    ss.session_id,
    s.starts_at,
    right(ss.session_id::text, 4)::integer - 1600 as session_no,
    concat_ws(':', ss.session_id, v.student) as key,
    pg_temp.demo_rand(concat_ws(':', 'notes', ss.session_id, v.student)) as note_pick,
    round(least(10, greatest(
      0,
      v.first_score + (v.last_score - v.first_score)
      * (1 - (right(ss.session_id::text, 4)::integer - 1600)::numeric / v.since_days)
      + 2 * (pg_temp.demo_rand('score:' || ss.session_id || v.student)::numeric - 0.5)
    )), 1) as score
  from (
    values
    (
      203, 38, 2.5, 5.0,
      array[
        'Stood up on three waves; look up, not at the board.',
        'Great attitude in cold water. Pop-ups getting quicker.',
        'Caught her own waves without a push today.',
        'Rode white water all the way in; try angling left.'
      ]
    ),
    (
      204, 84, 4.0, 7.5,
      array[
        'Good wave count; bottom turn still too early.',
        'Best session this month: linked two turns on a long right.',
        'Picked good waves but fell on take-off twice; commit earlier.',
        'Solid duck dives; wasted energy paddling for closeouts.',
        'Speed down the line is there now; work on the top turn.'
      ]
    )
  ) as v (student, since_days, first_score, last_score, notes)
  inner join tutela.session_students as ss
    on ss.student_id = pg_temp.demo_id(v.student) and ss.attendance = 'present'
  inner join tutela.coaching_sessions as s on ss.session_id = s.id
  where ss.session_id between pg_temp.demo_id(1601) and pg_temp.demo_id(1699)
) as x
on conflict do nothing;

-- assigned, due, completed: days ago (negative due: still ahead)
insert into tutela.drill_assignments (
  id, drill_id, student_id, organization_id, assigned_by, due_at, completed_at, notes,
  created_at
)
select
  pg_temp.demo_id(18, v.student, v.k) as id,
  d.id as drill_id,
  pg_temp.demo_id(v.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  d.created_by as assigned_by,
  pg_temp.demo_day(v.due) + interval '20 hours' as due_at,
  pg_temp.demo_at(v.completed, 18) as completed_at,
  v.notes,
  pg_temp.demo_at(v.assigned, 11) as created_at
from (
  values
  (202, 1, 1505, 20, 13, 14, 'Aim for 30 by the end of the week.'),
  (202, 2, 1506, 10, 3, 3, null),
  (202, 3, 1505, 6, -1, null, 'Beat your score of 34!'),
  (202, 4, 1506, 3, -4, null, null),
  (203, 1, 1501, 25, 18, 19, 'Before every session.'),
  (203, 2, 1505, 15, 8, 9, null),
  (203, 3, 1502, 21, 14, null, null),
  (203, 4, 1501, 7, 0, 1, 'Focus on the back foot.'),
  (203, 5, 1503, 2, -5, null, null),
  (204, 1, 1501, 60, 53, 55, null),
  (204, 2, 1502, 45, 38, 40, 'Twice this week.'),
  (204, 3, 1503, 30, 23, 25, null),
  (204, 4, 1502, 10, 3, 2, null),
  (204, 5, 1504, 14, 7, null, 'Film one run for the video review.'),
  (204, 6, 1504, 4, -3, null, null)
) as v (student, k, drill, assigned, due, completed, notes)
inner join tutela.drills as d on d.id = pg_temp.demo_id(v.drill)
on conflict (id) do nothing;

-- Every 14 days from the start of each child's span, levels rising from first to last.
insert into tutela.skill_assessments (
  id, skill_id, student_id, organization_id, level, assessed_at, assessed_by, notes
)
select
  pg_temp.demo_id(19, x.student, (x.skill - 1400) * 100 + x.k) as id,
  pg_temp.demo_id(x.skill) as skill_id,
  pg_temp.demo_id(x.student) as student_id,
  pg_temp.demo_id(1) as organization_id,
  x.level,
  pg_temp.demo_at(x.days_ago, 12.5) as assessed_at,
  pg_temp.demo_id(case when x.skill <= 1406 then 102 else 103 end) as assessed_by,
  case
    when x.k = 0 then 'Baseline.'
    when x.level > x.previous then 'Up a level.'
    else 'Consolidating.'
  end as notes
from (
  select
    v.student,
    v.skill,
    w.k,
    v.span - 14 * w.k as days_ago,
    v.first_level + round((v.last_level - v.first_level) * 14.0 * w.k / v.span)::integer
      as level,
    v.first_level + round((v.last_level - v.first_level) * 14.0 * (w.k - 1) / v.span)::integer
      as previous
  from (
    values
    (202, 1407, 45, 1, 2), (202, 1409, 45, 1, 3), (202, 1410, 45, 1, 2),
    (203, 1401, 38, 1, 3), (203, 1402, 38, 1, 3), (203, 1405, 38, 2, 4), (203, 1406, 38, 2, 3),
    (203, 1407, 60, 2, 3), (203, 1408, 60, 2, 3), (203, 1409, 60, 3, 4), (203, 1410, 60, 3, 4),
    (203, 1411, 60, 2, 3),
    (204, 1401, 84, 2, 4), (204, 1402, 84, 2, 4), (204, 1403, 84, 1, 3), (204, 1404, 84, 1, 2),
    (204, 1405, 84, 3, 5), (204, 1406, 84, 3, 4), (204, 1407, 90, 3, 4), (204, 1408, 90, 3, 4),
    (204, 1410, 90, 4, 5), (204, 1411, 90, 3, 4)
  ) as v (student, skill, span, first_level, last_level)
  cross join lateral generate_series(0, v.span / 14) as w (k)
) as x
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Flashcards (Leo 2 subjects, Ava 3, Noah 4) and their review history
-- ---------------------------------------------------------------------------------------------
insert into tutela.flashcards (
  id, student_id, subject, topic, question, answer, options, key_points, leitner_box, due_at,
  created_at, updated_at
)
with cards (student, subject, topic, ord, question, answer, options, key_points) as (
  select
    202,
    'Maths',
    'Times tables',
    10 * a.a + b.b,
    format('%s × %s = ?', a.a, b.b),
    (a.a * b.b)::text,
    null::jsonb,
    null::text[]
  from unnest(array[2, 3, 5, 10]) as a (a)
  cross join generate_series(1, 9) as b (b)
  union all
  select
    202,
    'Maths',
    'Number bonds to 20',
    k.k,
    format('%s + ? = 20', k.k),
    (20 - k.k)::text,
    null,
    null
  from unnest(array[3, 6, 7, 9, 11, 12, 14, 15, 17]) as k (k)
  union all
  select
    202,
    'Reading',
    'Vocabulary',
    w.ord::integer,
    format('What does "%s" mean?', w.word),
    w.meaning,
    null,
    null
  from
    unnest(
      array[
        'enormous', 'tiny', 'furious', 'whisper', 'ancient', 'brave', 'curious', 'gloomy',
        'cheerful', 'exhausted', 'gigantic', 'swift'
      ],
      array[
        'very, very big', 'very small', 'very angry', 'to speak very quietly', 'very old',
        'not afraid to do something hard', 'wanting to find out about something', 'dark and sad',
        'happy and bright', 'very, very tired', 'huge, like a giant', 'very fast'
      ]
    ) with ordinality as w (word, meaning, ord)
  union all
  select
    202,
    'Reading',
    'Phonics',
    p.ord::integer,
    p.question,
    p.answer,
    null,
    null
  from
    unnest(
      array[
        'Which two letters make the long a sound in "rain"?',
        'Which two letters make the long a sound in "play"?',
        'Which letters make the sound in "night"?',
        'Which two letters make the ee sound in "beach"?',
        'Which two letters make the sound at the start of "ship"?',
        'Which two letters make the long o sound in "boat"?'
      ],
      array['ai', 'ay', 'igh', 'ea', 'sh', 'oa']
    ) with ordinality as p (question, answer, ord)
  union all
  select
    203,
    'Maths',
    'Fractions',
    10 * f.ord::integer + m.m,
    format('What is %s/%s of %s?', f.num, f.den, f.den * m.m),
    (f.num * m.m)::text,
    null,
    null
  from unnest(array[1, 3, 2, 2, 3], array[2, 4, 3, 5, 8]) with ordinality as f (num, den, ord)
  cross join unnest(array[3, 4, 6]) as m (m)
  union all
  select
    203,
    'Maths',
    'Percentages',
    1000 * p.p + n.n,
    format('What is %s%% of %s?', p.p, n.n),
    (p.p * n.n / 100)::text,
    null,
    null
  from unnest(array[10, 20, 25, 50, 75]) as p (p)
  cross join unnest(array[40, 80, 200]) as n (n)
  union all
  select
    203,
    'Science',
    'Cells',
    c.ord::integer,
    c.question,
    c.answer,
    null,
    null
  from
    unnest(
      array[
        'What is the control centre of a cell?',
        'Name one part plant cells have that animal cells do not.',
        'Where in a plant cell does photosynthesis happen?',
        'What does the cell membrane do?',
        'Where does respiration release energy?',
        'What is the jelly-like substance inside a cell called?',
        'What is a group of similar cells working together called?',
        'What do you use to see cells?'
      ],
      array[
        'The nucleus', 'A cell wall (also chloroplasts, a large vacuole)', 'In the chloroplasts',
        'Controls what goes in and out of the cell', 'In the mitochondria', 'Cytoplasm',
        'A tissue', 'A microscope'
      ]
    ) with ordinality as c (question, answer, ord)
  union all
  select
    203,
    'Science',
    'Solar system',
    s.ord::integer,
    s.question,
    s.answer,
    null,
    null
  from
    unnest(
      array[
        'Which planet is closest to the Sun?', 'Which is the largest planet?',
        'Which planet is called the red planet?', 'How long does Earth take to orbit the Sun?',
        'What causes day and night?', 'How long does the Moon take to orbit Earth?',
        'Which planet has the best-known rings?', 'What kind of object is the Sun?'
      ],
      array[
        'Mercury', 'Jupiter', 'Mars', 'About 365 days: one year',
        'Earth spinning on its axis', 'About 27 days', 'Saturn', 'A star'
      ]
    ) with ordinality as s (question, answer, ord)
  union all
  select
    203,
    'Spanish',
    'Vocabulary',
    w.ord::integer,
    format('What does "%s" mean?', w.word),
    w.meaning,
    null,
    null
  from
    unnest(
      array[
        'el perro', 'el gato', 'la casa', 'el libro', 'la playa', 'el agua', 'la escuela',
        'el amigo', 'la ola', 'el sol', 'comer', 'leer'
      ],
      array[
        'the dog', 'the cat', 'the house', 'the book', 'the beach', 'the water', 'the school',
        'the friend', 'the wave', 'the sun', 'to eat', 'to read'
      ]
    ) with ordinality as w (word, meaning, ord)
  union all
  select
    204,
    'Maths',
    'Linear equations',
    10 * a.a + x.x,
    format('Solve %sx + %s = %s', a.a, (a.a * x.x) % 7 + 1, a.a * x.x + (a.a * x.x) % 7 + 1),
    'x = ' || x.x,
    null,
    null
  from generate_series(2, 5) as a (a)
  cross join generate_series(2, 6) as x (x)
  union all
  select
    204,
    'Maths',
    'Powers',
    10 * b.b + e.e,
    format('%s^%s = ?', b.b, e.e),
    (b.b ^ e.e)::integer::text,
    null,
    null
  from generate_series(2, 5) as b (b)
  cross join generate_series(2, 4) as e (e)
  union all
  select
    204,
    'Science',
    'Chemical elements',
    el.ord::integer,
    format('What is the chemical symbol for %s?', el.name),
    el.symbol,
    null,
    null
  from
    unnest(
      array[
        'hydrogen', 'helium', 'carbon', 'nitrogen', 'oxygen', 'sodium', 'magnesium', 'aluminium',
        'silicon', 'chlorine', 'potassium', 'calcium', 'iron', 'copper', 'silver', 'gold'
      ],
      array[
        'H', 'He', 'C', 'N', 'O', 'Na', 'Mg', 'Al', 'Si', 'Cl', 'K', 'Ca', 'Fe', 'Cu', 'Ag', 'Au'
      ]
    ) with ordinality as el (name, symbol, ord)
  union all
  select
    204,
    'Science',
    'Forces and motion',
    f.ord,
    f.question,
    f.answer,
    null,
    f.key_points
  from (
    values
    (
      1, 'What is the formula for speed?', 'speed = distance / time',
      array['in metres per second (m/s)', 'distance in metres, time in seconds']
    ),
    (2, 'What is the unit of force?', 'The newton (N)', null),
    (
      3, 'What is the formula for weight?', 'weight = mass × gravitational field strength',
      array['W = m g', 'g is about 9.8 N/kg on Earth']
    ),
    (4, 'What is the unit of energy?', 'The joule (J)', null),
    (
      5, 'What is the formula for density?', 'density = mass / volume',
      array['kg/m³ or g/cm³']
    ),
    (6, 'What is friction?', 'A force that opposes motion between surfaces in contact', null),
    (
      7, 'What is the formula for pressure?', 'pressure = force / area',
      array['in pascals (Pa)', '1 Pa = 1 N/m²']
    ),
    (
      8, 'What happens to a moving object when the forces on it are balanced?',
      'It keeps the same speed and direction', null
    )
  ) as f (ord, question, answer, key_points)
  union all
  select
    204,
    'History',
    '20th century',
    h.ord,
    h.question,
    h.answer,
    h.options::jsonb,
    null
  from (
    values
    (1, 'When did World War I begin?', '1914', '["1905", "1914", "1918", "1939"]'),
    (2, 'When did World War II end?', '1945', '["1939", "1944", "1945", "1950"]'),
    (3, 'When did people first land on the Moon?', '1969', '["1957", "1961", "1969", "1972"]'),
    (4, 'When did the Berlin Wall fall?', '1989', '["1961", "1979", "1989", "1991"]'),
    (5, 'When was the United Nations founded?', '1945', '["1919", "1945", "1948", "1955"]'),
    (
      6, 'When did Nelson Mandela become president of South Africa?', '1994',
      '["1990", "1994", "1999", "2004"]'
    ),
    (7, 'When was the first web page published?', '1991', '["1984", "1989", "1991", "1995"]'),
    (8, 'When did the Titanic sink?', '1912', '["1905", "1912", "1915", "1921"]')
  ) as h (ord, question, answer, options)
  union all
  select
    204,
    'Spanish',
    'Verbs',
    w.ord::integer,
    format('What does "%s" mean?', w.word),
    w.meaning,
    null,
    null
  from unnest(
    array[
      'ser', 'estar', 'tener', 'ir', 'hacer', 'poder', 'querer', 'decir', 'saber', 'conocer'
    ],
    array[
      'to be (who or what)', 'to be (how or where)', 'to have', 'to go', 'to do, to make',
      'to be able to', 'to want', 'to say', 'to know (a fact)', 'to know (a person, a place)'
    ]
  ) with ordinality as w (word, meaning, ord)
),

numbered as (
  select
    c.*,
    d.span,
    d.top_box,
    row_number() over (partition by c.student order by c.subject, c.topic, c.ord)::integer
      as card_no
  from cards as c
  inner join (values (202, 45, 3), (203, 60, 4), (204, 90, 5)) as d (student, span, top_box)
    on c.student = d.student
)

select
  pg_temp.demo_id(11, c.student, c.card_no) as id,
  pg_temp.demo_id(c.student) as student_id,
  c.subject,
  c.topic,
  c.question,
  c.answer,
  c.options,
  c.key_points,
  1 + c.card_no % c.top_box as leitner_box,
  pg_temp.demo_day(c.span) + interval '17 hours' as due_at,
  pg_temp.demo_day(c.span + 1) + interval '17 hours' as created_at,
  pg_temp.demo_day(c.span + 1) + interval '17 hours' as updated_at
from numbered as c
on conflict (id) do nothing;

-- Study days: every day of the span with probability p_active, and always from forced_from
-- to forced_to days ago; on each, a session of min..max reviews of cards picked at random.
-- The database computes xp and moves the cards through the Leitner boxes.
insert into tutela.card_reviews (
  student_id, flashcard_id, reviewed_at, correct, quality, duration_ms
)
with plan (
  student, span, p_active, forced_from, forced_to, min_reviews, max_reviews, first_hour,
  skill, think_ms
) as (
  values
  (202, 45, 0.45, 1, 2, 5, 12, 16.0, 0.62, 9000),
  (203, 60, 0.70, 0, 3, 8, 20, 15.5, 0.68, 7000),
  (204, 90, 0.80, 0, 8, 10, 25, 18.0, 0.72, 5500)
),

days as (
  select
    p.*,
    g.n,
    p.min_reviews + floor(
      (p.max_reviews - p.min_reviews + 1) * pg_temp.demo_rand(concat_ws(':', 'n', p.student, g.n))
    )::integer as reviews,
    p.first_hour + 3 * pg_temp.demo_rand(concat_ws(':', 'hour', p.student, g.n)) as hour
  from plan as p
  cross join lateral generate_series(0, p.span - 1) as g (n)
  where
    (
      g.n between p.forced_from and p.forced_to
      or pg_temp.demo_rand(concat_ws(':', 'active', p.student, g.n)) < p.p_active
    )
    and not exists (
      select 1 from tutela.card_reviews as r where r.student_id = pg_temp.demo_id(p.student)
    )
),

decks as (
  select
    f.student_id,
    f.id,
    f.leitner_box,
    row_number() over (partition by f.student_id order by f.id)::integer as card_no,
    count(*) over (partition by f.student_id)::integer as cards
  from tutela.flashcards as f
  where f.student_id in (select pg_temp.demo_id(p.student) from plan as p)
),

deck_sizes as (
  select distinct
    x.student_id,
    x.cards
  from decks as x
),

slots as (
  select
    d.student,
    d.span,
    d.skill,
    d.think_ms,
    d.n,
    d.hour,
    k.k,
    1 + floor(
      z.cards * pg_temp.demo_rand(concat_ws(':', 'card', d.student, d.n, k.k))
    )::integer as card_no
  from days as d
  inner join deck_sizes as z on z.student_id = pg_temp.demo_id(d.student)
  cross join lateral generate_series(1, d.reviews) as k (k)
),

scored as (
  select
    s.student,
    s.n,
    s.hour,
    s.k,
    s.think_ms,
    c.id as flashcard_id,
    pg_temp.demo_rand(concat_ws(':', 'quality', s.student, s.n, s.k)) as quality_roll,
    pg_temp.demo_rand(concat_ws(':', 'ms', s.student, s.n, s.k)) as time_roll,
    pg_temp.demo_rand(concat_ws(':', 'correct', s.student, s.n, s.k)) < least(
      0.97, s.skill + 0.03 * c.leitner_box + 0.1 * (1 - s.n::numeric / s.span)
    ) as correct
  from slots as s
  inner join decks as c on c.student_id = pg_temp.demo_id(s.student) and s.card_no = c.card_no
)

select
  pg_temp.demo_id(sc.student) as student_id,
  sc.flashcard_id,
  pg_temp.demo_at(sc.n, (sc.hour + sc.k / 150.0)::numeric) as reviewed_at,
  sc.correct,
  (case when sc.correct then 3 else 0 end + floor(3 * sc.quality_roll))::smallint as quality,
  (sc.think_ms * (0.4 + 1.2 * sc.time_roll))::integer as duration_ms
from scored as sc
order by sc.student asc, sc.n desc, sc.k asc;

-- ---------------------------------------------------------------------------------------------
-- Journal (Ava and Noah; guardians see it only with the journal permission)
-- ---------------------------------------------------------------------------------------------
insert into tutela.journal_entries (
  id, student_id, entry_date, mood, energy, confidence, body, created_at, updated_at
)
select
  pg_temp.demo_id(20, x.student, x.n) as id,
  pg_temp.demo_id(x.student) as student_id,
  pg_temp.demo_date(x.n) as entry_date,
  least(5, greatest(1, round(3 + 0.8 * x.progress + 2.4 * (x.r1 - 0.5))))::smallint as mood,
  least(5, greatest(1, round(3.2 + 2.6 * (x.r2 - 0.5))))::smallint as energy,
  least(5, greatest(1, round(2.4 + 1.6 * x.progress + 2 * (x.r3 - 0.5))))::smallint as confidence,
  case
    when x.r4 >= 0.2 then x.bodies[1 + floor(cardinality(x.bodies) * (x.r4 - 0.2) / 0.8)::integer]
  end as body,
  pg_temp.demo_at(x.n, 20.5) as created_at,
  pg_temp.demo_at(x.n, 20.5) as updated_at
from (
  select
    v.student,
    v.bodies,
    g.n,
    1 - g.n::numeric / v.span as progress,
    pg_temp.demo_rand(concat_ws(':', 'mood', v.student, g.n))::numeric as r1,
    pg_temp.demo_rand(concat_ws(':', 'energy', v.student, g.n))::numeric as r2,
    pg_temp.demo_rand(concat_ws(':', 'confidence', v.student, g.n))::numeric as r3,
    pg_temp.demo_rand(concat_ws(':', 'body', v.student, g.n)) as r4
  from (
    values
    (
      203, 45, 0.55,
      array[
        'Surf lesson today! Stood up twice.', 'Fractions homework was easier than I thought.',
        'Tired after school but did my cards anyway.', 'Science quiz tomorrow, a bit nervous.',
        'Read two chapters before bed.', 'Cold water but so much fun.',
        'Spanish words are sticking now.', 'Bad day. Did not feel like studying.'
      ]
    ),
    (
      204, 60, 0.5,
      array[
        'Caught my best wave so far, a long right.', 'Linear equations finally make sense.',
        'Bottom turns still feel off. Watched some videos.', 'Long day, skipped training.',
        'Nailed the chemistry cards.', 'Flat ocean, did paddle sprints instead.',
        'Test went OK, I think I rushed the last question.',
        'Coach says my pop-up is solid now.'
      ]
    )
  ) as v (student, span, p_entry, bodies)
  cross join lateral generate_series(0, v.span - 1) as g (n)
  where g.n <= 1 or pg_temp.demo_rand(concat_ws(':', 'journal', v.student, g.n)) < v.p_entry
) as x
on conflict (id) do nothing;

-- ---------------------------------------------------------------------------------------------
-- Activity (one statement: minutes, streaks and last-active come from it) and points
-- ---------------------------------------------------------------------------------------------
insert into tutela.activity_events (student_id, kind, occurred_at, minutes, reference)
select
  a.student_id,
  a.kind,
  a.occurred_at,
  a.minutes,
  a.reference
from (
  -- a flashcard session on every study day
  select
    r.student_id,
    'flashcard_session' as kind,
    min(r.reviewed_at) as occurred_at,
    ceil(sum(r.duration_ms) / 60000.0)::integer as minutes,
    jsonb_build_object('reviews', count(*)) as reference
  from tutela.card_reviews as r
  where
    r.student_id in (
      pg_temp.demo_id(202), pg_temp.demo_id(203), pg_temp.demo_id(204)
    )
  group by r.student_id, (r.reviewed_at at time zone 'UTC')::date
  union all
  select
    ss.student_id,
    'coaching_session' as kind,
    s.starts_at,
    s.duration_minutes,
    jsonb_build_object('session_id', s.id) as reference
  from tutela.session_students as ss
  inner join tutela.coaching_sessions as s on ss.session_id = s.id
  where ss.attendance = 'present' and s.organization_id = pg_temp.demo_id(1)
  union all
  select
    l.student_id,
    'lesson' as kind,
    l.scheduled_at,
    l.duration_minutes,
    jsonb_build_object('lesson_id', l.id) as reference
  from tutela.lessons as l
  where l.status = 'completed' and l.organization_id = pg_temp.demo_id(1)
  union all
  select
    t.student_id,
    'live_class' as kind,
    t.joined_at,
    (extract(epoch from c.ends_at - t.joined_at) / 60)::integer,
    jsonb_build_object('live_class_id', c.id) as reference
  from tutela.live_class_attendance as t
  inner join tutela.live_classes as c on t.live_class_id = c.id
  where t.status = 'attended' and t.organization_id = pg_temp.demo_id(1)
  union all
  select
    s.student_id,
    'assignment_submitted' as kind,
    s.submitted_at,
    20 + floor(40 * pg_temp.demo_rand('work:' || s.id))::integer as minutes,
    jsonb_build_object('assignment_id', s.assignment_id) as reference
  from tutela.submissions as s
  where s.submitted_at is not null and s.organization_id = pg_temp.demo_id(1)
  union all
  select
    d.student_id,
    'drill_completed' as kind,
    d.completed_at,
    10 + floor(10 * pg_temp.demo_rand('drill:' || d.id))::integer as minutes,
    jsonb_build_object('drill_assignment_id', d.id) as reference
  from tutela.drill_assignments as d
  where d.completed_at is not null and d.organization_id = pg_temp.demo_id(1)
  union all
  -- reading at home (Leo, Ava) and Mia's play, on some evenings of their span
  select
    pg_temp.demo_id(r.student) as student_id,
    r.kinds[1 + floor(cardinality(r.kinds) * r.kind)::integer] as kind,
    pg_temp.demo_at(r.n, r.hour + r.hour_frac::numeric) as occurred_at,
    r.min_minutes + floor(r.min_minutes * r.minutes)::integer as minutes,
    null as reference
  from (
    select
      v.student,
      v.p_active,
      v.hour,
      v.min_minutes,
      v.kinds,
      g.n,
      pg_temp.demo_rand(concat_ws(':', 'play', v.student, g.n)) as active,
      pg_temp.demo_rand(concat_ws(':', 'kind', v.student, g.n)) as kind,
      pg_temp.demo_rand(concat_ws(':', 'hour', v.student, g.n)) as hour_frac,
      pg_temp.demo_rand(concat_ws(':', 'minutes', v.student, g.n)) as minutes
    from (
      values
      (201, 30, 0.55, 10.0, 10, array['story_time', 'drawing', 'outdoor_play', 'counting_game']),
      (202, 45, 0.6, 18.5, 12, array['reading']),
      (203, 60, 0.35, 19.5, 20, array['reading'])
    ) as v (student, span, p_active, hour, min_minutes, kinds)
    cross join lateral generate_series(0, v.span - 1) as g (n)
  ) as r
  where r.active < r.p_active
) as a
where
  a.student_id in (
    pg_temp.demo_id(201), pg_temp.demo_id(202), pg_temp.demo_id(203), pg_temp.demo_id(204)
  )
  and not exists (select 1 from tutela.activity_events as e where e.student_id = a.student_id)
order by a.occurred_at, a.student_id, a.kind;

insert into tutela.points_ledger (
  student_id, points, reason, source_kind, source_id, awarded_by, awarded_at
)
select
  p.student_id,
  p.points,
  p.reason,
  p.source_kind,
  p.source_id,
  p.awarded_by,
  p.awarded_at
from (
  select
    s.student_id,
    (10 + round(40 * s.score / a.max_score))::integer as points,
    'Passed: ' || a.title as reason,
    'submission' as source_kind,
    s.id as source_id,
    s.graded_by as awarded_by,
    s.graded_at as awarded_at
  from tutela.submissions as s
  inner join tutela.assignments as a on s.assignment_id = a.id
  where
    s.status = 'graded' and s.organization_id = pg_temp.demo_id(1)
    and 100 * s.score >= a.passing_percent * a.max_score
  union all
  select
    da.student_id,
    15 as points,
    'Drill done: ' || d.title as reason,
    'drill_assignment' as source_kind,
    da.id,
    da.assigned_by,
    da.completed_at
  from tutela.drill_assignments as da
  inner join tutela.drills as d on da.drill_id = d.id
  where da.completed_at is not null and da.organization_id = pg_temp.demo_id(1)
  union all
  select
    c.student_id,
    100 as points,
    'Certificate: ' || c.title as reason,
    'certificate' as source_kind,
    c.id,
    null as awarded_by,
    c.issued_at
  from tutela.certificates as c
  where c.organization_id = pg_temp.demo_id(1)
  union all
  select
    l.student_id,
    -10 as points,
    'Missed a lesson without notice' as reason,
    'lesson' as source_kind,
    l.id,
    l.coach_id,
    l.scheduled_at + interval '2 hours' as awarded_at
  from tutela.lessons as l
  where l.status = 'missed' and l.organization_id = pg_temp.demo_id(1)
  union all
  select
    pg_temp.demo_id(v.student) as student_id,
    v.points,
    v.reason,
    'award' as source_kind,
    null::uuid,
    pg_temp.demo_id(v.awarded_by) as awarded_by,
    pg_temp.demo_at(v.days_ago, 15) as awarded_at
  from (
    values
    (201, 5, 'Sticker: shared the crayons', 103, 12),
    (201, 5, 'Sticker: counted to 20', 103, 5),
    (201, 5, 'Sticker: tidy-up helper', 103, 2),
    (202, 25, 'Star reader of the week', 103, 14),
    (203, 25, 'Helped a classmate with fractions', 103, 18),
    (203, 20, 'Brave paddle-out in a big swell', 102, 6),
    (204, 30, 'Surfer of the month', 102, 21),
    (204, 20, 'Helped set up the science lab', 103, 8)
  ) as v (student, points, reason, awarded_by, days_ago)
) as p
where not exists (select 1 from tutela.points_ledger as x where x.student_id = p.student_id)
order by p.awarded_at, p.student_id;

drop function pg_temp.demo_at(integer, numeric);
drop function pg_temp.demo_date(integer);
drop function pg_temp.demo_day(integer);
drop function pg_temp.demo_rand(text);
drop function pg_temp.demo_id(integer, integer, integer);
drop function pg_temp.demo_id(bigint);
