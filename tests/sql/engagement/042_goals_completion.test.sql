-- Goals: the database stamps completion. When a goal's status becomes 'completed' (on insert
-- or update) completed_at is set to now and progress to 100, whatever the client sends; a goal
-- that leaves 'completed' loses completed_at; a client-sent completed_at on a goal that is not
-- completed is dropped; every update refreshes updated_at.
begin;
select plan(16);

select tutela_tests.create_user('student@goaldone.test') as u_student \gset
select tutela_tests.create_user('guardian@goaldone.test') as u_guardian \gset
insert into tutela.organizations (name, slug)
values ('Goal done', 'goal-done') returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());

-- insert completed: stamped now, progress 100 (the client's values are replaced)
select tutela_tests.authenticate_as(:'u_student');
insert into tutela.goals (student_id, title, status, progress_percent, completed_at)
values (:'student', 'Done at once', 'completed', 10, '2000-01-01');
-- insert active with a completed_at: dropped
insert into tutela.goals (student_id, title, status, progress_percent, completed_at)
values (:'student', 'Not done', 'active', 30, '2000-01-01');
select tutela_tests.clear_authentication();
select row_eq(
  $$select completed_at, progress_percent from tutela.goals where title = 'Done at once'$$,
  row(now(), 100::smallint),
  'insert completed: completed_at is now and progress 100'
);
select row_eq(
  $$select completed_at, progress_percent from tutela.goals where title = 'Not done'$$,
  row(null::timestamptz, 30::smallint),
  'insert active: a client-sent completed_at is dropped, progress kept'
);

-- update to completed: stamped (back-date the row first so that the stamp is visible)
update tutela.goals set updated_at = now() - interval '3 days' where title = 'Not done';
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set status = 'completed', completed_at = '2000-01-01', progress_percent = 40
where title = 'Not done';
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Not done'), now(),
  'update to completed: completed_at is now (not the client''s value)'
);
select is(
  (select progress_percent from tutela.goals where title = 'Not done'), 100::smallint,
  'update to completed: progress is 100 (not the client''s value)'
);
select is(
  (select updated_at from tutela.goals where title = 'Not done'), now(),
  'update: updated_at is refreshed'
);

-- a completed goal keeps its completion time through other edits
update tutela.goals set completed_at = now() - interval '2 days' where title = 'Done at once';
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set description = 'Well done' where title = 'Done at once';
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Done at once'),
  now() - interval '2 days',
  'update of a completed goal that stays completed: completed_at unchanged'
);

-- the student cannot rewrite when or how far a completed goal was done
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set completed_at = '2000-01-01', progress_percent = 5
where title = 'Done at once';
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Done at once'),
  now() - interval '2 days',
  'a client cannot rewrite completed_at of a completed goal'
);
select is(
  (select progress_percent from tutela.goals where title = 'Done at once'), 100::smallint,
  'a completed goal stays at 100 percent'
);

-- leaving completed clears completed_at; completing again stamps again
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set status = 'active' where title = 'Done at once';
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Done at once'), null,
  'update completed -> active: completed_at cleared'
);
select is(
  (select status from tutela.goals where title = 'Done at once'), 'active',
  'update completed -> active: status active'
);
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set status = 'paused', completed_at = now() where title = 'Done at once';
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Done at once'), null,
  'update to paused with a client-sent completed_at: dropped'
);
update tutela.goals set progress_percent = 20 where title = 'Done at once';
select tutela_tests.authenticate_as(:'u_student');
update tutela.goals set status = 'completed' where title = 'Done at once';
select tutela_tests.clear_authentication();
select row_eq(
  $$select completed_at, progress_percent from tutela.goals where title = 'Done at once'$$,
  row(now(), 100::smallint),
  'update paused -> completed: stamped again, progress 100'
);

-- the same stamp applies to a guardian's family goal
select tutela_tests.authenticate_as(:'u_guardian');
insert into tutela.goals (student_id, kind, title, status)
values (:'student', 'family', 'Family outing', 'active');
update tutela.goals set status = 'completed' where title = 'Family outing';
select tutela_tests.clear_authentication();
select row_eq(
  $$select completed_at, progress_percent from tutela.goals where title = 'Family outing'$$,
  row(now(), 100::smallint),
  'a guardian completing a family goal: stamped, progress 100'
);
select is(
  (select kind from tutela.goals where title = 'Family outing'), 'family',
  'the family goal is still a family goal'
);

-- cancelled and paused goals have no completion time
select tutela_tests.authenticate_as(:'u_student');
insert into tutela.goals (student_id, title, status, completed_at)
values (:'student', 'Dropped', 'cancelled', now());
select tutela_tests.clear_authentication();
select is(
  (select completed_at from tutela.goals where title = 'Dropped'), null,
  'insert cancelled with a client-sent completed_at: dropped'
);
select is(
  (select count(*) from tutela.goals where status <> 'completed' and completed_at is not null),
  0::bigint,
  'no goal that is not completed has a completion time'
);

select * from finish();
rollback;
