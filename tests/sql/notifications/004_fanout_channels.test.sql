-- The channels a guardian chose decide where a notification goes: in_app makes an alert row,
-- each external channel (email, sms, push) one outbox row (template 'alert', pending, due now)
-- with its own idempotency key, addressed to the guardian's user and carrying what the
-- message shows. Without in_app there is no alert row.
begin;
select plan(9);

select tutela_tests.create_user('mum-004@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-004@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 004', 'ntf-004') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 1') returning id as quiz1 \gset

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('child_graded', array['sms', 'email', 'push']);
select tutela_tests.authenticate_as(:'u_dad');
select tutela.set_notification_preference('child_graded', array['push', 'in_app']);
select tutela_tests.clear_authentication();

insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz1', 'graded', 85, now())
returning id as sub \gset

select dedupe_key as dads_key from tutela.alerts where recipient_id = :'u_dad' \gset

select bag_eq(
  $$ select recipient_user_id, channel from tutela_private.notification_outbox
     where kind = 'child_graded' $$,
  format(
    $$ values (%L::uuid, 'email'), (%L::uuid, 'sms'), (%L::uuid, 'push'),
       (%L::uuid, 'push') $$,
    :'u_mum', :'u_mum', :'u_mum', :'u_dad'
  ),
  'one outbox row per chosen external channel and guardian'
);
select results_eq(
  $$ select recipient_id from tutela.alerts where type = 'child_graded' $$,
  format($$ values (%L::uuid) $$, :'u_dad'),
  'an alert row only for the guardian who kept in_app'
);
select is(
  (
    select count(distinct idempotency_key)::integer from tutela_private.notification_outbox
    where kind = 'child_graded'
  ),
  4,
  'every message has its own idempotency key'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where
      kind = 'child_graded'
      and idempotency_key = :'dads_key' || ':' || recipient_user_id::text || ':' || channel
  ),
  4,
  'the key: the event''s dedupe key, the recipient and the channel'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where
      kind = 'child_graded' and template = 'alert' and status = 'pending'
      and attempts = 0 and next_attempt_at <= now() and student_id = :'sam'
  ),
  4,
  'each is a pending alert message about the student, due now'
);
select results_eq(
  format(
    $$ select payload ->> 'type', payload ->> 'severity', payload ->> 'title',
         payload ->> 'student_name', payload ->> 'submission_id', payload ->> 'percent'
       from tutela_private.notification_outbox where recipient_user_id = %L and channel = 'sms' $$,
    :'u_mum'
  ),
  format(
    $$ values ('child_graded', 'info', 'Graded: Quiz 1', 'Sam', %L, '85.0') $$, :'sub'
  ),
  'the payload: type, severity, title, the child''s name and the event''s data'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'child_graded' and channel = 'in_app'
  ),
  0,
  'in_app never goes to the outbox'
);

-- both guardians keep their choice for the next grade
insert into tutela.assignments (organization_id, course_id, title)
values (:'org', :'course', 'Quiz 2') returning id as quiz2 \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz2', 'graded', 40, now());
select is(
  (select count(*)::integer from tutela_private.notification_outbox where kind = 'child_graded'),
  8,
  'the next grade: four more messages'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_graded'),
  2,
  'and one more alert'
);

select * from finish();
rollback;
