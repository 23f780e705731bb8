-- start_conversation input errors. TU422: an unknown or missing kind; no student for a kind
-- that is about a student; a student for a support conversation; nobody besides the caller;
-- a title over 200 characters; more than 50 other members. TU403: an unknown student or
-- user. anon: 42501 (no execute grant); a token for a user that does not exist: TU401.
begin;
select plan(17);

select tutela_tests.create_user('student@invalid.test') as u_student \gset
select tutela_tests.create_user('staff@invalid.test') as u_staff \gset
select tutela_tests.create_user('support@invalid.test') as u_support \gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id = :'u_support';
insert into tutela.organizations (name, slug)
values ('Invalid', 'invalid') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset

select tutela_tests.authenticate_as(:'u_staff');
-- the kind
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'group', :'student', :'u_student'
  ),
  'TU422', null, 'an unknown kind: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(null, %L, array[%L]::uuid[])', :'student', :'u_student'
  ),
  'TU422', null, 'no kind: TU422'
);
-- the student
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'student_staff', :'u_student'
  ),
  'TU422', null, 'student_staff without a student: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'guardian_staff', :'u_student'
  ),
  'TU422', null, 'guardian_staff without a student: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'co_guardians', :'u_student'
  ),
  'TU422', null, 'co_guardians without a student: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'support', :'student', :'u_support'
  ),
  'TU422', null, 'support about a student: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', gen_random_uuid(), :'u_student'
  ),
  'TU403', null, 'an unknown student: TU403'
);
-- the members
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, %L::uuid[])', 'student_staff', :'student', '{}'
  ),
  'TU422', null, 'nobody else: TU422'
);
select throws_ok(
  format('select tutela.start_conversation(%L, %L)', 'student_staff', :'student'),
  'TU422', null, 'no member list: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_staff'
  ),
  'TU422', null, 'only the caller: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[null, null]::uuid[])',
    'student_staff', :'student'
  ),
  'TU422', null, 'only nulls: TU422'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'student_staff', :'student', :'u_student', gen_random_uuid()
  ),
  'TU403', null, 'an unknown user: TU403'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'support', gen_random_uuid()
  ),
  'TU403', null, 'support with an unknown user: TU403'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array(select gen_random_uuid() '
    'from generate_series(1, 51)))',
    'student_staff', :'student'
  ),
  'TU422', null, 'more than 50 other members: TU422'
);
-- the title
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[], repeat(%L, 201))',
    'student_staff', :'student', :'u_student', 'x'
  ),
  'TU422', null, 'a title over 200 characters: TU422'
);

-- callers who are not signed in
select tutela_tests.as_anon();
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_student'
  ),
  '42501', null, 'anon: no execute grant'
);
select tutela_tests.authenticate_as(gen_random_uuid());
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_student'
  ),
  'TU401', null, 'a token for a user that does not exist: TU401'
);

select * from finish();
rollback;
