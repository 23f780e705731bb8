-- import_roster and SIS keys that belong to someone else: a staff row or a link row whose sis_id
-- another member (or another guardian of the student) already holds is reported as TU409
-- sis_id_taken and skipped; the first holder keeps the key.
begin;
select plan(6);

select tutela_tests.create_user('first@sis.test') as first_user \gset
select tutela_tests.create_user('second@sis.test') as second_user \gset
insert into tutela.organizations (name, slug, roster_trusted)
values ('Sis School', 'sis-school', true);
select id as org from tutela.organizations where slug = 'sis-school' \gset

select tutela_tests.as_service_role();
select tutela.import_roster(
  :'org', 'staff', '[{"email": "first@sis.test", "sis_id": "T-1"}]'::jsonb
) ->> 'counts' as first_staff \gset
select tutela.import_roster(
  :'org', 'staff', '[{"email": "second@sis.test", "sis_id": "T-1"}]'::jsonb
) as second_staff \gset

select is(
  (:'first_staff'::jsonb ->> 'create')::int, 1, 'the first member gets the key'
);
select results_eq(
  format(
    $$select e ->> 'code', e ->> 'detail' from jsonb_array_elements(%L::jsonb -> 'errors') as e$$,
    :'second_staff'
  ),
  $$values ('TU409'::text, 'sis_id_taken'::text)$$,
  'a second member with the same sis_id is TU409 sis_id_taken'
);
select is(
  (select count(*)::int from tutela.memberships where organization_id = :'org'), 1,
  'the second member was not added'
);

select tutela.import_roster(
  :'org', 'students', '[{"sis_id": "S-1", "display_name": "Ann"}]'::jsonb
) is not null as students_done \gset
select tutela.import_roster(
  :'org', 'guardian-links',
  '[{"student": "S-1", "guardian_email": "first@sis.test", "sis_id": "L-1"}]'::jsonb
) is not null as first_link_done \gset
select tutela.import_roster(
  :'org', 'guardian-links',
  '[{"student": "S-1", "guardian_email": "second@sis.test", "sis_id": "L-1"}]'::jsonb
) as second_link \gset

select results_eq(
  format(
    $$select e ->> 'code', e ->> 'detail' from jsonb_array_elements(%L::jsonb -> 'errors') as e$$,
    :'second_link'
  ),
  $$values ('TU409'::text, 'sis_id_taken'::text)$$,
  'a second guardian of the student with the same link sis_id is TU409 sis_id_taken'
);
select is(
  (
    select count(*)::int from tutela.guardian_links as l
    where l.student_id = (select s.id from tutela.students as s where s.sis_id = 'S-1')
  ),
  1,
  'the second link was not made'
);
select tutela_tests.clear_authentication();
select is(
  (select l.guardian_id from tutela.guardian_links as l where l.sis_id = 'L-1'),
  :'first_user'::uuid,
  'the first guardian keeps the key'
);

select * from finish();
rollback;
