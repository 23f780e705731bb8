-- Demo data, part 1: one organisation, its people, four children and their guardians.
-- Deterministic and idempotent: fixed ids, `on conflict do nothing`; run as the database owner.
-- Every demo password-less user has an @demo.tutela.test address.

insert into auth.users (
  id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
  created_at, updated_at
)
values
(
  'd0000000-0000-4000-8000-000000000101', 'authenticated', 'authenticated',
  'alex.admin@demo.tutela.test', '{"provider": "email"}', '{"display_name": "Alex Admin"}',
  now(), now()
),
(
  'd0000000-0000-4000-8000-000000000102', 'authenticated', 'authenticated',
  'casey.coach@demo.tutela.test', '{"provider": "email"}', '{"display_name": "Casey Coach"}',
  now(), now()
),
(
  'd0000000-0000-4000-8000-000000000103', 'authenticated', 'authenticated',
  'taylor.teacher@demo.tutela.test', '{"provider": "email"}',
  '{"display_name": "Taylor Teacher"}', now(), now()
),
(
  'd0000000-0000-4000-8000-000000000104', 'authenticated', 'authenticated',
  'pat.parent@demo.tutela.test', '{"provider": "email"}', '{"display_name": "Pat Parent"}',
  now(), now()
),
(
  'd0000000-0000-4000-8000-000000000105', 'authenticated', 'authenticated',
  'jordan.parent@demo.tutela.test', '{"provider": "email"}',
  '{"display_name": "Jordan Parent"}', now(), now()
),
(
  'd0000000-0000-4000-8000-000000000106', 'authenticated', 'authenticated',
  'ava@demo.tutela.test', '{"provider": "email"}', '{"display_name": "Ava"}', now(), now()
),
(
  'd0000000-0000-4000-8000-000000000107', 'authenticated', 'authenticated',
  'noah@demo.tutela.test', '{"provider": "email"}', '{"display_name": "Noah"}', now(), now()
)
on conflict (id) do nothing;

insert into tutela.organizations (id, name, slug, created_by)
values (
  'd0000000-0000-4000-8000-000000000001', 'Riverside Learning', 'riverside-demo',
  'd0000000-0000-4000-8000-000000000101'
)
on conflict (id) do nothing;

insert into tutela.memberships (organization_id, user_id, role, title)
values
(
  'd0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000101', 'admin',
  'Director'
),
(
  'd0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000102', 'staff',
  'Coach'
),
(
  'd0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000103', 'staff',
  'Teacher'
)
on conflict (organization_id, user_id) do nothing;

insert into tutela.students (
  id, organization_id, display_name, email, birth_date, user_id, created_by
)
values
(
  'd0000000-0000-4000-8000-000000000201', 'd0000000-0000-4000-8000-000000000001', 'Mia',
  null, current_date - interval '4 years 3 months', null,
  'd0000000-0000-4000-8000-000000000101'
),
(
  'd0000000-0000-4000-8000-000000000202', 'd0000000-0000-4000-8000-000000000001', 'Leo',
  null, current_date - interval '8 years 7 months', null,
  'd0000000-0000-4000-8000-000000000101'
),
(
  'd0000000-0000-4000-8000-000000000203', 'd0000000-0000-4000-8000-000000000001', 'Ava',
  'ava@demo.tutela.test', current_date - interval '11 years 8 months',
  'd0000000-0000-4000-8000-000000000106', 'd0000000-0000-4000-8000-000000000101'
),
(
  'd0000000-0000-4000-8000-000000000204', 'd0000000-0000-4000-8000-000000000001', 'Noah',
  'noah@demo.tutela.test', current_date - interval '13 years 9 months',
  'd0000000-0000-4000-8000-000000000107', 'd0000000-0000-4000-8000-000000000101'
)
on conflict (id) do nothing;

-- Pat is every child's primary guardian (linked by the school); Jordan co-parents the two
-- youngest (accepted invites). Noah's second guardian is linked by `tutela demo` with a code.
insert into tutela.guardian_links (
  id, student_id, guardian_id, relation, is_primary, status, created_via, activated_at
)
values
(
  'd0000000-0000-4000-8000-000000000301', 'd0000000-0000-4000-8000-000000000201',
  'd0000000-0000-4000-8000-000000000104', 'mother', true, 'active', 'staff', now()
),
(
  'd0000000-0000-4000-8000-000000000302', 'd0000000-0000-4000-8000-000000000202',
  'd0000000-0000-4000-8000-000000000104', 'mother', true, 'active', 'staff', now()
),
(
  'd0000000-0000-4000-8000-000000000303', 'd0000000-0000-4000-8000-000000000203',
  'd0000000-0000-4000-8000-000000000104', 'mother', true, 'active', 'staff', now()
),
(
  'd0000000-0000-4000-8000-000000000304', 'd0000000-0000-4000-8000-000000000204',
  'd0000000-0000-4000-8000-000000000104', 'mother', true, 'active', 'staff', now()
),
(
  'd0000000-0000-4000-8000-000000000305', 'd0000000-0000-4000-8000-000000000201',
  'd0000000-0000-4000-8000-000000000105', 'father', false, 'active', 'invite', now()
),
(
  'd0000000-0000-4000-8000-000000000306', 'd0000000-0000-4000-8000-000000000202',
  'd0000000-0000-4000-8000-000000000105', 'father', false, 'active', 'invite', now()
)
on conflict (id) do nothing;
