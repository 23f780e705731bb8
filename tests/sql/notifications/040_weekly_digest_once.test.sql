-- tutela_private.run_weekly_digests(week_start) makes one digest per active guardian with
-- `progress`, per child, per week (Monday to Sunday), stored in tutela_private.weekly_digests, and
-- returns how many it made. Running it again for the same week makes none (0, no new rows,
-- no new outbox messages); another week gets its own. Without an argument it digests the
-- week before the current one.
begin;
select plan(8);

select tutela_tests.create_user('mum-040@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-040@ntf.test') as u_dad \gset
select tutela_tests.create_user('noprog-040@ntf.test') as u_noprog \gset
select tutela_tests.create_user('pending-040@ntf.test') as u_pending \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 040', 'ntf-040', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'kim', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_dad', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"grades": false}'
),
(
  :'sam', :'u_noprog', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(:'sam', :'u_pending', 'pending', 'code', null, tutela_hidden.default_link_permissions());

select date_trunc('week', (now() at time zone 'utc')::date - 7)::date as last_monday \gset

select is(
  tutela_private.run_weekly_digests(:'last_monday'), 3,
  'three digests: mum for each child, dad for Sam'
);
select bag_eq(
  $$ select guardian_id, student_id, week_start from tutela_private.weekly_digests $$,
  format(
    $$ values (%L::uuid, %L::uuid, %L::date), (%L, %L, %L), (%L, %L, %L) $$,
    :'u_mum', :'sam', :'last_monday', :'u_mum', :'kim', :'last_monday',
    :'u_dad', :'sam', :'last_monday'
  ),
  'one per guardian with progress and child; none for a guardian without progress or pending'
);
select is(
  (select count(*)::integer from tutela_private.notification_outbox where kind = 'weekly_digest'),
  3,
  'one outbox message each'
);

select is(tutela_private.run_weekly_digests(:'last_monday'), 0, 'the same week again: none made');
select is(
  tutela_private.run_weekly_digests(), 0, 'without an argument: the same (last) week, none'
);
select results_eq(
  $$ select (select count(*)::integer from tutela_private.weekly_digests),
       (select count(*)::integer from tutela_private.notification_outbox
         where kind = 'weekly_digest') $$,
  $$ values (3, 3) $$,
  'no new digest and no new message'
);

select is(
  tutela_private.run_weekly_digests((:'last_monday'::date - 7)), 3,
  'the week before: three more'
);
select is(
  (select count(*)::integer from tutela_private.notification_outbox where kind = 'weekly_digest'),
  6,
  'each with its message'
);

select * from finish();
rollback;
