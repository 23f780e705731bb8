-- At most one active primary guardian per student, also for direct writes that skip
-- set_primary_guardian: a second active primary is a unique violation (23505, the partial
-- index guardian_links_one_primary_idx), as postgres and as the service role. A primary link
-- must be active (check constraint, 23514). A second link of the same guardian is 23505.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as sibling from tutela.create_student(:'org', 'Sibling') \gset
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select code as sibling_code from tutela.create_guardian_link_code(:'sibling') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select (tutela.redeem_guardian_link_code(:'sibling_code') ->> 'id') as sibling_link \gset
select tutela_tests.authenticate_as(:'dad');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as dad_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

select tutela_tests.clear_authentication();
select throws_ok(
  format('update tutela.guardian_links set is_primary = true where id = %L', :'dad_link'),
  '23505', null, 'as postgres, a second active primary is 23505'
);
select tutela_tests.as_service_role();
select throws_ok(
  format('update tutela.guardian_links set is_primary = true where id = %L', :'dad_link'),
  '23505', null, 'as the service role, a second active primary is 23505'
);
select lives_ok(
  format('update tutela.guardian_links set is_primary = true where id = %L', :'sibling_link'),
  'the primary of another student is independent'
);
select throws_ok(
  format(
    $$ update tutela.guardian_links set is_primary = true, status = 'pending'
       where id = %L $$,
    :'dad_link'
  ),
  '23514', null, 'a pending link cannot be primary'
);
select throws_ok(
  format(
    $$ insert into tutela.guardian_links (student_id, guardian_id, status, created_via,
         revoked_at)
       values (%L, %L, 'revoked', 'staff', now()) $$,
    :'student', :'mum'
  ),
  '23505', null, 'a second link of the same guardian to the same student is 23505'
);

-- moving the flag takes two statements, unset then set, as set_primary_guardian does
select lives_ok(
  format(
    $$ update tutela.guardian_links set is_primary = false where id = %L;
       update tutela.guardian_links set is_primary = true where id = %L $$,
    :'mum_link', :'dad_link'
  ),
  'the service role moves the flag: unset, then set'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id from tutela.guardian_links where student_id = %L and is_primary $$,
    :'student'
  ),
  format('values (%L::uuid)', :'dad_link'),
  'exactly one primary: dad'
);
select is(
  (select count(*) from tutela.guardian_links where is_primary),
  2::bigint,
  'one primary per student: dad for the student, mum for the sibling'
);

select * from finish();
rollback;
