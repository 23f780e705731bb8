-- set_consent writes one row per (student, data type, recipient type) and one append-only
-- consent_audit_log row per call: action granted / revoked / updated, who, the old and new
-- values, the client address and user agent from the request headers. Bad input is TU422, an
-- unknown student TU403, anon 42501. Nobody changes the audit: the trigger refuses the owner
-- (TU403), API roles have no grant (42501); the client address and user agent are for the
-- service role only. tutela_private.expire_consents() revokes grants past their expiry and audits
-- them as 'expired'.
begin;
select plan(47);

select tutela_tests.create_user('kid@set-consent.test') as u_kid \gset
select tutela_tests.create_user('mum@set-consent.test') as u_mum \gset
select tutela_tests.create_user('staff@set-consent.test') as u_staff \gset

insert into tutela.organizations (name, slug) values ('Set Consent', 'set-consent')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
-- no birth date: under the consent age, the primary guardian decides
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_kid') returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values (:'kid', :'u_mum', 'active', true, 'staff', now());

-- ---------------------------------------------------------------------------------------------
-- Refusals
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format($$select tutela.set_consent(%L, 'diary', 'teachers', true)$$, :'kid'),
  'TU422', null, 'an unknown data type is TU422'
);
select throws_ok(
  format($$select tutela.set_consent(%L, null, 'teachers', true)$$, :'kid'),
  'TU422', null, 'a missing data type is TU422'
);
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', 'neighbours', true)$$, :'kid'),
  'TU422', null, 'an unknown recipient type is TU422'
);
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', null, true)$$, :'kid'),
  'TU422', null, 'a missing recipient type is TU422'
);
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', 'teachers', null)$$, :'kid'),
  'TU422', null, 'granted null is TU422'
);
select throws_ok(
  format(
    $$select tutela.set_consent(%L, 'grades', 'teachers', true, now() - interval '1 minute')$$,
    :'kid'
  ),
  'TU422', null, 'an expiry in the past is TU422'
);
select throws_ok(
  format(
    $$select tutela.set_consent(%L, 'grades', 'teachers', true, null, repeat('x', 501))$$,
    :'kid'
  ),
  'TU422', null, 'a reason over 500 characters is TU422'
);
select lives_ok(
  format(
    $$select tutela.set_consent(%L, 'grades', 'teachers', true, null, repeat('x', 500))$$,
    :'kid'
  ),
  'a reason of exactly 500 characters is accepted'
);
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', 'teachers', true)$$, gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', 'teachers', true)$$, :'kid'),
  'TU403', null, 'staff do not decide consent'
);
select tutela_tests.as_anon();
select throws_ok(
  format($$select tutela.set_consent(%L, 'grades', 'teachers', true)$$, :'kid'),
  '42501', null, 'anon may not call set_consent'
);

-- ---------------------------------------------------------------------------------------------
-- Grant, revoke, update, grant again: one row, one audit row each
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select
  set_config(
    'request.headers',
    '{"x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "UA"}',
    true
  ) is not null as headers_set
\gset
select (now() + interval '30 days')::text as expiry \gset
select
  (
    tutela.set_consent(:'kid', 'journal', 'other_guardians', true, :'expiry', 'dad reads too')
  ).id as consent
\gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select granted, granted_at is not null, revoked_at is null, expires_at, reason, decided_by
      from tutela.consent_records where id = %L$$,
    :'consent'
  ),
  format(
    $$values (true, true, true, %L::timestamptz, 'dad reads too', %L::uuid)$$,
    :'expiry', :'u_mum'
  ),
  'the grant is stored: granted, since now, with its expiry, reason and decider'
);
select results_eq(
  format(
    $$select student_id, data_type, recipient_type, action, performed_by, old_value,
        new_value, request_ip, user_agent
      from tutela.consent_audit_log where consent_id = %L order by id$$,
    :'consent'
  ),
  format(
    $$values (%L::uuid, 'journal', 'other_guardians', 'granted', %L::uuid, null::jsonb,
      jsonb_build_object('granted', true, 'expires_at', %L::timestamptz,
        'reason', 'dad reads too'),
      '203.0.113.7', 'UA')$$,
    :'kid', :'u_mum', :'expiry'
  ),
  'the grant is audited: granted, by whom, new value, first forwarded address, user agent'
);

select tutela_tests.authenticate_as(:'u_mum');
select set_config('request.headers', '{"user-agent": "UA2"}', true) is not null as headers_set
\gset
select
  (tutela.set_consent(:'kid', 'journal', 'other_guardians', false, null, 'changed my mind')).id
    as consent_again
\gset
select is(:'consent_again'::uuid, :'consent'::uuid, 'the same row is updated, not a new one');
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select granted, granted_at is not null, revoked_at is not null, expires_at, reason
      from tutela.consent_records where id = %L$$,
    :'consent'
  ),
  $$values (false, true, true, null::timestamptz, 'changed my mind')$$,
  'the revocation is stored: not granted, revoked now'
);
select results_eq(
  format(
    $$select action, performed_by, old_value, new_value, request_ip, user_agent
      from tutela.consent_audit_log where consent_id = %L order by id offset 1$$,
    :'consent'
  ),
  format(
    $$values ('revoked', %L::uuid,
      jsonb_build_object('granted', true, 'expires_at', %L::timestamptz,
        'reason', 'dad reads too'),
      jsonb_build_object('granted', false, 'expires_at', null, 'reason', 'changed my mind'),
      null::text, 'UA2')$$,
    :'u_mum', :'expiry'
  ),
  'the revocation is audited with the old and the new value'
);

select tutela_tests.authenticate_as(:'u_mum');
select
  tutela.set_consent(:'kid', 'journal', 'other_guardians', false, null, 'still no')
  is not null as updated
\gset
select tutela.set_consent(:'kid', 'journal', 'other_guardians', true) is not null as regranted
\gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select action, old_value ->> 'granted', new_value ->> 'granted', new_value ->> 'reason'
      from tutela.consent_audit_log where consent_id = %L order by id$$,
    :'consent'
  ),
  $$values ('granted', null, 'true', 'dad reads too'),
    ('revoked', 'true', 'false', 'changed my mind'),
    ('updated', 'false', 'false', 'still no'),
    ('granted', 'false', 'true', null)$$,
  'revoked again is "updated"; granted after a revocation is "granted"'
);
select results_eq(
  format(
    $$select granted, revoked_at is null, granted_at > now() - interval '1 minute'
      from tutela.consent_records where id = %L$$,
    :'consent'
  ),
  $$values (true, true, true)$$,
  'granted again: the revocation time is cleared'
);
select is(
  (
    select count(*) from tutela.consent_records
    where student_id = :'kid' and data_type = 'journal' and recipient_type = 'other_guardians'
  ),
  1::bigint,
  'one row per student, data type and recipient type'
);

-- a first decision that refuses is audited as revoked, without an old value
select tutela_tests.authenticate_as(:'u_mum');
select set_config('request.headers', '{}', true) is not null as headers_cleared \gset
select (tutela.set_consent(:'kid', 'messaging', 'third_parties', false)).id as refused \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select action, old_value is null, new_value ->> 'granted', request_ip, user_agent
      from tutela.consent_audit_log where consent_id = %L$$,
    :'refused'
  ),
  $$values ('revoked', true, 'false', null::text, null::text)$$,
  'a first refusal is audited as revoked (no headers: no address, no agent)'
);

-- ---------------------------------------------------------------------------------------------
-- The audit is append-only
-- ---------------------------------------------------------------------------------------------
select min(id) as audit_row from tutela.consent_audit_log where consent_id = :'consent' \gset

select tutela_tests.authenticate_as(:'u_mum');
select is(
  (select count(*) from tutela.consent_audit_log where student_id = :'kid'),
  6::bigint,
  'the decider reads the student''s audit'
);
select throws_ok(
  'select request_ip, user_agent from tutela.consent_audit_log',
  '42501', null, 'a user does not read the client address and user agent'
);
select throws_ok(
  format($$update tutela.consent_audit_log set action = 'granted' where id = %s$$, :'audit_row'),
  '42501', null, 'a user cannot update the audit'
);
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  '42501', null, 'a user cannot delete from the audit'
);
select throws_ok(
  $$insert into tutela.consent_audit_log (data_type, recipient_type, action)
    values ('journal', 'teachers', 'granted')$$,
  '42501', null, 'a user cannot forge an audit row'
);
select throws_ok(
  'truncate tutela.consent_audit_log', '42501', null, 'a user cannot truncate the audit'
);
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  '42501', null, 'staff cannot delete from the audit'
);
select tutela_tests.as_anon();
select throws_ok(
  'select count(*) from tutela.consent_audit_log', '42501', null, 'anon cannot read the audit'
);
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  '42501', null, 'anon cannot delete from the audit'
);
select tutela_tests.as_service_role();
select is(
  (select request_ip from tutela.consent_audit_log where id = :'audit_row'), '203.0.113.7',
  'the service role reads the client address'
);
select throws_ok(
  format($$update tutela.consent_audit_log set action = 'granted' where id = %s$$, :'audit_row'),
  '42501', null, 'the service role cannot update the audit'
);
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  '42501', null, 'the service role cannot delete from the audit'
);
select throws_ok(
  'truncate tutela.consent_audit_log', '42501', null, 'the service role cannot truncate the audit'
);
select tutela_tests.clear_authentication();
select throws_ok(
  format($$update tutela.consent_audit_log set action = 'granted' where id = %s$$, :'audit_row'),
  'TU403', null, 'the owner cannot update the audit'
);
select throws_ok(
  format('update tutela.consent_audit_log set request_ip = null where student_id = %L', :'kid'),
  'TU403', null, 'the owner cannot update many audit rows'
);
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  'TU403', null, 'the owner cannot delete an audit row'
);
select throws_ok(
  'truncate tutela.consent_audit_log', 'TU403', null, 'the owner cannot truncate the audit'
);
grant update, delete, truncate on tutela.consent_audit_log to service_role;
select tutela_tests.as_service_role();
select throws_ok(
  format('delete from tutela.consent_audit_log where id = %s', :'audit_row'),
  'TU403', null, 'granted delete, the service role is still refused by the trigger'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.consent_audit_log where student_id = :'kid'),
  6::bigint,
  'the audit is intact'
);
select is(
  (select action from tutela.consent_audit_log where id = :'audit_row'),
  'granted',
  'the first audit row is unchanged'
);

-- ---------------------------------------------------------------------------------------------
-- Expiry
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select
  (tutela.set_consent(:'kid', 'progress', 'ai_tutor', true, now() + interval '1 day')).id
    as expiring
\gset
select
  (tutela.set_consent(:'kid', 'grades', 'ai_tutor', true, now() + interval '1 day')).id
    as later
\gset
select (tutela.set_consent(:'kid', 'lessons', 'ai_tutor', true)).id as forever \gset
select tutela_tests.clear_authentication();
-- back-dated: the grant ran out a minute ago, the job has not run yet
update tutela.consent_records set expires_at = now() - interval '1 minute'
where id = :'expiring';
select expires_at::text as expired_at from tutela.consent_records where id = :'expiring' \gset
select ok(
  not tutela_private.consent_granted(:'kid', 'progress', 'ai_tutor'),
  'an expired grant is not in force even before the job runs'
);
select is(tutela_private.expire_consents(), 1, 'the job revokes the one expired grant');
select results_eq(
  format(
    $$select granted, revoked_at, expires_at from tutela.consent_records where id = %L$$,
    :'expiring'
  ),
  format($$values (false, %1$L::timestamptz, %1$L::timestamptz)$$, :'expired_at'),
  'the expired grant is revoked as of its expiry'
);
select results_eq(
  format(
    $$select action, performed_by, old_value, new_value from tutela.consent_audit_log
      where consent_id = %L order by id desc limit 1$$,
    :'expiring'
  ),
  format(
    $$values ('expired', null::uuid,
      jsonb_build_object('granted', true, 'expires_at', %L::timestamptz),
      '{"granted": false}'::jsonb)$$,
    :'expired_at'
  ),
  'the expiry is audited as expired, by nobody'
);
select results_eq(
  format(
    $$select id, granted from tutela.consent_records where id in (%L, %L) order by id$$,
    :'later', :'forever'
  ),
  format(
    $$select id, true from (values (%L::uuid), (%L::uuid)) as v (id) order by id$$,
    :'later', :'forever'
  ),
  'grants expiring later or never stay granted'
);
select is(tutela_private.expire_consents(), 0, 'a second run finds nothing');
select is(
  (select count(*) from tutela.consent_audit_log where consent_id = :'expiring'),
  2::bigint,
  'the expired grant has two audit rows: granted, expired'
);

select * from finish();
rollback;
