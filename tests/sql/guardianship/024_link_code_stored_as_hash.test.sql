-- Link codes are stored only as a sha256 hash of their 12 characters: no column of the code
-- row, and no audit row, holds the code. The expiry follows the organisation's link_code_ttl.
begin;
select plan(8);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela.update_organization_settings(:'org', '{"link_code_ttl": "3 hours"}');
select
  code,
  expires_at
from tutela.create_guardian_link_code(:'student') \gset

select tutela_tests.clear_authentication();
select replace(:'code', '-', '') as plain \gset

select is(
  (select count(*) from tutela_private.guardian_link_codes where student_id = :'student'),
  1::bigint,
  'one code row is stored'
);
select is(
  (select code_hash from tutela_private.guardian_link_codes where student_id = :'student'),
  sha256(convert_to(:'plain', 'UTF8')),
  'code_hash is the sha256 of the 12 characters without dashes'
);
select is(
  (select expires_at from tutela_private.guardian_link_codes where student_id = :'student'),
  now() + interval '3 hours',
  'expires_at is now() plus the organisation''s link_code_ttl'
);
select is(
  :'expires_at'::timestamptz,
  now() + interval '3 hours',
  'the caller is told the same expiry'
);

-- the code in no form, in no column
select is_empty(
  format(
    $$ select 1 from tutela_private.guardian_link_codes as c
       where upper(to_jsonb(c)::text) like '%%' || %L || '%%'
          or upper(to_jsonb(c)::text) like '%%' || %L || '%%' $$,
    :'plain', :'code'
  ),
  'no column of the code row holds the code, with or without dashes'
);
select is_empty(
  $$ select 1 from information_schema.columns
     where table_schema = 'tutela_private' and table_name = 'guardian_link_codes'
       and data_type in ('text', 'character varying', 'character', 'json', 'jsonb') $$,
  'the code table has no text column that could hold a code'
);
select is_empty(
  format(
    $$ select 1 from tutela.link_events as e
       where upper(to_jsonb(e)::text) like '%%' || %L || '%%'
          or upper(to_jsonb(e)::text) like '%%' || %L || '%%' $$,
    :'plain', :'code'
  ),
  'the audit log does not hold the code'
);
select is_empty(
  format(
    $$ select 1 from tutela_private.notification_outbox as n
       where upper(to_jsonb(n)::text) like '%%' || %L || '%%'
          or upper(to_jsonb(n)::text) like '%%' || %L || '%%' $$,
    :'plain', :'code'
  ),
  'the notification outbox does not hold the code'
);

select * from finish();
rollback;
