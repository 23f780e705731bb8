-- The alerts policy stays index-friendly with its per-permission branches: for each read shape
-- a client uses (no filter, one child, newest first with a limit, a time range, unread), the
-- plan reads alerts through an index on recipient_id, and every helper
-- (tutela_hidden.alert_types, tutela_hidden.readable_student_ids, auth.uid) runs once per
-- statement as an
-- InitPlan: no filter or index condition calls a function per row.
begin;
select plan(10);

select tutela_tests.create_user('mum-055@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 055', 'ntf-055') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());
-- enough rows (other recipients' too) that an index is the cheaper way
insert into tutela.alerts (recipient_id, student_id, type, title, dedupe_key, created_at)
select
  case
    when g.g % 50 = 0 then :'u_mum'::uuid
    else tutela_tests.create_user(format('r%s-055@x.test', g.g))
  end as recipient_id,
  :'sam' as student_id,
  (array['child_graded', 'child_absent', 'milestone_reached'])[1 + g.g % 3] as type,
  'alert' as title,
  'k' || g.g as dedupe_key,
  now() - g.g * interval '1 minute' as created_at
from generate_series(1, 2000) as g (g);
analyze tutela.alerts;

create function pg_temp.plan_of(p_query text)
returns setof text
language plpgsql
as $$
begin
  return query execute 'explain (costs off, verbose) ' || p_query;
end;
$$;
grant execute on function pg_temp.plan_of(text) to authenticated;

create temporary table shapes (n integer, query text);
insert into shapes (n, query) values
(1, 'select * from tutela.alerts'),
(2, format('select * from tutela.alerts where student_id = %L', :'sam')),
(3, 'select * from tutela.alerts order by created_at desc limit 20'),
(4, $$select * from tutela.alerts where created_at > now() - interval '1 day'$$),
(5, 'select count(*) from tutela.alerts where read_at is null and dismissed_at is null');
grant select on shapes to authenticated;

select tutela_tests.authenticate_as(:'u_mum');
select
  ok(
    not exists (
      select 1 from pg_temp.plan_of(s.query) as p (line)
      where p.line ~ (
        '^\s*(->\s*)?(Filter|Join Filter|Index Cond|Recheck Cond|Hash Cond):'
        || '.*\m(private|auth)\.\w+\('
      )
    ),
    format('shape %s: no helper called per row', s.n)
  )
from shapes as s order by s.n;
select
  ok(
    exists (
      select 1 from pg_temp.plan_of(s.query) as p (line)
      where p.line ~ 'Index Cond: .*recipient_id = \$0'
    ),
    format('shape %s: alerts read through an index on recipient_id', s.n)
  )
from shapes as s order by s.n;

select * from finish();
rollback;
