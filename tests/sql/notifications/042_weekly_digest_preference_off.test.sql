-- A guardian who turned the weekly_digest preference off (for all children, or for one child)
-- gets no weekly_digest outbox message for it; other guardians and other children still do.
-- A guardian may also choose other channels for it (push here).
begin;
select plan(4);

select tutela_tests.create_user('mum-042@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-042@ntf.test') as u_dad \gset
select tutela_tests.create_user('gran-042@ntf.test') as u_gran \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 042', 'ntf-042', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now()),
(:'kim', :'u_dad', 'active', 'staff', now()),
(:'sam', :'u_gran', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_notification_preference('weekly_digest', p_enabled => false);
select tutela_tests.authenticate_as(:'u_dad');
select tutela.set_notification_preference(
  'weekly_digest', p_enabled => false, p_student_id => :'kim'
);
select tutela_tests.authenticate_as(:'u_gran');
select tutela.set_notification_preference('weekly_digest', array['push']);
select tutela_tests.clear_authentication();

select tutela_private.run_weekly_digests(date_trunc('week', now() - interval '7 days')::date);

select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'weekly_digest' and recipient_user_id = :'u_mum'
  ),
  0,
  'preference off: no message'
);
select results_eq(
  format(
    $$ select student_id from tutela_private.notification_outbox
       where kind = 'weekly_digest' and recipient_user_id = %L $$,
    :'u_dad'
  ),
  format($$ values (%L::uuid) $$, :'sam'),
  'off for one child: a message for the other child only'
);
select results_eq(
  format(
    $$ select channel, template from tutela_private.notification_outbox
       where kind = 'weekly_digest' and recipient_user_id = %L $$,
    :'u_gran'
  ),
  $$ values ('push'::text, 'weekly_digest'::text) $$,
  'another channel chosen: the digest goes there'
);
select is(
  (select count(*)::integer from tutela.alerts where type = 'weekly_digest'),
  0,
  'no in-app alert for anyone'
);

select * from finish();
rollback;
