-- invite_guardian: inviting someone already linked (active or pending, email compared without
-- case) is TU409, and so is inviting when the student's guardian cap is already full.
begin;
select plan(7);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('Mum@Example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('ex@example.test') as ex \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as student2 from tutela.create_student(:'org', 'Other kid') \gset
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'code');
select tutela_tests.authenticate_as(:'ex');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.revoke_guardian_link(:'ex_link');

-- one active guardian (mum) of a cap of 2: one slot left
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'mum@example.test') $$, :'student'),
  'TU409', null, 'inviting an already linked guardian is TU409'
);
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'MUM@EXAMPLE.TEST') $$, :'student'),
  'TU409', null, 'the already-linked check ignores case'
);
select lives_ok(
  format($$ select tutela.invite_guardian(%L, 'ex@example.test') $$, :'student'),
  'a revoked guardian can be invited again'
);
select lives_ok(
  format($$ select tutela.invite_guardian(%L, 'mum@example.test') $$, :'student2'),
  'the same person can be invited for another student'
);

-- fill the cap: dad joins, now 2 of 2
select code as code2 from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code2');
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'gran@example.test') $$, :'student'),
  'TU409', null, 'inviting when the guardian cap is full is TU409'
);

-- a pending link (waiting for the student's approval) counts as linked too
select tutela_tests.create_user('aunt@example.test') as aunt \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as code3 from tutela.create_guardian_link_code(:'student2') \gset
select tutela_tests.authenticate_as(:'aunt');
select tutela.redeem_guardian_link_code(:'code3');
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format($$ select tutela.invite_guardian(%L, 'aunt@example.test') $$, :'student2'),
  'TU409', null, 'inviting a guardian whose link is pending is TU409'
);

select tutela_tests.clear_authentication();
select is_empty(
  format(
    $$ select 1 from tutela.guardian_invites
       where (student_id = %L and email in ('gran@example.test', 'mum@example.test'))
         or email = 'aunt@example.test' $$,
    :'student'
  ),
  'refused invites are not stored'
);

select * from finish();
rollback;
