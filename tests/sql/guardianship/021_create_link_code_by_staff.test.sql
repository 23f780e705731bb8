-- create_guardian_link_code by staff and admins of the student's organisation, also for a
-- student without a login (the usual case for young children).
begin;
select plan(6);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select id as baby from tutela.create_student(:'org', 'Baby') \gset

-- the admin
select lives_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'an admin of the organisation creates a code for a student'
);

-- staff, for a student with and without a login, with their own uses and lifetime
select tutela_tests.authenticate_as(:'staff');
select lives_ok(
  format('select tutela.create_guardian_link_code(%L)', :'student'),
  'staff of the organisation create a code for a student with a login'
);
select
  code as baby_code,
  expires_at as baby_expires
from tutela.create_guardian_link_code(:'baby', 3, interval '2 hours') \gset
select is(
  :'baby_expires'::timestamptz,
  now() + interval '2 hours',
  'staff create a code for a student without a login, with its own lifetime'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select created_by, max_uses, uses from tutela_private.guardian_link_codes
       where student_id = %L $$,
    :'baby'
  ),
  format($$ values (%L::uuid, 3, 0) $$, :'staff'),
  'the code belongs to the student and records the staff member and max uses'
);
select results_eq(
  format(
    $$ select actor_id, actor_role from tutela.link_events
       where action = 'code_created' and student_id = %L order by id $$,
    :'student'
  ),
  format($$ values (%L::uuid, 'admin'::text), (%L::uuid, 'staff'::text) $$, :'admin', :'staff'),
  'each creation is audited with the actor and their role'
);

-- the code works
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.authenticate_as(:'mum');
select is(
  tutela.redeem_guardian_link_code(:'baby_code') ->> 'student_id',
  :'baby',
  'a code made by staff links a guardian to that student'
);

select * from finish();
rollback;
