-- Fan-out is idempotent on the event's dedupe key: the same event notified again adds no
-- alert and no outbox message (per recipient, per channel). Saving a graded submission again
-- without a new score (feedback, graded -> returned) is not a new event; a new score is.
begin;
select plan(8);

select tutela_tests.create_user('mum-006@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 006', 'ntf-006') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as quiz1 \gset

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('child_graded', array['in_app', 'email', 'push']);
select tutela_tests.clear_authentication();

prepare counts as
select
  (select count(*)::integer from tutela.alerts where recipient_id = :'u_mum') as alerts,
  (
    select count(*)::integer from tutela_private.notification_outbox
    where recipient_user_id = :'u_mum'
  ) as messages;

-- the same event twice through tutela_private.notify
select tutela_private.notify(
  :'sam', 'child_graded', 'Graded: Essay', 'Score 90%.', 'test-006-essay'
);
select results_eq('counts', 'values (1, 2)', 'one event: an alert, an email and a push');
select tutela_private.notify(
  :'sam', 'child_graded', 'Graded: Essay', 'Score 90%.', 'test-006-essay'
);
select results_eq('counts', 'values (1, 2)', 'the same dedupe key again adds nothing');
select tutela_private.notify(
  :'sam', 'child_graded', 'Graded: Essay', 'Score 95%.', 'test-006-essay2'
);
select results_eq('counts', 'values (2, 4)', 'another dedupe key is another event');

-- the trigger: a graded submission saved again without a new score
delete from tutela.alerts;
delete from tutela_private.notification_outbox;
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz1', 'graded', 70, now())
returning id as sub \gset
select results_eq('counts', 'values (1, 2)', 'a graded submission: one event');
update tutela.submissions set feedback = 'Well done' where id = :'sub';
select results_eq('counts', 'values (1, 2)', 'new feedback, same score: nothing new');
update tutela.submissions set status = 'returned' where id = :'sub';
select results_eq('counts', 'values (1, 2)', 'graded -> returned, same score: nothing new');
update tutela.submissions set status = 'graded', graded_at = now() where id = :'sub';
select results_eq('counts', 'values (1, 2)', 'returned -> graded, same score: nothing new');
update tutela.submissions set score = 75 where id = :'sub';
select results_eq('counts', 'values (2, 4)', 'a new score: a new event');

select * from finish();
rollback;
