-- import_roster's audit trail in link_events: each applied change writes its row
-- (student_created, student_updated, member_added, link_created, invite_created, link_revoked,
-- invite_withdrawn) and each call one roster_imported row with its kind, row count and counts.
-- Called with the service key, actor_role is 'service_role' (no actor id); from the owner's own
-- session (`tutela import`), 'roster' (docs/guardianship.md). A dry run and a strict call that
-- fails leave no row at all.
begin;
select plan(16);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('t1@s.test') as t1 \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
-- the school trusts its roster: existing accounts are linked and added at once
select tutela.update_organization_settings(:'org', '{"roster_trusted": true}') is not null as t
\gset

-- the audit rows of the organisation written after a mark
select tutela_tests.clear_authentication();
create temporary table mark (id bigint) on commit drop;
insert into mark select coalesce(max(id), 0) from tutela.link_events;
create function pg_temp.events_since_mark(p_org uuid)
returns table (action text, actor_role text, actor_id uuid)
language sql
stable
as $$
  select e.action, e.actor_role, e.actor_id from tutela.link_events as e
  where e.organization_id = p_org and e.id > (select m.id from mark as m)
  order by e.id
$$;

-- ---------------------------------------------------------------------------------------------
-- students
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Ann"}, {"sis_id": "S2", "display_name": "Ben"},
  {"sis_id": "S3"}
]$$);
select tutela_tests.clear_authentication();
select results_eq(
  format('select * from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('student_created'::text, 'service_role'::text, null::uuid),
    ('student_created', 'service_role', null), ('roster_imported', 'service_role', null)$$,
  'students: a student_created row per student, then roster_imported, by the service role'
);
select is(
  (
    select new_values from tutela.link_events
    where organization_id = :'org' and action = 'roster_imported'
    order by id desc limit 1
  ),
  '{"kind": "students", "rows": 3, "full": false, "counts": {"create": 2, "update": 0,
    "revoke": 0, "invite": 0, "unchanged": 0, "error": 1}}'::jsonb,
  'students: roster_imported carries the kind, the row count and the counts'
);
select results_eq(
  format(
    $$select s.sis_id from tutela.link_events as e
      inner join tutela.students as s on e.student_id = s.id
      where e.organization_id = %L and e.action = 'student_created' order by e.id$$,
    :'org'
  ),
  $$values ('S1'::text), ('S2')$$,
  'students: each student_created row names its student'
);

-- an update
update mark set id = (select max(id) from tutela.link_events);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S1", "display_name": "Annie"}, {"sis_id": "S2", "display_name": "Ben"}
]$$);
select tutela_tests.clear_authentication();
select results_eq(
  format('select action, actor_role from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('student_updated'::text, 'service_role'::text),
    ('roster_imported', 'service_role')$$,
  'students: an update writes student_updated; an unchanged row writes nothing'
);
select results_eq(
  $$select old_values ->> 'display_name', new_values ->> 'display_name' from tutela.link_events
    where action = 'student_updated'$$,
  $$values ('Ann'::text, 'Annie'::text)$$,
  'students: student_updated has the old and the new values'
);

-- ---------------------------------------------------------------------------------------------
-- staff and guardian links
-- ---------------------------------------------------------------------------------------------
update mark set id = (select max(id) from tutela.link_events);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', '[{"email": "t1@s.test"}]');
select tutela_tests.clear_authentication();
select results_eq(
  format('select action, actor_role from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('member_added'::text, 'service_role'::text), ('roster_imported', 'service_role')$$,
  'staff: member_added, then roster_imported'
);

update mark set id = (select max(id) from tutela.link_events);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test"},
  {"student": "S2", "guardian_email": "nan@a.test"}
]$$);
select tutela_tests.clear_authentication();
select results_eq(
  format('select action, actor_role from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('link_created'::text, 'service_role'::text), ('invite_created', 'service_role'),
    ('roster_imported', 'service_role')$$,
  'links: link_created and invite_created, then roster_imported'
);
select results_eq(
  format(
    $$select e.link_id = l.id, e.subject_user_id from tutela.link_events as e
      inner join tutela.guardian_links as l on e.student_id = l.student_id
      where e.organization_id = %L and e.action = 'link_created'$$,
    :'org'
  ),
  format('values (true, %L::uuid)', :'mum'),
  'links: link_created names the link and the guardian'
);
select results_eq(
  format(
    $$select e.invite_id = i.id, e.new_values ->> 'email' from tutela.link_events as e
      inner join tutela.guardian_invites as i on e.student_id = i.student_id
      where e.organization_id = %L and e.action = 'invite_created'$$,
    :'org'
  ),
  $$values (true, 'nan@a.test'::text)$$,
  'links: invite_created names the invite and the address'
);

update mark set id = (select max(id) from tutela.link_events);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "status": "deleted"},
  {"student": "S2", "guardian_email": "nan@a.test", "status": "deleted"}
]$$);
select tutela_tests.clear_authentication();
select results_eq(
  format('select action, actor_role from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('link_revoked'::text, 'service_role'::text), ('invite_withdrawn', 'service_role'),
    ('roster_imported', 'service_role')$$,
  'deleted: link_revoked and invite_withdrawn, then roster_imported'
);
select is(
  (
    select new_values -> 'counts' ->> 'revoke' from tutela.link_events
    where organization_id = :'org' and action = 'roster_imported'
    order by id desc limit 1
  ),
  '2',
  'deleted: roster_imported counts the two revocations'
);

-- ---------------------------------------------------------------------------------------------
-- nothing from a dry run or a failed strict call
-- ---------------------------------------------------------------------------------------------
update mark set id = (select max(id) from tutela.link_events);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', $$[
  {"sis_id": "S4", "display_name": "Cy"}, {"sis_id": "S1", "display_name": "Ann"}
]$$, '{"dry_run": true}') -> 'counts' ->> 'create' as planned \gset
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test"},
  {"student": "S2", "guardian_email": "gran@a.test"}
]$$, '{"dry_run": true}') -> 'counts' ->> 'invite' as planned_invites \gset
select tutela_tests.clear_authentication();
select is(:'planned'::int + :'planned_invites'::int, 2, 'dry run: the plans were made');
select is_empty(
  format('select * from pg_temp.events_since_mark(%L)', :'org'),
  'dry run: no link_events row, not even roster_imported'
);
select tutela_tests.as_service_role();
select throws_ok(
  format(
    $$select tutela.import_roster(%L, 'staff', %L, '{"strict": true}')$$, :'org',
    '[{"email": "admin@a.test", "role": "admin"}, {"email": "not-an-email"}]'
  ),
  'TU422', null, 'strict: the call fails'
);
select tutela_tests.clear_authentication();
select is_empty(
  format('select * from pg_temp.events_since_mark(%L)', :'org'),
  'strict: the failed call left no link_events row'
);

-- ---------------------------------------------------------------------------------------------
-- the owner's own session (tutela import)
-- ---------------------------------------------------------------------------------------------
select tutela.import_roster(:'org', 'students', '[{"sis_id": "S5", "display_name": "Di"}]');
select results_eq(
  format('select action, actor_role from pg_temp.events_since_mark(%L)', :'org'),
  $$values ('student_created'::text, 'roster'::text), ('roster_imported', 'roster')$$,
  'owner session: the rows are by the roster'
);

select * from finish();
rollback;
