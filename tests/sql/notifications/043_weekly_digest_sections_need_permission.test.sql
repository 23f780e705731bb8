-- The weekly digest needs `progress`; its sections that show more need their own permission
-- when it is made: the week's grades need `grades`, its attendance `attendance` (null without).
-- An in-app digest alert (a guardian who chose in_app) carries only what `progress` shows (its
-- type's permission): the grades and attendance go by email only, where they are checked again
-- when the message is sent.
begin;
select plan(5);

select tutela_tests.create_user('mum-043@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-043@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 043', 'ntf-043') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_dad', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"attendance": false}'
);
select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('weekly_digest', array['email', 'in_app']);
select tutela_tests.clear_authentication();

select is(tutela_private.run_weekly_digests(), 2, 'a digest for each guardian');
select is(
  (
    select payload -> 'attendance' from tutela_private.notification_outbox
    where kind = 'weekly_digest' and recipient_user_id = :'u_dad'
  ),
  'null'::jsonb,
  'without attendance: no attendance section'
);
select is(
  (
    select payload -> 'attendance' from tutela_private.notification_outbox
    where kind = 'weekly_digest' and recipient_user_id = :'u_mum'
  ),
  '{"attended": 0, "missed": 0}'::jsonb,
  'with attendance: the section'
);
select is(
  (
    select (data ? 'grades') or (data ? 'attendance') from tutela.alerts
    where type = 'weekly_digest' and recipient_id = :'u_mum'
  ),
  false,
  'the in-app digest has neither grades nor attendance'
);
select ok(
  (
    select data ? 'days' and data ? 'totals' and data ? 'upcoming' from tutela.alerts
    where type = 'weekly_digest' and recipient_id = :'u_mum'
  ),
  'but the week''s activity and what is coming up'
);

select * from finish();
rollback;
