-- create_guardian_link_code by the student: with no student id, the code is for the caller's
-- own record. The code is shown once, as three groups of four Crockford base32 characters.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');

-- the student, without naming the record
select tutela_tests.authenticate_as(:'kid');
select
  code as self_code,
  expires_at as self_expires
from tutela.create_guardian_link_code() \gset
select matches(
  :'self_code'::text,
  '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$',
  'the code is three dash-separated groups of four Crockford base32 characters'
);
select is(
  :'self_expires'::timestamptz,
  now() + interval '24 hours',
  'by default the code expires after the organisation''s link_code_ttl (24 hours)'
);

-- the student, naming their own record
select code as named_code from tutela.create_guardian_link_code(:'student') \gset
select matches(
  :'named_code'::text,
  '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$',
  'the student may also name their own record'
);
select isnt(:'named_code'::text, :'self_code'::text, 'each call makes a new code');

-- many codes: all well-formed and all different
select tutela_tests.clear_authentication();
create temporary table many_codes (code text) on commit drop;
grant insert, select on many_codes to authenticated;
select tutela_tests.authenticate_as(:'kid');
insert into many_codes (code)
select c.code from generate_series(1, 50) as g (n)
-- the argument depends on g.n, so the function runs once per row
cross join lateral tutela.create_guardian_link_code(p_max_uses => 1 + 0 * g.n) as c;
select is(
  (
    select count(*) from many_codes
    where code ~ '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'
  ),
  50::bigint,
  'fifty codes are all well-formed'
);
select is(
  (select count(distinct code) from many_codes),
  50::bigint,
  'fifty codes are all different'
);

-- the rows: for the student's record, created by the student
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select count(*), count(*) filter (where created_by = %L and max_uses = 1 and uses = 0)
       from tutela_private.guardian_link_codes where student_id = %L $$,
    :'kid', :'student'
  ),
  $$ values (52::bigint, 52::bigint) $$,
  'every code is stored for the student''s record, single-use, created by the student'
);
select is(
  (
    select count(*) from tutela.link_events
    where
      action = 'code_created' and student_id = :'student' and actor_id = :'kid'
      and actor_role = 'student'
  ),
  52::bigint,
  'every code creation is audited with the student as actor'
);

select * from finish();
rollback;
