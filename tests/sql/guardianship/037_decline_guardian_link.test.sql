-- decline_guardian_link: only the student declines a pending link, which becomes revoked and
-- frees its place under the cap. The guardian, staff, admins and strangers get TU403, anon
-- 42501; a link that is not pending is TU409.
begin;
select plan(12);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 3) \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset

select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  'TU403', null, 'the guardian cannot decline (they revoke their request instead)'
);
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  'TU403', null, 'staff cannot decline for the student'
);
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  'TU403', null, 'an admin cannot decline for the student'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  'TU403', null, 'a stranger cannot decline'
);
select tutela_tests.as_anon();
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  '42501', null, 'anon may not call it'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'link'),
  'pending',
  'after the refusals the link is still pending'
);

select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.decline_guardian_link(:'link')).status,
  'revoked',
  'the student declines: the link is revoked'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select revoked_at between now() and clock_timestamp(), revoked_by, is_primary, revoked_as
       from tutela.guardian_links where id = %L $$,
    :'link'
  ),
  format('values (true, %L::uuid, false, %L)', :'kid', 'student'),
  'the link records when and by whom it was declined'
);
select results_eq(
  format(
    $$ select actor_id, actor_role from tutela.link_events
       where action = 'link_declined' and link_id = %L $$,
    :'link'
  ),
  format($$ values (%L::uuid, 'student'::text) $$, :'kid'),
  'the decline is audited with the student as actor'
);

-- not pending any more
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'link'),
  'TU409', null, 'declining a revoked link is TU409'
);
select tutela.approve_guardian_link(:'dad_link');
select throws_ok(
  format('select tutela.decline_guardian_link(%L)', :'dad_link'),
  'TU409', null, 'declining an active link is TU409'
);

-- the declined request no longer counts toward the cap of 2
select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'code') ->> 'status',
  'pending',
  'a declined request frees its place under the cap'
);

select * from finish();
rollback;
