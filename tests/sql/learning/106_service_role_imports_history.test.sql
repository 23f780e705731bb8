-- Back-office imports: the service role may load reviews and activities of any date (older
-- than 7 days, or ahead), several at once, and they are counted like any other. Its insert is
-- the first review insert of the transaction, as in a real request with the service key.
begin;
select plan(7);

select tutela_tests.create_user('student-106@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 106', 'world-106')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset
select (now() at time zone 'UTC')::date as today \gset

select tutela_tests.as_service_role();
select lives_ok(
  format(
    $$ insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct, quality)
       values (%1$L, %2$L, (%3$L::date - 1000 + time '12:00') at time zone 'UTC', true, 5),
       (%1$L, %2$L, (%3$L::date - 30 + time '12:00') at time zone 'UTC', false, 1) $$,
    :'student', :'card', :'today'
  ),
  'the service role loads reviews of 1000 and 30 days ago'
);
select lives_ok(
  format(
    $$ insert into tutela.card_reviews (student_id, flashcard_id, reviewed_at, correct)
       values (%L, %L, (%L::date + 1 + time '12:00') at time zone 'UTC', true) $$,
    :'student', :'card', :'today'
  ),
  'the service role loads a review dated tomorrow'
);
select lives_ok(
  format(
    $$ insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
       values (%1$L, 'lesson', (%2$L::date - 1000 + time '13:00') at time zone 'UTC', 30),
       (%1$L, 'lesson', (%2$L::date - 8 + time '13:00') at time zone 'UTC', 10) $$,
    :'student', :'today'
  ),
  'the service role loads activities of 1000 and 8 days ago'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select total_reviews, total_correct, total_xp, total_minutes
       from tutela.student_stats where student_id = %L $$,
    :'student'
  ),
  $$ values (3::bigint, 2::bigint, 38::bigint, 40::bigint) $$,
  'the imported rows are counted: 3 reviews, 2 correct, 20 + 2 + 16 XP, 40 minutes'
);
select results_eq(
  format(
    $$ select day - %L::date, reviews, minutes from tutela.daily_study_stats
       where student_id = %L order by day $$,
    :'today', :'student'
  ),
  $$ values (-1000, 1, 30), (-30, 1, 0), (-8, 0, 10), (1, 1, 0) $$,
  'each imported day has its row'
);

-- the service role may also delete history (the way to correct it)
select tutela_tests.as_service_role();
select lives_ok(
  format(
    $$ delete from tutela.card_reviews
       where student_id = %L and reviewed_at < now() - interval '100 days' $$,
    :'student'
  ),
  'the service role deletes an imported review'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select total_reviews, total_xp from tutela.student_stats where student_id = %L $$,
    :'student'
  ),
  $$ values (2::bigint, 18::bigint) $$,
  'the deleted review is no longer counted'
);

select * from finish();
rollback;
