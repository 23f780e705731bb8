-- start_conversation: the conversations people with a real relationship may start.
--   student_staff   the student (with a login) and staff/admins of the student's organisation
--   guardian_staff  active guardians whose link grants `messaging`, and staff of the child's
--                   organisation
--   co_guardians    active guardians (with `messaging`) of one child among themselves
--   support         exactly one ordinary user and support staff (auth.users
--                   raw_app_meta_data ->> 'tutela_role' = 'support'); not about a student
-- Any side may start. Each member gets the role they hold; the caller's last_read_at is now,
-- the others' null; the conversation opens with a system message; the title is trimmed.
begin;
select plan(24);

select tutela_tests.create_user('student@start.test') as u_student \gset
select tutela_tests.create_user('guardian@start.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@start.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@start.test') as u_staff \gset
select tutela_tests.create_user('admin@start.test') as u_admin \gset
select tutela_tests.create_user('support@start.test') as u_support \gset
select tutela_tests.create_user('support2@start.test') as u_support2 \gset
select tutela_tests.create_user('stranger@start.test') as u_stranger \gset
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"tutela_role": "support"}'
where id in (:'u_support', :'u_support2');
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Start', 'start', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
),
(
  :'student', :'u_guardian2', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"messaging": true}'
);

-- Members of a conversation, as the owner sees them
prepare members (uuid) as
select
  user_id,
  role
from tutela.conversation_members where conversation_id = $1;

-- student_staff, started by staff
select tutela_tests.authenticate_as(:'u_staff');
select * from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student']::uuid[], '  Homework  '
) \gset c1_
select tutela_tests.clear_authentication();
select row_eq(
  format(
    'select kind, organization_id, student_id, title, created_by from tutela.conversations '
    'where id = %L',
    :'c1_id'
  ),
  row('student_staff'::text, :'org'::uuid, :'student'::uuid, 'Homework'::text, :'u_staff'::uuid),
  'student_staff by staff: kind, organisation, student, trimmed title, creator'
);
select set_eq(
  format('execute members(%L)', :'c1_id'),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_staff', 'staff', :'u_student', 'student'),
  'student_staff by staff: the staff member and the student, each with their role'
);
select is(
  (
    select last_read_at from tutela.conversation_members
    where conversation_id = :'c1_id' and user_id = :'u_staff'
  ),
  now(),
  'the caller has read the conversation up to now'
);
select is(
  (
    select last_read_at from tutela.conversation_members
    where conversation_id = :'c1_id' and user_id = :'u_student'
  ),
  null,
  'the other member has read nothing yet'
);
select row_eq(
  format(
    'select kind, sender_id, count(*) over () from tutela.messages where conversation_id = %L',
    :'c1_id'
  ),
  row('system'::text, null::uuid, 1::bigint),
  'the conversation opens with one system message without a sender'
);
select is(
  (select last_message_at from tutela.conversations where id = :'c1_id'), now(),
  'last_message_at is the opening message''s time'
);

-- student_staff, started by the student with staff and an admin
select tutela_tests.authenticate_as(:'u_student');
select id as c2 from tutela.start_conversation(
  'student_staff', :'student', array[:'u_staff', :'u_admin']::uuid[]
) \gset
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c2'),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'u_student', 'student', :'u_staff', 'staff', :'u_admin', 'staff'
  ),
  'student_staff by the student: the student, staff and an admin (as staff)'
);
select is(
  (select title from tutela.conversations where id = :'c2'), null,
  'no title: null'
);

-- guardian_staff, started by the guardian
select tutela_tests.authenticate_as(:'u_guardian');
select id as c3 from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_staff']::uuid[], '   '
) \gset
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c3'),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_guardian', 'guardian', :'u_staff', 'staff'),
  'guardian_staff by a guardian: the guardian and staff'
);
select is(
  (select title from tutela.conversations where id = :'c3'), null,
  'a blank title: null'
);

-- guardian_staff, started by staff with both guardians
select tutela_tests.authenticate_as(:'u_staff');
select id as c4 from tutela.start_conversation(
  'guardian_staff', :'student', array[:'u_guardian', :'u_guardian2']::uuid[]
) \gset
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c4'),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'u_staff', 'staff', :'u_guardian', 'guardian', :'u_guardian2', 'guardian'
  ),
  'guardian_staff by staff: staff and both guardians'
);

-- co_guardians
select tutela_tests.authenticate_as(:'u_guardian2');
select * from tutela.start_conversation(
  'co_guardians', :'student', array[:'u_guardian']::uuid[]
) \gset c5_
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c5_id'),
  format(
    'values (%L::uuid, %L::text), (%L, %L)', :'u_guardian2', 'guardian', :'u_guardian', 'guardian'
  ),
  'co_guardians: the two guardians'
);
select row_eq(
  format('select organization_id, student_id from tutela.conversations where id = %L', :'c5_id'),
  row(:'org'::uuid, :'student'::uuid),
  'co_guardians: about the child, in the child''s organisation'
);

-- support, started by an ordinary user (here a guardian, who joins as a user)
select tutela_tests.authenticate_as(:'u_guardian');
select * from tutela.start_conversation(
  'support', null, array[:'u_support']::uuid[], 'Login trouble'
) \gset c6_
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c6_id'),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_guardian', 'user', :'u_support', 'support'),
  'support by a user: the user and support staff'
);
select row_eq(
  format(
    'select kind, organization_id, student_id from tutela.conversations where id = %L',
    :'c6_id'
  ),
  row('support'::text, null::uuid, null::uuid),
  'support: about no student and no organisation'
);

-- support, started by support staff with a stranger; and with two support staff
select tutela_tests.authenticate_as(:'u_support');
select id as c7 from tutela.start_conversation(
  'support', null, array[:'u_stranger']::uuid[]
) \gset
select tutela_tests.authenticate_as(:'u_stranger');
select id as c8 from tutela.start_conversation(
  'support', null, array[:'u_support', :'u_support2']::uuid[]
) \gset
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c7'),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_support', 'support', :'u_stranger', 'user'),
  'support by support staff: support staff and the user'
);
select set_eq(
  format('execute members(%L)', :'c8'),
  format(
    'values (%L::uuid, %L::text), (%L, %L), (%L, %L)',
    :'u_stranger', 'user', :'u_support', 'support', :'u_support2', 'support'
  ),
  'support: one user and two support staff'
);

-- the caller may list themself, and duplicates and nulls are ignored
select tutela_tests.authenticate_as(:'u_staff');
select id as c9 from tutela.start_conversation(
  'student_staff', :'student', array[:'u_student', :'u_staff', :'u_student', null]::uuid[]
) \gset
select tutela_tests.clear_authentication();
select set_eq(
  format('execute members(%L)', :'c9'),
  format('values (%L::uuid, %L::text), (%L, %L)', :'u_staff', 'staff', :'u_student', 'student'),
  'the caller listed among the members, duplicates and nulls: each person once'
);

-- the creator reads the new conversation back through the API
select tutela_tests.authenticate_as(:'u_guardian');
select is(
  (select count(*) from tutela.conversations where id = :'c3'), 1::bigint,
  'the guardian who started a conversation sees it'
);
select is(
  (select count(*) from tutela.conversation_members where conversation_id = :'c3'), 2::bigint,
  'and both of its members'
);
select is(
  (select count(*) from tutela.messages where conversation_id = :'c3'), 1::bigint,
  'and its opening message'
);
select tutela_tests.authenticate_as(:'u_student');
select is(
  (select count(*) from tutela.conversations where id in (:'c1_id', :'c2', :'c9')), 3::bigint,
  'the student sees the three student_staff conversations they are in'
);
select is(
  (select count(*) from tutela.conversations where id in (:'c3', :'c4', :'c5_id')), 0::bigint,
  'and none of the guardians'' conversations'
);

-- every start left exactly one opening message
select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.messages
    where kind = 'system' and conversation_id in (
      :'c1_id', :'c2', :'c3', :'c4', :'c5_id', :'c6_id', :'c7', :'c8', :'c9'
    )
  ),
  9::bigint,
  'nine conversations, nine opening messages'
);

select * from finish();
rollback;
