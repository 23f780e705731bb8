-- tutela.drain_achievement_queue(p_limit) is the job: as the service role it takes up to
-- p_limit queued students, oldest first, off the queue, awards what they earned, and returns
-- the number of awards. Nobody else may call it (42501). check_achievements(student) also
-- takes that student, and only that one, off the queue.
begin;
select plan(14);

select tutela_tests.create_user('student-034@world.test') as u_student \gset
select tutela_tests.create_user('staff-034@world.test') as u_staff \gset
select tutela_tests.create_user('admin-034@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('Academy 034', 'academy-034')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Ann', :'u_student') returning id as ann \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Ben') returning id as ben \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Cat') returning id as cat \gset
insert into tutela.certificates (student_id, organization_id, title)
values (:'ann', :'org', 'Referee'), (:'ben', :'org', 'Referee'), (:'cat', :'org', 'Referee');
-- the queue order: Ann first, then Ben, then Cat
update tutela_private.achievement_queue
set due_at = date_trunc('minute', now()) - interval '3 hours' where student_id = :'ann';
update tutela_private.achievement_queue
set due_at = date_trunc('minute', now()) - interval '2 hours' where student_id = :'ben';
update tutela_private.achievement_queue
set due_at = date_trunc('minute', now()) - interval '1 hour' where student_id = :'cat';

-- Who has been awarded, as a sorted list of student ids.
create function pg_temp.awarded()
returns uuid[]
language sql
as $$
  select coalesce(array_agg(distinct sa.student_id order by sa.student_id), '{}')
  from tutela.student_achievements as sa
$$;

select tutela_tests.authenticate_as(:'u_admin');
select throws_ok(
  'select tutela.drain_achievement_queue()', '42501', null, 'an admin may not run the job'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  'select tutela.drain_achievement_queue(10)', '42501', null, 'staff may not run the job'
);
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  'select tutela.drain_achievement_queue()', '42501', null, 'a student may not run the job'
);
select tutela_tests.as_anon();
select throws_ok(
  'select tutela.drain_achievement_queue()', '42501', null, 'anon may not run the job'
);

select tutela_tests.as_service_role();
select is(tutela.drain_achievement_queue(2), 2, 'a batch of 2: two awards');
select tutela_tests.clear_authentication();
select is(
  pg_temp.awarded(),
  (select array_agg(x order by x) from unnest(array[:'ann'::uuid, :'ben'::uuid]) as x),
  'the two oldest in the queue (Ann, Ben) were checked'
);
select is(
  (select array_agg(student_id) from tutela_private.achievement_queue), array[:'cat'::uuid],
  'Cat is still queued'
);

select tutela_tests.as_service_role();
select is(tutela.drain_achievement_queue(), 1, 'the next run awards Cat');
select is(tutela.drain_achievement_queue(), 0, 'an empty queue: nothing to do');
select tutela_tests.clear_authentication();
select is_empty($$ select 1 from tutela_private.achievement_queue $$, 'the queue is empty');
select is(
  (select count(*)::integer from tutela.student_achievements), 3,
  'three awards in all'
);

-- a write that earns nothing new: queued, drained, no award
insert into tutela.certificates (student_id, organization_id, title)
values (:'ann', :'org', 'Coach level 1');
select tutela_tests.as_service_role();
select is(tutela.drain_achievement_queue(), 0, 'a second certificate: drained, no award');

-- check_achievements takes only the checked student off the queue
select tutela_tests.clear_authentication();
insert into tutela.journal_entries (student_id, entry_date)
values (:'ann', current_date), (:'ben', current_date);
select tutela_tests.authenticate_as(:'u_staff');
select is_empty(
  format('select * from tutela.check_achievements(%L)', :'ann'),
  'staff checks Ann: nothing new'
);
select tutela_tests.clear_authentication();
select is(
  (select array_agg(student_id) from tutela_private.achievement_queue), array[:'ben'::uuid],
  'Ann left the queue, Ben is still queued'
);

select * from finish();
rollback;
