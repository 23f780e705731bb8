-- Family controls. family_overview() shows the caller's children (active links), each with
-- every active and pending guardian and their rights. The active primary guardian of a child
-- under the consent age may change a co-guardian's permissions and remove a co-guardian
-- (audited as primary_guardian); not for a child at or above the age (TU403), not as a
-- non-primary guardian (TU403), and not their own link's permissions (TU403). The primary
-- guardian still invites a co-parent (with default permissions only).
begin;
select plan(32);

select tutela_tests.create_user('young@family.test') as u_young \gset
select tutela_tests.create_user('adult@family.test') as u_adult \gset
select tutela_tests.create_user('mum@family.test') as u_mum \gset
select tutela_tests.create_user('dad@family.test') as u_dad \gset
select tutela_tests.create_user('gran@family.test') as u_gran \gset
select tutela_tests.create_user('uncle@family.test') as u_uncle \gset
select tutela_tests.create_user('stranger@family.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Family', 'family-controls', 10) returning id as org \gset
insert into tutela.profiles (user_id, display_name)
values (:'u_mum', 'Mum'), (:'u_dad', 'Dad'), (:'u_gran', 'Gran')
on conflict (user_id) do update set display_name = excluded.display_name;
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Young', :'u_young', (now() at time zone 'UTC')::date - interval '10 years')
returning id as young \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Adult', :'u_adult', (now() at time zone 'UTC')::date - interval '17 years')
returning id as adult \gset
insert into tutela.guardian_links (
  student_id, guardian_id, relation, status, is_primary, created_via, activated_at, revoked_at
)
values
(:'young', :'u_mum', 'mother', 'active', true, 'staff', now(), null),
(:'young', :'u_gran', 'other', 'pending', false, 'code', null, null),
(:'young', :'u_uncle', 'other', 'revoked', false, 'code', now() - interval '1 day', now()),
(:'adult', :'u_mum', 'mother', 'active', true, 'staff', now(), null),
(:'adult', :'u_dad', 'father', 'active', false, 'staff', now(), null);
-- dad joins the young child a moment later (the overview lists the primary first, then by age)
insert into tutela.guardian_links (
  student_id, guardian_id, relation, status, is_primary, created_via, activated_at, created_at
)
values (:'young', :'u_dad', 'father', 'active', false, 'staff', now(), now() + interval '1 ms');
select id as mum_young from tutela.guardian_links
where student_id = :'young' and guardian_id = :'u_mum' \gset
select id as dad_young from tutela.guardian_links
where student_id = :'young' and guardian_id = :'u_dad' \gset
select id as gran_young from tutela.guardian_links
where student_id = :'young' and guardian_id = :'u_gran' \gset
select id as mum_adult from tutela.guardian_links
where student_id = :'adult' and guardian_id = :'u_mum' \gset
select id as dad_adult from tutela.guardian_links
where student_id = :'adult' and guardian_id = :'u_dad' \gset

-- ---------------------------------------------------------------------------------------------
-- family_overview
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select tutela.family_overview() as fam \gset
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select c ->> 'display_name', (c ->> 'under_consent_age')::boolean,
        (c ->> 'you_are_primary')::boolean, (c ->> 'you_decide_consent')::boolean
      from jsonb_array_elements(%L::jsonb) with ordinality as x (c, n) order by n$$,
    :'fam'
  ),
  $$values ('Adult', false, true, false), ('Young', true, true, true)$$,
  'the primary guardian sees both children, which is under the age, and where they decide'
);
select results_eq(
  format(
    $$select g ->> 'name', g ->> 'relation', (g ->> 'is_primary')::boolean, g ->> 'status',
        (g ->> 'is_you')::boolean, (g ->> 'link_id')::uuid, (g ->> 'guardian_id')::uuid
      from jsonb_array_elements(%L::jsonb) as c,
        jsonb_array_elements(c -> 'guardians') with ordinality as x (g, n)
      where c ->> 'student_id' = %L order by n$$,
    :'fam', :'young'
  ),
  format(
    $$values ('Mum', 'mother', true, 'active', true, %L::uuid, %L::uuid),
      ('Gran', 'other', false, 'pending', false, %L, %L),
      ('Dad', 'father', false, 'active', false, %L, %L)$$,
    :'mum_young', :'u_mum', :'gran_young', :'u_gran', :'dad_young', :'u_dad'
  ),
  'each child lists its active and pending guardians (not revoked), primary first'
);
select results_eq(
  format(
    $$select g -> 'permissions' from jsonb_array_elements(%L::jsonb) as c,
        jsonb_array_elements(c -> 'guardians') as g
      where c ->> 'student_id' = %L and g ->> 'guardian_id' = %L$$,
    :'fam', :'young', :'u_dad'
  ),
  'select tutela_hidden.default_link_permissions()',
  'each guardian''s rights (permissions) are shown'
);
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  $$select c ->> 'display_name', (c ->> 'you_are_primary')::boolean,
      (c ->> 'you_decide_consent')::boolean, jsonb_array_length(c -> 'guardians')
    from jsonb_array_elements(tutela.family_overview()) with ordinality as x (c, n)
    order by n$$,
  $$values ('Adult', false, false, 2), ('Young', false, false, 3)$$,
  'a co-guardian sees the same families, not primary, not deciding'
);
select tutela_tests.authenticate_as(:'u_gran');
select is(
  tutela.family_overview(), '[]'::jsonb, 'a pending guardian sees no family yet'
);
select tutela_tests.authenticate_as(:'u_stranger');
select is(tutela.family_overview(), '[]'::jsonb, 'a stranger sees no family');
select tutela_tests.as_anon();
select throws_ok('select tutela.family_overview()', '42501', null, 'anon may not call it');

-- ---------------------------------------------------------------------------------------------
-- Permissions of a co-guardian
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"grades": false}')$$, :'mum_young'),
  'TU403', null, 'a non-primary guardian cannot change the primary guardian''s rights'
);
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"journal": true}')$$, :'dad_young'),
  'TU403', null, 'a non-primary guardian cannot change their own rights'
);
select throws_ok(
  format($$select tutela.revoke_guardian_link(%L)$$, :'mum_young'),
  'TU403', null, 'a non-primary guardian cannot remove the primary guardian'
);
select throws_ok(
  format($$select tutela.revoke_guardian_link(%L)$$, :'gran_young'),
  'TU403', null, 'a non-primary guardian cannot remove a pending guardian'
);

select tutela_tests.authenticate_as(:'u_mum');
select is(
  (
    tutela.set_guardian_link_permissions(:'dad_young', '{"journal": true, "grades": false}')
  ).permissions,
  tutela_hidden.default_link_permissions() || '{"journal": true, "grades": false}',
  'the primary guardian of a child under the age changes a co-guardian''s rights'
);
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"journal": true}')$$, :'mum_young'),
  'TU403', null, 'the primary guardian cannot change their own link''s rights'
);
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"grades": false}')$$, :'dad_adult'),
  'TU403', null, 'the primary guardian of a child at or above the age cannot change rights'
);
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"bogus": true}')$$, :'dad_young'),
  'TU422', null, 'the primary guardian''s change is validated like anyone''s'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select actor_id, actor_role, subject_user_id, new_values #>> '{permissions,journal}'
      from tutela.link_events where action = 'permissions_changed' and link_id = %L$$,
    :'dad_young'
  ),
  format($$values (%L::uuid, 'primary_guardian', %L::uuid, 'true')$$, :'u_mum', :'u_dad'),
  'the change is audited as the primary guardian''s'
);
select is(
  (select permissions from tutela.guardian_links where id = :'dad_adult'),
  tutela_hidden.default_link_permissions(),
  'the adult child''s co-guardian keeps their rights'
);

-- the child comes of age: the primary guardian loses the power
update tutela.students set birth_date = (now() at time zone 'UTC')::date - interval '16 years'
where id = :'young';
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format($$select tutela.set_guardian_link_permissions(%L, '{"grades": true}')$$, :'dad_young'),
  'TU403', null, 'once the child reaches the age, the primary guardian is refused'
);
select tutela_tests.authenticate_as(:'u_young');
select is(
  (tutela.set_guardian_link_permissions(:'dad_young', '{"grades": true}')).permissions ->> 'grades',
  'true',
  'the student themself still may'
);
select tutela_tests.clear_authentication();
update tutela.students set birth_date = (now() at time zone 'UTC')::date - interval '10 years'
where id = :'young';

-- ---------------------------------------------------------------------------------------------
-- Removing a co-guardian
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format($$select tutela.revoke_guardian_link(%L)$$, :'dad_adult'),
  'TU403', null, 'the primary guardian of a child at or above the age cannot remove a guardian'
);
select is(
  (tutela.revoke_guardian_link(:'gran_young', 'not now')).status, 'revoked',
  'the primary guardian removes a pending co-guardian'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, is_primary, revoked_by, revoke_reason from tutela.guardian_links
      where id = %L$$,
    :'dad_young'
  ),
  $$values ('active', false, null::uuid, null::text)$$,
  'before removal the co-guardian is active'
);
select tutela_tests.authenticate_as(:'u_mum');
select is(
  (tutela.revoke_guardian_link(:'dad_young', 'family decision')).status, 'revoked',
  'the primary guardian removes an active co-guardian of a child under the age'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select status, revoked_by, revoke_reason from tutela.guardian_links where id = %L$$,
    :'dad_young'
  ),
  format($$values ('revoked', %L::uuid, 'family decision')$$, :'u_mum'),
  'the link is revoked by the primary guardian, with the reason'
);
select results_eq(
  format(
    $$select actor_id, actor_role from tutela.link_events
      where action = 'link_revoked' and link_id in (%L, %L) order by id$$,
    :'gran_young', :'dad_young'
  ),
  format(
    $$values (%1$L::uuid, 'primary_guardian'), (%1$L::uuid, 'primary_guardian')$$, :'u_mum'
  ),
  'both removals are audited as the primary guardian''s'
);
select tutela_tests.authenticate_as(:'u_dad');
select results_eq(
  $$select c ->> 'display_name' from jsonb_array_elements(tutela.family_overview()) as c$$,
  $$values ('Adult')$$,
  'the removed co-guardian no longer sees that child in the overview'
);
select is(
  (select status from tutela.guardian_links where id = :'dad_adult'), 'active',
  'the co-guardian''s link to the adult child is untouched'
);
select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  format(
    $$select (g ->> 'guardian_id')::uuid
      from jsonb_array_elements(tutela.family_overview()) as c,
        jsonb_array_elements(c -> 'guardians') as g
      where c ->> 'student_id' = %L$$,
    :'young'
  ),
  format('values (%L::uuid)', :'u_mum'),
  'the primary guardian''s overview now lists only themself for that child'
);

-- ---------------------------------------------------------------------------------------------
-- Inviting a co-parent (existing behaviour)
-- ---------------------------------------------------------------------------------------------
select lives_ok(
  format($$select tutela.invite_guardian(%L, 'step-dad@family.test', 'Sam', 'father')$$, :'young'),
  'the primary guardian invites a co-parent'
);
select throws_ok(
  format(
    $$select tutela.invite_guardian(%L, 'aunt@family.test', null, 'other', '{"journal": true}')$$,
    :'young'
  ),
  'TU403', null, 'the primary guardian cannot choose the co-parent''s permissions'
);
select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$select email, invited_by, permissions, status from tutela.guardian_invites
      where student_id = %L$$,
    :'young'
  ),
  format(
    $$values (
      'step-dad@family.test', %L::uuid, tutela_hidden.default_link_permissions(), 'pending'
    )$$,
    :'u_mum'
  ),
  'the invite is pending with the default permissions'
);
update tutela.guardian_links set status = 'active', revoked_at = null, revoked_by = null
where id = :'dad_young';
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok(
  format($$select tutela.invite_guardian(%L, 'aunt@family.test')$$, :'young'),
  'TU403', null, 'a non-primary guardian cannot invite'
);

select * from finish();
rollback;
