-- When a section cannot be built, generate_report still records a report: status 'failed',
-- no section data, no summary, the SQLSTATE in data.error (nothing more), and the sections it
-- tried, so that it is read under the same permissions. (A section is broken here by
-- replacing its builder inside this file's transaction.)
begin;
select plan(5);

select tutela_tests.create_user('staff-r006@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('Academy R006', 'academy-r006')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset

create or replace function tutela_private.report_journal(
  p_student_id uuid, p_start date, p_end date
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return jsonb_build_object('n', 1 / 0);
end;
$$;

select tutela_tests.authenticate_as(:'u_staff');
select id as report
from tutela.generate_report(:'mia', 'weekly', current_date - 6, current_date) \gset
select tutela_tests.clear_authentication();

select is(
  (select status from tutela.reports where id = :'report'), 'failed',
  'the report is recorded as failed'
);
select is(
  (select data -> 'error' from tutela.reports where id = :'report'),
  '{"sqlstate": "22012"}'::jsonb, 'with the SQLSTATE only'
);
select ok(
  (
    select not(data ?| array['progress', 'grades', 'attendance', 'sessions', 'journal'])
    from tutela.reports where id = :'report'
  ),
  'and no section data, not even of the sections built before the failure'
);
select is(
  (select summary from tutela.reports where id = :'report'), '{}'::jsonb,
  'an empty summary'
);
select is(
  (select sections from tutela.reports where id = :'report'),
  array['progress', 'grades', 'attendance', 'sessions', 'journal'],
  'the sections it tried: read under their permissions'
);

select * from finish();
rollback;
