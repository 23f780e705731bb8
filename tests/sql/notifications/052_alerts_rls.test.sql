-- tutela.alerts under RLS: each user reads only the alerts addressed to them, and an alert
-- about a child only while the relationship holds (tutela_hidden.readable_student_ids()): when a
-- guardian's link to Kim is revoked, Kim's alerts disappear from their select, list_alerts
-- and count_unread_alerts; alerts about Sam and about no child stay. Restoring the link
-- brings them back.
begin;
select plan(10);

select tutela_tests.create_user('mum-052@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-052@ntf.test') as u_dad \gset
select tutela_tests.create_user('stranger-052@ntf.test') as u_stranger \gset
select tutela_tests.create_user('staff-052@ntf.test') as u_staff \gset
insert into tutela.organizations (name, slug)
values ('Ntf 052', 'ntf-052') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key, created_at)
values
(:'u_mum', :'sam', 'child_graded', 'sam', 'sam', now() - interval '1 hour'),
(:'u_mum', :'kim', 'child_graded', 'kim', 'kim', now() - interval '2 hours'),
(:'u_mum', null, 'milestone_reached', 'none', 'none', now() - interval '3 hours'),
(:'u_dad', :'sam', 'child_graded', 'dad', 'dad', now());

prepare visible as select title from tutela.alerts order by created_at desc;

select tutela_tests.authenticate_as(:'u_mum');
select results_eq('visible', $$ values ('sam'), ('kim'), ('none') $$, 'the recipient reads theirs');
select tutela_tests.authenticate_as(:'u_dad');
select results_eq('visible', $$ values ('dad') $$, 'another guardian of Sam reads only theirs');
select tutela_tests.authenticate_as(:'u_staff');
select is_empty('visible', 'staff of the organisation read none');
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty('visible', 'a stranger reads none');

-- the link to Kim is revoked
select tutela_tests.clear_authentication();
update tutela.guardian_links set status = 'revoked', revoked_at = now()
where student_id = :'kim' and guardian_id = :'u_mum';
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('sam'), ('none') $$,
  'revoked: the alerts about Kim disappear from the table'
);
select results_eq(
  'select title from tutela.list_alerts()', $$ values ('sam'), ('none') $$,
  'and from list_alerts'
);
select is(tutela.count_unread_alerts(), 2, 'and from the unread count');
select is_empty(
  format($$ select * from tutela.list_alerts(p_student_id => %L) $$, :'kim'),
  'asking for Kim by id finds nothing'
);

-- restored
select tutela_tests.clear_authentication();
update tutela.guardian_links set status = 'active', revoked_at = null
where student_id = :'kim' and guardian_id = :'u_mum';
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'visible', $$ values ('sam'), ('kim'), ('none') $$,
  'the link active again: they are back'
);
select is(tutela.count_unread_alerts(), 3, 'and counted again');

select * from finish();
rollback;
