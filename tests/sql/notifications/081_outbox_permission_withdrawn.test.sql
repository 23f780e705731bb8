-- A permission withdrawn cancels the queued messages that need it, and only those: with
-- attendance off, Mum's child_absent email is cancelled ('permission_withdrawn') while her
-- weekly digest (progress) stays queued; with progress off, the digest goes too. A digest
-- whose sections need more than progress keeps its place in the queue, but what Mum may no
-- longer read is taken out when it is claimed: with grades off its grades are null, with
-- attendance off its attendance is null (as a digest made now would be).
begin;
select plan(9);

select tutela_tests.create_user('mum-081@ntf.test') as u_mum \gset
select tutela_tests.create_user('staff-081@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug)
values ('Ntf 081', 'ntf-081') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now()) returning id as link \gset
select date_trunc('week', (now() at time zone 'utc')::date - 7)::date as mon \gset

-- last week: a graded quiz and a missed class
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.assignments (organization_id, course_id, title, max_score, due_at)
values (:'org', :'algebra', 'Quiz', 20, :'mon'::date + 1) returning id as quiz \gset
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
values (:'sam', :'org', :'quiz', 'graded', 17, :'mon'::date + interval '1 day 10 hours');
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values (
  :'org', 'Live', :'mon'::date + interval '2 days 15 hours',
  :'mon'::date + interval '2 days 16 hours'
) returning id as live \gset
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'sam', :'org', :'live', 'missed');
select is(tutela_private.run_weekly_digests(:'mon'), 1, 'the digest is queued');
select ok(
  (
    select payload -> 'grades' <> 'null'::jsonb and payload -> 'attendance' <> 'null'::jsonb
    from tutela_private.notification_outbox where kind = 'weekly_digest'
  ),
  'queued with the week''s grades and attendance'
);

-- attendance withdrawn: the absence email goes, the digest stays
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"attendance": false}');
select tutela_tests.clear_authentication();
select results_eq(
  $$ select kind, status, cancel_reason from tutela_private.notification_outbox order by kind $$,
  $$ values ('child_absent'::text, 'cancelled'::text, 'permission_withdrawn'::text),
     ('weekly_digest', 'pending', null) $$,
  'attendance off: child_absent cancelled, the digest stays'
);

-- grades withdrawn as well: still queued; claimed without grades and attendance
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"grades": false}');
select tutela_tests.clear_authentication();
select is(
  (select status from tutela_private.notification_outbox where kind = 'weekly_digest'),
  'pending',
  'grades off: the digest (progress) stays queued'
);
select tutela_tests.as_service_role();
select payload as claimed from tutela.claim_notifications(10, 300)
where template = 'weekly_digest' \gset
select tutela_tests.clear_authentication();
select is(:'claimed'::jsonb -> 'grades', 'null'::jsonb, 'claimed: its grades are taken out');
select is(
  :'claimed'::jsonb -> 'attendance', 'null'::jsonb, 'and its attendance'
);
select is(
  (select payload -> 'grades' from tutela_private.notification_outbox where kind = 'weekly_digest'),
  'null'::jsonb,
  'the row keeps what was handed out'
);
select ok(
  (
    select jsonb_array_length(payload -> 'days') = 7 from tutela_private.notification_outbox
    where kind = 'weekly_digest'
  ),
  'the rest of the week is still there'
);

-- progress withdrawn: the digest (even claimed) is cancelled
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"progress": false}');
select tutela_tests.clear_authentication();
select results_eq(
  $$ select status, cancel_reason from tutela_private.notification_outbox
     where kind = 'weekly_digest' $$,
  $$ values ('cancelled'::text, 'permission_withdrawn'::text) $$,
  'progress off: the digest is cancelled'
);

select * from finish();
rollback;
