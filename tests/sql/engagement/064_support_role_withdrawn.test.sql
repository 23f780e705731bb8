-- Support staff who lose the support role (auth.users raw_app_meta_data ->> 'tutela_role' is
-- no longer 'support') lose the support conversations they were in, at once, as staff removed
-- from an organisation lose theirs: nothing to read, no posting (42501), no mark read (TU403),
-- no unread row. The user and the support staff who keep the role are unaffected.
-- (Messaging follows a relationship that still holds; for support staff that relationship is
-- the support role.)
begin;
select plan(10);

select tutela_tests.create_user('user@supportgone.test') as u_user \gset
select tutela_tests.create_user('support@supportgone.test') as u_support \gset
select tutela_tests.create_user('support2@supportgone.test') as u_support2 \gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id in (:'u_support', :'u_support2');

select tutela_tests.authenticate_as(:'u_user');
select id as conv from tutela.start_conversation(
  'support', null, array[:'u_support', :'u_support2']::uuid[]
) \gset
insert into tutela.messages (conversation_id, body) values (:'conv', 'Help please');
select tutela_tests.clear_authentication();

prepare seen as
select
  (select count(*) from tutela.conversations) as conversations,
  (select count(*) from tutela.conversation_members) as members,
  (select count(*) from tutela.messages) as messages;
prepare post as insert into tutela.messages (conversation_id, body) values (:'conv', 'On it');
prepare mark as select tutela.mark_conversation_read(:'conv');

select tutela_tests.authenticate_as(:'u_support');
select row_eq(
  'seen', row(1::bigint, 3::bigint, 2::bigint),
  'before: support staff read the conversation'
);

-- the support role is withdrawn (app metadata: only the service side can change it)
select tutela_tests.clear_authentication();
update auth.users set raw_app_meta_data = raw_app_meta_data - 'tutela_role'
where id = :'u_support';

select tutela_tests.authenticate_as(:'u_support');
select row_eq(
  'seen', row(0::bigint, 0::bigint, 0::bigint),
  'after: former support staff see nothing of the support conversation'
);
select throws_ok('post', '42501', null, 'after: former support staff cannot post');
select throws_ok('mark', 'TU403', null, 'after: former support staff cannot mark read');
select is_empty('select * from tutela.unread_counts()', 'after: no unread row');

-- the others are unaffected
select tutela_tests.authenticate_as(:'u_support2');
select row_eq(
  $$select (select count(*) from tutela.conversations),
    (select count(*) from tutela.messages where body = 'Help please')$$,
  row(1::bigint, 1::bigint),
  'support staff who keep the role still read the conversation and the user''s message'
);
select lives_ok('post', 'and still post');
select tutela_tests.authenticate_as(:'u_user');
select row_eq(
  format(
    'select (select count(*) from tutela.conversations), '
    '(select count(*) from tutela.messages where sender_id = %L)',
    :'u_support2'
  ),
  row(1::bigint, 1::bigint),
  'the user still reads the conversation and the remaining support staff''s reply'
);
select lives_ok('post', 'and still posts');
select lives_ok('mark', 'and still marks it read');

select * from finish();
rollback;
