-- child_overview(student), `attendance` section: `live_classes` counts the classes the child
-- attended and missed this month (not last month's, not another child's) and lists the next
-- five classes the child is registered for, soonest first (not classes without the child).
begin;
select plan(6);

select tutela_tests.create_user('guardian-d019@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 019', 'academy-d019')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Leo') returning id as leo \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());

-- this month (at its first moment): two attended, one missed, one only registered;
-- last month: one attended, one missed; six upcoming classes a day apart; one upcoming class
-- without Mia
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
select
  :'org'::uuid as organization_id,
  c.title,
  c.starts_at,
  c.starts_at + interval '1 hour' as ends_at
from (
  values
  ('This month 1', date_trunc('month', now())),
  ('This month 2', date_trunc('month', now())),
  ('This month missed', date_trunc('month', now())),
  ('This month registered', date_trunc('month', now())),
  ('Last month', date_trunc('month', now()) - interval '2 days'),
  ('Last month missed', date_trunc('month', now()) - interval '3 days'),
  ('Upcoming 1', now() + interval '1 day'),
  ('Upcoming 2', now() + interval '2 days'),
  ('Upcoming 3', now() + interval '3 days'),
  ('Upcoming 4', now() + interval '4 days'),
  ('Upcoming 5', now() + interval '5 days'),
  ('Upcoming 6', now() + interval '6 days'),
  ('Without Mia', now() + interval '1 hour')
) as c (title, starts_at);
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'mia'::uuid as student_id,
  lc.organization_id,
  lc.id as live_class_id,
  case
    when lc.title like '%missed' then 'missed'
    when lc.title like 'Upcoming%' or lc.title like '%registered' then 'registered'
    else 'attended'
  end as status
from tutela.live_classes as lc
where lc.organization_id = :'org' and lc.title <> 'Without Mia';
-- Leo attended and missed classes this month too
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'leo'::uuid as student_id,
  lc.organization_id,
  lc.id as live_class_id,
  case when lc.title = 'This month 1' then 'missed' else 'attended' end as status
from tutela.live_classes as lc
where lc.title in ('This month 1', 'This month 2', 'This month registered');

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') #> '{sections,live_classes}' as live \gset
select tutela_tests.clear_authentication();

select is(
  (:'live'::jsonb ->> 'attended_this_month')::integer, 2,
  'two classes attended this month (not last month''s, not Leo''s)'
);
select is(
  (:'live'::jsonb ->> 'missed_this_month')::integer, 1,
  'one class missed this month'
);
select is(
  jsonb_path_query_array(:'live'::jsonb, '$.upcoming[*].title'),
  '["Upcoming 1", "Upcoming 2", "Upcoming 3", "Upcoming 4", "Upcoming 5"]'::jsonb,
  'the next five classes Mia is registered for, soonest first'
);
select is(
  (
    select
      (:'live'::jsonb -> 'upcoming' -> 0)
      = jsonb_build_object(
        'live_class_id', lc.id, 'title', 'Upcoming 1', 'starts_at', lc.starts_at,
        'ends_at', lc.ends_at, 'status', 'registered'
      )
    from tutela.live_classes as lc where lc.title = 'Upcoming 1'
  ),
  true,
  'an upcoming class: title, start, end, the child''s status'
);
select ok(
  not jsonb_path_exists(:'live'::jsonb, '$.upcoming[*] ? (@.title == "Without Mia")'),
  'a class without the child is not listed'
);
select is(
  (select count(*) from tutela.live_class_attendance where student_id = :'mia'),
  12::bigint,
  'set-up: Mia has twelve attendance rows'
);

select * from finish();
rollback;
