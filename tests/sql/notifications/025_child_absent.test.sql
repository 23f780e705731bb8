-- child_absent: an attendance row that is 'missed' (inserted so, or updated to it) notifies
-- each active guardian whose link grants `attendance`, once per attendance row: saving the
-- row again, or marking it missed again after a change, adds nothing. 'registered' and
-- 'attended' notify nobody. Default channels: in_app and email; severity warning.
begin;
select plan(8);

select tutela_tests.create_user('mum-025@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-025@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 025', 'ntf-025') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_noperm', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"attendance": false}'
);
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
values
(:'org', 'Live 1', '2026-03-02 15:00+00', '2026-03-02 16:00+00'),
(:'org', 'Live 2', '2026-03-03 15:00+00', '2026-03-03 16:00+00'),
(:'org', 'Live 3', '2026-03-04 15:00+00', '2026-03-04 16:00+00');
select id as live1 from tutela.live_classes where title = 'Live 1' \gset
select id as live2 from tutela.live_classes where title = 'Live 2' \gset
select id as live3 from tutela.live_classes where title = 'Live 3' \gset

prepare absences as
select (data ->> 'live_class_attendance_id')::uuid from tutela.alerts
where recipient_id = :'u_mum' and type = 'child_absent';

insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values (:'sam', :'org', :'live1', 'missed')
returning id as att1 \gset
select results_eq(
  'absences', format($$ values (%L::uuid) $$, :'att1'), 'inserted as missed: an alert'
);
select results_eq(
  format(
    $$ select severity, title, message from tutela.alerts where recipient_id = %L $$,
    :'u_mum'
  ),
  $$ values ('warning'::text, 'Missed: Live 1'::text,
     'The live class on 2026-03-02 15:00 UTC was missed.'::text) $$,
  'a warning naming the class and its time'
);

insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
values
(:'sam', :'org', :'live2', 'registered'),
(:'sam', :'org', :'live3', 'attended');
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_absent'),
  1,
  'registered and attended: nobody is notified'
);

update tutela.live_class_attendance set status = 'missed' where live_class_id = :'live2'
returning id as att2 \gset
select bag_eq(
  'absences',
  format($$ values (%L::uuid), (%L::uuid) $$, :'att1', :'att2'),
  'updated to missed: an alert'
);

update tutela.live_class_attendance set updated_at = now() where status = 'missed';
update tutela.live_class_attendance set status = 'attended' where id = :'att2';
update tutela.live_class_attendance set status = 'missed' where id = :'att2';
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_absent'),
  2,
  'saving missed rows again, or missed -> attended -> missed: once per attendance row'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'child_absent' and channel = 'email' and recipient_user_id = :'u_mum'
  ),
  2,
  'one email per absence (default channels in_app and email)'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'child_absent' and channel <> 'email'
  ),
  0,
  'and no other channel'
);
select is(
  (
    select count(*)::integer from tutela.alerts
    where recipient_id = :'u_noperm'
  ),
  0,
  'a guardian without attendance hears nothing'
);

select * from finish();
rollback;
