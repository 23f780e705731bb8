-- Review XP is the database's: a student who sends xp = 100 with their reviews gets the XP of
-- tutela_hidden.review_xp(correct, quality) (correct: 10 + 2 * quality, a missing quality counts 3;
-- wrong: 2), and the rollups count the stored XP. The owner cannot set it either.
-- The student's insert is the first review insert of the transaction, as in a real request.
begin;
select plan(10);

select tutela_tests.create_user('student-102@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 102', 'world-102')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset

select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format(
    $$ insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, xp)
       values (%1$L, %2$L, true, 5, 100), (%1$L, %2$L, true, 0, 100),
       (%1$L, %2$L, true, null, 100), (%1$L, %2$L, false, 5, 100),
       (%1$L, %2$L, false, null, 100) $$,
    :'student', :'card'
  ),
  'the student records five reviews, each claiming 100 XP'
);
select results_eq(
  format(
    $$ select correct, quality, xp from tutela.card_reviews where student_id = %L
       order by id $$,
    :'student'
  ),
  $$ values (true, 5::smallint, 20), (true, 0::smallint, 10), (true, null::smallint, 16),
     (false, 5::smallint, 2), (false, null::smallint, 2) $$,
  'the stored XP ignores the claim: 20, 10, 16 (no quality counts 3), 2, 2'
);
select is(
  (select total_xp from tutela.student_stats where student_id = :'student'),
  50::bigint,
  'the student''s total XP counts the stored XP (the student reads their own stats)'
);

select tutela_tests.clear_authentication();
select is_empty(
  format(
    $$ select 1 from tutela.card_reviews
       where student_id = %L and xp <> tutela_hidden.review_xp(correct, quality) $$,
    :'student'
  ),
  'every stored XP is tutela_hidden.review_xp(correct, quality)'
);
select results_eq(
  format(
    $$ select total_xp, total_points from tutela.student_stats where student_id = %L $$,
    :'student'
  ),
  $$ values (50::bigint, 50::bigint) $$,
  'total_xp and total_points are the stored XP'
);
select is(
  (select sum(xp) from tutela.daily_study_stats where student_id = :'student'),
  50::bigint,
  'the daily rows count the stored XP'
);
select results_eq(
  $$ select tutela_hidden.review_xp(true, 5::smallint), tutela_hidden.review_xp(true, 3::smallint),
       tutela_hidden.review_xp(true, null), tutela_hidden.review_xp(false, 0::smallint),
       tutela_hidden.review_xp(false, null) $$,
  $$ values (20, 16, 16, 2, 2) $$,
  'review_xp: correct 10 + 2 * quality (null counts 3), wrong 2'
);

-- the owner's xp is replaced as well, also when it is out of range
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality, xp)
values (:'student', :'card', true, 4, 0);
select is(
  (select xp from tutela.card_reviews where student_id = :'student' order by id desc limit 1),
  18,
  'the owner''s xp = 0 becomes 18 (correct, quality 4)'
);
select lives_ok(
  format(
    $$ insert into tutela.card_reviews (student_id, flashcard_id, correct, xp)
       values (%L, %L, false, 5000) $$,
    :'student', :'card'
  ),
  'an out-of-range xp is not even checked: it is replaced before the checks run'
);
select is(
  (select total_xp from tutela.student_stats where student_id = :'student'),
  70::bigint,
  'the total XP after the owner''s reviews is 50 + 18 + 2'
);

select * from finish();
rollback;
