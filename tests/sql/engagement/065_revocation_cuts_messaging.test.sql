-- Revoking a guardian link cuts the guardian out of every conversation about that child at
-- once (same transaction): they see no conversation, member or message of it, cannot post
-- (42501) nor mark read (TU403), and unread_counts no longer lists it. Their conversations
-- about another child they still guard are untouched, and so are the other members (staff,
-- the co-guardian), who keep reading and posting.
begin;
select plan(22);

select tutela_tests.create_user('student@revoke.test') as u_student \gset
select tutela_tests.create_user('guardian@revoke.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@revoke.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@revoke.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Revoke', 'revoke', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Child', :'u_student') returning id as child \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sibling') returning id as sibling \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'child', :'u_guardian', 'active', 'staff', now()) returning id as link \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sibling', :'u_guardian', 'active', 'staff', now()),
(:'child', :'u_guardian2', 'active', 'staff', now());

-- three conversations: with staff about the child, with the co-guardian about the child, with
-- staff about the sibling
select tutela_tests.authenticate_as(:'u_guardian');
select id as c_staff from tutela.start_conversation(
  'guardian_staff', :'child', array[:'u_staff']::uuid[]
) \gset
select id as c_co from tutela.start_conversation(
  'co_guardians', :'child', array[:'u_guardian2']::uuid[]
) \gset
select id as c_sibling from tutela.start_conversation(
  'guardian_staff', :'sibling', array[:'u_staff']::uuid[]
) \gset
select tutela_tests.clear_authentication();
update tutela.messages set created_at = now() - interval '2 hours';
update tutela.conversation_members set last_read_at = now() - interval '1 hour';
select tutela_tests.authenticate_as(:'u_staff');
insert into tutela.messages (conversation_id, body)
values (:'c_staff', 'About the child'), (:'c_sibling', 'About the sibling');
select tutela_tests.authenticate_as(:'u_guardian2');
insert into tutela.messages (conversation_id, body) values (:'c_co', 'From the co-guardian');

prepare post_staff as
insert into tutela.messages (conversation_id, body) values (:'c_staff', 'Still here?');
prepare post_co as
insert into tutela.messages (conversation_id, body) values (:'c_co', 'Still here?');
prepare post_sibling as
insert into tutela.messages (conversation_id, body) values (:'c_sibling', 'All well');
prepare mark_staff as select tutela.mark_conversation_read(:'c_staff');
prepare mark_co as select tutela.mark_conversation_read(:'c_co');

-- before
select tutela_tests.authenticate_as(:'u_guardian');
select set_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid), (%L::uuid), (%L::uuid)', :'c_staff', :'c_co', :'c_sibling'),
  'before: the guardian sees their three conversations'
);
select set_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format(
    'values (%L::uuid, 1::bigint), (%L::uuid, 1::bigint), (%L::uuid, 1::bigint)',
    :'c_staff', :'c_co', :'c_sibling'
  ),
  'before: one unread message in each'
);

-- the student revokes the guardian's link to the child
select tutela_tests.authenticate_as(:'u_student');
select (tutela.revoke_guardian_link(:'link')).status as link_status \gset

-- after: the guardian is out of the child's conversations
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_sibling'),
  'after: the guardian sees only the sibling''s conversation'
);
select is_empty(
  format(
    'select * from tutela.conversation_members where conversation_id in (%L, %L)',
    :'c_staff', :'c_co'
  ),
  'after: no member of the child''s conversations'
);
select is_empty(
  format(
    'select * from tutela.messages where conversation_id in (%L, %L)', :'c_staff', :'c_co'
  ),
  'after: no message of the child''s conversations'
);
select throws_ok('post_staff', '42501', null, 'after: cannot post to staff about the child');
select throws_ok('post_co', '42501', null, 'after: cannot post to the co-guardian');
select throws_ok('mark_staff', 'TU403', null, 'after: cannot mark the staff conversation read');
select throws_ok('mark_co', 'TU403', null, 'after: cannot mark the co_guardians one read');
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 1::bigint)', :'c_sibling'),
  'after: unread_counts lists only the sibling''s conversation'
);
select throws_ok(
  format(
    'select tutela.start_conversation(%L, %L, array[%L]::uuid[])',
    'guardian_staff', :'child', :'u_staff'
  ),
  'TU403', null, 'after: cannot start a new conversation about the child'
);

-- the sibling's conversation is untouched
select lives_ok('post_sibling', 'after: still posts about the sibling');
select results_eq(
  format('select count(*) from tutela.messages where conversation_id = %L', :'c_sibling'),
  'values (3::bigint)',
  'after: reads all of the sibling''s conversation'
);

-- the other members are unaffected
select tutela_tests.authenticate_as(:'u_staff');
select set_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid), (%L::uuid)', :'c_staff', :'c_sibling'),
  'staff still see both their conversations'
);
select is(
  (select count(*) from tutela.messages where conversation_id = :'c_staff'), 2::bigint,
  'staff still read the conversation about the child'
);
select lives_ok('post_staff', 'staff still post in it');
select lives_ok('mark_staff', 'staff still mark it read');
select tutela_tests.authenticate_as(:'u_guardian2');
select results_eq(
  'select id from tutela.conversations',
  format('values (%L::uuid)', :'c_co'),
  'the co-guardian still sees the co_guardians conversation'
);
select set_eq(
  'select user_id from tutela.conversation_members',
  format('values (%L::uuid), (%L::uuid)', :'u_guardian', :'u_guardian2'),
  'the co-guardian still sees who was in it'
);
select lives_ok('post_co', 'the co-guardian still posts');
select results_eq(
  'select conversation_id from tutela.unread_counts()',
  format('values (%L::uuid)', :'c_co'),
  'the co-guardian''s unread_counts still lists it'
);

-- nothing the revoked guardian tried landed
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.messages
    where sender_id = :'u_guardian' and conversation_id in (:'c_staff', :'c_co')
  ),
  0::bigint,
  'no message from the revoked guardian reached the child''s conversations'
);

select * from finish();
rollback;
