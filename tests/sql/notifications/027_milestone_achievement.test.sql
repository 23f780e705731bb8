-- milestone_reached on achievements: an award made by check_achievements (run here as the
-- service role) notifies every active guardian whose link grants `progress`, in-app and by
-- push, naming the achievement; checking again awards and notifies nothing.
begin;
select plan(5);

select tutela_tests.create_user('mum-027@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-027@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 027', 'ntf-027') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_noperm', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"progress": false}'
);
-- seven journal days earn journal_7
insert into tutela.journal_entries (student_id, entry_date)
select
  :'sam' as student_id,
  current_date - d as entry_date
from generate_series(1, 7) as d;

prepare badge_alerts as
select
  recipient_id,
  data ->> 'achievement' as achievement
from tutela.alerts
where type = 'milestone_reached' and data ->> 'kind' = 'achievement';

select is_empty('badge_alerts', 'nothing before the check');
select tutela_tests.as_service_role();
select results_eq(
  format($$ select code from tutela.check_achievements(%L) $$, :'sam'),
  $$ values ('journal_7'::text) $$,
  'the check awards journal_7'
);
select tutela_tests.clear_authentication();
select results_eq(
  'badge_alerts',
  format($$ values (%L::uuid, 'journal_7') $$, :'u_mum'),
  'the award notifies the guardian with progress only'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'milestone_reached' and channel = 'push' and recipient_user_id = :'u_mum'
  ),
  1,
  'with a push message'
);
select tutela_tests.as_service_role();
select tutela.check_achievements(:'sam');
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela.alerts where type = 'milestone_reached'),
  1,
  'checking again notifies nothing'
);

select * from finish();
rollback;
