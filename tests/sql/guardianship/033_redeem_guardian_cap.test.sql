-- redeem_guardian_link_code and the guardian cap (organisation default: 2; active and pending
-- links count): the guardian over the cap gets TU409 and the code's use is not consumed, so
-- the same code works once a slot is free. Revoked links do not count.
begin;
select plan(9);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('gran@example.test') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select is(
  (select max_guardians_per_student from tutela.organizations where id = :'org'),
  2,
  'the organisation''s default cap is 2'
);
select code as mum_code from tutela.create_guardian_link_code(:'student') \gset
select code as dad_code from tutela.create_guardian_link_code(:'student') \gset
select code as gran_code from tutela.create_guardian_link_code(:'student') \gset

select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'mum_code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'dad_code');

select tutela_tests.authenticate_as(:'gran');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'gran_code'),
  'TU409', null, 'a third guardian is over the cap: TU409'
);
select tutela_tests.clear_authentication();
select is(
  (
    select uses from tutela_private.guardian_link_codes
    where code_hash = sha256(convert_to(replace(:'gran_code', '-', ''), 'UTF8'))
  ),
  0,
  'the refused redemption did not use the code'
);
select is_empty(
  format('select 1 from tutela.guardian_links where guardian_id = %L', :'gran'),
  'no link was made for the third guardian'
);
select is(
  (
    select count(*) from tutela.guardian_links
    where student_id = :'student' and status in ('active', 'pending')
  ),
  2::bigint,
  'the student still has two guardians'
);
select is_empty(
  format(
    'select 1 from tutela_private.link_code_attempts where user_id = %L and not succeeded', :'gran'
  ),
  'a refusal for the cap is not a failed code attempt'
);

-- mum leaves: a slot is free, and the same code now works
select tutela_tests.authenticate_as(:'mum');
select tutela.revoke_guardian_link(:'mum_link');
select tutela_tests.authenticate_as(:'gran');
select is(
  tutela.redeem_guardian_link_code(:'gran_code') ->> 'status',
  'active',
  'once a link is revoked, the same code links the third guardian'
);

-- and now mum is the one over the cap, with a fresh code
select tutela_tests.authenticate_as(:'admin');
select code as mum_again from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format('select tutela.redeem_guardian_link_code(%L)', :'mum_again'),
  'TU409', null, 'a revoked guardian coming back over the cap is refused too'
);
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.guardian_links where id = :'mum_link'),
  'revoked',
  'mum''s link stays revoked'
);

select * from finish();
rollback;
