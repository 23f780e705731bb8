-- Security review (issue 25, finding 5): a roster import does not make an existing login a
-- guardian or a member without that person's acceptance. By default (roster_trusted off) a
-- guardian-links row naming an existing account's email sends an invite, exactly as for an
-- address without an account: no link, nothing visible, until the account holder accepts
-- (accept_guardian_invite); a staff row does the same with a membership invite
-- (accept_organization_invite). The same file again changes nothing. An organisation that trusts
-- its roster links and adds existing accounts at once, and the account holder is told (an
-- email: guardian_linked, member_added). Only admins turn the trust on.
begin;
select plan(16);

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('staff@a.test') as staff \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('typo@a.test') as typo \gset
select tutela_tests.create_user('t1@a.test') as t1 \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff') is not null as added \gset
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'students', '[{"sis_id": "S1", "display_name": "Ann"}]');
select tutela_tests.clear_authentication();
select id as s1 from tutela.students where sis_id = 'S1' \gset

-- ---------------------------------------------------------------------------------------------
-- the default: invites, not links
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "typo@a.test", "relation": "mother", "primary": "true"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts',
  '{"create": 0, "update": 0, "revoke": 0, "invite": 1, "unchanged": 0, "error": 0}'::jsonb,
  'an existing account named by the roster gets an invite'
);
select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.guardian_links where guardian_id = %L', :'typo'),
  'no link yet'
);
select is(
  (
    select count(*) from tutela_private.notification_outbox
    where kind = 'guardian_invite' and recipient_email = 'typo@a.test'
  ),
  1::bigint,
  'the account holder is told: an invite email'
);
select tutela_tests.authenticate_as(:'typo');
select is_empty(
  format('select 1 from tutela.students where id = %L', :'s1'),
  'the account holder sees nothing of the child before accepting'
);
select tutela_tests.authenticate_as(:'staff');
select is_empty(
  format('select 1 from tutela.profiles where user_id = %L', :'typo'),
  'and the organisation sees nothing of the account holder'
);
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'guardian-links', $$[
  {"student": "S1", "guardian_email": "typo@a.test", "relation": "mother", "primary": "true"}
]$$) as r \gset
select is(
  :'r'::jsonb -> 'counts' ->> 'unchanged', '1', 'the same row again changes nothing'
);

-- the right person accepts
select tutela_tests.clear_authentication();
select token from (
  select payload ->> 'token' as token from tutela_private.notification_outbox
  where kind = 'guardian_invite' and recipient_email = 'typo@a.test'
) as t \gset
select tutela_tests.authenticate_as(:'typo');
select results_eq(
  format(
    'select status, created_via, managed_by_roster, is_primary '
    'from tutela.accept_guardian_invite(%L)',
    :'token'
  ),
  $$values ('active'::text, 'invite'::text, true, true)$$,
  'accepting makes the roster''s link, primary as the file asked'
);

-- staff rows: an existing account gets a membership invite
select tutela_tests.as_service_role();
select tutela.import_roster(:'org', 'staff', '[{"email": "t1@a.test", "role": "staff"}]') as r
\gset
select is(
  :'r'::jsonb -> 'counts' ->> 'invite', '1', 'an existing account named as staff is invited'
);
select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.memberships where user_id = %L', :'t1'),
  'no membership before acceptance'
);
select token as mtoken from (
  select payload ->> 'token' as token from tutela_private.notification_outbox
  where kind = 'member_invite' and recipient_email = 't1@a.test'
) as t \gset
select tutela_tests.authenticate_as(:'t1');
select results_eq(
  format(
    'select role, managed_by_roster from tutela.accept_organization_invite(%L)', :'mtoken'
  ),
  $$values ('staff'::text, true)$$,
  'accepting makes the roster''s membership'
);

-- ---------------------------------------------------------------------------------------------
-- an organisation that trusts its roster
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'staff');
select throws_ok(
  format($$select tutela.update_organization_settings(%L, '{"roster_trusted": true}')$$, :'org'),
  'TU403', null, 'only admins turn the trust on'
);
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  format($$select tutela.update_organization_settings(%L, '{"roster_trusted": 1}')$$, :'org'),
  'TU422', null, 'roster_trusted is true or false'
);
select tutela.update_organization_settings(:'org', '{"roster_trusted": true}') is not null as t
\gset
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'guardian-links',
    '[{"student": "S1", "guardian_email": "mum@a.test", "relation": "mother"}]'
  ) as r
\gset
select is(:'r'::jsonb -> 'counts' ->> 'create', '1', 'trusted: the link is made at once');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select o.kind, o.student_id from tutela_private.notification_outbox as o
      where o.recipient_user_id = %L$$,
    :'mum'
  ),
  format($$values ('guardian_linked'::text, %L::uuid)$$, :'s1'),
  'trusted: the account holder is told they were linked'
);
select tutela_tests.as_service_role();
select
  tutela.import_roster(
    :'org', 'staff', '[{"email": "admin@a.test", "role": "admin"}, '
    '{"email": "t1@a.test", "role": "staff"}, {"email": "typo@a.test", "role": "staff"}]'
  ) as r
\gset
select is(:'r'::jsonb -> 'counts' ->> 'create', '1', 'trusted: a member is added at once');
select tutela_tests.clear_authentication();
select is(
  (
    select count(*)
    from tutela_private.notification_outbox where
      kind = 'member_added'
      and recipient_user_id = :'typo'
  ),
  1::bigint,
  'trusted: the new member is told'
);

select * from finish();
rollback;
