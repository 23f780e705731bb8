-- Leitner boxes: a correct review moves the card up one box (at most 5) and makes it due
-- 2^(box - 1) days after the review (box 2: 2 days ... box 5: 16 days); a wrong review sends it
-- back to box 1, due 10 minutes after the review. Other cards do not move, and a review synced
-- late (older than the card's last review) is counted but leaves the card where it is.
begin;
select plan(13);

select tutela_tests.create_user('student-108@world.test') as u_student \gset
insert into tutela.organizations (name, slug) values ('World 108', 'world-108')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q1', 'a1') returning id as card \gset
insert into tutela.flashcards (student_id, subject, question, answer, leitner_box, due_at)
values (:'student', 'Maths', 'q2', 'a2', 3, now() - interval '1 day')
returning id as card2 \gset
insert into tutela.flashcards (student_id, subject, question, answer, due_at)
values (:'student', 'Maths', 'q3', 'a3', now() + interval '1 hour')
returning id as untouched, due_at as untouched_due \gset

select tutela_tests.clear_authentication();
prepare review (uuid, boolean, timestamptz) as
insert into tutela.card_reviews (student_id, flashcard_id, correct, reviewed_at)
values (:'student', $1, $2, $3);
prepare card_state as
select
  leitner_box,
  due_at
from tutela.flashcards where id = :'card';

select is(
  (select leitner_box from tutela.flashcards where id = :'card'), 1::smallint,
  'a new card starts in box 1'
);

select now() - interval '6 hours' as t1 \gset
execute review (:'card', true, :'t1');
select results_eq(
  'card_state',
  format($$ values (2::smallint, %L::timestamptz + interval '2 days') $$, :'t1'),
  'correct from box 1: box 2, due 2 days after the review'
);

select now() - interval '5 hours' as t2 \gset
execute review (:'card', true, :'t2');
select results_eq(
  'card_state',
  format($$ values (3::smallint, %L::timestamptz + interval '4 days') $$, :'t2'),
  'correct from box 2: box 3, due 4 days after the review'
);

select now() - interval '4 hours' as t3 \gset
execute review (:'card', true, :'t3');
select results_eq(
  'card_state',
  format($$ values (4::smallint, %L::timestamptz + interval '8 days') $$, :'t3'),
  'correct from box 3: box 4, due 8 days after the review'
);

select now() - interval '3 hours' as t4 \gset
execute review (:'card', true, :'t4');
select results_eq(
  'card_state',
  format($$ values (5::smallint, %L::timestamptz + interval '16 days') $$, :'t4'),
  'correct from box 4: box 5, due 16 days after the review'
);

select now() - interval '2 hours' as t5 \gset
execute review (:'card', true, :'t5');
select results_eq(
  'card_state',
  format($$ values (5::smallint, %L::timestamptz + interval '16 days') $$, :'t5'),
  'correct in box 5: stays in box 5, due 16 days after this review'
);

select now() - interval '1 hour' as t6 \gset
execute review (:'card', false, :'t6');
select results_eq(
  'card_state',
  format($$ values (1::smallint, %L::timestamptz + interval '10 minutes') $$, :'t6'),
  'wrong from box 5: back to box 1, due 10 minutes after the review'
);

select now() - interval '30 minutes' as t7 \gset
execute review (:'card', false, :'t7');
select results_eq(
  'card_state',
  format($$ values (1::smallint, %L::timestamptz + interval '10 minutes') $$, :'t7'),
  'wrong in box 1: stays in box 1, due 10 minutes after the review'
);

-- a card placed in box 3, answered wrong
select now() - interval '20 minutes' as t8 \gset
execute review (:'card2', false, :'t8');
select results_eq(
  format($$ select leitner_box, due_at from tutela.flashcards where id = %L $$, :'card2'),
  format($$ values (1::smallint, %L::timestamptz + interval '10 minutes') $$, :'t8'),
  'wrong from box 3: box 1, due 10 minutes after the review'
);

-- one statement reviewing two cards moves each by its own review
select now() - interval '10 minutes' as t9 \gset
insert into tutela.card_reviews (student_id, flashcard_id, correct, reviewed_at)
values (:'student', :'card', true, :'t9'), (:'student', :'card2', true, :'t9');
select results_eq(
  format(
    $$ select leitner_box, due_at from tutela.flashcards where id in (%L, %L) order by id $$,
    :'card', :'card2'
  ),
  format(
    $$ values (2::smallint, %1$L::timestamptz + interval '2 days'),
       (2::smallint, %1$L::timestamptz + interval '2 days') $$,
    :'t9'
  ),
  'a statement with reviews of two cards moves both'
);

-- a late review (older than the card's last one) is counted but does not move the card
execute review (:'card', false, :'t1');
select results_eq(
  format(
    $$ select leitner_box, due_at, last_reviewed_at from tutela.flashcards where id = %L $$,
    :'card'
  ),
  format(
    $$ values (2::smallint, %1$L::timestamptz + interval '2 days', %1$L::timestamptz) $$,
    :'t9'
  ),
  'a wrong review synced late leaves the card in box 2, due as before'
);
select is(
  (select total_reviews from tutela.student_stats where student_id = :'student'),
  11::bigint,
  'the late review is still counted'
);

select results_eq(
  format($$ select leitner_box, due_at from tutela.flashcards where id = %L $$, :'untouched'),
  format($$ values (1::smallint, %L::timestamptz) $$, :'untouched_due'),
  'a card without reviews does not move'
);

select * from finish();
rollback;
