-- approve_guardian_link: only the student activates a pending link. The guardian who asked,
-- staff, admins and strangers get TU403, anon 42501; a link that is not pending is TU409, an
-- unknown link TU403 (no probing of ids).
begin;
select plan(13);

select tests.create_user('admin@example.test') as admin \gset
select tests.create_user('staff@example.test') as staff \gset
select tests.create_user('kid@example.test') as kid \gset
select tests.create_user('mum@example.test') as mum \gset
select tests.create_user('stranger@example.test') as stranger \gset

select tests.authenticate_as(:'admin');
select id as org from public.create_organization('Org', 'org-slug') \gset
select tests.add_member(:'org', :'staff', 'staff');
select public.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select id as student from public.create_student(:'org', 'Kid') \gset
select tests.attach_student_login(:'student', :'kid');
select code from public.create_guardian_link_code(:'student') \gset
select tests.authenticate_as(:'mum');
select (public.redeem_guardian_link_code(:'code') ->> 'id') as link \gset

select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'the guardian cannot approve their own request'
);
select tests.authenticate_as(:'staff');
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'staff cannot approve for the student'
);
select tests.authenticate_as(:'admin');
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'an admin cannot approve for the student'
);
select tests.authenticate_as(:'stranger');
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU403', null, 'a stranger cannot approve'
);
select tests.as_anon();
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  '42501', null, 'anon may not call it'
);
select tests.clear_authentication();
select is(
  (select status from public.guardian_links where id = :'link'),
  'pending',
  'after the refusals the link is still pending'
);

select tests.authenticate_as(:'kid');
select throws_ok(
  format('select public.approve_guardian_link(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);
select is(
  (public.approve_guardian_link(:'link')).status,
  'active',
  'the student approves: the link is active'
);
select tests.clear_authentication();
select is(
  (select activated_at from public.guardian_links where id = :'link'),
  now(),
  'the link is activated now'
);
select results_eq(
  format(
    $$ select actor_id, actor_role from public.link_events
       where action = 'link_approved' and link_id = %L $$,
    :'link'
  ),
  format($$ values (%L::uuid, 'student'::text) $$, :'kid'),
  'the approval is audited with the student as actor'
);

select tests.authenticate_as(:'mum');
select results_eq(
  'select id from public.students',
  format('values (%L::uuid)', :'student'),
  'once approved, the guardian reads the student''s record'
);

-- an active link, and a revoked one, are not pending
select tests.authenticate_as(:'kid');
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU409', null, 'approving an active link is TU409'
);
select public.revoke_guardian_link(:'link');
select throws_ok(
  format('select public.approve_guardian_link(%L)', :'link'),
  'TU409', null, 'approving a revoked link is TU409'
);

select * from finish();
rollback;
