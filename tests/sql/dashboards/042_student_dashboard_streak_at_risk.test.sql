-- student_dashboard() -> today.streak: a streak is at risk when the student was active
-- yesterday (UTC) but not yet today; it still counts as current. Active today: not at risk.
-- Last active two days ago: the streak is over (current 0, not at risk), the longest stays.
-- Never active: zeros, not at risk.
begin;
select plan(4);

select tutela_tests.create_user('at-risk-042@world.test') as u_at_risk \gset
select tutela_tests.create_user('active-today-042@world.test') as u_today \gset
select tutela_tests.create_user('lapsed-042@world.test') as u_lapsed \gset
select tutela_tests.create_user('new-042@world.test') as u_new \gset
insert into tutela.organizations (name, slug) values ('World 042', 'world-042')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'At risk', :'u_at_risk') returning id as at_risk \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Active today', :'u_today') returning id as active_today \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Lapsed', :'u_lapsed') returning id as lapsed \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'New', :'u_new');

insert into tutela.activity_events (student_id, kind, occurred_at, minutes)
values
(:'at_risk', 'study', now() - interval '2 days', 5),
(:'at_risk', 'study', now() - interval '1 day', 5),
(:'active_today', 'study', now() - interval '1 day', 5),
(:'active_today', 'study', now(), 5),
(:'lapsed', 'study', now() - interval '3 days', 5),
(:'lapsed', 'study', now() - interval '2 days', 5);

select tutela_tests.authenticate_as(:'u_at_risk');
select is(
  tutela.student_dashboard() -> 'today' -> 'streak',
  '{"current": 2, "longest": 2, "at_risk": true}'::jsonb,
  'active yesterday and the day before, not today: a current 2-day streak at risk'
);
select tutela_tests.authenticate_as(:'u_today');
select is(
  tutela.student_dashboard() -> 'today' -> 'streak',
  '{"current": 2, "longest": 2, "at_risk": false}'::jsonb,
  'active yesterday and today: not at risk'
);
select tutela_tests.authenticate_as(:'u_lapsed');
select is(
  tutela.student_dashboard() -> 'today' -> 'streak',
  '{"current": 0, "longest": 2, "at_risk": false}'::jsonb,
  'last active two days ago: the streak is over and not at risk; the longest stays'
);
select tutela_tests.authenticate_as(:'u_new');
select is(
  tutela.student_dashboard() -> 'today' -> 'streak',
  '{"current": 0, "longest": 0, "at_risk": false}'::jsonb,
  'never active: zeros, not at risk'
);

select * from finish();
rollback;
