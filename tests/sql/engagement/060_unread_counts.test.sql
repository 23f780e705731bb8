-- unread_counts(): for each conversation the caller is a member of, the number of messages by
-- others (system messages included) created after the caller's last_read_at (all of them when
-- the caller never read it); the caller's own messages never count. Newest conversation
-- first. mark_conversation_read resets the caller's count and nobody else's; later messages
-- count again. Non-members get no row. anon: 42501.
-- Time: last_read_at and the opening messages are back-dated; a later message is dated ahead.
begin;
select plan(14);

select tutela_tests.create_user('student@unread.test') as u_student \gset
select tutela_tests.create_user('guardian@unread.test') as u_guardian \gset
select tutela_tests.create_user('staff@unread.test') as u_staff \gset
select tutela_tests.create_user('staff2@unread.test') as u_staff2 \gset
select tutela_tests.create_user('stranger@unread.test') as u_stranger \gset
insert into tutela.organizations (name, slug) values ('Unread', 'unread') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_staff2', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'student', :'u_guardian', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_staff');
select id as c_student from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[]
) \gset
select id as c_guardian from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_guardian']::uuid[]
) \gset
select tutela_tests.clear_authentication();
-- everyone read both conversations an hour ago, after their opening messages
update tutela.messages set created_at = now() - interval '2 hours';
update tutela.conversation_members set last_read_at = now() - interval '1 hour';

-- the student posts twice and staff once in c_student; the guardian once in c_guardian
select tutela_tests.authenticate_as(:'u_student');
insert into tutela.messages (conversation_id, body)
values (:'c_student', 'Question one'), (:'c_student', 'Question two');
select tutela_tests.authenticate_as(:'u_staff');
insert into tutela.messages (conversation_id, body) values (:'c_student', 'Answer');
select tutela_tests.authenticate_as(:'u_guardian');
insert into tutela.messages (conversation_id, body) values (:'c_guardian', 'A note from home');
select tutela_tests.clear_authentication();
update tutela.conversations set last_message_at = now() - interval '1 minute'
where id = :'c_student';

select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 1::bigint), (%L::uuid, 2::bigint)', :'c_guardian', :'c_student'),
  'staff: one unread from the guardian, two from the student (own answer not counted), '
  || 'newest conversation first'
);
select is(
  (select last_message_at from tutela.unread_counts() where conversation_id = :'c_guardian'),
  now(),
  'staff: each row carries the conversation''s last_message_at'
);
select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 1::bigint)', :'c_student'),
  'the student: staff''s one answer (own questions never count), only their conversation'
);
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 0::bigint)', :'c_guardian'),
  'the guardian: nothing unread (their own message does not count)'
);

-- non-members get no row
select tutela_tests.authenticate_as(:'u_staff2');
select is_empty(
  'select * from tutela.unread_counts()', 'staff of the organisation, not a member: no rows'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty('select * from tutela.unread_counts()', 'a stranger: no rows');

-- staff mark c_student read: their count resets, the student's does not
select tutela_tests.authenticate_as(:'u_staff');
select is(
  tutela.mark_conversation_read(:'c_student'), now(), 'mark_conversation_read returns now'
);
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 1::bigint), (%L::uuid, 0::bigint)', :'c_guardian', :'c_student'),
  'staff after marking c_student read: 0 there, the other conversation unchanged'
);
select tutela_tests.authenticate_as(:'u_student');
select is(
  (select unread from tutela.unread_counts() where conversation_id = :'c_student'), 1::bigint,
  'the student''s count is not affected by staff marking read'
);

-- a message after the mark counts again (dated a second ahead of this transaction's now)
select tutela_tests.clear_authentication();
insert into tutela.messages (conversation_id, sender_id, body, created_at)
values (:'c_student', :'u_student', 'One more thing', now() + interval '1 second');
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (select unread from tutela.unread_counts() where conversation_id = :'c_student'), 1::bigint,
  'staff: a message after the mark is unread'
);

-- a member who never read counts every message by others, the opening message included
select tutela_tests.clear_authentication();
update tutela.conversation_members set last_read_at = null
where conversation_id = :'c_guardian' and user_id = :'u_guardian';
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  (select unread from tutela.unread_counts() where conversation_id = :'c_guardian'), 1::bigint,
  'never read: the opening system message counts, the guardian''s own message does not'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  (select unread from tutela.unread_counts() where conversation_id = :'c_guardian'), 1::bigint,
  'staff: the guardian''s note is still unread'
);
select tutela.mark_conversation_read(:'c_guardian') is not null as marked \gset
select is(
  (select unread from tutela.unread_counts() where conversation_id = :'c_guardian'), 0::bigint,
  'staff after marking c_guardian read: 0 there'
);

-- anon
select tutela_tests.as_anon();
select throws_ok('select * from tutela.unread_counts()', '42501', null, 'anon: no execute grant');

select * from finish();
rollback;
