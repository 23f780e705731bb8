-- revoke_guardian_link: the student, the guardian themself, staff and admins of the student's
-- organisation revoke a link at once. It records who, when and why, clears is_primary, and the
-- guardian loses access immediately.
begin;
select plan(13);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('g1@example.test') as g1 \gset
select tutela_tests.create_user('g2@example.test') as g2 \gset
select tutela_tests.create_user('g3@example.test') as g3 \gset
select tutela_tests.create_user('g4@example.test') as g4 \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 4}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 4) \gset
select tutela_tests.authenticate_as(:'g1');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as l1 \gset
select tutela_tests.authenticate_as(:'g2');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as l2 \gset
select tutela_tests.authenticate_as(:'g3');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as l3 \gset
select tutela_tests.authenticate_as(:'g4');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as l4 \gset

-- g1 is the primary guardian
select tutela_tests.authenticate_as(:'kid');
select tutela.set_primary_guardian(:'l1');

-- the student revokes g1, with a reason
select tutela_tests.authenticate_as(:'g1');
select ok(exists (select 1 from tutela.students), 'before: g1 reads the student''s record');
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.revoke_guardian_link(:'l1', '  not my guardian any more  ')).status,
  'revoked',
  'the student revokes a link'
);
select tutela_tests.authenticate_as(:'g1');
select is_empty('select 1 from tutela.students', 'after: g1 no longer reads the record');
select is_empty(
  'select 1 from tutela.guardian_list_children()', 'after: the child left g1''s list'
);

-- g2 leaves; staff revoke g3; the admin revokes g4
select tutela_tests.authenticate_as(:'g2');
select lives_ok(
  format('select tutela.revoke_guardian_link(%L)', :'l2'), 'a guardian revokes their own link'
);
select tutela_tests.authenticate_as(:'staff');
select lives_ok(
  format('select tutela.revoke_guardian_link(%L)', :'l3'), 'staff of the organisation revoke'
);
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format($$ select tutela.revoke_guardian_link(%L, '') $$, :'l4'),
  'an admin of the organisation revokes'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id, status, revoked_by, revoked_at between now() and clock_timestamp(), revoked_as
       from tutela.guardian_links
       where student_id = %L order by id = %L desc, id = %L desc, id = %L desc $$,
    :'student', :'l1', :'l2', :'l3'
  ),
  format(
    $$ values (%L::uuid, 'revoked'::text, %L::uuid, true, 'student'::text),
              (%L, 'revoked', %L, true, 'guardian'), (%L, 'revoked', %L, true, 'staff'),
              (%L, 'revoked', %L, true, 'admin') $$,
    :'l1', :'kid', :'l2', :'g2', :'l3', :'staff', :'l4', :'admin'
  ),
  'every link is revoked now, by the one who revoked it, in the role they acted in'
);
select is(
  (select revoke_reason from tutela.guardian_links where id = :'l1'),
  'not my guardian any more',
  'the reason is kept, trimmed'
);
select is(
  (select revoke_reason from tutela.guardian_links where id = :'l4'),
  null,
  'an empty reason is stored as null'
);
select is(
  (select is_primary from tutela.guardian_links where id = :'l1'),
  false,
  'revoking the primary guardian clears is_primary'
);
select results_eq(
  format(
    $$ select link_id, actor_role from tutela.link_events
       where action = 'link_revoked' and student_id = %L order by id $$,
    :'student'
  ),
  format(
    $$ values (%L::uuid, 'student'::text), (%L, 'guardian'), (%L, 'staff'), (%L, 'admin') $$,
    :'l1', :'l2', :'l3', :'l4'
  ),
  'each revocation is audited with the actor''s role'
);

-- a pending request can be withdrawn by the guardian who made it
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as code2 from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.create_user('g5@example.test') as g5 \gset
select tutela_tests.authenticate_as(:'g5');
select (tutela.redeem_guardian_link_code(:'code2') ->> 'id') as l5 \gset
select is(
  (tutela.revoke_guardian_link(:'l5')).status,
  'revoked',
  'a guardian withdraws their pending request'
);

select * from finish();
rollback;
