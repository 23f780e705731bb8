-- Alerts, preferences and thresholds change only through the functions: a signed-in user
-- cannot insert, update or delete alerts, nor insert or update preferences and thresholds
-- directly (42501). anon has no access to any of the tables or the alert functions (42501).
begin;
select plan(16);

select tutela_tests.create_user('mum-053@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 053', 'ntf-053') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key)
values (:'u_mum', :'sam', 'child_graded', 'Graded', 'k1')
returning id as alert \gset

prepare ins_alert as
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key)
values (:'u_mum', :'sam', 'child_graded', 'Forged', 'k2');
prepare upd_alert as update tutela.alerts set read_at = now() where id = :'alert';
prepare del_alert as delete from tutela.alerts where id = :'alert';
prepare ins_pref as
insert into tutela.notification_preferences (user_id, type, enabled)
values (:'u_mum', 'child_graded', false);
prepare upd_pref as update tutela.notification_preferences set enabled = false;
prepare ins_threshold as
insert into tutela.alert_thresholds (guardian_id, student_id, type, percent)
values (:'u_mum', :'sam', 'course_grade_low', 50);
prepare upd_threshold as update tutela.alert_thresholds set percent = 10;

select tutela_tests.authenticate_as(:'u_mum');
select throws_ok('ins_alert', '42501', null, 'a user cannot insert an alert');
select throws_ok('upd_alert', '42501', null, 'nor update one, even their own');
select throws_ok('del_alert', '42501', null, 'nor delete one');
select throws_ok('ins_pref', '42501', null, 'nor insert a preference');
select throws_ok('upd_pref', '42501', null, 'nor update preferences');
select throws_ok('ins_threshold', '42501', null, 'nor insert a threshold');
select throws_ok('upd_threshold', '42501', null, 'nor update thresholds');

select tutela_tests.as_anon();
select throws_ok('select * from tutela.alerts', '42501', null, 'anon: alerts');
select throws_ok(
  'select * from tutela.notification_preferences', '42501', null, 'anon: preferences'
);
select throws_ok('select * from tutela.alert_thresholds', '42501', null, 'anon: thresholds');
select throws_ok('select tutela.list_alerts()', '42501', null, 'anon: list_alerts');
select throws_ok('select tutela.count_unread_alerts()', '42501', null, 'anon: count_unread_alerts');
select throws_ok(
  format('select tutela.mark_alert_read(%L)', :'alert'), '42501', null, 'anon: mark_alert_read'
);
select throws_ok(
  format('select tutela.dismiss_alert(%L)', :'alert'), '42501', null, 'anon: dismiss_alert'
);

select tutela_tests.clear_authentication();
select results_eq(
  format('select title, read_at from tutela.alerts where recipient_id = %L', :'u_mum'),
  $$ values ('Graded'::text, null::timestamptz) $$,
  'the alert is as it was, and no other'
);
select is_empty(
  'select * from tutela.notification_preferences', 'no preference was written'
);

select * from finish();
rollback;
