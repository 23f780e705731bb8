-- start_conversation refuses (TU403) everyone without the relationship the kind needs, whether
-- they start the conversation or are put in it: a guardian whose link does not grant
-- `messaging`, a pending or revoked guardian, a guardian of another child, another student,
-- staff of another organisation, a stranger; roles the kind does not allow (a guardian in
-- student_staff, the student in guardian_staff, staff or the student in co_guardians); one
-- side only (student_staff without the student, guardian_staff without a guardian); a support
-- conversation without exactly one ordinary user and support staff (support is an app-metadata
-- role: a user who puts tutela_role in their own user metadata is not support staff).
-- Nothing is created by a refused call.
begin;
select plan(28);

select tutela_tests.create_user('student@refuse.test') as u_student \gset
select tutela_tests.create_user('other_student@refuse.test') as u_other_student \gset
select tutela_tests.create_user('guardian@refuse.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@refuse.test') as u_guardian2 \gset
select tutela_tests.create_user('guardian_nomsg@refuse.test') as u_guardian_nomsg \gset
select tutela_tests.create_user('guardian_pending@refuse.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian_revoked@refuse.test') as u_guardian_revoked \gset
select tutela_tests.create_user('other_guardian@refuse.test') as u_other_guardian \gset
select tutela_tests.create_user('staff@refuse.test') as u_staff \gset
select tutela_tests.create_user('staff2@refuse.test') as u_staff2 \gset
select tutela_tests.create_user('other_staff@refuse.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@refuse.test') as u_stranger \gset
select tutela_tests.create_user('stranger2@refuse.test') as u_stranger2 \gset
select tutela_tests.create_user('support@refuse.test') as u_support \gset
select tutela_tests.create_user('support2@refuse.test') as u_support2 \gset
select tutela_tests.create_user('fake_support@refuse.test', '{"tutela_role": "support"}') as u_fake
\gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id in (:'u_support', :'u_support2');
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Refuse A', 'refuse-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Refuse B', 'refuse-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_staff2', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
),
(
  :'student', :'u_guardian2', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
),
(
  :'student', :'u_guardian_nomsg', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"messaging": false}'
),
(
  :'student', :'u_guardian_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
),
(
  :'student', :'u_guardian_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
),
(
  :'other_student', :'u_other_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
);

-- guardians without a messaging relationship, as caller and as member
select tutela_tests.authenticate_as(:'u_guardian_nomsg');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_staff'
  ),
  'TU403', null, 'a guardian whose link does not grant messaging cannot start one'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_guardian_nomsg'
  ),
  'TU403', null, 'staff cannot bring in a guardian whose link does not grant messaging'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_staff'
  ),
  'TU403', null, 'a pending guardian cannot start one'
);
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_staff'
  ),
  'TU403', null, 'a revoked guardian cannot start one'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_guardian_revoked'
  ),
  'TU403', null, 'staff cannot bring in a revoked guardian'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_guardian_pending'
  ),
  'TU403', null, 'staff cannot bring in a pending guardian'
);
select tutela_tests.authenticate_as(:'u_other_guardian');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_staff'
  ),
  'TU403', null, 'a guardian of another child cannot start one about this child'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'co_guardians', :'student', :'u_guardian_nomsg'
  ),
  'TU403', null, 'co_guardians: not with a guardian whose link does not grant messaging'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'co_guardians', :'student', :'u_other_guardian'
  ),
  'TU403', null, 'co_guardians: not with the guardian of another child'
);

-- staff of another organisation, other students, strangers
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_student'
  ),
  'TU403', null, 'staff of another organisation cannot start one with the student'
);
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_other_staff'
  ),
  'TU403', null, 'the student cannot bring in staff of another organisation'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'student_staff', :'student', :'u_staff', :'u_other_student'
  ),
  'TU403', null, 'the student cannot bring in another student'
);
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_staff'
  ),
  'TU403', null, 'another student cannot start one about the student'
);
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'student_staff', :'student', :'u_student', :'u_staff'
  ),
  'TU403', null, 'a stranger cannot start one, even naming the right people'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'student_staff', :'student', :'u_student', :'u_stranger'
  ),
  'TU403', null, 'staff cannot bring in a stranger'
);

-- roles the kind does not allow
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'student_staff', :'student', :'u_student', :'u_guardian'
  ),
  'TU403', null, 'student_staff: no guardian'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'guardian_staff', :'student', :'u_guardian', :'u_student'
  ),
  'TU403', null, 'guardian_staff: not the student'
);
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'co_guardians', :'student', :'u_guardian2', :'u_staff'
  ),
  'TU403', null, 'co_guardians: no staff'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L, %L]::uuid[])',
    'co_guardians', :'student', :'u_guardian2', :'u_student'
  ),
  'TU403', null, 'co_guardians: not the student'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'co_guardians', :'student', :'u_guardian'
  ),
  'TU403', null, 'co_guardians: staff cannot start one'
);

-- both sides of the relationship
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_staff2'
  ),
  'TU403', null, 'student_staff between staff only: refused'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'student', :'u_staff2'
  ),
  'TU403', null, 'guardian_staff between staff only: refused'
);

-- support: exactly one ordinary user and support staff
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'support', :'u_stranger2'
  ),
  'TU403', null, 'support between two ordinary users: refused'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L, %L]::uuid[])',
    'support', :'u_stranger2', :'u_support'
  ),
  'TU403', null, 'support with two ordinary users and support staff: refused'
);
select throws_ok(
  format('select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'support', :'u_fake'),
  'TU403', null, 'tutela_role in user metadata does not make support staff'
);
select tutela_tests.authenticate_as(:'u_fake');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'support', :'u_stranger'
  ),
  'TU403', null, 'a user claiming support in their own metadata cannot act as support'
);
select tutela_tests.authenticate_as(:'u_support');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, null, array[%L]::uuid[])', 'support', :'u_support2'
  ),
  'TU403', null, 'support between support staff only: refused'
);

select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.conversations), 0::bigint,
  'no refused call left a conversation behind'
);

select * from finish();
rollback;
