-- A personal space has no admin and no staff: the child is its student, not its admin; no one
-- joins it, no one adds students to it, no one sends invites for it. The service role (the
-- back office) changes its settings directly. The guardian cap holds (2 by default).
begin;
select plan(18);

select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset

select tutela_tests.authenticate_as(:'kid');
select
  id as kid_student,
  organization_id as space
from tutela.ensure_personal_space() \gset
select code from tutela.create_guardian_link_code(p_max_uses => 3) \gset

-- the child is not the space's admin
select throws_ok(
  format(
    $$ select tutela.update_organization_settings(%L, '{"max_guardians_per_student": 5}') $$,
    :'space'
  ),
  'TU403', null, 'the child cannot change the space''s settings'
);
select throws_ok(
  format(
    $$ select tutela.invite_organization_member(%L, 'teacher@example.test', 'staff') $$,
    :'space'
  ),
  'TU403', null, 'the child cannot invite staff'
);
select throws_ok(
  format($$ select tutela.create_student(%L, 'Sibling') $$, :'space'),
  'TU403', null, 'the child cannot add students'
);
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'gran@example.test') $$, :'kid_student'),
  'TU403', null, 'no invites: guardians join only with the child''s code'
);

-- a stranger neither
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format($$ select tutela.update_organization_settings(%L, '{"name": "Mine"}') $$, :'space'),
  'TU403', null, 'a stranger cannot change the space''s settings'
);
select throws_ok(
  format($$ select * from tutela.create_guardian_link_code(%L) $$, :'kid_student'),
  'TU403', null, 'a stranger cannot make codes for the child'
);

-- two guardians, both approved; the third is over the cap
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code', 'mother') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code', 'father') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'two pending links fill the cap of 2: TU409'
);
select tutela_tests.authenticate_as(:'kid');
select tutela.approve_guardian_link(:'mum_link');
select tutela.approve_guardian_link(:'dad_link');
select is(
  (tutela.set_primary_guardian(:'mum_link')).is_primary, true,
  'the child makes mum primary'
);

-- the primary guardian invites no co-parent here, and cannot administer the space
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'gran@example.test') $$, :'kid_student'),
  'TU403', null, 'the primary guardian cannot invite a co-parent into a personal space'
);
select throws_ok(
  format($$ select tutela.update_organization_settings(%L, '{"name": "Ours"}') $$, :'space'),
  'TU403', null, 'a guardian cannot change the space''s settings'
);
select throws_ok(
  format($$ select tutela.create_student(%L, 'Sibling') $$, :'space'),
  'TU403', null, 'a guardian cannot add students to the space'
);

-- the back office may not make anyone a member or another student of it
select tutela_tests.as_service_role();
select throws_ok(
  format($$ select tutela.add_organization_member(%L, %L, 'admin') $$, :'space', :'stranger'),
  'TU409', null, 'not even the service role adds a member to a personal space'
);
select throws_ok(
  format($$ select tutela.create_student(%L, 'Sibling') $$, :'space'),
  'TU409', null, 'not even the service role adds a second student'
);
select throws_ok(
  format($$ insert into tutela.memberships (organization_id, user_id, role)
    values (%L, %L, 'staff') $$, :'space', :'stranger'),
  'TU409', null, 'nor a direct membership row'
);
select throws_ok(
  format($$ update tutela.students set user_id = %L where id = %L $$, :'stranger', :'kid_student'),
  'TU409', null, 'nor hands the child''s record to another login'
);
-- ... but it administers the settings: approval off, a later code links at once
update tutela.organizations set
  link_requires_student_approval = false, max_guardians_per_student = 3
where id = :'space';
select is(
  (select link_requires_student_approval from tutela.organizations where id = :'space'), false,
  'the service role changes the space''s settings directly'
);
select tutela_tests.authenticate_as(:'kid');
select code as code2 from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'code2', 'other') ->> 'status', 'active',
  'with approval off (the back office''s choice), a code links at once'
);

select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.memberships where organization_id = %L', :'space'),
  'the space still has no members'
);

select * from finish();
rollback;
