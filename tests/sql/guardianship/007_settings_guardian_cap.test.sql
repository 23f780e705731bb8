-- Lowering max_guardians_per_student below the guardians a student already has is TU409.
-- Active and pending links count, revoked links do not; lowering to exactly the current count
-- is allowed; a refused change leaves the limit as it was.
begin;
select plan(11);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('g1@a.test') as g1 \gset
select tutela_tests.create_user('g2@a.test') as g2 \gset
select tutela_tests.create_user('g3@a.test') as g3 \gset
select tutela_tests.create_user('g4@a.test') as g4 \gset

select tutela_tests.authenticate_as(:'admin_a');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select id as kid from tutela.create_student(:'org', 'Kid One') \gset
select id as kid2 from tutela.create_student(:'org', 'Kid Two') \gset
select
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 3}'))
  .max_guardians_per_student as max_now
\gset

-- kid: two active guardians (g1, g2)
select code from tutela.create_guardian_link_code(:'kid', 2) \gset
select tutela_tests.authenticate_as(:'g1');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as kid_g1 \gset
select tutela_tests.authenticate_as(:'g2');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as kid_g2 \gset

select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org',
    '{"max_guardians_per_student": 1}'
  ),
  'TU409', null, 'below the two active guardians of a student: TU409'
);
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 2}'))
  .max_guardians_per_student,
  2, 'exactly the current count is allowed'
);

-- kid: one guardian revoked; kid2: one active (g3) and one pending (g4)
select tutela.revoke_guardian_link(:'kid_g2') is not null as revoked \gset
select code from tutela.create_guardian_link_code(:'kid2') \gset
select tutela_tests.authenticate_as(:'g3');
select tutela.redeem_guardian_link_code(:'code') ->> 'status' as g3_status \gset
select tutela_tests.authenticate_as(:'admin_a');
select
  tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}')
  is not null as changed
\gset
select code from tutela.create_guardian_link_code(:'kid2') \gset
select tutela_tests.authenticate_as(:'g4');
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as kid2_g4 \gset

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select status, count(*) from tutela.guardian_links where student_id = %L '
    'group by status order by status',
    :'kid2'
  ),
  $$values ('active'::text, 1::bigint), ('pending', 1)$$,
  'setup: kid2 has one active and one pending link'
);

select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org',
    '{"max_guardians_per_student": 1}'
  ),
  'TU409', null, 'a pending link counts: lowering below active + pending is TU409'
);
select throws_ok(
  format(
    'select tutela.update_organization_settings(%L, %L)', :'org',
    '{"max_guardians_per_student": 1, "name": "Renamed"}'
  ),
  'TU409', null, 'TU409 also when other settings come along'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select max_guardians_per_student, name from tutela.organizations where id = %L', :'org'),
  $$values (2, 'Alpha School'::text)$$,
  'the refused changes left the limit and the name as they were'
);
select is(
  (
    select count(*) from tutela.link_events
    where
      organization_id = :'org'
      and action = 'settings_changed'
      and (new_values ->> 'max_guardians_per_student')::int = 1
  ),
  0::bigint,
  'and were not audited'
);

-- once the pending link is revoked, every student has at most one guardian
select tutela_tests.authenticate_as(:'admin_a');
select tutela.revoke_guardian_link(:'kid2_g4') is not null as revoked \gset
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 1}'))
  .max_guardians_per_student,
  1, 'revoked links do not count: lowering to 1 succeeds'
);

-- raising is always allowed
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 4}'))
  .max_guardians_per_student,
  4, 'raising the limit is allowed'
);
select is(
  (tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 1}'))
  .max_guardians_per_student,
  1, 'and lowering back to the current count'
);

-- the new limit holds for the next guardian
select code from tutela.create_guardian_link_code(:'kid') \gset
select tutela_tests.authenticate_as(:'g2');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'code'),
  'TU409', null, 'with the limit at 1, a second guardian cannot join'
);

select * from finish();
rollback;
