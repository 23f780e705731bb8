-- invite_guardian: staff and admins of the student's organisation, and the student's active
-- primary guardian (a co-parent inviting the other parent), may invite a guardian.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

-- the admin invites
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format($$ select tutela.invite_guardian(%L, 'a@example.test') $$, :'student'),
  'an admin of the organisation invites a guardian'
);

-- staff invite
select tutela_tests.authenticate_as(:'staff');
select lives_ok(
  format($$ select tutela.invite_guardian(%L, 'b@example.test') $$, :'student'),
  'staff of the organisation invite a guardian'
);

-- the active primary guardian invites a co-parent
select tutela_tests.authenticate_as(:'mum');
select lives_ok(
  format($$ select tutela.invite_guardian(%L, 'dad@example.test', 'Dad', 'father') $$, :'student'),
  'the active primary guardian invites a co-parent'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select email, invited_by, status from tutela.guardian_invites
       where student_id = %L order by email $$,
    :'student'
  ),
  format(
    $$ values ('a@example.test'::text, %L::uuid, 'pending'::text),
              ('b@example.test', %L::uuid, 'pending'),
              ('dad@example.test', %L::uuid, 'pending') $$,
    :'admin', :'staff', :'mum'
  ),
  'each invite is pending and records who sent it'
);
select is(
  (select relation from tutela.guardian_invites where email = 'dad@example.test'),
  'father',
  'the invite keeps the relation given'
);
select is(
  (select name from tutela.guardian_invites where email = 'dad@example.test'),
  'Dad',
  'the invite keeps the invitee''s name'
);
select is(
  (select permissions from tutela.guardian_invites where email = 'dad@example.test'),
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": false, "messaging": true}'::jsonb,
  'without permissions, the invite carries the default link permissions'
);

select results_eq(
  format(
    $$ select actor_id, actor_role from tutela.link_events
       where action = 'invite_created' and student_id = %L order by actor_role $$,
    :'student'
  ),
  format(
    $$ values (%L::uuid, 'admin'::text), (%L::uuid, 'primary_guardian'), (%L::uuid, 'staff') $$,
    :'admin', :'mum', :'staff'
  ),
  'each invite is audited with the inviter''s role'
);

select * from finish();
rollback;
