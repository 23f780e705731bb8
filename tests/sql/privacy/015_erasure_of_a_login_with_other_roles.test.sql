-- An erasure removes the student's record and what the student did, never the rest of a person
-- (review of the second security fix): an adult student of school A who is also an admin of
-- school B and a parent there. A's admin asks for the erasure; carried out, it removes the
-- student record and the conversations in A, and leaves B's membership, the person's own
-- child's link, their conversation in B and their login usable. And a typo in a student's
-- email never erases someone else's mail.
begin;
select plan(8);

select tutela_tests.create_user('admin-a@roles.test') as admin_a \gset
select tutela_tests.create_user('ada@roles.test') as ada \gset
select tutela_tests.create_user('teacher-b@roles.test') as teacher_b \gset
select tutela_tests.create_user('neighbour@roles.test') as neighbour \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org_a from tutela.create_organization('School A', 'school-a') \gset
-- staff typed the neighbour's address as the student's email
select id as student from tutela.create_student(
  :'org_a', 'Ada', 'neighbour@roles.test', date '1990-01-01'
) \gset
select tutela_tests.attach_student_login(:'student', :'ada');
select tutela_tests.authenticate_as(:'ada');
select id as org_b from tutela.create_organization('School B', 'school-b') \gset
select tutela_tests.add_member(:'org_b', :'teacher_b', 'staff') is not null as added \gset
select id as child from tutela.create_student(:'org_b', 'Ada''s child') \gset
select code from tutela.create_guardian_link_code(:'child') \gset
select tutela_tests.clear_authentication();
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'child', :'ada', 'active', 'staff', now());
-- a conversation in A (as a student) and one in B (as the admin)
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('student_staff', :'org_a', :'student', :'ada') returning id as conv_a \gset
insert into tutela.conversations (kind, organization_id, student_id, created_by)
values ('guardian_staff', :'org_b', :'child', :'ada') returning id as conv_b \gset
insert into tutela.messages (conversation_id, sender_id, body)
values (:'conv_a', :'ada', 'in A'), (:'conv_b', :'ada', 'in B');
-- the neighbour's own pending mail
insert into tutela_private.notification_outbox (kind, recipient_email, payload)
values ('member_invite', 'neighbour@roles.test', '{"note": "the neighbour''s"}');

select tutela_tests.authenticate_as(:'admin_a');
select (tutela.request_data_erasure(:'student')).id as request \gset
select tutela_tests.as_service_role();
select tutela.erase_student_data(:'request') ->> 'status' as status \gset
select tutela_tests.clear_authentication();

select is(:'status'::text, 'completed', 'the erasure is carried out');
select is_empty(
  format('select 1 from tutela.students where id = %L', :'student'), 'the student record is gone'
);
select is_empty(
  format('select 1 from tutela.conversations where id = %L', :'conv_a'),
  'the conversation in school A is gone'
);
select results_eq(
  format(
    $$select (select count(*) from tutela.memberships where user_id = %1$L and role = 'admin'),
        (select count(*) from tutela.guardian_links where guardian_id = %1$L),
        (select count(*) from tutela.messages where conversation_id = %2$L)$$,
    :'ada', :'conv_b'
  ),
  $$values (1::bigint, 1::bigint, 1::bigint)$$,
  'school B keeps its admin, the parent keeps their child''s link and their message in B'
);
select is_empty(
  format('select 1 from tutela_private.erased_users where user_id = %L', :'ada'),
  'the login is not marked erased: it is more than that student'
);
select tutela_tests.authenticate_as(:'ada');
select lives_ok(
  $$select tutela.create_organization('School C', 'school-c')$$,
  'the login still acts for its other roles'
);
select tutela_tests.clear_authentication();
select is(
  (
    select count(*)
    from tutela_private.notification_outbox
    where recipient_email = 'neighbour@roles.test'
  ),
  1::bigint,
  'a typo in the student''s email erased none of the neighbour''s mail'
);
select is(
  (
    select count(*) from tutela.organizations where id in (:'org_a', :'org_b')
  ),
  2::bigint,
  'both organisations are there'
);

select * from finish();
rollback;
