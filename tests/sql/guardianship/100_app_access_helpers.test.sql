-- The helpers an app's own tables are protected with (docs/adopting.md):
-- guardian_child_user_ids(permission) gives a guardian the auth user ids of the children whose
-- active link grants the permission, with the rules of readable_student_ids (family access on,
-- journal consent for a guardian who is not primary); staff_student_user_ids() gives staff and
-- admins the logins of their organisation's students. Everyone else gets nothing: a guardian
-- without the permission, pending, revoked (at once, in the revoking transaction), a guardian
-- of another child, staff of another organisation, the student, a stranger; anon may not call
-- them; a student without a login has no user id to give.
begin;
select plan(26);

select tutela_tests.create_user('student@app.test') as u_student \gset
select tutela_tests.create_user('other_student@app.test') as u_other_student \gset
select tutela_tests.create_user('guardian@app.test') as u_guardian \gset
select tutela_tests.create_user('noperm@app.test') as u_noperm \gset
select tutela_tests.create_user('pending@app.test') as u_pending \gset
select tutela_tests.create_user('revoked@app.test') as u_revoked \gset
select tutela_tests.create_user('second@app.test') as u_second \gset
select tutela_tests.create_user('other_guardian@app.test') as u_other_guardian \gset
select tutela_tests.create_user('staff@app.test') as u_staff \gset
select tutela_tests.create_user('other_staff@app.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@app.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('App A', 'app-a', 10) returning id as org \gset
insert into tutela.organizations (name, slug)
values ('App B', 'app-b') returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'No login') returning id as no_login \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', true, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true, "journal": true}'
),
(
  :'no_login', :'u_guardian', 'active', true, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
),
(
  :'student', :'u_noperm', 'active', false, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": false}'
),
(
  :'student', :'u_pending', 'pending', false, 'code', null,
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
),
(
  :'student', :'u_revoked', 'active', false, 'code', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
),
(
  :'student', :'u_second', 'active', false, 'code', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true, "journal": true}'
),
(
  :'other_student', :'u_other_guardian', 'active', true, 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"card_content": true}'
);
select id as revoked_link from tutela.guardian_links where guardian_id = :'u_revoked' \gset

-- allowed
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  format('values (%L::uuid)', :'u_student'),
  'a guardian with the permission gets the child''s login (a child without one adds nothing)'
);
select results_eq(
  $$select * from tutela_hidden.guardian_child_user_ids('journal')$$,
  format('values (%L::uuid)', :'u_student'),
  'the primary guardian gets the journal without consent'
);
select is_empty(
  'select * from tutela_hidden.staff_student_user_ids()', 'a guardian is not staff'
);
select tutela_tests.authenticate_as(:'u_other_guardian');
select results_eq(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  format('values (%L::uuid)', :'u_other_student'),
  'another child''s guardian gets only their own child'
);
select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  'select * from tutela_hidden.staff_student_user_ids() order by 1',
  format('select unnest(array[%L, %L]::uuid[]) order by 1', :'u_student', :'u_other_student'),
  'staff get the logins of their organisation''s students'
);
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'staff are no guardian'
);

-- denied
select tutela_tests.authenticate_as(:'u_noperm');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'an active guardian without the permission gets nothing'
);
select tutela_tests.authenticate_as(:'u_pending');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'a pending guardian gets nothing'
);
select tutela_tests.authenticate_as(:'u_second');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('journal')$$,
  'a guardian who is not primary gets no journal without consent'
);
select is_empty(
  'select * from tutela_hidden.guardian_child_user_ids(null)',
  'no permission named: nothing'
);
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('no_such_permission')$$,
  'an unknown permission: nothing'
);
select tutela_tests.authenticate_as(:'u_student');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'the student is not their own guardian'
);
select is_empty(
  'select * from tutela_hidden.staff_student_user_ids()', 'the student is not staff'
);
select tutela_tests.authenticate_as(:'u_other_staff');
select is_empty(
  'select * from tutela_hidden.staff_student_user_ids()',
  'staff of another organisation get nothing'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'a stranger gets nothing'
);
select is_empty(
  'select * from tutela_hidden.staff_student_user_ids()', 'a stranger is not staff'
);
select tutela_tests.as_anon();
select throws_ok(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  '42501', null, 'anon may not call guardian_child_user_ids'
);
select throws_ok(
  'select * from tutela_hidden.staff_student_user_ids()',
  '42501', null, 'anon may not call staff_student_user_ids'
);
select tutela_tests.as_service_role();
select throws_ok(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  '42501', null, 'the service role reads past RLS and needs no helper'
);

-- revoked: at once, in the transaction that revokes
select tutela_tests.authenticate_as(:'u_revoked');
select results_eq(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  format('values (%L::uuid)', :'u_student'),
  'before the revoke: the guardian gets the child'
);
select tutela_tests.authenticate_as(:'u_student');
select lives_ok(
  format('select tutela.revoke_guardian_link(%L)', :'revoked_link'), 'the student revokes'
);
select tutela_tests.authenticate_as(:'u_revoked');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'a revoked guardian gets nothing, in the same transaction'
);

-- family access off: nothing for guardians, staff keep their students
select tutela_tests.clear_authentication();
update tutela.organizations set family_access_enabled = false where id = :'org';
select tutela_tests.authenticate_as(:'u_guardian');
select is_empty(
  $$select * from tutela_hidden.guardian_child_user_ids('card_content')$$,
  'family access off: a guardian with the permission gets nothing'
);
select tutela_tests.authenticate_as(:'u_staff');
select isnt_empty(
  'select * from tutela_hidden.staff_student_user_ids()',
  'family access off: staff still get their students'
);

-- the grants
select tutela_tests.clear_authentication();
select ok(
  has_function_privilege('authenticated', 'tutela_hidden.guardian_child_user_ids(text)', 'execute')
  and has_function_privilege('authenticated', 'tutela_hidden.staff_student_user_ids()', 'execute'),
  'authenticated may call both (the policies run as the caller)'
);
select ok(
  not has_function_privilege('anon', 'tutela_hidden.guardian_child_user_ids(text)', 'execute')
  and not has_function_privilege('public', 'tutela_hidden.staff_student_user_ids()', 'execute'),
  'anon and PUBLIC may not'
);

select * from finish();
rollback;
