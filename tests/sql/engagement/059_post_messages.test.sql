-- Posting: members insert text messages with only (conversation_id, body); the sender is the
-- caller and the kind 'text'. A client cannot name the sender (not even itself) nor post a
-- 'system' message (no column grant: 42501); non-members cannot post (RLS: 42501); nobody
-- edits or deletes a message through the API (no grant: 42501). Posting moves the
-- conversation's last_message_at.
begin;
select plan(19);

select tutela_tests.create_user('student@post.test') as u_student \gset
select tutela_tests.create_user('guardian@post.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@post.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@post.test') as u_staff \gset
select tutela_tests.create_user('staff2@post.test') as u_staff2 \gset
select tutela_tests.create_user('stranger@post.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Post', 'post', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_staff2', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'student', :'u_guardian', 'active', 'staff', now()),
(:'student', :'u_guardian2', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_staff');
select id as conv from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_guardian']::uuid[]
) \gset
select tutela_tests.clear_authentication();
update tutela.conversations set last_message_at = now() - interval '1 day' where id = :'conv';

prepare post as insert into tutela.messages (conversation_id, body) values (:'conv', 'Hi');
prepare post_as_staff as
insert into tutela.messages (conversation_id, sender_id, body)
values (:'conv', :'u_staff', 'Pretending to be staff');
prepare post_as_self as
insert into tutela.messages (conversation_id, sender_id, body)
values (:'conv', :'u_guardian', 'Naming myself');
prepare post_system as
insert into tutela.messages (conversation_id, kind, body)
values (:'conv', 'system', 'The school is closed');
prepare edit as update tutela.messages set body = 'Edited' where conversation_id = :'conv';
prepare remove as delete from tutela.messages where conversation_id = :'conv';

-- members post
select tutela_tests.authenticate_as(:'u_guardian');
select lives_ok('post', 'the guardian (member) posts');
select results_eq(
  $$insert into tutela.messages (conversation_id, body) values ($$
  || quote_literal(:'conv') || $$, 'Thanks') returning sender_id, kind$$,
  format('values (%L::uuid, %L::text)', :'u_guardian', 'text'),
  'a posted message is the caller''s, of kind text'
);
select tutela_tests.authenticate_as(:'u_staff');
select lives_ok('post', 'staff (member) post');
select tutela_tests.clear_authentication();
select is(
  (select last_message_at from tutela.conversations where id = :'conv'), now(),
  'posting moves last_message_at'
);
select set_eq(
  format(
    'select sender_id, count(*) from tutela.messages where conversation_id = %L '
    'and kind = %L group by 1',
    :'conv', 'text'
  ),
  format('values (%L::uuid, 2::bigint), (%L::uuid, 1::bigint)', :'u_guardian', :'u_staff'),
  'the text messages are the guardian''s two and staff''s one'
);

-- members cannot post as someone else, name the sender, or post system messages
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('post_as_staff', '42501', null, 'posting as another member is refused');
select throws_ok(
  'post_as_self', '42501', null, 'naming the sender at all is refused (it is always the caller)'
);
select throws_ok('post_system', '42501', null, 'posting a system message is refused');

-- members cannot edit or delete messages
select throws_ok('edit', '42501', null, 'a member cannot edit messages');
select throws_ok('remove', '42501', null, 'a member cannot delete messages');

-- non-members cannot post
select tutela_tests.authenticate_as(:'u_guardian2');
select throws_ok('post', '42501', null, 'another guardian of the child (not a member): refused');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('post', '42501', null, 'the student (not a member): refused');
select tutela_tests.authenticate_as(:'u_staff2');
select throws_ok('post', '42501', null, 'staff of the organisation (not a member): refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('post', '42501', null, 'a stranger: refused');
select throws_ok(
  format(
    'insert into tutela.messages (conversation_id, body) values (%L, %L)',
    gen_random_uuid(), 'Into the void'
  ),
  '42501', null, 'posting into a conversation that does not exist: refused'
);
select tutela_tests.as_anon();
select throws_ok('post', '42501', null, 'anon: refused');

-- nothing of the refused attempts landed
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.messages where conversation_id = :'conv'), 4::bigint,
  'the conversation holds the opening message and the three posted ones, nothing else'
);
select is(
  (select count(*) from tutela.messages where kind = 'system'), 1::bigint,
  'the only system message is the opening one'
);
select is_empty(
  $$select * from tutela.messages where body in (
    'Pretending to be staff', 'Naming myself', 'The school is closed', 'Into the void'
  )$$,
  'none of the refused messages exists'
);

select * from finish();
rollback;
