-- What scheduled jobs and events queue for later is checked again like any message: an early
-- warning (assignment_missing, email) and a milestone (a certificate, push), both needing
-- `progress`, are cancelled when the student withdraws progress from Mum's link (the trigger),
-- and never claimed; Dad's copies go. With the trigger off, the claim alone cancels them when
-- family access is switched off by the organisation's admin.
begin;
select plan(5);

select tutela_tests.create_user('mum-084@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-084@ntf.test') as u_dad \gset
select tutela_tests.create_user('kid-084@ntf.test') as u_kid \gset
select tutela_tests.create_user('admin-084@ntf.test') as u_admin \gset
insert into tutela.organizations (name, slug)
values ('Ntf 084', 'ntf-084') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
select tutela_tests.attach_student_login(:'sam', :'u_kid');
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
select id as mum_link from tutela.guardian_links where guardian_id = :'u_mum' \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.enrollments (student_id, organization_id, course_id)
values (:'sam', :'org', :'algebra');
insert into tutela.assignments (organization_id, course_id, title, due_at)
values (:'org', :'algebra', 'Essay', now() - interval '1 day');

select is(tutela_private.run_early_warnings(), 2, 'the early warning: Mum and Dad');
insert into tutela.certificates (student_id, organization_id, title)
values (:'sam', :'org', 'Junior referee');
select is(
  (select count(*)::integer from tutela_private.notification_outbox where status = 'pending'),
  4,
  'queued: an email and a push for each guardian'
);

-- the student withdraws progress from Mum's link
select tutela_tests.authenticate_as(:'u_kid');
select tutela.set_guardian_link_permissions(:'mum_link', '{"progress": false}');
select tutela_tests.clear_authentication();
select results_eq(
  $$ select kind, channel, status, cancel_reason from tutela_private.notification_outbox
     where status = 'cancelled' order by kind $$,
  $$ values ('assignment_missing'::text, 'email'::text, 'cancelled'::text,
       'permission_withdrawn'::text),
     ('milestone_reached', 'push', 'cancelled', 'permission_withdrawn') $$,
  'Mum''s two are cancelled at once'
);

-- family access off (no trigger involved): the claim cancels Dad's
select tutela_tests.authenticate_as(:'u_admin');
select tutela.update_organization_settings(:'org', '{"family_access_enabled": false}');
select tutela_tests.as_service_role();
select is_empty('select 1 from tutela.claim_notifications(100, 300)', 'nothing is claimed');
select tutela_tests.clear_authentication();
select results_eq(
  $$ select status, cancel_reason, count(*)::integer from tutela_private.notification_outbox
     group by 1, 2 order by 2 $$,
  $$ values ('cancelled'::text, 'family_access_off'::text, 2),
     ('cancelled', 'permission_withdrawn', 2) $$,
  'Dad''s two are cancelled by the claim, family access off'
);

select * from finish();
rollback;
