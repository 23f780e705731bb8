-- Who reads a conversation, its members and its messages: its members only (each through a
-- relationship that still holds). Everyone else sees nothing of it, including people with a
-- relationship to the same child who are not members: another guardian with `messaging`,
-- the student, staff and admins of the same organisation. anon has no grant; the service role
-- bypasses RLS.
-- Each actor's view is (conversations, conversation_members, messages) counted over the whole
-- tables: the world holds only this conversation, so a leak anywhere shows.
begin;
select plan(21);

select tutela_tests.create_user('student@visible.test') as u_student \gset
select tutela_tests.create_user('other_student@visible.test') as u_other_student \gset
select tutela_tests.create_user('guardian@visible.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@visible.test') as u_guardian2 \gset
select tutela_tests.create_user('guardian_nomsg@visible.test') as u_guardian_nomsg \gset
select tutela_tests.create_user('guardian_pending@visible.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian_revoked@visible.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff@visible.test') as u_staff \gset
select tutela_tests.create_user('staff2@visible.test') as u_staff2 \gset
select tutela_tests.create_user('admin@visible.test') as u_admin \gset
select tutela_tests.create_user('other_staff@visible.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@visible.test') as u_stranger \gset
select tutela_tests.create_user('support@visible.test') as u_support \gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id = :'u_support';
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Visible A', 'visible-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Visible B', 'visible-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'org', :'u_staff2', 'staff'), (:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student');
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
);

-- The conversation: the guardian and staff, an opening message and one message from each
select tutela_tests.authenticate_as(:'u_guardian');
select id as conv from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_staff']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body) values (:'conv', 'Hello from home');
select tutela_tests.authenticate_as(:'u_staff');
insert into tutela.messages (conversation_id, body) values (:'conv', 'Hello from school');
select tutela_tests.clear_authentication();

prepare seen as
select
  (select count(*) from tutela.conversations) as conversations,
  (select count(*) from tutela.conversation_members) as members,
  (select count(*) from tutela.messages) as messages;

-- members
select tutela_tests.authenticate_as(:'u_guardian');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'the guardian (member) reads the conversation, both members and all three messages'
);
select results_eq(
  'select body from tutela.messages order by id',
  $$values ('Conversation started'), ('Hello from home'), ('Hello from school')$$,
  'the guardian reads the messages in order'
);
select tutela_tests.authenticate_as(:'u_staff');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'staff (member) read the conversation, both members and all three messages'
);
select set_eq(
  'select user_id from tutela.conversation_members',
  format('values (%L::uuid), (%L::uuid)', :'u_guardian', :'u_staff'),
  'staff see who the members are'
);

-- people with a relationship to the child who are not members
select tutela_tests.authenticate_as(:'u_guardian2');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'another guardian with messaging, not a member: nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_nomsg');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint), 'a guardian without messaging: nothing'
);
select tutela_tests.authenticate_as(:'u_guardian_pending');
select row_eq('seen', row(0::bigint, 0::bigint, 0::bigint), 'a pending guardian: nothing');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select row_eq('seen', row(0::bigint, 0::bigint, 0::bigint), 'a revoked guardian: nothing');
select tutela_tests.authenticate_as(:'u_student');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'the student the conversation is about, not a member: nothing'
);
select tutela_tests.authenticate_as(:'u_staff2');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'staff of the same organisation, not a member: nothing'
);
select tutela_tests.authenticate_as(:'u_admin');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'an admin of the same organisation, not a member: nothing'
);

-- everyone else
select tutela_tests.authenticate_as(:'u_other_student');
select row_eq('seen', row(0::bigint, 0::bigint, 0::bigint), 'another student: nothing');
select tutela_tests.authenticate_as(:'u_other_staff');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint), 'staff of another organisation: nothing'
);
select tutela_tests.authenticate_as(:'u_stranger');
select row_eq('seen', row(0::bigint, 0::bigint, 0::bigint), 'a stranger: nothing');
select tutela_tests.authenticate_as(:'u_support');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint), 'support staff (not a member): nothing'
);

-- anon: no grant on any of the three tables
select tutela_tests.as_anon();
select throws_ok('select * from tutela.conversations', '42501', null, 'anon: conversations');
select throws_ok(
  'select * from tutela.conversation_members', '42501', null, 'anon: conversation_members'
);
select throws_ok('select * from tutela.messages', '42501', null, 'anon: messages');

-- the service role sees everything
select tutela_tests.as_service_role();
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint), 'the service role sees everything'
);

-- a second conversation of the guardian does not widen staff's view, and vice versa
select tutela_tests.authenticate_as(:'u_guardian');
select id as conv2 from tutela.start_conversation(
  'co_guardians', :'student', array[:'u_guardian2']::uuid[]
) \gset
select tutela_tests.authenticate_as(:'u_staff');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'staff still see only the conversation they are in'
);
select tutela_tests.authenticate_as(:'u_guardian2');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 1::bigint),
  'the other guardian sees only the co_guardians conversation they are now in'
);

select * from finish();
rollback;
