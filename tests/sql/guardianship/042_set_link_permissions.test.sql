-- set_guardian_link_permissions: the student (with a login), staff and admins change some
-- permissions of a link; the other keys keep their values. The guardian themself, another
-- guardian, a stranger and staff of another organisation get TU403, anon 42501. An unknown
-- key, a value that is not true or false, an empty or non-object change is TU422.
begin;
select plan(19);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('staff@example.test') as staff \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset
select tutela_tests.create_user('stranger@example.test') as stranger \gset
select tutela_tests.create_user('other-admin@example.test') as other_admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela_tests.add_member(:'org', :'staff', 'staff');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select tutela_tests.authenticate_as(:'other_admin');
select id as other_org from tutela.create_organization('Other', 'other-slug') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as link \gset
select tutela_tests.authenticate_as(:'dad');
select tutela.redeem_guardian_link_code(:'code');

-- the student turns the journal on: only that key changes
select tutela_tests.authenticate_as(:'kid');
select is(
  (tutela.set_guardian_link_permissions(:'link', '{"journal": true}')).permissions,
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": true, "messaging": true}'::jsonb,
  'the student turns one permission on; the others keep their values'
);

-- staff turn two off
select tutela_tests.authenticate_as(:'staff');
select is(
  (
    tutela.set_guardian_link_permissions(:'link', '{"grades": false, "messaging": false}')
  ).permissions,
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": false, "attendance": true, "journal": true, "messaging": false}'::jsonb,
  'staff turn two permissions off; the journal stays on'
);

-- the admin turns one back on
select tutela_tests.authenticate_as(:'admin');
select is(
  (tutela.set_guardian_link_permissions(:'link', '{"grades": true}')).permissions ->> 'grades',
  'true',
  'an admin changes a permission'
);
select tutela_tests.clear_authentication();
select is(
  (select permissions from tutela.guardian_links where id = :'link'),
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": true, "messaging": false}'::jsonb,
  'the stored permissions are the merge of all three changes'
);
select results_eq(
  format(
    $$ select actor_role from tutela.link_events
       where action = 'permissions_changed' and link_id = %L order by id $$,
    :'link'
  ),
  $$ values ('student'::text), ('staff'), ('admin') $$,
  'each change is audited with the actor''s role'
);

-- refused actors
select tutela_tests.authenticate_as(:'mum');
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$, :'link'),
  'TU403', null, 'the guardian cannot change their own link''s permissions'
);
select tutela_tests.authenticate_as(:'dad');
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$, :'link'),
  'TU403', null, 'another guardian cannot change the link''s permissions'
);
select tutela_tests.authenticate_as(:'stranger');
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$, :'link'),
  'TU403', null, 'a stranger cannot change permissions'
);
select tutela_tests.authenticate_as(:'other_admin');
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$, :'link'),
  'TU403', null, 'an admin of another organisation cannot change permissions'
);
select tutela_tests.as_anon();
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$, :'link'),
  '42501', null, 'anon may not call it'
);

-- invalid changes
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"diary": true}') $$, :'link'),
  'TU422', null, 'an unknown permission is TU422'
);
select throws_ok(
  format(
    $$ select tutela.set_guardian_link_permissions(%L, '{"journal": false, "x": true}') $$,
    :'link'
  ),
  'TU422', null, 'one unknown key among known ones is TU422'
);
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": "yes"}') $$, :'link'),
  'TU422', null, 'a string value is TU422'
);
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": 1}') $$, :'link'),
  'TU422', null, 'a number value is TU422'
);
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{"journal": null}') $$, :'link'),
  'TU422', null, 'a null value is TU422'
);
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '{}') $$, :'link'),
  'TU422', null, 'an empty change is TU422'
);
select throws_ok(
  format($$ select tutela.set_guardian_link_permissions(%L, '["journal"]') $$, :'link'),
  'TU422', null, 'a change that is not an object is TU422'
);
select throws_ok(
  format(
    $$ select tutela.set_guardian_link_permissions(%L, '{"journal": true}') $$,
    gen_random_uuid()
  ),
  'TU403', null, 'an unknown link is TU403, like an id the caller may not act on'
);

select tutela_tests.clear_authentication();
select is(
  (select permissions from tutela.guardian_links where id = :'link'),
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": true, "messaging": false}'::jsonb,
  'the refused calls changed nothing'
);

select * from finish();
rollback;
