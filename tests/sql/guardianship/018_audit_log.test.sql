-- The audit log: each function writes one link_events row naming the action, the actor and
-- the role they acted in (with the client address and user agent from the request headers).
-- The log is append-only: service_role may insert but has no grant to change or delete, and
-- a trigger refuses update, delete and truncate with TU403 for everyone else, the table owner
-- included, and even for a role that is granted those privileges.
begin;
select plan(21);

select tutela_tests.create_user('admin@a.test') as admin_a \gset
select tutela_tests.create_user('staff@a.test') as staff_a \gset
select tutela_tests.create_user('kid@a.test') as kid_user \gset
select tutela_tests.create_user('guardian@a.test') as guardian \gset

-- a short history, each step by a different actor
select tutela_tests.authenticate_as(:'admin_a');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select tutela_tests.add_member(:'org', :'staff_a', 'staff') is not null as added \gset
select tutela_tests.authenticate_as(:'staff_a');
select id as kid from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'kid', :'kid_user');
select tutela_tests.authenticate_as(:'kid_user');
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'guardian');
select
  set_config(
    'request.headers',
    '{"x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "pgtap-agent/1.0"}',
    true
  ) is not null as headers_set
\gset
select tutela.redeem_guardian_link_code(:'code') ->> 'id' as link \gset
select set_config('request.headers', '{}', true) is not null as headers_cleared \gset
select tutela_tests.authenticate_as(:'kid_user');
select tutela.set_guardian_link_permissions(:'link', '{"journal": true}') is not null as ok \gset
select tutela_tests.authenticate_as(:'staff_a');
select tutela.revoke_guardian_link(:'link', 'moving away') is not null as revoked \gset
select tutela_tests.authenticate_as(:'staff_a');
select tutela.restore_guardian_link(:'link') is not null as restored \gset
select tutela_tests.authenticate_as(:'admin_a');
select
  tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 3}')
  is not null as changed
\gset
select tutela.remove_organization_member(:'org', :'staff_a') is null as removed \gset

select tutela_tests.clear_authentication();
select results_eq(
  format(
    'select action, actor_id, actor_role from tutela.link_events '
    'where organization_id = %L order by id',
    :'org'
  ),
  format(
    $$values
      ('organization_created', %1$L::uuid, 'admin'),
      ('member_invite_created', %1$L, 'admin'),
      ('member_added', %2$L, 'member'),
      ('student_created', %2$L, 'staff'),
      ('code_created', %3$L, 'student'),
      ('link_created', %4$L, 'guardian'),
      ('permissions_changed', %3$L, 'student'),
      ('link_revoked', %2$L, 'staff'),
      ('link_restored', %2$L, 'staff'),
      ('settings_changed', %1$L, 'admin'),
      ('member_removed', %1$L, 'admin')$$,
    :'admin_a', :'staff_a', :'kid_user', :'guardian'
  ),
  'every change is audited once, with its action, actor and role'
);
select results_eq(
  format(
    $$select student_id, link_id, subject_user_id, code_id is not null,
      new_values ->> 'status'
      from tutela.link_events where action = 'link_created' and organization_id = %L$$,
    :'org'
  ),
  format($$values (%L::uuid, %L::uuid, %L::uuid, true, 'active')$$, :'kid', :'link', :'guardian'),
  'the link creation names the student, the link, the guardian, the code and the new row'
);
select results_eq(
  format(
    $$select old_values ->> 'status', new_values ->> 'status', new_values ->> 'revoke_reason'
      from tutela.link_events where action = 'link_revoked' and link_id = %L$$,
    :'link'
  ),
  $$values ('active', 'revoked', 'moving away')$$,
  'the revocation keeps the old and the new row'
);
select results_eq(
  format(
    $$select request_ip, user_agent from tutela.link_events
      where action = 'link_created' and link_id = %L$$,
    :'link'
  ),
  $$values ('203.0.113.7', 'pgtap-agent/1.0')$$,
  'the client address (first forwarded hop) and user agent come from the request headers'
);
select is_empty(
  format(
    $$select 1 from tutela.link_events
      where organization_id = %L and action <> 'link_created' and request_ip is not null$$,
    :'org'
  ),
  'without request headers, no address is recorded'
);

-- a signed-in user cannot change the log (no grant)
select id as first_event from tutela.link_events where organization_id = :'org' order by id limit 1
\gset
select tutela_tests.authenticate_as(:'admin_a');
select throws_ok(
  format($$update tutela.link_events set action = 'forged' where id = %s$$, :'first_event'),
  '42501', null, 'an admin cannot update the log'
);
select throws_ok(
  format('delete from tutela.link_events where id = %s', :'first_event'),
  '42501', null, 'an admin cannot delete from the log'
);

-- service_role: may append, may not change, delete or truncate
select tutela_tests.as_service_role();
select lives_ok(
  format(
    $$insert into tutela.link_events (actor_role, action, organization_id)
      values ('service_role', 'reminder_sent', %L)$$,
    :'org'
  ),
  'service_role may append an event'
);
select throws_ok(
  format($$update tutela.link_events set action = 'forged' where id = %s$$, :'first_event'),
  '42501', null, 'service_role has no grant to update the log'
);
select throws_ok(
  format('delete from tutela.link_events where id = %s', :'first_event'),
  '42501', null, 'service_role has no grant to delete from the log'
);
select throws_ok(
  'truncate tutela.link_events',
  '42501', null, 'service_role has no grant to truncate the log'
);

-- the table owner (the session's superuser): the trigger refuses
select tutela_tests.clear_authentication();
select throws_ok(
  format($$update tutela.link_events set action = 'forged' where id = %s$$, :'first_event'),
  'TU403', null, 'the owner cannot update an event'
);
select throws_ok(
  format('update tutela.link_events set old_values = null where organization_id = %L', :'org'),
  'TU403', null, 'the owner cannot update many events'
);
select throws_ok(
  format('delete from tutela.link_events where id = %s', :'first_event'),
  'TU403', null, 'the owner cannot delete an event'
);
select throws_ok(
  'delete from tutela.link_events',
  'TU403', null, 'the owner cannot empty the log'
);
select throws_ok(
  'truncate tutela.link_events',
  'TU403', null, 'the owner cannot truncate the log'
);

-- even if someone grants service_role more, the trigger still refuses
grant update, delete, truncate on tutela.link_events to service_role;
select tutela_tests.as_service_role();
select throws_ok(
  format($$update tutela.link_events set action = 'forged' where id = %s$$, :'first_event'),
  'TU403', null, 'granted update, service_role still cannot update an event'
);
select throws_ok(
  format('delete from tutela.link_events where id = %s', :'first_event'),
  'TU403', null, 'granted delete, service_role still cannot delete an event'
);
select throws_ok(
  'truncate tutela.link_events',
  'TU403', null, 'granted truncate, service_role still cannot truncate the log'
);

-- the log is intact
select tutela_tests.clear_authentication();
select is(
  (select action from tutela.link_events where id = :'first_event'),
  'organization_created',
  'the first event is unchanged'
);
select is(
  (select count(*) from tutela.link_events where organization_id = :'org'),
  12::bigint,
  'all twelve events are still there'
);

select * from finish();
rollback;
