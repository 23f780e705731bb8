-- An erasure is carried out only if its requester still holds the right to ask, at that
-- moment, under the rule of request_data_erasure (tutela_private.data_rights_basis). Every loss of
-- the right cancels the requester's pending request at once, with the reason recorded: the
-- link revoked by staff or by the child, the primary status moved, family access switched
-- off, the consent age lowered, an admin removed. And even when nothing cancelled it before
-- (the child came of age by the calendar; here the triggers are switched off to stand for
-- that), erase_student_data re-checks in its own transaction: it cancels the request with the
-- reason and erases nothing (status 'cancelled', not an exception, so the cancellation stays).
-- The requester reads the cancellation and its reason; a cancelled request is not pending
-- (TU409).
begin;
select plan(18);

select tutela_tests.create_user('kid@recheck.test') as u_kid \gset
select tutela_tests.create_user('mum@recheck.test') as u_mum \gset
select tutela_tests.create_user('dad@recheck.test') as u_dad \gset
select tutela_tests.create_user('staff@recheck.test') as u_staff \gset
select tutela_tests.create_user('admin@recheck.test') as u_admin \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Recheck School', 'recheck-school', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin');
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_dad', 'admin') returning id as dad_membership \gset

-- a fresh child with mum as active primary guardian and dad as co-guardian, per scenario
create function pg_temp.child(p_name text, p_org uuid, p_mum uuid, p_dad uuid)
returns uuid
language plpgsql
as $fn$
declare
  v_kid uuid;
begin
  insert into tutela.students (organization_id, display_name, birth_date)
  values (p_org, p_name, (now() at time zone 'UTC')::date - interval '12 years')
  returning id into v_kid;
  insert into tutela.guardian_links (
    student_id, guardian_id, status, is_primary, created_via, activated_at
  )
  values
  (v_kid, p_mum, 'active', true, 'staff', now()),
  (v_kid, p_dad, 'active', false, 'staff', now());
  insert into tutela.journal_entries (student_id, mood, body) values (v_kid, 3, 'diary');
  return v_kid;
end;
$fn$;

insert into tutela.organizations (name, slug) values ('Family off', 'recheck-family-off')
returning id as org_off \gset
select pg_temp.child('Revoked by staff', :'org', :'u_mum', :'u_dad') as k1 \gset
select pg_temp.child('Primary moved', :'org', :'u_mum', :'u_dad') as k2 \gset
select pg_temp.child('Family access off', :'org_off', :'u_mum', :'u_dad') as k3 \gset
select pg_temp.child('Birth date corrected', :'org', :'u_mum', :'u_dad') as k4 \gset
select pg_temp.child('Admin asked', :'org', :'u_mum', :'u_dad') as k5 \gset
select pg_temp.child('Came of age', :'org', :'u_mum', :'u_dad') as k6 \gset
select pg_temp.child('Revoked, unseen', :'org', :'u_mum', :'u_dad') as k8 \gset
select pg_temp.child('Still fine', :'org', :'u_mum', :'u_dad') as k9 \gset
-- k7 has a login and revokes mum themself
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Revokes mum', :'u_kid', (now() at time zone 'UTC')::date - interval '12 years')
returning id as k7 \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values (:'k7', :'u_mum', 'active', true, 'staff', now());

select tutela_tests.authenticate_as(:'u_mum');
select (tutela.request_data_erasure(:'k1')).id as r1 \gset
select (tutela.request_data_erasure(:'k2')).id as r2 \gset
select (tutela.request_data_erasure(:'k3')).id as r3 \gset
select (tutela.request_data_erasure(:'k4')).id as r4 \gset
select (tutela.request_data_erasure(:'k6')).id as r6 \gset
select (tutela.request_data_erasure(:'k7')).id as r7 \gset
select (tutela.request_data_erasure(:'k8')).id as r8 \gset
select (tutela.request_data_erasure(:'k9')).id as r9 \gset
select tutela_tests.authenticate_as(:'u_dad');
select (tutela.request_data_erasure(:'k5')).id as r5 \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select requester_basis, count(*) from tutela.data_requests
      where kind = 'erasure' and status = 'pending' and organization_id in (%L, %L)
      group by 1 order by 1$$,
    :'org', :'org_off'
  ),
  $$values ('admin', 1::bigint), ('primary_guardian', 8::bigint)$$,
  'each request records the right it was asked on'
);

-- ---------------------------------------------------------------------------------------------
-- Each loss of the right cancels the pending request at once, with the reason
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_staff');
select tutela.revoke_guardian_link(id, 'court order') is not null as revoked
from tutela.guardian_links where student_id = :'k1' and guardian_id = :'u_mum' \gset
select id as k2_dad_link from tutela.guardian_links
where student_id = :'k2' and guardian_id = :'u_dad' \gset
select tutela.set_primary_guardian(:'k2_dad_link') is not null as moved \gset
select tutela_tests.authenticate_as(:'u_kid');
select tutela.revoke_guardian_link(id) is not null as revoked_by_kid
from tutela.guardian_links where student_id = :'k7' and guardian_id = :'u_mum' \gset
select tutela_tests.clear_authentication();
update tutela.organizations set family_access_enabled = false where id = :'org_off';
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '17 years' where id = :'k4';
delete from tutela.memberships where id = :'dad_membership';

prepare reasons as
select
  r.id,
  r.status,
  r.cancel_reason,
  r.cancelled_at is not null as cancelled
from tutela.data_requests as r
where r.kind = 'erasure' and r.organization_id in (:'org', :'org_off')
order by r.cancel_reason, r.id;
select results_eq(
  'reasons',
  format(
    $$select * from (values
      (%L::uuid, 'cancelled', 'requester_lost_right: family_access_off', true),
      (%L::uuid, 'cancelled', 'requester_lost_right: link_revoked', true),
      (%L::uuid, 'cancelled', 'requester_lost_right: link_revoked', true),
      (%L::uuid, 'cancelled', 'requester_lost_right: no_longer_admin', true),
      (%L::uuid, 'cancelled', 'requester_lost_right: no_longer_primary', true),
      (%L::uuid, 'cancelled', 'requester_lost_right: reached_consent_age', true),
      (%L::uuid, 'pending', null, false),
      (%L::uuid, 'pending', null, false),
      (%L::uuid, 'pending', null, false)
    ) as v (id, status, reason, cancelled) order by 3, 1$$,
    :'r3', :'r1', :'r7', :'r5', :'r2', :'r4', :'r6', :'r8', :'r9'
  ),
  'revoked by staff or by the child, primary moved, family access off, birth date, admin '
  || 'removed: each cancelled at once with its reason; the others still pending'
);
select tutela_tests.authenticate_as(:'u_mum');
select is(
  (select cancel_reason from tutela.data_requests where id = :'r1'),
  'requester_lost_right: link_revoked',
  'the requester reads the cancellation and its reason'
);
select tutela_tests.clear_authentication();

-- ---------------------------------------------------------------------------------------------
-- At the moment of use: the rights are checked again, whatever the triggers did
-- ---------------------------------------------------------------------------------------------
-- the child comes of age by the calendar (no statement to react to), and a revocation the
-- triggers did not see (switched off here to stand for any path that misses them)
alter table tutela.students disable trigger students_cancel_erasure_requests;
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '17 years' where id = :'k6';
alter table tutela.students enable trigger students_cancel_erasure_requests;
alter table tutela.guardian_links disable trigger guardian_links_cancel_erasure_requests;
update tutela.guardian_links set status = 'revoked', is_primary = false, revoked_at = now()
where student_id = :'k8' and guardian_id = :'u_mum';
alter table tutela.guardian_links enable trigger guardian_links_cancel_erasure_requests;
select results_eq(
  format($$select status from tutela.data_requests where id in (%L, %L)$$, :'r6', :'r8'),
  $$values ('pending'), ('pending')$$,
  'both requests are still pending before they are carried out'
);

select tutela_tests.as_service_role();
select tutela.erase_student_data(:'r6') as out6 \gset
select current_setting('response.status', true) as status6 \gset
select tutela.erase_student_data(:'r8') as out8 \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select %1$L::jsonb ->> 'status', %1$L::jsonb ->> 'reason', %2$L::jsonb ->> 'status',
        %2$L::jsonb ->> 'reason'$$,
    :'out6', :'out8'
  ),
  $$values ('cancelled', 'requester_lost_right: reached_consent_age', 'cancelled',
    'requester_lost_right: link_revoked')$$,
  'erase_student_data re-checks the requester: the child came of age, the link was revoked'
);
select is(:'status6'::text, '409', 'PostgREST answers the cancellation with HTTP 409');
select results_eq(
  format(
    $$select status, cancel_reason from tutela.data_requests where id in (%L, %L)
      order by cancel_reason$$,
    :'r6', :'r8'
  ),
  $$values ('cancelled', 'requester_lost_right: link_revoked'),
    ('cancelled', 'requester_lost_right: reached_consent_age')$$,
  'the cancellation and its reason are recorded (they outlive the call)'
);
select results_eq(
  format(
    $$select (select count(*) from tutela.students where id in (%1$L, %2$L)),
        (select count(*) from tutela.journal_entries where student_id in (%1$L, %2$L)),
        (select count(*) from tutela.guardian_links where student_id in (%1$L, %2$L))$$,
    :'k6', :'k8'
  ),
  $$values (2::bigint, 2::bigint, 4::bigint)$$,
  'nothing of either child was erased'
);
select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.erase_student_data(%L)', :'r1'), 'TU409', null,
  'a cancelled request is not pending: TU409'
);
select throws_ok(
  format('select tutela.erase_student_data(%L)', :'r8'), 'TU409', null,
  'nor one cancelled at the moment of use'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.students where id in (:'k1', :'k2', :'k3', :'k4', :'k5', :'k7')),
  6::bigint,
  'none of the children whose request was cancelled was erased'
);

-- ---------------------------------------------------------------------------------------------
-- The rule is the same as for asking: a requester who still holds it is served
-- ---------------------------------------------------------------------------------------------
select tutela_tests.as_service_role();
select tutela.erase_student_data(:'r9') ->> 'status' as out9 \gset
select tutela_tests.clear_authentication();
select is(:'out9'::text, 'completed', 'a primary guardian who still holds the right: carried out');
select is(
  (select count(*) from tutela.students where id = :'k9'), 0::bigint,
  'that child is erased'
);
select is(
  (select status from tutela.data_requests where id = :'r9'), 'completed',
  'and the request is completed'
);

-- the same rule decides asking: mum, now revoked, cannot ask again for k1
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format('select tutela.request_data_erasure(%L)', :'k1'), 'TU403', null,
  'the revoked guardian cannot ask again'
);
-- dad, primary of k2 now, can ask
select tutela_tests.authenticate_as(:'u_dad');
select is(
  (tutela.request_data_erasure(:'k2')).requester_basis, 'primary_guardian',
  'the new primary guardian asks on their own right'
);
select tutela_tests.clear_authentication();
select is(
  tutela_private.data_rights_basis(:'k7', :'u_kid'), 'student',
  'the student keeps their own right (one rule: tutela_private.data_rights_basis)'
);
select is(
  tutela_private.data_rights_basis(:'k7', :'u_mum'), null,
  'the revoked guardian has none'
);

select * from finish();
rollback;
