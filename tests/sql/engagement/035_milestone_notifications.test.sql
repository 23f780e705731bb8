-- A new award notifies ('milestone_reached': an in-app alert, and a push message in the outbox by
-- default) each active guardian of that student whose link grants `progress`: not a guardian
-- without the permission, a pending or a revoked one, nor another student's guardian.
-- The alert names the achievement. Checking again, with nothing new, notifies nobody.
begin;
select plan(9);

select tutela_tests.create_user('mum-035@world.test') as u_mum \gset
select tutela_tests.create_user('dad-035@world.test') as u_dad \gset
select tutela_tests.create_user('noperm-035@world.test') as u_noperm \gset
select tutela_tests.create_user('pending-035@world.test') as u_pending \gset
select tutela_tests.create_user('revoked-035@world.test') as u_revoked \gset
select tutela_tests.create_user('kims-guardian-035@world.test') as u_kims_guardian \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy 035', 'academy-035', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'student', :'u_mum', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_dad', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_noperm', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'student', :'u_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'kim', :'u_kims_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
);

prepare milestones as
select
  a.recipient_id,
  a.student_id,
  a.data ->> 'achievement' as achievement
from tutela.alerts as a
where a.type = 'milestone_reached' and a.data ? 'achievement';

select is_empty('milestones', 'no milestone before any award');

-- one award
insert into tutela.certificates (student_id, organization_id, title)
values (:'student', :'org', 'Club referee');
select tutela_tests.as_service_role();
select is(
  (select count(*)::integer from tutela.check_achievements(:'student')), 1,
  'one new award'
);
select tutela_tests.clear_authentication();
select bag_eq(
  'milestones',
  format(
    $$ values
      (%L::uuid, %L::uuid, 'first_certificate'), (%L::uuid, %L::uuid, 'first_certificate') $$,
    :'u_mum', :'student', :'u_dad', :'student'
  ),
  'one row for each active guardian with progress, naming the student and the achievement'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'milestone_reached' and payload ? 'achievement' and channel = 'push'
  ),
  2,
  'two push messages (the default channels), not one more'
);
select results_eq(
  $$ select distinct a.data from tutela.alerts as a
     where a.type = 'milestone_reached' and a.data ? 'achievement' $$,
  $$ select jsonb_build_object(
       'achievement', 'first_certificate', 'title', 'First certificate',
       'awarded_at', sa.awarded_at, 'kind', 'achievement'
     )
     from tutela.student_achievements as sa $$,
  'the alert data: the code, the title and the award time'
);

-- nothing new
select tutela_tests.as_service_role();
select is_empty(
  format('select * from tutela.check_achievements(%L)', :'student'),
  'checking again awards nothing'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*)::integer from tutela.alerts
    where type = 'milestone_reached' and data ? 'achievement'
  ),
  2,
  'and notifies nobody'
);

-- the job: awards for two students, each notifying only that student's guardians
insert into tutela.journal_entries (student_id, entry_date)
select
  :'student' as student_id,
  current_date - d as entry_date
from generate_series(1, 7) as d;
insert into tutela.certificates (student_id, organization_id, title)
values (:'kim', :'org', 'First aid');
select tutela_tests.as_service_role();
select is(tutela.drain_achievement_queue(), 2, 'the job awards journal_7 and Kim''s certificate');
select tutela_tests.clear_authentication();
select bag_eq(
  'milestones',
  format(
    $$ values
      (%L::uuid, %L::uuid, 'first_certificate'), (%L::uuid, %L::uuid, 'first_certificate'),
      (%L::uuid, %L::uuid, 'journal_7'), (%L::uuid, %L::uuid, 'journal_7'),
      (%L::uuid, %L::uuid, 'first_certificate') $$,
    :'u_mum', :'student', :'u_dad', :'student',
    :'u_mum', :'student', :'u_dad', :'student',
    :'u_kims_guardian', :'kim'
  ),
  'the job notifies the same way: each such guardian of each awarded student, once'
);

select * from finish();
rollback;
