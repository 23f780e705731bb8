-- list_alerts: the caller's own alerts, not dismissed, newest first; p_limit 1 to 100 (else
-- TU422), p_before pages by created_at, and filters by student, types and unread. Nobody
-- else's alerts ever appear. The service key without a user: TU401.
-- Time: alerts are inserted with back-dated created_at.
begin;
select plan(13);

select tutela_tests.create_user('mum-050@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-050@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 050', 'ntf-050') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());

-- mum: a1 .. a4 (a3 read), a5 dismissed; dad: b1 (the newest of all)
insert into tutela.alerts (
  recipient_id, student_id, type, title, dedupe_key, created_at, read_at, dismissed_at
)
values
(:'u_mum', :'sam', 'child_graded', 'a1', 'a1', now() - interval '1 hour', null, null),
(:'u_mum', :'kim', 'child_absent', 'a2', 'a2', now() - interval '2 hours', null, null),
(:'u_mum', :'sam', 'child_absent', 'a3', 'a3', now() - interval '3 hours', now(), null),
(:'u_mum', null, 'milestone_reached', 'a4', 'a4', now() - interval '4 hours', null, null),
(:'u_mum', :'sam', 'child_graded', 'a5', 'a5', now() - interval '30 minutes', now(), now()),
(:'u_dad', :'sam', 'child_graded', 'b1', 'b1', now() - interval '10 minutes', null, null);
select created_at as a2_at from tutela.alerts where title = 'a2' \gset

select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  'select title from tutela.list_alerts()',
  $$ values ('a1'), ('a2'), ('a3'), ('a4') $$,
  'the caller''s alerts, newest first, without the dismissed one'
);
select results_eq(
  'select title from tutela.list_alerts(2)',
  $$ values ('a1'), ('a2') $$,
  'p_limit: the first page'
);
select results_eq(
  format($$ select title from tutela.list_alerts(2, %L) $$, :'a2_at'),
  $$ values ('a3'), ('a4') $$,
  'p_before the last one shown: the next page'
);
select results_eq(
  format($$ select title from tutela.list_alerts(p_student_id => %L) $$, :'sam'),
  $$ values ('a1'), ('a3') $$,
  'by student'
);
select results_eq(
  $$ select title from tutela.list_alerts(p_types => array['child_absent', 'nothing']) $$,
  $$ values ('a2'), ('a3') $$,
  'by types'
);
select results_eq(
  $$ select title from tutela.list_alerts(p_unread_only => true) $$,
  $$ values ('a1'), ('a2'), ('a4') $$,
  'unread only'
);
select results_eq(
  format(
    $$ select title from tutela.list_alerts(
         100, p_student_id => %L, p_types => array['child_absent'], p_unread_only => true) $$,
    :'sam'
  ),
  $$ select 'none'::text where false $$,
  'filters combine'
);
select results_eq(
  'select title from tutela.list_alerts(1)',
  $$ values ('a1') $$,
  'p_limit 1'
);
select throws_ok('select tutela.list_alerts(0)', 'TU422', null, 'p_limit 0');
select throws_ok('select tutela.list_alerts(101)', 'TU422', null, 'p_limit 101');
select throws_ok('select tutela.list_alerts(null)', 'TU422', null, 'p_limit null');

select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  'select title from tutela.list_alerts()',
  $$ values ('b1') $$,
  'another guardian of the same child sees only their own'
);
select tutela_tests.as_service_role();
select throws_ok('select tutela.list_alerts()', 'TU401', null, 'the service key: no user');

select * from finish();
rollback;
