-- A roster file does not undo what the student decided about a guardian's access (review of the
-- first security fix): on an existing link a row's permissions only narrow it. The student
-- switches grades off; the same file again leaves it off (unchanged); a file that lists grades
-- cannot switch it back on; a file without attendance switches attendance off. A new link
-- takes the row's permissions as they are.
begin;
select plan(4);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela.update_organization_settings(:'org', '{"roster_trusted": true}') is not null as t
\gset
select tutela_tests.clear_authentication();
insert into tutela.students (organization_id, display_name, sis_id, user_id)
values (:'org', 'Kid', 'S1', :'kid') returning id as student \gset

select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "permissions": "progress;grades;attendance"}
]$$) is not null as r \gset
select tutela_tests.clear_authentication();
select id as link from tutela.guardian_links where guardian_id = :'mum' \gset
select is(
  (select permissions from tutela.guardian_links where id = :'link'),
  '{"progress": true, "grades": true, "attendance": true, "sessions": false,
    "lessons": false, "card_content": false, "journal": false, "messaging": false}'::jsonb,
  'a new link takes the row''s permissions'
);

select tutela_tests.authenticate_as(:'kid');
select tutela.set_guardian_link_permissions(:'link', '{"grades": false}') is not null as s \gset
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "permissions": "progress;grades;attendance"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'unchanged', '1',
  'the same file again: unchanged (it cannot switch grades back on)'
);
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "mum@a.test", "permissions": "progress;grades"}
]$$) as r \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select (permissions ->> 'progress')::boolean, (permissions ->> 'grades')::boolean,
        (permissions ->> 'attendance')::boolean
      from tutela.guardian_links where id = %L$$,
    :'link'
  ),
  $$values (true, false, false)$$,
  'a file without attendance takes it away; grades stays as the student set it'
);
select is(
  :'r'::jsonb -> 'counts' ->> 'update', '1', 'narrowing is an update'
);

select * from finish();
rollback;
