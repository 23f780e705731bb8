-- Withdrawing `messaging` from a guardian's link (staff, through set_guardian_link_permissions)
-- cuts the guardian out of the child's conversations at once, exactly like a revocation: no
-- conversation, member or message, no posting (42501), no mark read (TU403), no unread row,
-- no new conversation (TU403). The link itself stays active (the guardian still reads the
-- child's goals with `progress`). Other members are unaffected. Membership is kept, so giving
-- `messaging` back reopens the same conversations.
begin;
select plan(17);

select tutela_tests.create_user('guardian@nomsg.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@nomsg.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@nomsg.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('No messaging', 'no-messaging', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as child \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'child', :'u_guardian', 'active', 'staff', now()) returning id as link \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'child', :'u_guardian2', 'active', 'staff', now());
insert into tutela.goals (student_id, kind, created_by, title)
values (:'child', 'family', :'u_guardian2', 'Read together');

select tutela_tests.authenticate_as(:'u_guardian');
select id as c_staff from tutela.start_conversation(
  'guardian_staff', :'child', array[:'u_staff']::uuid[]
) \gset
select id as c_co from tutela.start_conversation(
  'co_guardians', :'child', array[:'u_guardian2']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body) values (:'c_staff', 'Hello');
select tutela_tests.clear_authentication();

prepare seen as
select
  (select count(*) from tutela.conversations) as conversations,
  (select count(*) from tutela.conversation_members) as members,
  (select count(*) from tutela.messages) as messages;
prepare post_staff as
insert into tutela.messages (conversation_id, body) values (:'c_staff', 'Anyone?');
prepare post_co as
insert into tutela.messages (conversation_id, body) values (:'c_co', 'Anyone?');
prepare mark_staff as select tutela.mark_conversation_read(:'c_staff');

select tutela_tests.authenticate_as(:'u_guardian');
select row_eq(
  'seen', row(2::bigint, 4::bigint, 3::bigint),
  'before: the guardian sees both conversations, their members and messages'
);

-- staff withdraw messaging
select tutela_tests.authenticate_as(:'u_staff');
select (tutela.set_guardian_link_permissions(:'link', '{"messaging": false}')).status \gset
select tutela_tests.authenticate_as(:'u_guardian');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'after: no conversation, member or message of the child'
);
select throws_ok('post_staff', '42501', null, 'after: cannot post to staff');
select throws_ok('post_co', '42501', null, 'after: cannot post to the co-guardian');
select throws_ok('mark_staff', 'TU403', null, 'after: cannot mark read');
select is_empty('select * from tutela.unread_counts()', 'after: no unread rows');
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'child', :'u_staff'
  ),
  'TU403', null, 'after: cannot start a new conversation about the child'
);
select is(
  (select count(*) from tutela.goals), 1::bigint,
  'after: the link is still active for everything else (the child''s goals)'
);

-- the other members are unaffected
select tutela_tests.authenticate_as(:'u_staff');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 2::bigint), 'staff still see their conversation'
);
select lives_ok('post_staff', 'staff still post');
select tutela_tests.authenticate_as(:'u_guardian2');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 1::bigint),
  'the co-guardian still sees the co_guardians conversation'
);
select lives_ok('post_co', 'the co-guardian still posts');

-- the guardian never left: giving messaging back reopens the same conversations
select tutela_tests.authenticate_as(:'u_staff');
select (tutela.set_guardian_link_permissions(:'link', '{"messaging": true}')).status \gset
select tutela_tests.authenticate_as(:'u_guardian');
select set_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid), (%L::uuid)', :'c_staff', :'c_co'),
  'messaging back on: the same two conversations'
);
select is(
  (select count(*) from tutela.messages), 5::bigint,
  'messaging back on: including what was said meanwhile'
);
select lives_ok('post_staff', 'messaging back on: posts again');
select lives_ok('mark_staff', 'messaging back on: marks read again');

-- the guardian's refused posts did not land
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.messages where sender_id = :'u_guardian'), 2::bigint,
  'the guardian''s messages: the first one and the one after messaging came back'
);

select * from finish();
rollback;
