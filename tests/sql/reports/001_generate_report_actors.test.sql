-- generate_report(student, type, start, end): allowed for anyone who may read the student,
-- with a section for each permission the caller holds: the student, admins and staff of the
-- organisation get all five (progress, grades, attendance, sessions, journal); a guardian gets
-- the link's (journal only as primary or with consent). Refused with TU403 for a revoked or
-- pending guardian, staff of another organisation and a stranger; TU403 for an unknown
-- student; TU401 without a user (the service key); anon has no grant (42501).
begin;
select plan(16);

select tutela_tests.create_user('student-r001@world.test') as u_student \gset
select tutela_tests.create_user('admin-r001@world.test') as u_admin \gset
select tutela_tests.create_user('staff-r001@world.test') as u_staff \gset
select tutela_tests.create_user('primary-r001@world.test') as u_primary \gset
select tutela_tests.create_user('nogrades-r001@world.test') as u_nogrades \gset
select tutela_tests.create_user('cojournal-r001@world.test') as u_cojournal \gset
select tutela_tests.create_user('revoked-r001@world.test') as u_revoked \gset
select tutela_tests.create_user('pending-r001@world.test') as u_pending \gset
select tutela_tests.create_user('other-staff-r001@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-r001@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Academy R001', 'academy-r001', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other R001', 'other-r001')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Mia', :'u_student') returning id as mia \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, permissions, created_via, activated_at,
  revoked_at
)
values
(
  :'mia', :'u_primary', 'active', true,
  tutela_hidden.default_link_permissions() || '{"journal": true}', 'staff', now(), null
),
(
  :'mia', :'u_nogrades', 'active', false,
  tutela_hidden.default_link_permissions() || '{"grades": false}', 'staff', now(), null
),
(
  :'mia', :'u_cojournal', 'active', false,
  tutela_hidden.default_link_permissions() || '{"journal": true}', 'staff', now(), null
),
(
  :'mia', :'u_revoked', 'revoked', false, tutela_hidden.default_link_permissions(), 'code',
  now() - interval '3 days', now()
),
(
  :'mia', :'u_pending', 'pending', false, tutela_hidden.default_link_permissions(), 'code', null,
  null
);

prepare weekly as
select sections from tutela.generate_report(:'mia', 'weekly', current_date - 6, current_date);
prepare unknown as
select tutela.generate_report(gen_random_uuid(), 'weekly', current_date - 6, current_date);

select tutela_tests.authenticate_as(:'u_student');
select results_eq(
  'weekly',
  $$values (array['progress', 'grades', 'attendance', 'sessions', 'journal'])$$,
  'the student gets every section'
);
select tutela_tests.authenticate_as(:'u_admin');
select results_eq(
  'weekly',
  $$values (array['progress', 'grades', 'attendance', 'sessions', 'journal'])$$,
  'an admin of the organisation gets every section'
);
select tutela_tests.authenticate_as(:'u_staff');
select results_eq(
  'weekly',
  $$values (array['progress', 'grades', 'attendance', 'sessions', 'journal'])$$,
  'staff of the organisation get every section'
);
select tutela_tests.authenticate_as(:'u_primary');
select results_eq(
  'weekly',
  $$values (array['progress', 'grades', 'attendance', 'sessions', 'journal'])$$,
  'the primary guardian with the journal permission gets every section'
);
select tutela_tests.authenticate_as(:'u_nogrades');
select results_eq(
  'weekly', $$values (array['progress', 'attendance', 'sessions'])$$,
  'a guardian without grades (and without journal) gets neither section'
);
select ok(
  (select
    not (r.data ? 'grades') and not (r.data ? 'journal')
    and r.data -> 'hidden_sections' = '["grades", "journal"]'::jsonb
    and not (r.summary ? 'grades')
  from tutela.generate_report(:'mia', 'monthly', current_date - 30, current_date) as r),
  'the sections a guardian may not read are absent from data and summary, and named hidden'
);
select tutela_tests.authenticate_as(:'u_cojournal');
select results_eq(
  'weekly', $$values (array['progress', 'grades', 'attendance', 'sessions'])$$,
  'a co-guardian with the journal permission but without the student''s consent: no journal'
);
select tutela_tests.clear_authentication();
insert into tutela.consent_records (
  student_id, data_type, recipient_type, granted, granted_at
)
values (:'mia', 'journal', 'other_guardians', true, now());
select tutela_tests.authenticate_as(:'u_cojournal');
select results_eq(
  'weekly',
  $$values (array['progress', 'grades', 'attendance', 'sessions', 'journal'])$$,
  'with the consent in force, the co-guardian''s report has the journal'
);
select is(
  (select r.generated_by from tutela.generate_report(
    :'mia', 'weekly', current_date - 6, current_date
  ) as r),
  :'u_cojournal'::uuid,
  'generated_by is the caller'
);

select tutela_tests.authenticate_as(:'u_revoked');
select throws_ok('weekly', 'TU403', null, 'a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_pending');
select throws_ok('weekly', 'TU403', null, 'a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('weekly', 'TU403', null, 'an admin of another organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('weekly', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok('unknown', 'TU403', null, 'an unknown student: TU403');
select tutela_tests.as_anon();
select throws_ok('weekly', '42501', null, 'anon has no grant');
select tutela_tests.as_service_role();
select throws_ok('weekly', 'TU401', null, 'the service key has no user: TU401');

select * from finish();
rollback;
