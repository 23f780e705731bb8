-- mark_conversation_read(conversation): a member sets their own last_read_at to now (nobody
-- else's). Non-members are refused with TU403 (another guardian of the child, the student,
-- staff of the organisation who are not members, staff of another organisation, a stranger);
-- an unknown conversation: TU403 (no probing of ids); anon: 42501; a token for a user that
-- does not exist: TU401.
begin;
select plan(14);

select tutela_tests.create_user('student@markread.test') as u_student \gset
select tutela_tests.create_user('guardian@markread.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@markread.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@markread.test') as u_staff \gset
select tutela_tests.create_user('staff2@markread.test') as u_staff2 \gset
select tutela_tests.create_user('other_staff@markread.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@markread.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Mark read A', 'mark-read-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('Mark read B', 'mark-read-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_staff2', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
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
update tutela.conversation_members set last_read_at = now() - interval '1 day'
where conversation_id = :'conv';

prepare mark as select tutela.mark_conversation_read(:'conv');

-- a member marks read: their own row only
select tutela_tests.authenticate_as(:'u_guardian');
select is(tutela.mark_conversation_read(:'conv'), now(), 'a member marks read: returns now');
select tutela_tests.clear_authentication();
select set_eq(
  format(
    'select user_id, last_read_at from tutela.conversation_members where conversation_id = %L',
    :'conv'
  ),
  format(
    'values (%L::uuid, now()), (%L::uuid, now() - interval %L)',
    :'u_guardian', :'u_staff', '1 day'
  ),
  'only the caller''s last_read_at moved'
);

-- non-members
select tutela_tests.authenticate_as(:'u_guardian2');
select throws_ok('mark', 'TU403', null, 'another guardian of the child (not a member): TU403');
select tutela_tests.authenticate_as(:'u_student');
select throws_ok('mark', 'TU403', null, 'the student (not a member): TU403');
select tutela_tests.authenticate_as(:'u_staff2');
select throws_ok('mark', 'TU403', null, 'staff of the organisation (not a member): TU403');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('mark', 'TU403', null, 'staff of another organisation: TU403');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('mark', 'TU403', null, 'a stranger: TU403');

-- unknown conversation
select throws_ok(
  format('select tutela.mark_conversation_read(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown conversation: TU403'
);
select throws_ok(
  'select tutela.mark_conversation_read(null)', 'TU403', null, 'no conversation: TU403'
);

-- not signed in
select tutela_tests.as_anon();
select throws_ok('mark', '42501', null, 'anon: no execute grant');
select tutela_tests.authenticate_as(gen_random_uuid());
select throws_ok('mark', 'TU401', null, 'a token for a user that does not exist: TU401');

-- the refusals changed nothing
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.conversation_members where conversation_id = :'conv'), 2::bigint,
  'the conversation still has its two members'
);
select is(
  (
    select last_read_at from tutela.conversation_members
    where conversation_id = :'conv' and user_id = :'u_staff'
  ),
  now() - interval '1 day',
  'staff''s last_read_at is untouched'
);

-- the other member marks read too
select tutela_tests.authenticate_as(:'u_staff');
select lives_ok('mark', 'the other member marks read');

select * from finish();
rollback;
