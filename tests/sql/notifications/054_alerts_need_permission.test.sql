-- Each alert type names the link permission it needs (tutela_private.notification_types()), and an
-- alert about a child is shown only while its recipient's link grants that permission: the
-- table under RLS, list_alerts, count_unread_alerts, mark_alert_read and dismiss_alert
-- (TU403, like an unknown alert) all agree. With grades switched off, old child_graded alerts
-- (they carry scores) are hidden; with attendance off, child_absent alerts; switched on again,
-- they are back: the permission decides, nothing is deleted. Every type of alert is readable
-- with every permission on.
begin;
select plan(20);

select tutela_tests.create_user('mum-054@ntf.test') as u_mum \gset
select tutela_tests.create_user('staff-054@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug)
values ('Ntf 054', 'ntf-054') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now()) returning id as link \gset
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key, created_at)
values
(:'u_mum', :'sam', 'child_graded', 'graded', 'g', now() - interval '1 hour'),
(:'u_mum', :'sam', 'child_absent', 'absent', 'a', now() - interval '2 hours'),
(:'u_mum', :'sam', 'milestone_reached', 'badge', 'm', now() - interval '3 hours'),
(:'u_mum', null, 'milestone_reached', 'no child', 'n', now() - interval '4 hours');
select id as graded from tutela.alerts where dedupe_key = 'g' \gset
select id as absent from tutela.alerts where dedupe_key = 'a' \gset

prepare visible as select title from tutela.alerts order by created_at desc;
prepare listed as select title from tutela.list_alerts() order by created_at desc;

select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('graded'), ('absent'), ('badge'), ('no child') $$,
  'every permission on: all four'
);

-- grades off
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"grades": false}');
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('absent'), ('badge'), ('no child') $$,
  'grades off: child_graded hidden from the table'
);
select results_eq(
  'listed', $$ values ('absent'), ('badge'), ('no child') $$, 'and from list_alerts'
);
select is_empty(
  $$ select 1 from tutela.list_alerts(p_types => array['child_graded']) $$,
  'asking for child_graded by type finds nothing'
);
select is(tutela.count_unread_alerts(), 3, 'the unread count leaves it out');
select throws_ok(
  format($$ select tutela.mark_alert_read(%L) $$, :'graded'), 'TU403', null,
  'mark_alert_read: TU403'
);
select throws_ok(
  format($$ select tutela.dismiss_alert(%L) $$, :'graded'), 'TU403', null,
  'dismiss_alert: TU403'
);
select lives_ok(
  format($$ select tutela.mark_alert_read(%L) $$, :'absent'),
  'an alert she may read can be marked read'
);

-- attendance off as well
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"attendance": false}');
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('badge'), ('no child') $$,
  'attendance off: child_absent hidden from the table'
);
select results_eq('listed', $$ values ('badge'), ('no child') $$, 'and from list_alerts');
select is(tutela.count_unread_alerts(), 2, 'and from the unread count');
select throws_ok(
  format($$ select tutela.dismiss_alert(%L) $$, :'absent'), 'TU403', null,
  'dismiss_alert: TU403'
);

-- both on again: back, with their state
select tutela_tests.authenticate_as(:'u_staff');
select tutela.set_guardian_link_permissions(:'link', '{"grades": true, "attendance": true}');
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('graded'), ('absent'), ('badge'), ('no child') $$,
  'switched on again: all four are back in the table'
);
select results_eq(
  'listed', $$ values ('graded'), ('absent'), ('badge'), ('no child') $$, 'and in list_alerts'
);
select is(tutela.count_unread_alerts(), 3, 'counted again (absent was read)');
select lives_ok(
  format($$ select tutela.dismiss_alert(%L) $$, :'graded'), 'and can be dismissed'
);

-- every type: readable with every permission on, hidden with that permission off
select tutela_tests.clear_authentication();
delete from tutela.alerts;
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key)
select
  :'u_mum' as recipient_id,
  :'sam' as student_id,
  t.type,
  t.type as title,
  t.type as dedupe_key
from tutela_private.notification_types() as t;
select array_agg(type order by type)::text as all_types
from tutela_private.notification_types() \gset
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'select type from tutela.alerts order by type',
  format('select unnest(%L::text[])', :'all_types'),
  'each of the types is readable with every permission on'
);
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || jsonb_build_object(
  'grades', false, 'attendance', false, 'progress', false
) where id = :'link';
select tutela_tests.authenticate_as(:'u_mum');
select is_empty('select 1 from tutela.alerts', 'and none without their permissions');
select is(tutela.count_unread_alerts(), 0, 'none counted');

-- the policy has one branch per permission: a type needing another one would stay hidden
select tutela_tests.clear_authentication();
select is(
  (
    select count(distinct permission)::integer from tutela_private.notification_types()
    where permission not in ('grades', 'attendance', 'progress')
  ),
  0,
  'every type needs one of the permissions the alerts policy knows'
);

select * from finish();
rollback;
