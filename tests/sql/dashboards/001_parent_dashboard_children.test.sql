-- parent_dashboard(): a guardian of several children in two organisations gets one card per
-- active or pending link, never for a revoked link or a child they are not linked to, sorted
-- by the child's name; each card names the child, the organisation, the link and its status.
begin;
select plan(12);

select tutela_tests.create_user('guardian-d001@world.test') as u_guardian \gset
select tutela_tests.create_user('other-guardian-d001@world.test') as u_other_guardian \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('North Academy', 'north-d001', 5) returning id as org_north \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('South School', 'south-d001', 5) returning id as org_south \gset
insert into tutela.students (organization_id, display_name)
values (:'org_north', 'Zoe') returning id as zoe \gset
insert into tutela.students (organization_id, display_name)
values (:'org_south', 'Adam') returning id as adam \gset
insert into tutela.students (organization_id, display_name)
values (:'org_north', 'Mila') returning id as mila \gset
insert into tutela.students (organization_id, display_name)
values (:'org_south', 'Nora') returning id as nora \gset
insert into tutela.students (organization_id, display_name)
values (:'org_north', 'Ben') returning id as ben \gset

-- links created out of name order: Zoe (active, primary), Nora (revoked), Mila (pending),
-- Adam (active); Ben is another guardian's child only
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, relation, is_primary, activated_at
)
values (:'zoe', :'u_guardian', 'active', 'staff', 'mother', true, now())
returning id as link_zoe \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at
)
values (:'nora', :'u_guardian', 'revoked', 'code', now() - interval '3 days', now())
returning id as link_nora \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
values (:'mila', :'u_guardian', 'pending', 'code')
returning id as link_mila \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, relation, activated_at
)
values (:'adam', :'u_guardian', 'active', 'invite', 'guardian', now())
returning id as link_adam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'ben', :'u_other_guardian', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_guardian');
select tutela.parent_dashboard() as dash \gset
select tutela_tests.authenticate_as(:'u_other_guardian');
select tutela.parent_dashboard() as other_dash \gset
select tutela_tests.clear_authentication();

select is(
  :'dash'::jsonb ->> 'guardian_id', :'u_guardian',
  'the dashboard is the signed-in guardian''s'
);
select is(
  jsonb_array_length(:'dash'::jsonb -> 'children'), 3,
  'one card per active or pending link: three children'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].display_name'),
  '["Adam", "Mila", "Zoe"]'::jsonb,
  'the cards are sorted by the child''s name, not by when the link was made'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].student_id'),
  jsonb_build_array(:'adam', :'mila', :'zoe'),
  'each card carries its child''s student id'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].status'),
  '["active", "pending", "active"]'::jsonb,
  'each card carries the status of its link'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].link_id'),
  jsonb_build_array(:'link_adam', :'link_mila', :'link_zoe'),
  'each card carries the id of its link'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].organization.name'),
  '["South School", "North Academy", "North Academy"]'::jsonb,
  'children of both organisations are listed, each with its organisation'
);
select is(
  jsonb_path_query_array(:'dash'::jsonb, '$.children[*].organization.id'),
  jsonb_build_array(:'org_south', :'org_north', :'org_north'),
  'each card carries its organisation id'
);
select is(
  jsonb_path_query_first(:'dash'::jsonb, '$.children[*] ? (@.display_name == "Zoe")')
  - array[
    'student_id', 'display_name', 'organization', 'link_id', 'status', 'permissions',
    'today', 'streak', 'urgent', 'highlights', 'hidden_sections'
  ],
  '{"relation": "mother", "is_primary": true}'::jsonb,
  'a card carries the relation and whether the guardian is the primary one'
);
select ok(
  not jsonb_path_exists(
    :'dash'::jsonb, '$.children[*] ? (@.student_id == $id)', jsonb_build_object('id', :'nora')
  ),
  'a revoked link has no card'
);
select ok(
  not jsonb_path_exists(
    :'dash'::jsonb, '$.children[*] ? (@.student_id == $id)', jsonb_build_object('id', :'ben')
  ),
  'another guardian''s child has no card'
);
select is(
  jsonb_path_query_array(:'other_dash'::jsonb, '$.children[*].student_id'),
  jsonb_build_array(:'ben'),
  'the other guardian sees only their own child'
);

select * from finish();
rollback;
