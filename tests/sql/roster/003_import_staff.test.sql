-- import_roster 'staff', for an organisation that trusts its roster (roster_trusted; by default
-- existing accounts are invited instead: 008_roster_needs_acceptance): rows make memberships
-- (managed_by_roster) for existing accounts, by email in any case; an email without an account
-- gets a membership invite; the same rows again change
-- nothing; a new role updates; status deleted removes the membership; taking away the last
-- admin (demoted or deleted, or missing from a full sync) is a TU409 row and leaves them admin;
-- a full sync removes the roster's members the file no longer lists (unless kept) and never a
-- member added by hand. Bad values (email, role, status) are TU422 rows.
begin;
select plan(27);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('hand@a.test') as hand \gset
select tutela_tests.create_user('t1@s.test') as t1 \gset
select tutela_tests.create_user('t2@s.test') as t2 \gset
select tutela_tests.create_user('t3@s.test') as t3 \gset
select tutela_tests.create_user('t4@s.test') as t4 \gset
select tutela_tests.create_user('admin@b.test') as admin_b \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'hand', 'staff');
select tutela.update_organization_settings(:'org', '{"roster_trusted": true}') is not null as t
\gset
select tutela_tests.authenticate_as(:'admin_b');
select id as org_b from tutela.create_organization('Beta School', 'beta-school') \gset
select tutela.update_organization_settings(:'org_b', '{"roster_trusted": true}') is not null as t
\gset

-- the members of an organisation: email, role, title, sis_id, managed_by_roster
create function pg_temp.members(p_org uuid)
returns table (email text, role text, title text, sis_id text, managed boolean)
language sql
stable
as $$
  select u.email::text, m.role, m.title, m.sis_id, m.managed_by_roster
  from tutela.memberships as m
  inner join auth.users as u on m.user_id = u.id
  where m.organization_id = p_org
  order by u.email
$$;

-- ---------------------------------------------------------------------------------------------
-- create; an unknown account is invited
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "T1@S.test", "role": "staff", "title": "Maths", "sis_id": "T1"},
  {"email": "t2@s.test", "role": "admin"},
  {"email": "nobody@s.test", "role": "staff"},
  {"email": "t3@s.test"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 3, "update": 0, "revoke": 0, "invite": 1, "unchanged": 0, "error": 0}'::jsonb,
  'create: three memberships, one invite'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select i.email, i.role, i.status, i.managed_by_roster, i.invited_by,
        (select count(*) from tutela_private.notification_outbox as o
         where o.kind = 'member_invite' and o.recipient_email = i.email)
      from tutela.membership_invites as i
      where i.organization_id = %L and i.managed_by_roster$$,
    :'org'
  ),
  $$values ('nobody@s.test'::text, 'staff'::text, 'pending'::text, true, null::uuid, 1::bigint)$$,
  'create: an email without an account gets a roster invite, emailed'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select * from pg_temp.members(%L)', :'org'),
  $$values ('admin@a.test'::text, 'admin'::text, null::text, null::text, false),
    ('hand@a.test', 'staff', null, null, false),
    ('t1@s.test', 'staff', 'Maths', 'T1', true),
    ('t2@s.test', 'admin', null, null, true),
    ('t3@s.test', 'staff', null, null, true)$$,
  'create: members made by the roster are marked; the role defaults to staff'
);

-- the same rows again
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "t1@s.test", "role": "staff", "title": "Maths", "sis_id": "T1"},
  {"email": "t2@s.test", "role": "admin"},
  {"email": "t3@s.test", "role": "staff"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 0, "invite": 0, "unchanged": 3, "error": 0}'::jsonb,
  'again: unchanged'
);

-- ---------------------------------------------------------------------------------------------
-- role update; status deleted
-- ---------------------------------------------------------------------------------------------
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "t1@s.test", "role": "admin", "title": "Head of Maths", "sis_id": "T1"},
  {"email": "t3@s.test", "status": "deleted"},
  {"email": "t4@s.test", "status": "deleted"},
  {"email": "ghost@s.test", "status": "deleted"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 1, "revoke": 1, "invite": 0, "unchanged": 2, "error": 0}'::jsonb,
  'update and delete: one update, one removal, two deletions of nothing'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select email, role, title from pg_temp.members(%L)
      where email in ('t1@s.test', 't3@s.test')$$,
    :'org'
  ),
  $$values ('t1@s.test'::text, 'admin'::text, 'Head of Maths'::text)$$,
  'update and delete: t1 is an admin with the new title; t3 is no member'
);

-- ---------------------------------------------------------------------------------------------
-- bad values
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "not-an-email", "role": "staff"},
  {"email": "t4@s.test", "role": "teacher"},
  {"email": "x1@s.test", "status": "gone"},
  {"role": "staff"},
  {"email": "x2@s.test", "role": "staff", "office": "B12"},
  {"email": "T4@S.TEST", "role": "staff"}
]$$) as r \gset
select results_eq(
  format(
    $$select (e ->> 'line')::int, e ->> 'code', nullif(e ->> 'detail', '')
      from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values (2, 'TU422'::text, null::text), (3, 'TU422', null), (4, 'TU422', null),
    (5, 'TU422', null), (6, 'TU422', null), (7, 'TU409', 'duplicate_row')$$,
  'bad values: malformed or missing email, unknown role, status or column are TU422; a '
  || 'repeated email is TU409'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.memberships where organization_id = :'org' and user_id = :'t4'),
  0::bigint,
  'bad values: nothing was applied'
);

-- ---------------------------------------------------------------------------------------------
-- the last admin
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org_b', 'staff', $$[
  {"email": "admin@b.test", "role": "staff"}
]$$) as r \gset
select results_eq(
  format(
    $$select e ->> 'code', e ->> 'detail' from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values ('TU409'::text, 'last_admin'::text)$$,
  'last admin: demoting the only admin is a TU409 row'
);
select tutela.import_roster(:'org_b', 'staff', $$[
  {"email": "admin@b.test", "status": "deleted"}
]$$) as r \gset
select results_eq(
  format(
    $$select e ->> 'code', e ->> 'detail' from jsonb_array_elements(%L::jsonb) as e$$,
    :'r'::jsonb -> 'errors'
  ),
  $$values ('TU409'::text, 'last_admin'::text)$$,
  'last admin: deleting the only admin is a TU409 row'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, role, managed from pg_temp.members(%L)', :'org_b'),
  $$values ('admin@b.test'::text, 'admin'::text, false)$$,
  'last admin: still the admin, still a member added by hand'
);

-- the roster claims the admin, then a full sync that leaves them out keeps them
select tutela_tests.as_service_role();
select tutela.import_roster(:'org_b', 'staff', $$[
  {"email": "admin@b.test", "role": "admin"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'update', '1', 'last admin: the roster claims the admin'
);
select tutela.import_roster(:'org_b', 'staff', '[]', '{"full": true}') as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 0, "invite": 0, "unchanged": 0, "error": 1}'::jsonb,
  'last admin: a full sync without them is one error'
);
select is(
  :'r'::jsonb -> 'errors' -> 0 ->> 'code', 'TU409',
  'last admin: the error is TU409'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, role, managed from pg_temp.members(%L)', :'org_b'),
  $$values ('admin@b.test'::text, 'admin'::text, true)$$,
  'last admin: kept by the full sync'
);

-- a second admin by the roster: now the first one can go
select tutela_tests.as_service_role();
select tutela.import_roster(:'org_b', 'staff', $$[
  {"email": "t4@s.test", "role": "admin"},
  {"email": "admin@b.test", "status": "deleted"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 1, "update": 0, "revoke": 1, "invite": 0, "unchanged": 0, "error": 0}'::jsonb,
  'last admin: with another admin, the first is removed'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, role from pg_temp.members(%L)', :'org_b'),
  $$values ('t4@s.test'::text, 'admin'::text)$$,
  'last admin: t4 is the admin now'
);

-- ---------------------------------------------------------------------------------------------
-- full sync
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "t3@s.test", "role": "staff"},
  {"email": "t4@s.test", "role": "staff"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'create', '2', 'full: t3 and t4 join by the roster');

-- t1 and t2 (roster) are missing; t4 is kept by a previous batch's key
select tutela.import_roster(
  :'org', 'staff', '[{"email": "t3@s.test", "role": "staff"}]',
  '{"full": true, "keep": ["t4@s.test"]}'
) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 3, "invite": 0, "unchanged": 1, "error": 0}'::jsonb,
  'full: the two roster members and the roster invite missing from the file are removed'
);
select results_eq(
  format(
    $$select c ->> 'action', c ->> 'key' from jsonb_array_elements(%L::jsonb) as c
      order by 2$$,
    :'r'::jsonb -> 'changes'
  ),
  $$values ('revoke'::text, 'nobody@s.test'::text), ('revoke', 't1@s.test'),
    ('revoke', 't2@s.test')$$,
  'full: the removals are listed by email'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, role, managed from pg_temp.members(%L)', :'org'),
  $$values ('admin@a.test'::text, 'admin'::text, false), ('hand@a.test', 'staff', false),
    ('t3@s.test', 'staff', true), ('t4@s.test', 'staff', true)$$,
  'full: members added by hand stay, as do the listed and the kept'
);

-- a full sync with no rows: only roster members go; the hand-made admin and staff stay
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', '[]', '{"full": true}') as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'revoke', '2', 'full: an empty file removes the roster''s two'
);
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, role, managed from pg_temp.members(%L)', :'org'),
  $$values ('admin@a.test'::text, 'admin'::text, false), ('hand@a.test', 'staff', false)$$,
  'full: only the members added by hand remain'
);

-- a dry full sync removes nothing
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "t1@s.test"}
]$$) as r \gset
select tutela.import_roster(:'org', 'staff', '[]', '{"full": true, "dry_run": true}') as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'revoke', '1', 'full, dry run: the plan removes t1'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.memberships where organization_id = :'org' and user_id = :'t1'),
  1::bigint,
  'full, dry run: t1 is still a member'
);

-- the roster claims a member added by hand, after which a full sync may remove them
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', $$[
  {"email": "hand@a.test", "role": "staff", "title": "Art"}
]$$) as r \gset
select is(:'r'::jsonb -> 'counts' ->> 'update', '1', 'claim: a listed hand-made member is claimed');
select tutela.import_roster(:'org', 'staff', '[{"email": "t1@s.test"}]', '{"full": true}');
select tutela_tests.clear_authentication();
select results_eq(
  format('select email, managed from pg_temp.members(%L)', :'org'),
  $$values ('admin@a.test'::text, false), ('t1@s.test', true)$$,
  'claim: once claimed, a full sync that leaves them out removes them'
);

select * from finish();
rollback;
