-- create_organization: any signed-in user founds an organisation and becomes its first admin.
-- Anon may not call it; a token without a user is TU401; bad names and slugs are TU422; a slug
-- already in use is TU409.
begin;
select plan(19);

select tutela_tests.create_user('founder@example.test') as founder \gset
select tutela_tests.create_user('rival@example.test') as rival \gset

-- a signed-in user founds an organisation
select tutela_tests.authenticate_as(:'founder');
select
  id as org,
  name as org_name,
  slug as org_slug,
  created_by as org_created_by
from tutela.create_organization('  Riverside Academy  ', 'riverside-academy') \gset
select is(:'org_name'::text, 'Riverside Academy', 'the name is stored trimmed');
select is(:'org_slug'::text, 'riverside-academy', 'the slug is stored as given');
select is(:'org_created_by'::uuid, :'founder'::uuid, 'created_by is the caller');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select user_id, role from tutela.memberships where organization_id = %L', :'org'
  ),
  format('values (%L::uuid, %L::text)', :'founder', 'admin'),
  'the founder is the only member, as admin'
);
select results_eq(
  format(
    $$select max_guardians_per_student, link_requires_student_approval, link_code_ttl
      from tutela.organizations where id = %L$$,
    :'org'
  ),
  $$values (2, false, interval '24 hours')$$,
  'a new organisation starts with the default settings'
);
select results_eq(
  format(
    'select actor_id, actor_role from tutela.link_events '
    'where organization_id = %L and action = %L',
    :'org', 'organization_created'
  ),
  format('values (%L::uuid, %L::text)', :'founder', 'admin'),
  'the creation is audited once, with the founder as admin'
);

-- the founder reads the new organisation through the API
select tutela_tests.authenticate_as(:'founder');
select results_eq(
  'select id from tutela.organizations',
  format('values (%L::uuid)', :'org'),
  'the founder sees their organisation'
);

-- input checks
select throws_ok(
  $$select tutela.create_organization('   ', 'blank-name')$$,
  'TU422', null, 'a blank name is TU422'
);
select throws_ok(
  $$select tutela.create_organization(null, 'null-name')$$,
  'TU422', null, 'a missing name is TU422'
);
select throws_ok(
  format('select tutela.create_organization(%L, %L)', repeat('n', 201), 'long-name'),
  'TU422', null, 'a name over 200 characters is TU422'
);
select throws_ok(
  $$select tutela.create_organization('Two', 'ab')$$,
  'TU422', null, 'a slug under 3 characters is TU422'
);
select throws_ok(
  $$select tutela.create_organization('Upper', 'Upper-Case')$$,
  'TU422', null, 'a slug with capitals is TU422'
);
select throws_ok(
  $$select tutela.create_organization('Dash', '-dash-first')$$,
  'TU422', null, 'a slug starting with a dash is TU422'
);
select throws_ok(
  format('select tutela.create_organization(%L, %L)', 'Long', repeat('a', 64)),
  'TU422', null, 'a slug over 63 characters is TU422'
);
select throws_ok(
  $$select tutela.create_organization('No slug', null)$$,
  'TU422', null, 'a missing slug is TU422'
);

-- another user cannot take the same slug
select tutela_tests.authenticate_as(:'rival');
select throws_ok(
  $$select tutela.create_organization('Copycat', 'riverside-academy')$$,
  'TU409', null, 'a slug in use is TU409'
);
select is_empty(
  'select id from tutela.organizations',
  'the refused founder got no organisation'
);

-- no user in the token
select tutela_tests.clear_authentication();
set local role authenticated;
select throws_ok(
  $$select tutela.create_organization('Ghost', 'ghost-school')$$,
  'TU401', null, 'authenticated role without a user is TU401'
);

-- anon may not call it
select tutela_tests.as_anon();
select throws_ok(
  $$select tutela.create_organization('Anon', 'anon-school')$$,
  '42501', null, 'anon may not create an organisation'
);

select * from finish();
rollback;
