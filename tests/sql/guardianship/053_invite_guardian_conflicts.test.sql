-- invite_guardian: inviting someone already linked (active or pending, email compared without
-- case) is TU409, and so is inviting when the student's guardian cap is already full.
begin;
select plan(7);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('Mum@Example.test') as mum \gset
select tests.create_user('dad@example.test') as dad \gset
select tests.create_user('ex@example.test') as ex \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select id as student from public.create_student(:'org', 'Kid') \gset
select id as student2 from public.create_student(:'org', 'Other kid') \gset
select code from public.create_guardian_link_code(:'student', 2) \gset
select tests.authenticate_as(:'mum');
select public.redeem_guardian_link_code(:'code');
select tests.authenticate_as(:'ex');
select (public.redeem_guardian_link_code(:'code') ->> 'id') as ex_link \gset
select tests.authenticate_as(:'admin');
select public.revoke_guardian_link(:'ex_link');

-- one active guardian (mum) of a cap of 2: one slot left
select throws_ok(
  format($$ select public.invite_guardian(%L, 'mum@example.test') $$, :'student'),
  'TU409', null, 'inviting an already linked guardian is TU409'
);
select throws_ok(
  format($$ select public.invite_guardian(%L, 'MUM@EXAMPLE.TEST') $$, :'student'),
  'TU409', null, 'the already-linked check ignores case'
);
select lives_ok(
  format($$ select public.invite_guardian(%L, 'ex@example.test') $$, :'student'),
  'a revoked guardian can be invited again'
);
select lives_ok(
  format($$ select public.invite_guardian(%L, 'mum@example.test') $$, :'student2'),
  'the same person can be invited for another student'
);

-- fill the cap: dad joins, now 2 of 2
select code as code2 from public.create_guardian_link_code(:'student') \gset
select tests.authenticate_as(:'dad');
select public.redeem_guardian_link_code(:'code2');
select tests.authenticate_as(:'admin');
select throws_ok(
  format($$ select public.invite_guardian(%L, 'gran@example.test') $$, :'student'),
  'TU409', null, 'inviting when the guardian cap is full is TU409'
);

-- a pending link (waiting for the student's approval) counts as linked too
select tests.create_user('aunt@example.test') as aunt \gset
select tests.authenticate_as(:'admin');
select public.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select code as code3 from public.create_guardian_link_code(:'student2') \gset
select tests.authenticate_as(:'aunt');
select public.redeem_guardian_link_code(:'code3');
select tests.authenticate_as(:'admin');
select throws_ok(
  format($$ select public.invite_guardian(%L, 'aunt@example.test') $$, :'student2'),
  'TU409', null, 'inviting a guardian whose link is pending is TU409'
);

select tests.clear_authentication();
select is_empty(
  format(
    $$ select 1 from public.guardian_invites
       where (student_id = %L and email in ('gran@example.test', 'mum@example.test'))
         or email = 'aunt@example.test' $$,
    :'student'
  ),
  'refused invites are not stored'
);

select * from finish();
rollback;
