-- milestone_reached on certificates: each issued certificate notifies every active guardian
-- whose link grants `progress`, in-app and by push (the default channels), once per
-- certificate, naming it.
begin;
select plan(5);

select tutela_tests.create_user('mum-026@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-026@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 026', 'ntf-026') returning id as org \gset
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

prepare certificate_alerts as
select
  recipient_id,
  title,
  data ->> 'certificate_id' as certificate_id
from tutela.alerts
where type = 'milestone_reached' and data ->> 'kind' = 'certificate';

insert into tutela.certificates (student_id, organization_id, title)
values (:'sam', :'org', 'Junior referee')
returning id as cert1 \gset
select results_eq(
  'certificate_alerts',
  format($$ values (%L::uuid, 'Certificate: Junior referee', %L) $$, :'u_mum', :'cert1'),
  'a certificate: an alert naming it, for the guardian with progress only'
);
select results_eq(
  $$ select recipient_user_id, channel, payload ->> 'kind' from tutela_private.notification_outbox
     where kind = 'milestone_reached' $$,
  format($$ values (%L::uuid, 'push', 'certificate') $$, :'u_mum'),
  'and a push message'
);
select is(
  (select severity from tutela.alerts where type = 'milestone_reached'),
  'info',
  'severity info'
);

insert into tutela.certificates (student_id, organization_id, title)
values (:'sam', :'org', 'First aid')
returning id as cert2 \gset
select bag_eq(
  $$ select data ->> 'certificate_id' from tutela.alerts
     where type = 'milestone_reached' and data ->> 'kind' = 'certificate' $$,
  format($$ values (%L), (%L) $$, :'cert1', :'cert2'),
  'each certificate its own alert'
);
select is(
  (select count(*)::integer from tutela.alerts where recipient_id = :'u_noperm'),
  0,
  'a guardian without progress hears of none'
);

select * from finish();
rollback;
