-- guardian_invite_policy decides who may invite a guardian: 'admins' (admins only), 'staff'
-- (staff and admins) or 'staff_and_primary_guardians' (also the active primary guardian; the
-- default). A guardian who is not primary never may. The policy is checked again when the invite
-- is accepted: an invite sent by staff under 'staff' cannot be accepted once the policy is
-- 'admins' (TU404, the invite stays pending), while an admin's invite still can; back under
-- 'staff', the staff invite is accepted.
begin;
select plan(23);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('dad@a.test') as dad \gset
select tutela_tests.create_user('ann@a.test') as ann \gset
select tutela_tests.create_user('sam@a.test') as sam \gset
select tutela_tests.create_user('pat@a.test') as pat \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 6}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code as mum_code from tutela.create_guardian_link_code(:'student') \gset
select code as dad_code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'mum_code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'dad_code') ->> 'status') as dad_status \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, status, is_primary from tutela.guardian_links
      where student_id = %L order by is_primary desc$$,
    :'student'
  ),
  format(
    $$values (%L::uuid, 'active'::text, true), (%L::uuid, 'active'::text, false)$$,
    :'mum', :'dad'
  ),
  'setup: mum is the active primary guardian, dad an active guardian'
);

-- ---------------------------------------------------------------------------------------------
-- policy 'admins'
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "admins"}');
select token as ann_token from tutela.invite_guardian(:'student', 'ann@a.test') \gset
select isnt(:'ann_token'::text, null::text, 'admins: an admin invites');
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'x1@a.test')$$, :'student'),
  'TU403', null, 'admins: staff may not invite'
);
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'x2@a.test')$$, :'student'),
  'TU403', null, 'admins: the primary guardian may not invite'
);
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'x3@a.test')$$, :'student'),
  'TU403', null, 'admins: a guardian who is not primary may not invite'
);

-- ---------------------------------------------------------------------------------------------
-- policy 'staff'
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "staff"}');
select tutela_tests.authenticate_as(:'staff');
select token as sam_token from tutela.invite_guardian(:'student', 'sam@a.test') \gset
select isnt(:'sam_token'::text, null::text, 'staff: staff invite');
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format($$select tutela.invite_guardian(%L, 'y1@a.test')$$, :'student'),
  'staff: an admin invites'
);
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'y2@a.test')$$, :'student'),
  'TU403', null, 'staff: the primary guardian may not invite'
);
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'y3@a.test')$$, :'student'),
  'TU403', null, 'staff: a guardian who is not primary may not invite'
);

-- ---------------------------------------------------------------------------------------------
-- policy 'staff_and_primary_guardians'
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(
  :'org', '{"guardian_invite_policy": "staff_and_primary_guardians"}'
);
select tutela_tests.authenticate_as(:'mum');
select token as pat_token from tutela.invite_guardian(:'student', 'pat@a.test') \gset
select isnt(
  :'pat_token'::text, null::text, 'staff_and_primary_guardians: the primary guardian invites'
);
select tutela_tests.authenticate_as(:'staff');
select lives_ok(
  format($$select tutela.invite_guardian(%L, 'z1@a.test')$$, :'student'),
  'staff_and_primary_guardians: staff invite'
);
select tutela_tests.authenticate_as(:'admin');
select lives_ok(
  format($$select tutela.invite_guardian(%L, 'z2@a.test')$$, :'student'),
  'staff_and_primary_guardians: an admin invites'
);
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'z3@a.test')$$, :'student'),
  'TU403', null, 'staff_and_primary_guardians: a guardian who is not primary may not invite'
);

-- only the allowed invites were written
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select email, invited_by from tutela.guardian_invites where student_id = %L
      order by email$$,
    :'student'
  ),
  format(
    $$values ('ann@a.test'::text, %1$L::uuid), ('pat@a.test', %3$L::uuid),
      ('sam@a.test', %2$L::uuid), ('y1@a.test', %1$L::uuid), ('z1@a.test', %2$L::uuid),
      ('z2@a.test', %1$L::uuid)$$,
    :'admin', :'staff', :'mum'
  ),
  'the refused calls wrote no invite'
);

-- ---------------------------------------------------------------------------------------------
-- the policy is checked again on acceptance
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "admins"}');

select tutela_tests.authenticate_as(:'sam');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'sam_token'),
  'TU404', 'invalid or expired invite',
  'admins: an invite staff sent under the staff policy can no longer be accepted'
);
select tutela_tests.authenticate_as(:'pat');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'pat_token'),
  'TU404', 'invalid or expired invite',
  'admins: an invite the primary guardian sent can no longer be accepted'
);
select tutela_tests.authenticate_as(:'ann');
select is(
  (tutela.accept_guardian_invite(:'ann_token')).status,
  'active',
  'admins: the admin''s invite is still accepted'
);

select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_links
    where student_id = :'student' and guardian_id in (:'sam', :'pat')
  ),
  0::bigint,
  'the refused acceptances created no link'
);
select results_eq(
  format(
    $$select email, status from tutela.guardian_invites
      where student_id = %L and email in ('ann@a.test', 'pat@a.test', 'sam@a.test')
      order by email$$,
    :'student'
  ),
  $$values ('ann@a.test'::text, 'accepted'::text), ('pat@a.test', 'pending'),
    ('sam@a.test', 'pending')$$,
  'the refused invites stay pending; the admin''s is accepted'
);

-- policy 'staff': the staff invite is acceptable again, the primary guardian's still is not
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"guardian_invite_policy": "staff"}');
select tutela_tests.authenticate_as(:'pat');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'pat_token'),
  'TU404', 'invalid or expired invite',
  'staff: an invite the primary guardian sent cannot be accepted'
);
select tutela_tests.authenticate_as(:'sam');
select is(
  (tutela.accept_guardian_invite(:'sam_token')).status,
  'active',
  'staff: the staff invite is accepted again'
);

-- policy back to the default: the primary guardian's invite is accepted
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(
  :'org', '{"guardian_invite_policy": "staff_and_primary_guardians"}'
);
select tutela_tests.authenticate_as(:'pat');
select is(
  (tutela.accept_guardian_invite(:'pat_token')).status,
  'active',
  'staff_and_primary_guardians: the primary guardian''s invite is accepted'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select guardian_id, created_via from tutela.guardian_links
      where student_id = %L and guardian_id in (%L, %L, %L) order by guardian_id$$,
    :'student', :'ann', :'sam', :'pat'
  ),
  format(
    $$select * from (values (%L::uuid, 'invite'::text), (%L::uuid, 'invite'),
      (%L::uuid, 'invite')) as v order by 1$$,
    :'ann', :'sam', :'pat'
  ),
  'three links, made by invites'
);

select * from finish();
rollback;
