-- Support conversations join one user with support staff; they are about no student and no
-- organisation. Their members read and post like any other conversation; support staff who
-- are not members see nothing of it, nor do staff of the user's child's organisation. A
-- support conversation does not hang on a guardian link: revoking the user's link to a child
-- leaves it open.
begin;
select plan(15);

select tutela_tests.create_user('guardian@support.test') as u_guardian \gset
select tutela_tests.create_user('support@support.test') as u_support \gset
select tutela_tests.create_user('support2@support.test') as u_support2 \gset
select tutela_tests.create_user('staff@support.test') as u_staff \gset
select tutela_tests.create_user('stranger@support.test') as u_stranger \gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id in (:'u_support', :'u_support2');
insert into tutela.organizations (name, slug)
values ('Support', 'support') returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as child \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'child', :'u_guardian', 'active', 'staff', now()) returning id as link \gset

select tutela_tests.authenticate_as(:'u_guardian');
select id as conv from tutela.start_conversation(
  'support', null, array[:'u_support']::uuid[], 'Cannot see grades'
) \gset
insert into tutela.messages (conversation_id, body) values (:'conv', 'Grades are empty');
select tutela_tests.authenticate_as(:'u_support');
insert into tutela.messages (conversation_id, body) values (:'conv', 'Looking into it');
select tutela_tests.clear_authentication();
-- both read an hour ago, after the opening and the user's message, before support's reply
update tutela.messages set created_at = now() - interval '2 hours'
where body <> 'Looking into it';
update tutela.conversation_members set last_read_at = now() - interval '1 hour';

prepare seen as
select
  (select count(*) from tutela.conversations) as conversations,
  (select count(*) from tutela.conversation_members) as members,
  (select count(*) from tutela.messages) as messages;
prepare post as insert into tutela.messages (conversation_id, body) values (:'conv', 'Me too');
prepare mark as select tutela.mark_conversation_read(:'conv');

-- members
select tutela_tests.authenticate_as(:'u_guardian');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'the user reads the conversation, its members and messages'
);
select results_eq(
  'select conversation_id, unread from tutela.unread_counts()',
  format('values (%L::uuid, 1::bigint)', :'conv'),
  'the user has support''s reply unread'
);
select tutela_tests.authenticate_as(:'u_support');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'support staff (member) read the conversation, its members and messages'
);
select lives_ok('mark', 'support staff (member) mark it read');

-- non-members
select tutela_tests.authenticate_as(:'u_support2');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint), 'other support staff (not members): nothing'
);
select throws_ok('post', '42501', null, 'other support staff cannot post');
select throws_ok('mark', 'TU403', null, 'other support staff cannot mark it read');
select is_empty('select * from tutela.unread_counts()', 'other support staff: no unread row');
select tutela_tests.authenticate_as(:'u_staff');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'staff of the user''s child''s organisation: nothing'
);
select throws_ok('post', '42501', null, 'staff of the child''s organisation cannot post');
select tutela_tests.authenticate_as(:'u_stranger');
select row_eq('seen', row(0::bigint, 0::bigint, 0::bigint), 'a stranger: nothing');

-- not tied to a guardian link
select tutela_tests.authenticate_as(:'u_staff');
select (tutela.revoke_guardian_link(:'link')).status as link_status \gset
select tutela_tests.authenticate_as(:'u_guardian');
select row_eq(
  'seen', row(1::bigint, 2::bigint, 3::bigint),
  'after the user''s guardian link is revoked, the support conversation stays readable'
);
select lives_ok('post', 'and the user still posts');
select lives_ok('mark', 'and marks it read');
select tutela_tests.authenticate_as(:'u_support');
select results_eq(
  'select body from tutela.messages order by id desc limit 1',
  $$values ('Me too')$$,
  'support staff read the user''s new message'
);

select * from finish();
rollback;
