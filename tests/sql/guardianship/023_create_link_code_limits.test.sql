-- create_guardian_link_code: max_uses from 1 to 100 and a lifetime from 5 minutes to 30 days,
-- bounds included (docs/errors.md, TU422); anything else is TU422.
begin;
select plan(12);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset

select throws_ok(
  format('select tutela.create_guardian_link_code(%L, 0)', :'student'),
  'TU422', null, 'max_uses 0 is TU422'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L, 101)', :'student'),
  'TU422', null, 'max_uses 101 is TU422'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L, -1)', :'student'),
  'TU422', null, 'a negative max_uses is TU422'
);
select throws_ok(
  format('select tutela.create_guardian_link_code(%L, null)', :'student'),
  'TU422', null, 'a null max_uses is TU422'
);
select throws_ok(
  format(
    $$ select tutela.create_guardian_link_code(%L, 1, interval '4 minutes 59 seconds') $$,
    :'student'
  ),
  'TU422', null, 'a lifetime under 5 minutes is TU422'
);
select throws_ok(
  format(
    $$ select tutela.create_guardian_link_code(%L, 1, interval '30 days 1 second') $$,
    :'student'
  ),
  'TU422', null, 'a lifetime over 30 days is TU422'
);
select throws_ok(
  format($$ select tutela.create_guardian_link_code(%L, 1, interval '-1 hour') $$, :'student'),
  'TU422', null, 'a negative lifetime is TU422'
);

select lives_ok(
  format('select tutela.create_guardian_link_code(%L, 1)', :'student'),
  'max_uses 1 is accepted'
);
select lives_ok(
  format('select tutela.create_guardian_link_code(%L, 100)', :'student'),
  'max_uses 100 is accepted'
);
select is(
  (
    select c.expires_at
    from tutela.create_guardian_link_code(:'student', 1, interval '5 minutes') as c
  ),
  now() + interval '5 minutes',
  'a lifetime of exactly 5 minutes is accepted'
);
select is(
  (
    select c.expires_at
    from tutela.create_guardian_link_code(:'student', 1, interval '30 days') as c
  ),
  now() + interval '30 days',
  'a lifetime of exactly 30 days is accepted'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select max_uses from tutela_private.guardian_link_codes where student_id = %L
       order by max_uses $$,
    :'student'
  ),
  $$ values (1), (1), (1), (100) $$,
  'only the accepted calls stored codes, with the max_uses asked for'
);

select * from finish();
rollback;
