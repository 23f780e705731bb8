-- engagement_drop (tutela_private.run_early_warnings(), as the owner): the last 7 days' activity
-- (reviews plus activities in daily_study_stats, today and the 6 days before, UTC) is under
-- half of the weekly average of the 4 weeks before them (days 7 to 34 back, summed, / 4),
-- and that average is above zero. Sent to guardians with `progress`, once per ISO week.
-- Students, each on one side of the line (weekly average before: 10, so the line is 5):
--   below    4 in the last 7 days (2 reviews + 2 activities)         -> warned
--   at_line  5 (3 + 2): not under half                               -> not warned
--   day_7    40 on day 7 back (the older window), 4 on day 6 back    -> warned
--   day_35   1000 on day 35 back (outside both), 12 on day 20 back
--            (average 3), 2 today: not under 1.5                      -> not warned
--   idle     nothing in the last 7 days                              -> warned
--   new      activity in the last 7 days only (average before 0)     -> not warned
begin;
select plan(7);

select tutela_tests.create_user('mum-030@ntf.test') as u_mum \gset
select tutela_tests.create_user('noperm-030@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug)
values ('Ntf 030', 'ntf-030') returning id as org \gset
insert into tutela.students (organization_id, display_name)
select
  :'org' as organization_id,
  n as display_name
from unnest(array['below', 'at_line', 'day_7', 'day_35', 'idle', 'new']) as n;
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
select
  s.id as student_id,
  :'u_mum' as guardian_id,
  'active' as status,
  'staff' as created_via,
  now() as activated_at,
  tutela_hidden.default_link_permissions() as permissions
from tutela.students as s
where s.organization_id = :'org';
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
select
  s.id as student_id,
  :'u_noperm' as guardian_id,
  'active' as status,
  'staff' as created_via,
  now() as activated_at,
  tutela_hidden.default_link_permissions() || '{"progress": false}' as permissions
from tutela.students as s
where s.organization_id = :'org' and s.display_name = 'below';

-- (student, days back, reviews, activities)
insert into tutela.daily_study_stats (student_id, day, reviews, correct, activities)
with
students as (
  select
    id,
    display_name
  from tutela.students
  where organization_id = :'org'
),

data (student, back, reviews, activities) as (
  values
  ('below', 8, 10, 0), ('below', 15, 5, 5), ('below', 22, 10, 0), ('below', 29, 0, 10),
  ('below', 1, 2, 2),
  ('at_line', 8, 10, 0), ('at_line', 15, 10, 0), ('at_line', 22, 10, 0),
  ('at_line', 29, 10, 0), ('at_line', 0, 3, 0), ('at_line', 6, 0, 2),
  ('day_7', 7, 40, 0), ('day_7', 6, 4, 0),
  ('day_35', 35, 1000, 0), ('day_35', 20, 12, 0), ('day_35', 0, 2, 0),
  ('idle', 10, 40, 0),
  ('new', 3, 50, 0)
)

select
  s.id as student_id,
  (now() at time zone 'utc')::date - d.back as day,
  d.reviews,
  0 as correct,
  d.activities
from data as d
inner join students as s on d.student = s.display_name;

prepare warned as
select s.display_name
from (
  select student_id from tutela.alerts
  where type = 'engagement_drop' and recipient_id = :'u_mum'
) as a
inner join tutela.students as s on a.student_id = s.id;

select is(tutela_private.run_early_warnings(), 3, 'three students warned, one guardian each');
select bag_eq(
  'warned', $$ values ('below'), ('day_7'), ('idle') $$,
  'exactly the students under half of a positive weekly average before'
);
select results_eq(
  $$ select (a.data ->> 'last_7_days')::numeric, (a.data ->> 'weekly_average_before')::numeric,
       a.severity
     from tutela.alerts as a join tutela.students as s on s.id = a.student_id
     where a.type = 'engagement_drop' and s.display_name = 'below' $$,
  $$ values (4::numeric, 10.0::numeric, 'warning'::text) $$,
  'the alert shows both figures; a warning'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'engagement_drop' and channel = 'email'
  ),
  3,
  'with an email each (default channels in_app and email)'
);
select is(
  (select count(*)::integer from tutela.alerts where recipient_id = :'u_noperm'),
  0,
  'a guardian without progress is not warned'
);

-- once per ISO week
select is(
  (select count(*)::integer from tutela.alerts where type = 'engagement_drop'),
  3,
  'three alerts before the second run'
);
select tutela_private.run_early_warnings();
select results_eq(
  $$ select count(*)::integer, count(*) filter (
       where a.dedupe_key = 'engagement_drop:' || a.student_id::text || ':'
         || to_char((now() at time zone 'utc')::date, 'IYYY-IW'))::integer
     from tutela.alerts as a where a.type = 'engagement_drop' $$,
  $$ values (3, 3) $$,
  'a second run in the same week adds nothing: each warning is keyed by the student and '
  || 'the ISO week'
);

select * from finish();
rollback;
