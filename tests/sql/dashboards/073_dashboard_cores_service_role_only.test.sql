-- The cores of the dashboard functions (tutela_hidden.parent_dashboard_doc, child_overview_doc,
-- student_dashboard_doc, flashcard_overview) run without any access check, so only the
-- service role may call them (the back office, and `tutela bench` as the floor): anon and
-- signed-in users get 42501, even the student or guardian they describe. The service role's
-- documents equal what the public functions return to the user.
begin;
select plan(12);

select tutela_tests.create_user('student-073@world.test') as u_student \gset
select tutela_tests.create_user('parent-073@world.test') as u_parent \gset
insert into tutela.organizations (name, slug) values ('World 073', 'world-073')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student 073', :'u_student')
returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_parent', 'active', 'staff', now())
returning permissions::text as perms \gset

prepare parent_core as select tutela_hidden.parent_dashboard_doc(:'u_parent'::uuid);
prepare child_core as select tutela_hidden.child_overview_doc(:'student'::uuid, :'perms'::jsonb);
prepare student_core as
select tutela_hidden.student_dashboard_doc(s) from tutela.students as s where s.id = :'student';
prepare card_core as select tutela_hidden.flashcard_overview(:'student'::uuid, true);

select tutela_tests.as_anon();
select throws_ok('parent_core', '42501', null, 'anon may not call parent_dashboard_doc');
select throws_ok('child_core', '42501', null, 'anon may not call child_overview_doc');

select tutela_tests.authenticate_as(:'u_parent');
select throws_ok('parent_core', '42501', null, 'the guardian may not call the core directly');
select throws_ok('child_core', '42501', null, 'nor child_overview_doc');
select throws_ok('card_core', '42501', null, 'nor flashcard_overview');
select tutela.parent_dashboard() - 'generated_at' as parent_doc \gset
select tutela.child_overview(:'student') as child_doc \gset

select tutela_tests.authenticate_as(:'u_student');
select throws_ok('student_core', '42501', null, 'the student may not call the core directly');
select tutela.student_dashboard() - 'generated_at' as student_doc \gset

select tutela_tests.as_service_role();
select lives_ok('card_core', 'the service role calls flashcard_overview');
select is(
  tutela_hidden.parent_dashboard_doc(:'u_parent') - 'generated_at', :'parent_doc'::jsonb,
  'the service role gets the parent dashboard the guardian gets'
);
select is(
  tutela_hidden.child_overview_doc(:'student', :'perms'::jsonb), :'child_doc'::jsonb,
  'and the child overview for that link''s permissions'
);
-- the student dashboard counts the caller's unread messages: the service key names the user
select set_config(
  'request.jwt.claims', json_build_object('role', 'service_role', 'sub', :'u_student')::text, true
);
select is(
  (
    select tutela_hidden.student_dashboard_doc(s) - 'generated_at'
    from tutela.students as s
    where s.id = :'student'
  ),
  :'student_doc'::jsonb,
  'and the student dashboard'
);

select tutela_tests.clear_authentication();
select ok(
  not has_function_privilege(
    'authenticated', 'tutela_hidden.child_overview_doc(uuid, jsonb)', 'execute'
  ),
  'authenticated holds no execute grant on child_overview_doc'
);
select ok(
  has_function_privilege(
    'service_role', 'tutela_hidden.student_dashboard_doc(tutela.students)', 'execute'
  ),
  'service_role holds the execute grant on student_dashboard_doc'
);

select * from finish();
rollback;
