-- The export is complete by construction: every table of public and private that refers to a
-- student (a student_id column, a foreign key to students, one to auth.users) is found in the
-- catalog. A table of public is exported as the requester reads it (its own policies and
-- column grants) without any change to the privacy functions; a table of private must be
-- classified in tutela_hidden.export_rules() (exported under a rule, or excluded with a reason),
-- and
-- until it is, the export withholds it and names it 'unclassified'. This file fails when such
-- a table exists: the check is shown to catch a new private table made here.
begin;
select plan(6);

select is_empty(
  $$select distinct c.table_schema, c.table_name
    from tutela_hidden.student_reference_columns() as c
    where c.table_schema <> 'tutela' and not exists (
      select 1 from tutela_hidden.export_rules() as r
      where r.table_schema = c.table_schema and r.table_name = c.table_name)$$,
  'every private table that refers to a student is classified in tutela_hidden.export_rules()'
);
select is_empty(
  $$select r.table_schema, r.table_name from tutela_hidden.export_rules() as r
    where r.rule not in ('excluded', 'per_section', 'student_or_staff')
      and r.rule !~ '^(own|permission):[a-z_]+$'
      or r.rule = 'excluded' and coalesce(btrim(r.reason), '') = ''
      or to_regclass(format('%I.%I', r.table_schema, r.table_name)) is null$$,
  'every rule is well formed, names an existing table, and an exclusion has a reason'
);

-- a world: a student with a login
select tutela_tests.create_user('kid@complete.test') as u_kid \gset
insert into tutela.organizations (name, slug) values ('Complete', 'complete-school')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Kid', :'u_kid', (now() at time zone 'UTC')::date - interval '17 years')
returning id as kid \gset

-- a new table in public, with its own policy: exported at once, under that policy
create table tutela.zz_probe_notes (
  id uuid primary key default gen_random_uuid(),
  student_id uuid not null references tutela.students (id) on delete cascade,
  body text not null,
  hidden boolean not null default false
);
alter table tutela.zz_probe_notes enable row level security;
grant select on tutela.zz_probe_notes to authenticated;
create policy zz_probe_notes_select on tutela.zz_probe_notes for select to authenticated
using (not hidden and student_id in (select tutela_hidden.own_student_ids()));
insert into tutela.zz_probe_notes (student_id, body, hidden)
values (:'kid', 'visible note', false), (:'kid', 'hidden note', true);

-- a new table in private, not classified
create table tutela_private.zz_probe_queue (
  student_id uuid not null references tutela.students (id) on delete cascade,
  note text
);
insert into tutela_private.zz_probe_queue (student_id, note) values (:'kid', 'queued secret');

select tutela_tests.authenticate_as(:'u_kid');
select tutela.export_student_data(:'kid') as doc \gset
select tutela_tests.clear_authentication();

select results_eq(
  format(
    $$select r ->> 'body' from jsonb_array_elements(%L::jsonb #> '{data,zz_probe_notes}') as r$$,
    :'doc'
  ),
  $$values ('visible note')$$,
  'a new public table is exported without a change, under its own policy'
);
select ok(
  (:'doc'::jsonb #>> '{excluded,tutela_private.zz_probe_queue}') like 'unclassified%'
  and strpos(:'doc', 'queued secret') = 0,
  'a new private table is withheld and named unclassified until it is classified'
);
select isnt_empty(
  $$select distinct c.table_schema, c.table_name
    from tutela_hidden.student_reference_columns() as c
    where c.table_schema <> 'tutela' and not exists (
      select 1 from tutela_hidden.export_rules() as r
      where r.table_schema = c.table_schema and r.table_name = c.table_name)$$,
  'the first check of this file catches it (it would fail the build)'
);
select ok(
  (tutela_private.student_row_counts(:'kid') ->> 'tutela_private.zz_probe_queue')::integer = 1
  and (tutela_private.student_row_counts(:'kid') ->> 'zz_probe_notes')::integer = 2,
  'the erasure counts the new tables too (it deletes by the foreign keys)'
);

select * from finish();
rollback;
