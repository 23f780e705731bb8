-- Staff removed from an organisation (remove_organization_member, by an admin) lose every
-- conversation of that organisation at once: no conversation, member or message, no posting
-- (42501), no mark read (TU403), no unread row, no new conversation (TU403). Their
-- conversations in another organisation where they still work are untouched; the other
-- members (the student, the guardian, a colleague) keep reading and posting.
begin;
select plan(18);

select tutela_tests.create_user('student@removed.test') as u_student \gset
select tutela_tests.create_user('guardian@removed.test') as u_guardian \gset
select tutela_tests.create_user('staff@removed.test') as u_staff \gset
select tutela_tests.create_user('staff2@removed.test') as u_staff2 \gset
select tutela_tests.create_user('admin@removed.test') as u_admin \gset
select tutela_tests.create_user('student_b@removed.test') as u_student_b \gset
insert into tutela.organizations (name, slug)
values ('Removed A', 'removed-a') returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Removed B', 'removed-b') returning id as org_b \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'org', :'u_staff2', 'staff'), (:'org_b', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org_b', 'Student B', :'u_student_b') returning id as student_b \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_staff');
select id as c_student from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student', :'u_staff2']::uuid[]
) \gset
select id as c_guardian from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_guardian']::uuid[]
) \gset
select id as c_b from tutela.start_conversation(
  'student_staff', :'student_b', array[:'u_student_b']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body)
values (:'c_student', 'Welcome'), (:'c_guardian', 'Welcome');
select tutela_tests.clear_authentication();

prepare post_student as
insert into tutela.messages (conversation_id, body) values (:'c_student', 'Still here');
prepare post_guardian as
insert into tutela.messages (conversation_id, body) values (:'c_guardian', 'Still here');
prepare post_b as
insert into tutela.messages (conversation_id, body) values (:'c_b', 'Still here');
prepare mark_student as select tutela.mark_conversation_read(:'c_student');
prepare mark_guardian as select tutela.mark_conversation_read(:'c_guardian');

select tutela_tests.authenticate_as(:'u_staff');
select set_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid), (%L::uuid), (%L::uuid)', :'c_student', :'c_guardian', :'c_b'),
  'before: staff see their three conversations'
);

-- the admin removes staff from organisation A
select tutela_tests.authenticate_as(:'u_admin');
select tutela.remove_organization_member(:'org', :'u_staff');

select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_b'),
  'after: only the conversation of the organisation they still work in'
);
select is_empty(
  format(
    'select * from tutela.conversation_members where conversation_id in (%L, %L)',
    :'c_student', :'c_guardian'
  ),
  'after: no member of organisation A''s conversations'
);
select is_empty(
  format(
    'select * from tutela.messages where conversation_id in (%L, %L)',
    :'c_student', :'c_guardian'
  ),
  'after: no message of organisation A''s conversations'
);
select throws_ok('post_student', '42501', null, 'after: cannot post to the student');
select throws_ok('post_guardian', '42501', null, 'after: cannot post to the guardian');
select throws_ok('mark_student', 'TU403', null, 'after: cannot mark read (student_staff)');
select throws_ok('mark_guardian', 'TU403', null, 'after: cannot mark read (guardian_staff)');
select results_eq(
  'select conversation_id from tutela.unread_counts()',
  format('values (%L::uuid)', :'c_b'),
  'after: unread_counts lists only organisation B''s conversation'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'student_staff', :'student', :'u_student'
  ),
  'TU403', null, 'after: cannot start a conversation with the student'
);
select lives_ok('post_b', 'after: still posts in organisation B');

-- the other members are unaffected
select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_student'),
  'the student still sees their conversation'
);
select lives_ok('post_student', 'the student still posts');
select tutela_tests.authenticate_as(:'u_staff2');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_student'),
  'the colleague still sees the conversation'
);
select lives_ok('mark_student', 'the colleague still marks it read');
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_guardian'),
  'the guardian still sees their conversation'
);
select lives_ok('post_guardian', 'the guardian still posts');

-- an admin who is no member sees nothing either (access is membership, not rank)
select tutela_tests.authenticate_as(:'u_admin');
select is_empty('select * from tutela.conversations', 'the admin (not a member) sees nothing');

select * from finish();
rollback;
