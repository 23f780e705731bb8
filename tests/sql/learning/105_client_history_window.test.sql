-- API callers record what happens now: a student's reviewed_at / occurred_at must lie within
-- the last 7 days and at most 5 minutes ahead (offline sync), else TU422. The owner may load
-- any history (the service role: 106). Nothing refused is stored or counted.
-- The student's inserts are the first review inserts of the transaction, as in a real request.
begin;
select plan(19);

select tutela_tests.create_user('student-105@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 105', 'world-105')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset

prepare review_at (interval) as
insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
values (:'student', :'card', now() + $1, true);
prepare activity_at (interval) as
insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values (:'student', 'lesson', now() + $1, 5);

-- the student: reviews (in a real request each is a transaction of its own)
select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format(
    $$ insert into tutela.card_reviews (student_id, flashcard_id, correct)
       values (%L, %L, true) $$,
    :'student', :'card'
  ),
  'a review without reviewed_at is recorded now'
);
select lives_ok(
  $$ execute review_at('-6 days 23 hours') $$, 'a review synced from 6 days ago is accepted'
);
select lives_ok($$ execute review_at('-7 days') $$, 'a review exactly 7 days old is accepted');
select throws_ok(
  $$ execute review_at('-7 days -1 second') $$, 'TU422', null,
  'a review older than 7 days is TU422'
);
select throws_ok(
  $$ execute review_at('-400 days') $$, 'TU422', null, 'a review from last year is TU422'
);
select lives_ok($$ execute review_at('5 minutes') $$, 'a clock 5 minutes ahead is accepted');
select throws_ok(
  $$ execute review_at('5 minutes 1 second') $$, 'TU422', null,
  'a review more than 5 minutes in the future is TU422'
);
select throws_ok(
  $$ execute review_at('2 days') $$, 'TU422', null, 'a review days ahead is TU422'
);

-- the student: activities
select lives_ok(
  format(
    $$ insert into tutela.activity_events (student_id, kind, minutes) values (%L, 'lesson', 1) $$,
    :'student'
  ),
  'an activity without occurred_at is recorded now'
);
select lives_ok($$ execute activity_at('-7 days') $$, 'an activity 7 days old is accepted');
select throws_ok(
  $$ execute activity_at('-7 days -1 second') $$, 'TU422', null,
  'an activity older than 7 days is TU422'
);
select lives_ok($$ execute activity_at('5 minutes') $$, 'an activity 5 minutes ahead is accepted');
select throws_ok(
  $$ execute activity_at('5 minutes 1 second') $$, 'TU422', null,
  'an activity more than 5 minutes in the future is TU422'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select (select count(*) from tutela.card_reviews where student_id = %1$L),
         (select count(*) from tutela.activity_events where student_id = %1$L),
         (select total_reviews from tutela.student_stats where student_id = %1$L) $$,
    :'student'
  ),
  $$ values (4::bigint, 3::bigint, 4::bigint) $$,
  'only the accepted rows were stored and counted'
);

-- the owner loads any history
select lives_ok($$ execute review_at('-400 days') $$, 'the owner may load a review of last year');
select lives_ok($$ execute review_at('3 days') $$, 'the owner may load a future review');
select lives_ok(
  $$ execute activity_at('-400 days') $$, 'the owner may load an activity of last year'
);

select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.daily_study_stats
    where student_id = :'student' and day <= (now() at time zone 'UTC')::date - 400
  ),
  1::bigint,
  'the imported old day is in the daily rows'
);
select is(
  (select total_reviews from tutela.student_stats where student_id = :'student'),
  6::bigint,
  'the imported reviews are counted'
);

select * from finish();
rollback;
