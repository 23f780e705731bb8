-- child_overview(student), live_classes: "this month" is the UTC month whatever the
-- session's time zone (a PostgREST client can set it per request with `Prefer:
-- timezone=...`), like every day the stats count (docs/data-model.md). A class an hour
-- before the UTC month began is last month's; one an hour after is this month's, at UTC-12
-- and at UTC+14 as at UTC.
begin;
select plan(6);

select tutela_tests.create_user('guardian-d037@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 037', 'academy-d037')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'mia', :'u_guardian', 'active', 'staff', now());
select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as month_start \gset
insert into tutela.live_classes (organization_id, title, starts_at, ends_at)
select
  :'org'::uuid as organization_id,
  c.title,
  c.starts_at,
  c.starts_at + interval '30 minutes' as ends_at
from (
  values
  ('Attended before', :'month_start'::timestamptz - interval '1 hour'),
  ('Attended after', :'month_start'::timestamptz + interval '1 hour'),
  ('Missed before', :'month_start'::timestamptz - interval '1 hour'),
  ('Missed after', :'month_start'::timestamptz + interval '1 hour')
) as c (title, starts_at);
insert into tutela.live_class_attendance (student_id, organization_id, live_class_id, status)
select
  :'mia'::uuid as student_id,
  lc.organization_id,
  lc.id as live_class_id,
  case when lc.title like 'Missed%' then 'missed' else 'attended' end as status
from tutela.live_classes as lc where lc.organization_id = :'org';

-- attended and missed this month, as the guardian sees them in a time zone
create function pg_temp.this_month(p_student uuid, p_guardian uuid, p_zone text)
returns jsonb
language plpgsql
as $$
declare
  v_doc jsonb;
begin
  perform set_config('timezone', p_zone, true);
  perform tutela_tests.authenticate_as(p_guardian);
  v_doc := tutela.child_overview(p_student);
  perform tutela_tests.clear_authentication();
  perform set_config('timezone', 'UTC', true);
  return (v_doc #> '{sections,live_classes}') - 'upcoming';
end;
$$;

select is(
  pg_temp.this_month(:'mia', :'u_guardian', 'UTC'),
  '{"attended_this_month": 1, "missed_this_month": 1}'::jsonb,
  'at UTC: the classes after the month began count, those before do not'
);
select is(
  pg_temp.this_month(:'mia', :'u_guardian', 'Etc/GMT+12') -> 'attended_this_month', '1'::jsonb,
  'at UTC-12: one class attended this month'
);
select is(
  pg_temp.this_month(:'mia', :'u_guardian', 'Etc/GMT+12') -> 'missed_this_month', '1'::jsonb,
  'at UTC-12: one class missed this month'
);
select is(
  pg_temp.this_month(:'mia', :'u_guardian', 'Pacific/Kiritimati') -> 'attended_this_month',
  '1'::jsonb,
  'at UTC+14: one class attended this month'
);
select is(
  pg_temp.this_month(:'mia', :'u_guardian', 'Pacific/Kiritimati') -> 'missed_this_month',
  '1'::jsonb,
  'at UTC+14: one class missed this month'
);
select is(
  current_setting('timezone'), 'UTC', 'the session is back in UTC after the calls'
);

select * from finish();
rollback;
