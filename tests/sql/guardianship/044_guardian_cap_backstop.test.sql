-- The guardian cap also holds for direct writes that skip the functions (a SQL console as
-- postgres, the service role): the constraint trigger guardian_links_cap raises TU409 when an
-- insert or a status change leaves more active and pending links than the organisation allows.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset
select tutela_tests.create_user('aunt@example.test') as aunt \gset
select tutela_tests.create_user('uncle@example.test') as uncle \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code');

-- as postgres: the cap of 2 is full
select tutela_tests.clear_authentication();
select throws_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
       values (%L, %L, 'active', 'staff') $$,
    :'student', :'gran'
  ),
  'TU409', null, 'as postgres, a third active link is TU409'
);
select throws_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
       values (%L, %L, 'pending', 'staff') $$,
    :'student', :'gran'
  ),
  'TU409', null, 'as postgres, a third pending link is TU409'
);
select lives_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via,
         revoked_at)
       values (%L, %L, 'revoked', 'staff', now()) $$,
    :'student', :'gran'
  ),
  'a revoked link does not count: it can be inserted'
);
select throws_ok(
  format(
    $$ update tutela.guardian_links set status = 'active', revoked_at = null
       where student_id = %L and guardian_id = %L $$,
    :'student', :'gran'
  ),
  'TU409', null, 'as postgres, re-activating a revoked link over the cap is TU409'
);

-- as the service role
select tutela_tests.as_service_role();
select throws_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
       values (%L, %L, 'active', 'staff') $$,
    :'student', :'aunt'
  ),
  'TU409', null, 'as the service role, a third active link is TU409'
);
select throws_ok(
  format(
    $$ update tutela.guardian_links set status = 'active', revoked_at = null
       where student_id = %L and guardian_id = %L $$,
    :'student', :'gran'
  ),
  'TU409', null, 'as the service role, re-activating over the cap is TU409'
);

-- one slot free (mum revoked directly): one insert fits, two in one statement do not
select lives_ok(
  format(
    $$ update tutela.guardian_links set status = 'revoked', revoked_at = now() where id = %L $$,
    :'mum_link'
  ),
  'the service role revokes a link directly'
);
select throws_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
       values (%L, %L, 'active', 'staff'), (%L, %L, 'active', 'staff') $$,
    :'student', :'aunt', :'student', :'uncle'
  ),
  'TU409', null, 'two links in one statement for one free slot are TU409'
);
select lives_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via)
       values (%L, %L, 'active', 'staff') $$,
    :'student', :'aunt'
  ),
  'with a free slot the service role inserts a link'
);

select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_links
    where student_id = :'student' and status in ('active', 'pending')
  ),
  2::bigint,
  'the student has exactly two guardians'
);

select * from finish();
rollback;
