-- child_overview(student): the student (with a login), staff and admins of the student's
-- organisation see every section, nothing hidden; an active guardian sees the sections the
-- link permits.
begin;
select plan(9);

select tutela_tests.create_user('student-d028@world.test') as u_student \gset
select tutela_tests.create_user('staff-d028@world.test') as u_staff \gset
select tutela_tests.create_user('admin-d028@world.test') as u_admin \gset
select tutela_tests.create_user('guardian-d028@world.test') as u_guardian \gset
insert into tutela.organizations (name, slug) values ('Academy 028', 'academy-d028')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Mia') returning id as mia \gset
select tutela_tests.attach_student_login(:'mia', :'u_student');
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values (
  :'mia', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": false, "attendance": false}'
);
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'mia', 'Maths', '7 x 8?', '56');

-- every section, nothing hidden, the portfolio included
create function pg_temp.full_view(p_doc jsonb, p_student uuid)
returns boolean
language sql
as $$
  select p_doc ->> 'student_id' = p_student::text
    and (select count(*) from jsonb_object_keys(p_doc -> 'sections')) = 8
    and (select count(*) from jsonb_object_keys(p_doc #> '{sections,coaching}')) = 5
    and p_doc -> 'hidden_sections' = '[]'::jsonb
    and jsonb_array_length(p_doc #> '{sections,flashcards,portfolio}') = 1
$$;

select tutela_tests.authenticate_as(:'u_student');
select tutela.child_overview(:'mia') as student_doc \gset
select tutela_tests.authenticate_as(:'u_staff');
select tutela.child_overview(:'mia') as staff_doc \gset
select tutela_tests.authenticate_as(:'u_admin');
select tutela.child_overview(:'mia') as admin_doc \gset
select tutela_tests.authenticate_as(:'u_guardian');
select tutela.child_overview(:'mia') as guardian_doc \gset
select tutela_tests.clear_authentication();

select ok(pg_temp.full_view(:'student_doc', :'mia'), 'the student sees their whole overview');
select ok(pg_temp.full_view(:'staff_doc', :'mia'), 'staff of the organisation see it all');
select ok(pg_temp.full_view(:'admin_doc', :'mia'), 'an admin of the organisation sees it all');
select is(
  :'guardian_doc'::jsonb ->> 'student_id', :'mia', 'an active guardian gets the overview'
);
select is(
  :'guardian_doc'::jsonb -> 'hidden_sections', '["live_classes"]'::jsonb,
  'the guardian''s link leaves out attendance: live_classes hidden'
);
select is(
  :'guardian_doc'::jsonb #> '{sections,flashcards,hidden_sections}', '["portfolio"]'::jsonb,
  'the guardian''s link leaves out card_content: no portfolio'
);
select ok(
  not pg_temp.full_view(:'guardian_doc', :'mia'),
  'the guardian''s view is not the full one'
);
select is(
  :'staff_doc'::jsonb - 'sections',
  :'student_doc'::jsonb - 'sections',
  'staff and the student get the same document header'
);
select is(
  :'staff_doc'::jsonb -> 'sections' -> 'flashcards',
  :'student_doc'::jsonb -> 'sections' -> 'flashcards',
  'staff and the student see the same flashcards section'
);

select * from finish();
rollback;
