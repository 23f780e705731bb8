-- Security review (issue 22, finding 7): anyone may call themself "Alex Admin"; what others are
-- shown as verified is the role the server records. A guardian renames themself; in a
-- conversation with staff their conversation_members.role stays 'guardian' and they have no
-- membership; they cannot write either table (42501). Staff's role and title come from the
-- organisation (memberships), which only admins (or the roster) set.
begin;
select plan(7);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('mum@a.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code') ->> 'status' as s \gset

update tutela.profiles set display_name = 'Alex Admin (Head of School)'
where user_id = :'mum';
select id as conv from tutela.start_conversation(
  'guardian_staff', :'student', array[:'staff'::uuid], 'Hello'
) \gset

select tutela_tests.authenticate_as(:'staff');
select is(
  (select display_name from tutela.profiles where user_id = :'mum'),
  'Alex Admin (Head of School)',
  'a chosen name is shown as a name'
);
select results_eq(
  format(
    'select user_id, role from tutela.conversation_members where conversation_id = %L '
    'order by role',
    :'conv'
  ),
  format($$values (%L::uuid, 'guardian'::text), (%L, 'staff')$$, :'mum', :'staff'),
  'the role shown next to it is the relationship the server recorded'
);
select is_empty(
  format('select 1 from tutela.memberships where user_id = %L', :'mum'),
  'the self-named "admin" holds no membership'
);

select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format(
    $$update tutela.conversation_members set role = 'staff' where conversation_id = %L$$,
    :'conv'
  ),
  '42501', null, 'a member cannot change their role in a conversation'
);
select throws_ok(
  format(
    $$insert into tutela.memberships (organization_id, user_id, role) values (%L, %L, 'admin')$$,
    :'org', :'mum'
  ),
  '42501', null, 'nor make themself a member'
);
select throws_ok(
  format($$update tutela.memberships set title = 'Head' where user_id = %L$$, :'staff'),
  '42501', null, 'nor change a member''s title'
);
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format($$update tutela.memberships set role = 'admin' where user_id = %L$$, :'staff'),
  '42501', null, 'staff cannot promote themselves by a direct write'
);

select * from finish();
rollback;
