-- Conversations and their members change only through start_conversation and
-- mark_conversation_read: no API role may insert, update or delete conversations or
-- conversation_members directly (nobody joins a conversation, changes a role or leaves by
-- writing the table), and messages are never edited or deleted (42501: no grant). The
-- private helper that tells who is support staff is not callable by clients.
begin;
select plan(14);

select tutela_tests.create_user('student@nowrite.test') as u_student \gset
select tutela_tests.create_user('staff@nowrite.test') as u_staff \gset
select tutela_tests.create_user('stranger@nowrite.test') as u_stranger \gset
insert into tutela.organizations (name, slug)
values ('No write', 'no-write') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset

select tutela_tests.authenticate_as(:'u_staff');
select id as conv from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[]
) \gset
select tutela_tests.clear_authentication();

prepare join_conv as
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'conv', :'u_stranger', 'staff');
prepare add_member as
insert into tutela.conversation_members (conversation_id, user_id, role)
values (:'conv', :'u_stranger', 'user');
prepare become_staff as
update tutela.conversation_members set role = 'staff' where conversation_id = :'conv';
prepare set_read as
update tutela.conversation_members set last_read_at = now() where conversation_id = :'conv';
prepare leave_conv as
delete from tutela.conversation_members where conversation_id = :'conv';
prepare new_conv as
insert into tutela.conversations (kind, organization_id, student_id)
values ('student_staff', :'org', :'student');
prepare rename_conv as
update tutela.conversations set title = 'Renamed' where id = :'conv';
prepare drop_conv as delete from tutela.conversations where id = :'conv';
prepare edit_message as update tutela.messages set body = 'Edited';
prepare drop_message as delete from tutela.messages;
prepare probe_support as select tutela_private.is_support_staff(:'u_staff');

select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('join_conv', '42501', null, 'a stranger cannot join a conversation');
select throws_ok('new_conv', '42501', null, 'a stranger cannot create a conversation directly');
select throws_ok('probe_support', '42501', null, 'a client cannot ask who is support staff');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('add_member', '42501', null, 'a member cannot add someone');
select throws_ok('become_staff', '42501', null, 'a member cannot change a role');
select throws_ok(
  'set_read', '42501', null, 'a member cannot write last_read_at directly (the function does)'
);
select throws_ok('leave_conv', '42501', null, 'a member cannot remove members');
select throws_ok('rename_conv', '42501', null, 'a member cannot rename the conversation');
select throws_ok('drop_conv', '42501', null, 'a member cannot delete the conversation');
select throws_ok('edit_message', '42501', null, 'a member cannot edit a message');
select throws_ok('drop_message', '42501', null, 'a member cannot delete a message');
select tutela_tests.as_anon();
select throws_ok('new_conv', '42501', null, 'anon cannot create a conversation');
select throws_ok('join_conv', '42501', null, 'anon cannot join a conversation');

select tutela_tests.clear_authentication();
select set_eq(
  format(
    'select user_id, role from tutela.conversation_members where conversation_id = %L', :'conv'
  ),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_staff', 'staff', :'u_student', 'student'),
  'the conversation still has exactly its two members with their roles'
);

select * from finish();
rollback;
