-- Revocation takes effect at once, in the same transaction, whoever revokes (the student,
-- staff, or the guardian themself): the guardian no longer sees the child, the child's
-- organisation or the child's profile, their list of children is empty and the policy helpers
-- return nothing for them. They still see their own link row, now revoked (guardian_links
-- shows a guardian their own links whatever the status). Other guardians are unaffected.
-- An invite the guardian sent while primary dies with their link: it can no longer be
-- accepted (otherwise a revoked guardian could still bring someone in after the fact).
begin;
select plan(26);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('dad@a.test') as dad \gset
select tutela_tests.create_user('aunt@a.test') as aunt \gset
select tutela_tests.create_user('nan@a.test') as nan \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff_a', 'staff') is not null as added \gset
select
  tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 4}')
  is not null as changed
\gset
select id as kid from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select code from tutela.create_guardian_link_code(:'kid', 3) \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as dad_link \gset
select tutela_tests.authenticate_as(:'aunt');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as aunt_link \gset
select tutela_tests.authenticate_as(:'kid_user');
select (tutela.set_primary_guardian(:'mum_link')).is_primary as mum_primary \gset

-- before: mum sees her child, and as primary guardian invites nan
select tutela_tests.authenticate_as(:'mum');
select token as nan_token from tutela.invite_guardian(:'kid', 'nan@a.test') \gset
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'kid'),
  'before: the guardian sees the child'
);
select results_eq(
  'select student_id from tutela.guardian_list_children()',
  format('values (%L::uuid)', :'kid'),
  'before: the child is in their list'
);

-- the student revokes mum's link; mum's next query already sees nothing
select tutela_tests.authenticate_as(:'kid_user');
select (tutela.revoke_guardian_link(:'mum_link')).status as mum_status \gset
select tutela_tests.authenticate_as(:'mum');
select is_empty('select id from tutela.students', 'after: the guardian sees no student');
select is_empty('select id from tutela.organizations', 'after: nor the organisation');
select results_eq(
  'select user_id from tutela.profiles',
  format('values (%L::uuid)', :'mum'),
  'after: nor the child''s profile (only their own)'
);
select results_eq(
  'select id, status, is_primary from tutela.guardian_links',
  format('values (%L::uuid, %L::text, false)', :'mum_link', 'revoked'),
  'after: they still see their own link, revoked and no longer primary'
);
select is_empty(
  'select student_id from tutela.guardian_list_children()',
  'after: their list of children is empty'
);
select is_empty(
  'select * from tutela_hidden.guardian_student_ids()',
  'after: guardian_student_ids() is empty'
);
select is_empty(
  $$select * from tutela_hidden.readable_student_ids('progress')$$,
  'after: readable_student_ids(progress) is empty'
);
select is_empty(
  'select * from tutela_hidden.visible_organization_ids()',
  'after: visible_organization_ids() is empty'
);
select throws_ok(
  format('select tutela.invite_guardian(%L, %L)', :'kid', 'nan@a.test'),
  'TU403', null, 'after: the former primary guardian can no longer invite'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L)', :'kid'),
  'TU403', null, 'after: they cannot create a link code for the child'
);
select results_eq(
  $$select action from tutela.link_events where action = 'link_revoked'$$,
  $$values ('link_revoked')$$,
  'after: they can read the revocation of their own link'
);

-- the other guardians are unaffected
select tutela_tests.authenticate_as(:'dad');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'kid'),
  'another guardian still sees the child'
);

-- staff revoke dad's link: the same, at once
select tutela_tests.authenticate_as(:'staff_a');
select (tutela.revoke_guardian_link(:'dad_link', 'court order')).status as dad_status \gset
select tutela_tests.authenticate_as(:'dad');
select is_empty('select id from tutela.students', 'revoked by staff: no student');
select is_empty('select id from tutela.organizations', 'revoked by staff: no organisation');
select results_eq(
  'select id, status from tutela.guardian_links',
  format('values (%L::uuid, %L::text)', :'dad_link', 'revoked'),
  'revoked by staff: only their own revoked link'
);

-- aunt revokes her own link: the same, at once
select tutela_tests.authenticate_as(:'aunt');
select lives_ok(
  format('select tutela.revoke_guardian_link(%L)', :'aunt_link'),
  'a guardian revokes their own link'
);
select is_empty('select id from tutela.students', 'revoked by themself: no student');
select is_empty('select id from tutela.organizations', 'revoked by themself: no organisation');
select results_eq(
  'select id, status from tutela.guardian_links',
  format('values (%L::uuid, %L::text)', :'aunt_link', 'revoked'),
  'revoked by themself: only their own revoked link'
);
select is_empty(
  'select student_id from tutela.guardian_list_children()',
  'revoked by themself: no child listed'
);

-- the student and staff still see every link, now revoked
select tutela_tests.authenticate_as(:'kid_user');
select results_eq(
  'select status, count(*) from tutela.guardian_links group by status',
  $$values ('revoked'::text, 3::bigint)$$,
  'the student sees the three links, all revoked'
);
select tutela_tests.authenticate_as(:'staff_a');
select results_eq(
  'select status, count(*) from tutela.guardian_links group by status',
  $$values ('revoked'::text, 3::bigint)$$,
  'staff see the three links, all revoked'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select actor_role, subject_user_id from tutela.link_events '
    'where action = %L and student_id = %L order by id',
    'link_revoked', :'kid'
  ),
  format(
    'values (%L, %L::uuid), (%L, %L), (%L, %L)',
    'student', :'mum', 'staff', :'dad', 'guardian', :'aunt'
  ),
  'each revocation is audited with the role of who revoked it'
);

-- the invite mum sent while she was primary died with her link (checked last: if it were
-- accepted, it would add a guardian)
select tutela_tests.authenticate_as(:'nan');
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'nan_token'),
  'TU404', null, 'after: that invite cannot be accepted'
);

select * from finish();
rollback;
