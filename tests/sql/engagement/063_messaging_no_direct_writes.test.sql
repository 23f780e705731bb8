-- Conversations and their members change only through start_conversation and
-- mark_conversation_read: no API role may insert, update or delete conversations or
-- conversation_members directly (nobody joins a conversation, changes a role or leaves by
-- writing the table), and messages are never edited or deleted (42501: no grant). The
-- private helper that tells who is support staff is not callable by clients.
begin;
select plan(14);

select tests.create_user('student@nowrite.test') as u_student \gset
select tests.create_user('staff@nowrite.test') as u_staff \gset
select tests.create_user('stranger@nowrite.test') as u_stranger \gset
insert into public.organizations (name, slug)
values ('No write', 'no-write') returning id as org \gset
insert into public.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into public.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset

select tests.authenticate_as(:'u_staff');
select id as conv from public.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[]
) \gset
select tests.clear_authentication();

prepare join_conv as
insert into public.conversation_members (conversation_id, user_id, role)
values (:'conv', :'u_stranger', 'staff');
prepare add_member as
insert into public.conversation_members (conversation_id, user_id, role)
values (:'conv', :'u_stranger', 'user');
prepare become_staff as
update public.conversation_members set role = 'staff' where conversation_id = :'conv';
prepare set_read as
update public.conversation_members set last_read_at = now() where conversation_id = :'conv';
prepare leave_conv as
delete from public.conversation_members where conversation_id = :'conv';
prepare new_conv as
insert into public.conversations (kind, organization_id, student_id)
values ('student_staff', :'org', :'student');
prepare rename_conv as
update public.conversations set title = 'Renamed' where id = :'conv';
prepare drop_conv as delete from public.conversations where id = :'conv';
prepare edit_message as update public.messages set body = 'Edited';
prepare drop_message as delete from public.messages;
prepare probe_support as select private.is_support_staff(:'u_staff');

select tests.authenticate_as(:'u_stranger');
select throws_ok('join_conv', '42501', null, 'a stranger cannot join a conversation');
select throws_ok('new_conv', '42501', null, 'a stranger cannot create a conversation directly');
select throws_ok('probe_support', '42501', null, 'a client cannot ask who is support staff');
select tests.authenticate_as(:'u_student');
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
select tests.as_anon();
select throws_ok('new_conv', '42501', null, 'anon cannot create a conversation');
select throws_ok('join_conv', '42501', null, 'anon cannot join a conversation');

select tests.clear_authentication();
select set_eq(
  format(
    'select user_id, role from public.conversation_members where conversation_id = %L', :'conv'
  ),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_staff', 'staff', :'u_student', 'student'),
  'the conversation still has exactly its two members with their roles'
);

select * from finish();
rollback;
