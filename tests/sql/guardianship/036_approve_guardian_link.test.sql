-- approve_guardian_link: only the student activates a pending link. The guardian who asked,
-- staff, admins and strangers get TU403, anon 42501; a link that is not pending is TU409, an
-- unknown link TU403 (no probing of ids).
begin;
select plan(13);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as link \gset

select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'the guardian cannot approve their own request'
);
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'staff cannot approve for the student'
);
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'an admin cannot approve for the student'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'a stranger cannot approve'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  '42501', null, 'anon may not call it'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'link'),
  'pending',
  'after the refusals the link is still pending'
);

select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);
select is(
  (tutela.approve_guardian_link(:'link')).status,
  'active',
  'the student approves: the link is active'
);
select tutela_tests.clear_authentication();
select is(
  (select activated_at from tutela.guardian_links where id = :'link'),
  now(),
  'the link is activated now'
);
select results_eq(
  format(
    $$ select actor_id, actor_role from tutela.link_events
       where action = 'link_approved' and link_id = %L $$,
    :'link'
  ),
  format($$ values (%L::uuid, 'student'::text) $$, :'kid'),
  'the approval is audited with the student as actor'
);

select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'student'),
  'once approved, the guardian reads the student''s record'
);

-- an active link, and a revoked one, are not pending
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU409', null, 'approving an active link is TU409'
);
select tutela.revoke_guardian_link(:'link');
select throws_ok(
  format('select tutela.approve_guardian_link(%L)', :'link'),
  'TU409', null, 'approving a revoked link is TU409'
);

select * from finish();
rollback;
