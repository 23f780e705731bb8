-- mark_alert_read and dismiss_alert act on the caller's own alerts only: someone else's alert
-- (or an unknown id) is TU403 and stays as it was. Marking read keeps the first read time;
-- dismissing also marks read and hides the alert from list_alerts. count_unread_alerts counts
-- the caller's alerts neither read nor dismissed.
begin;
select plan(14);

select tutela_tests.create_user('mum-051@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-051@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 051', 'ntf-051') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key, created_at)
values
(:'u_mum', :'sam', 'child_graded', 'm1', 'm1', now() - interval '3 hours'),
(:'u_mum', :'sam', 'child_graded', 'm2', 'm2', now() - interval '2 hours'),
(:'u_mum', :'sam', 'child_graded', 'm3', 'm3', now() - interval '1 hour'),
(:'u_dad', :'sam', 'child_graded', 'd1', 'd1', now());
select id as m1 from tutela.alerts where title = 'm1' \gset
select id as m2 from tutela.alerts where title = 'm2' \gset
select id as d1 from tutela.alerts where title = 'd1' \gset
-- m1 was read yesterday
update tutela.alerts set read_at = now() - interval '1 day' where id = :'m1';

select tutela_tests.authenticate_as(:'u_mum');
select is(tutela.count_unread_alerts(), 2, 'two unread of three');
select results_eq(
  format($$ select id, read_at is not null from tutela.mark_alert_read(%L) $$, :'m2'),
  format($$ values (%L::uuid, true) $$, :'m2'),
  'mark_alert_read: the caller''s alert, now read'
);
select is(tutela.count_unread_alerts(), 1, 'one unread left');
select is(
  (select read_at from tutela.mark_alert_read(:'m1')),
  now() - interval '1 day',
  'marking a read alert again keeps its first read time'
);
select throws_ok(
  format($$ select tutela.mark_alert_read(%L) $$, :'d1'), 'TU403', null,
  'mark_alert_read: someone else''s alert'
);
select throws_ok(
  format($$ select tutela.mark_alert_read(%L) $$, gen_random_uuid()), 'TU403', null,
  'mark_alert_read: an unknown alert'
);
select throws_ok(
  format($$ select tutela.dismiss_alert(%L) $$, :'d1'), 'TU403', null,
  'dismiss_alert: someone else''s alert'
);
select throws_ok(
  format($$ select tutela.dismiss_alert(%L) $$, gen_random_uuid()), 'TU403', null,
  'dismiss_alert: an unknown alert'
);
select results_eq(
  $$ select title, read_at is not null, dismissed_at is not null
     from tutela.dismiss_alert((select id from tutela.alerts where title = 'm3')) $$,
  $$ values ('m3'::text, true, true) $$,
  'dismiss_alert: dismissed and read'
);
select is(tutela.count_unread_alerts(), 0, 'nothing unread');
select results_eq(
  'select title from tutela.list_alerts()',
  $$ values ('m2'), ('m1') $$,
  'the dismissed alert is no longer listed'
);

select tutela_tests.authenticate_as(:'u_dad');
select is(tutela.count_unread_alerts(), 1, 'the other guardian''s count is their own');
select tutela_tests.clear_authentication();
select results_eq(
  format($$ select read_at, dismissed_at from tutela.alerts where id = %L $$, :'d1'),
  $$ values (null::timestamptz, null::timestamptz) $$,
  'someone else''s alert was left as it was'
);
select tutela_tests.as_service_role();
select throws_ok('select tutela.count_unread_alerts()', 'TU401', null, 'the service key: no user');

select * from finish();
rollback;
