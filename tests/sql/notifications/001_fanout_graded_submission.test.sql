-- A graded submission notifies (type child_graded) each active guardian of the student whose
-- link grants `grades`: one in-app alert each, and no outbox message, since child_graded's
-- default channels are in_app only. Nobody else hears of it: a guardian without `grades`, a
-- pending or a revoked guardian, another child's guardian. A submission not yet graded
-- notifies nobody; grading it later (an update into 'graded') does.
begin;
select plan(10);

select tutela_tests.create_user('mum-001@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-001@ntf.test') as u_dad \gset
select tutela_tests.create_user('noperm-001@ntf.test') as u_noperm \gset
select tutela_tests.create_user('pending-001@ntf.test') as u_pending \gset
select tutela_tests.create_user('revoked-001@ntf.test') as u_revoked \gset
select tutela_tests.create_user('kims-001@ntf.test') as u_kims \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 001', 'ntf-001', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'sam', :'u_mum', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"grades": true}'
),
(
  :'sam', :'u_dad', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"grades": true}'
),
(
  :'sam', :'u_noperm', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"grades": false}'
),
(
  :'sam', :'u_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"grades": true}'
),
(
  :'sam', :'u_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"grades": true}'
),
(
  :'kim', :'u_kims', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"grades": true}'
);
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as course \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 1', 20) returning id as quiz1 \gset
insert into tutela.assignments (organization_id, course_id, title, max_score)
values (:'org', :'course', 'Quiz 2', 20) returning id as quiz2 \gset

prepare graded_alerts as
select
  a.recipient_id,
  a.student_id,
  a.data ->> 'submission_id' as submission_id
from tutela.alerts as a
where a.type = 'child_graded';

-- graded on insert: 17/20
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz1', 'graded', 17, now())
returning id as sub1 \gset

select bag_eq(
  'graded_alerts',
  format(
    $$ values (%L::uuid, %L::uuid, %L), (%L::uuid, %L::uuid, %L) $$,
    :'u_mum', :'sam', :'sub1', :'u_dad', :'sam', :'sub1'
  ),
  'one child_graded alert for each active guardian with grades, about the student'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id in (:'u_noperm', :'u_pending', :'u_revoked', :'u_kims')
  ),
  0,
  'none for a guardian without grades, a pending, a revoked or another child''s guardian'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where student_id = :'sam' and kind = 'child_graded'
  ),
  0,
  'no outbox message: child_graded goes in-app only by default'
);
select results_eq(
  format(
    $$ select severity, title, message, (data ->> 'percent')::numeric
       from tutela.alerts where recipient_id = %L $$,
    :'u_mum'
  ),
  $$ values ('info'::text, 'Graded: Quiz 1'::text, 'Score 85.0%.'::text, 85.0::numeric) $$,
  'the alert: severity info, the assignment, the score as a percent of the maximum'
);
select is(
  (select read_at from tutela.alerts where recipient_id = :'u_mum'),
  null,
  'the alert starts unread'
);

-- handed in, not graded: nobody hears of it
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, submitted_at
)
values (:'sam', :'org', :'quiz2', 'submitted', now())
returning id as sub2 \gset
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_graded'),
  2,
  'a submission handed in but not graded notifies nobody'
);
update tutela.submissions set status = 'in_review' where id = :'sub2';
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_graded'),
  2,
  'nor does a move to in_review'
);

-- graded later: an update into 'graded'
update tutela.submissions set status = 'graded', score = 10, graded_at = now()
where id = :'sub2';
select bag_eq(
  format(
    $$ select recipient_id from tutela.alerts
       where type = 'child_graded' and data ->> 'submission_id' = %L $$,
    :'sub2'
  ),
  format($$ values (%L::uuid), (%L::uuid) $$, :'u_mum', :'u_dad'),
  'grading it later notifies the same guardians'
);

-- Kim's grade reaches only Kim's guardian
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'kim', :'org', :'quiz1', 'graded', 20, now());
select results_eq(
  format(
    $$ select recipient_id from tutela.alerts
       where type = 'child_graded' and student_id = %L $$,
    :'kim'
  ),
  format($$ values (%L::uuid) $$, :'u_kims'),
  'another child''s grade reaches only that child''s guardian'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_graded'),
  5,
  'five alerts in all: two per graded submission of Sam, one for Kim'
);

select * from finish();
rollback;
