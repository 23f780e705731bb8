-- History is immutable: an update of card_reviews, activity_events or points_ledger raises
-- TU403 even for the owner and the service role (the rollups count every row once; history is
-- corrected by delete and insert). Clients have no update right at all (42501).
begin;
select plan(12);

select tutela_tests.create_user('student-107@world.test') as u_student \gset
select tutela_tests.create_user('staff-107@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 107', 'world-107')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset

select tutela_tests.clear_authentication();
insert into tutela.card_reviews (student_id, flashcard_id, correct, quality)
values (:'student', :'card', false, 1) returning id as review \gset
insert into tutela.activity_events (student_id, kind, minutes)
values (:'student', 'lesson', 10) returning id as activity \gset
insert into tutela.points_ledger (student_id, points, reason)
values (:'student', 5, 'Bonus') returning id as points \gset

prepare upd_review as
update tutela.card_reviews set correct = true, quality = 5 where id = :'review';
prepare upd_review_day as
update tutela.card_reviews set reviewed_at = reviewed_at - interval '3 days'
where id = :'review';
prepare upd_activity as
update tutela.activity_events set minutes = 600 where id = :'activity';
prepare upd_points as
update tutela.points_ledger set points = 5000 where id = :'points';

-- the owner
select throws_ok('upd_review', 'TU403', null, 'the owner cannot update a review');
select throws_ok(
  'upd_review_day', 'TU403', null, 'the owner cannot move a review to another day'
);
select throws_ok('upd_activity', 'TU403', null, 'the owner cannot update an activity');
select throws_ok('upd_points', 'TU403', null, 'the owner cannot update ledger points');

-- the service role
select tutela_tests.as_service_role();
select throws_ok('upd_review', 'TU403', null, 'the service role cannot update a review');
select throws_ok('upd_activity', 'TU403', null, 'the service role cannot update an activity');
select throws_ok('upd_points', 'TU403', null, 'the service role cannot update ledger points');

-- clients have no update right
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('upd_review', '42501', null, 'the student cannot update a review');
select throws_ok('upd_activity', '42501', null, 'the student cannot update an activity');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('upd_points', '42501', null, 'staff cannot update ledger points');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select r.correct, r.quality, r.xp, a.minutes, p.points
       from tutela.card_reviews as r, tutela.activity_events as a, tutela.points_ledger as p
       where r.id = %L and a.id = %L and p.id = %L $$,
    :'review', :'activity', :'points'
  ),
  $$ values (false, 1::smallint, 2, 10, 5) $$,
  'the rows are unchanged'
);
select results_eq(
  format(
    $$ select total_reviews, total_correct, total_xp, total_points, total_minutes
       from tutela.student_stats where student_id = %L $$,
    :'student'
  ),
  $$ values (1::bigint, 0::bigint, 2::bigint, 7::bigint, 10::bigint) $$,
  'the totals are unchanged'
);

select * from finish();
rollback;
