-- student_dashboard() -> unread_messages: the total of unread_counts() over the student's
-- conversations: messages by others (the system's opening message included) after the
-- student's last read; the student's own messages and conversations they are not a member of
-- never count.
begin;
select plan(3);

select tutela_tests.create_user('student-048@world.test') as u_student \gset
select tutela_tests.create_user('guardian-048@world.test') as u_guardian \gset
select tutela_tests.create_user('staff-048@world.test') as u_staff \gset
insert into tutela.organizations (name, slug) values ('World 048', 'world-048')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_student');
select is(
  (tutela.student_dashboard() ->> 'unread_messages')::integer, 0,
  'no conversation: nothing unread'
);

-- staff open a conversation with the student (a system message) and write twice; the student
-- answers once; a guardian-staff conversation about the student is not the student's
select tutela_tests.authenticate_as(:'u_staff');
select id as conv from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[]
) \gset
select id as parents_conv from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_guardian']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body)
values (:'conv', 'Welcome'), (:'conv', 'Homework is up'), (:'parents_conv', 'For parents');
select tutela_tests.authenticate_as(:'u_student');
insert into tutela.messages (conversation_id, body) values (:'conv', 'Thanks');

select is(
  (tutela.student_dashboard() ->> 'unread_messages')::integer, 3,
  'the opening message and staff''s two messages are unread; the student''s own is not, '
  || 'nor the parents'' conversation'
);

-- the student read the conversation after the opening message and the first staff message
select tutela_tests.clear_authentication();
update tutela.messages set created_at = now() - interval '2 hours'
where conversation_id = :'conv' and body in ('Conversation started', 'Welcome');
update tutela.conversation_members set last_read_at = now() - interval '1 hour'
where conversation_id = :'conv' and user_id = :'u_student';
select tutela_tests.authenticate_as(:'u_student');
select is(
  (tutela.student_dashboard() ->> 'unread_messages')::integer, 1,
  'after reading, only the later message counts'
);

select * from finish();
rollback;
