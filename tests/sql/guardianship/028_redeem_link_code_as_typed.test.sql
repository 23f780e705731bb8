-- redeem_guardian_link_code accepts a code as a person types it: any case, spaces or dashes
-- anywhere (or none), and the Crockford look-alikes I and L for 1, O for 0.
begin;
select plan(10);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('g1@example.test') as g1 \gset
select tutela_tests.create_user('g2@example.test') as g2 \gset
select tutela_tests.create_user('g3@example.test') as g3 \gset
select tutela_tests.create_user('g4@example.test') as g4 \gset
select tutela_tests.create_user('g5@example.test') as g5 \gset
select tutela_tests.create_user('g6@example.test') as g6 \gset
select tutela_tests.create_user('g7@example.test') as g7 \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 10}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select id as other from tutela.create_student(:'org', 'Other kid') \gset
select code as real_code from tutela.create_guardian_link_code(:'other') \gset

-- a code with known characters (with 1s and 0s), stored as the function stores codes
select tutela_tests.clear_authentication();
insert into tutela_private.guardian_link_codes (
  student_id, code_hash, expires_at, max_uses, created_by
)
values (
  :'student', sha256(convert_to('A1B0C1D0E1F0', 'UTF8')), now() + interval '1 day', 10, :'admin'
);

select tutela_tests.authenticate_as(:'g1');
select is(
  tutela.redeem_guardian_link_code('a1b0-c1d0-e1f0') ->> 'status',
  'active', 'lower case is accepted'
);
select tutela_tests.authenticate_as(:'g2');
select is(
  tutela.redeem_guardian_link_code('A1B0 C1D0 E1F0') ->> 'status',
  'active', 'spaces instead of dashes are accepted'
);
select tutela_tests.authenticate_as(:'g3');
select is(
  tutela.redeem_guardian_link_code('A1B0C1D0E1F0') ->> 'status',
  'active', 'no separators at all is accepted'
);
select tutela_tests.authenticate_as(:'g4');
select is(
  tutela.redeem_guardian_link_code('AIBO-CLDO-EiFo') ->> 'status',
  'active', 'I and L are read as 1, O as 0, in either case'
);
select tutela_tests.authenticate_as(:'g5');
select is(
  tutela.redeem_guardian_link_code(' a-1 b-0  C1 d0-e 1 f 0 ') ->> 'status',
  'active', 'spaces and dashes anywhere, and around the code, are ignored'
);

-- a generated code, typed lower case with spaces
select tutela_tests.authenticate_as(:'g6');
select is(
  tutela.redeem_guardian_link_code(lower(replace(:'real_code', '-', ' '))) ->> 'student_id',
  :'other',
  'a generated code typed in lower case with spaces links to its student'
);

-- not look-alikes: U is no Crockford character; a character short or long is no code
select tutela_tests.authenticate_as(:'g7');
select is(
  tutela.redeem_guardian_link_code('A1B0-C1D0-E1FU') ->> 'code',
  'TU404', 'U is not read as any character: the code is unknown'
);
select is(
  tutela.redeem_guardian_link_code('A1B0-C1D0-E1F') ->> 'code',
  'TU404', 'eleven characters are not a code'
);
select is(
  tutela.redeem_guardian_link_code('A1B0-C1D0-E1F00') ->> 'code',
  'TU404', 'thirteen characters are not a code'
);

select tutela_tests.clear_authentication();
select is(
  (
    select count(*) from tutela.guardian_links
    where
      student_id = :'student' and status = 'active'
      and guardian_id in (:'g1', :'g2', :'g3', :'g4', :'g5')
  ),
  5::bigint,
  'each spelling linked its guardian to the student'
);

select * from finish();
rollback;
