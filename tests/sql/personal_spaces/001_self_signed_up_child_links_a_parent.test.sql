-- Apps without schools: a child who signed up on their own (an auth.users row and the profile
-- the sign-up trigger made, nothing else) gets a personal space, creates a link code, a parent
-- redeems it, the child approves, and the parent reads the child's data. No staff step.
begin;
select plan(24);

select tutela_tests.create_user('kid@example.test', '{"display_name": "Kim"}') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

-- what stops a self-signed-up child today: no student record, so no code
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  'select * from tutela.create_guardian_link_code()',
  'TU403', null, 'without a student record, a self-signed-up child cannot make a code'
);

-- the child's app opens "Parent access": the first call makes the space
select * from tutela.ensure_personal_space() \gset kid_
select is(:'kid_user_id'::uuid, :'kid'::uuid, 'the caller is the student of the new space');
select is(:'kid_display_name'::text, 'Kim', 'the student is named after the caller''s profile');
select is(:'kid_created_by'::uuid, :'kid'::uuid, 'the child created their own record');

select tutela_tests.clear_authentication();
select results_eq(
  format($$
    select personal_user_id, created_by, name, max_guardians_per_student,
      link_requires_student_approval, guardian_invite_policy, students_may_create_link_codes,
      family_access_enabled, roster_trusted, digital_consent_age
    from tutela.organizations where id = %L $$, :'kid_organization_id'),
  format($$ values (%L::uuid, %L::uuid, 'Personal space'::text, 2, true, 'admins'::text, true,
    true, false, 16::smallint) $$, :'kid', :'kid'),
  'the space is the child''s, at consumer defaults: the child approves guardians, no invites'
);
select ok(
  (
    select slug ~ '^personal-[0-9a-f]{32}$' and position(replace(:'kid', '-', '') in slug) = 0
    from tutela.organizations where id = :'kid_organization_id'
  ),
  'its slug is random, not derived from the login'
);
select is_empty(
  format('select 1 from tutela.memberships where organization_id = %L', :'kid_organization_id'),
  'a personal space has no members: the child is its student, not its admin'
);
select results_eq(
  format($$ select action, actor_id, actor_role from tutela.link_events
    where organization_id = %L order by id $$, :'kid_organization_id'),
  format($$ values ('organization_created'::text, %L::uuid, 'student'::text),
    ('student_created', %L, 'student') $$, :'kid', :'kid'),
  'the creation is audited, with the child as actor'
);

-- the child sees their space and record
select tutela_tests.authenticate_as(:'kid');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'kid_organization_id'),
  'the child reads their own space'
);
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'kid_id', 'Maths', '2 + 2?', '4');

-- a code, redeemed by the parent: pending until the child approves
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code', 'mother') as redeemed \gset
select is((:'redeemed'::jsonb) ->> 'status', 'pending', 'the redeemed link waits for the child');
select is_empty('select 1 from tutela.flashcards', 'a pending parent reads nothing');
select results_eq(
  'select student_id, status from tutela.guardian_list_children()',
  format($$ values (%L::uuid, 'pending'::text) $$, :'kid_id'),
  'the parent sees the child as pending'
);

-- a stranger, meanwhile, sees nothing of the space
select tutela_tests.authenticate_as(:'stranger');
select is_empty('select 1 from tutela.organizations', 'a stranger does not see the space');
select is_empty('select 1 from tutela.students', 'a stranger does not see the child');

-- the child approves
select tutela_tests.authenticate_as(:'kid');
select results_eq(
  'select guardian_id, status from tutela.student_list_guardians()',
  format($$ values (%L::uuid, 'pending'::text) $$, :'mum'),
  'the child sees who redeemed the code'
);
select is(
  (tutela.approve_guardian_link((:'redeemed'::jsonb ->> 'id')::uuid)).status, 'active',
  'the child approves the link'
);

-- the parent reads the child's data
select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select student_id, status from tutela.guardian_list_children()',
  format($$ values (%L::uuid, 'active'::text) $$, :'kid_id'),
  'guardian_list_children lists the child, active'
);
select results_eq(
  $$ select (c ->> 'student_id')::uuid, c ->> 'status'
     from jsonb_array_elements(tutela.parent_dashboard() -> 'children') as c $$,
  format($$ values (%L::uuid, 'active'::text) $$, :'kid_id'),
  'parent_dashboard shows the child'
);
select results_eq(
  'select question from tutela.flashcards',
  $$ values ('2 + 2?'::text) $$,
  'the parent reads the child''s cards (card_content)'
);

-- consent: no birth date counts as under the consent age, so the active guardian decides
select is(
  tutela.get_consent_matrix(:'kid_id') -> 'deciders', jsonb_build_array(:'mum'::uuid),
  'a child without a birth date is a minor: the active guardian decides consent'
);
-- the back office sets a birth date it trusts (service role): an adult decides for themself
select tutela_tests.as_service_role();
update tutela.students set birth_date = current_date - interval '20 years' where id = :'kid_id';
select tutela_tests.authenticate_as(:'kid');
select is(
  tutela.get_consent_matrix(:'kid_id') -> 'deciders', jsonb_build_array(:'kid'::uuid),
  'with a birth date past the consent age, the student decides'
);

-- the parent cannot change the space, the child's record or their own rights
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format(
    $$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$,
    :'redeemed'::jsonb ->> 'id'
  ),
  'TU403', null, 'a guardian never sets link permissions'
);

-- the child revokes: at once
select tutela_tests.authenticate_as(:'kid');
select tutela.revoke_guardian_link((:'redeemed'::jsonb ->> 'id')::uuid, 'no more');
select tutela_tests.authenticate_as(:'mum');
select is_empty('select 1 from tutela.flashcards', 'revoked: the parent reads nothing at once');
select is_empty('select 1 from tutela.guardian_list_children()', 'revoked: no child listed');

select * from finish();
rollback;
