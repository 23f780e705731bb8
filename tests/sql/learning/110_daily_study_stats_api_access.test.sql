-- guardian_get_child_daily_study_stats: who may read a student's study days. Allowed: the
-- student (with a login), staff and admins of the organisation, an active guardian with the
-- progress permission. Refused with TU403: a guardian whose link lacks progress, a pending or
-- revoked guardian, another student, a stranger, staff of another organisation. anon: 42501.
-- An unknown student is TU403; a limit outside 1..366 is TU422.
begin;
select plan(19);

-- The world: organisation A (admin, staff, the student with a login, another student), the
-- student's guardians in every state, staff of organisation B, a stranger.
select tutela_tests.create_user('student-110@world.test') as u_student \gset
select tutela_tests.create_user('other-student-110@world.test') as u_other_student \gset
select tutela_tests.create_user('guardian-110@world.test') as u_guardian \gset
select tutela_tests.create_user('guardian-noperm-110@world.test') as u_guardian_noperm \gset
select tutela_tests.create_user('guardian-pending-110@world.test') as u_guardian_pending \gset
select tutela_tests.create_user('guardian-revoked-110@world.test') as u_guardian_revoked \gset
select tutela_tests.create_user('staff-110@world.test') as u_staff \gset
select tutela_tests.create_user('admin-110@world.test') as u_admin \gset
select tutela_tests.create_user('other-staff-110@world.test') as u_other_staff \gset
select tutela_tests.create_user('stranger-110@world.test') as u_stranger \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('World 110', 'world-110', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 110', 'other-world-110')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values
(:'org', :'u_admin', 'admin'), (:'org', :'u_staff', 'staff'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Student') returning id as student \gset
select tutela_tests.attach_student_login(:'student', :'u_student');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other student', :'u_other_student') returning id as other_student \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(
  :'student', :'u_guardian', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_noperm', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions() || '{"progress": false}'
),
(
  :'student', :'u_guardian_pending', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions() || '{"progress": true}'
),
(
  :'student', :'u_guardian_revoked', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions() || '{"progress": true}'
);
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'student', 'Maths', 'q', 'a') returning id as card \gset
select tutela_tests.clear_authentication();
insert into tutela.card_reviews (student_id, flashcard_id, correct)
values (:'student', :'card', true), (:'student', :'card', false);

prepare read_days as
select
  day,
  reviews,
  accuracy
from tutela.guardian_get_child_daily_study_stats(:'student', 30);
prepare expected as
values ((now() at time zone 'UTC')::date, 2, 50.0);

-- allowed
select tutela_tests.authenticate_as(:'u_student');
select results_eq('read_days', 'expected', 'the student reads their days');
select tutela_tests.authenticate_as(:'u_staff');
select results_eq('read_days', 'expected', 'staff of the organisation read the days');
select tutela_tests.authenticate_as(:'u_admin');
select results_eq('read_days', 'expected', 'an admin of the organisation reads the days');
select tutela_tests.authenticate_as(:'u_guardian');
select results_eq('read_days', 'expected', 'an active guardian with progress reads the days');

-- refused
select tutela_tests.authenticate_as(:'u_guardian_noperm');
select throws_ok('read_days', 'TU403', null, 'a guardian without progress is refused');
select tutela_tests.authenticate_as(:'u_guardian_pending');
select throws_ok('read_days', 'TU403', null, 'a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_guardian_revoked');
select throws_ok('read_days', 'TU403', null, 'a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_other_student');
select throws_ok('read_days', 'TU403', null, 'another student of the organisation is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('read_days', 'TU403', null, 'a signed-in stranger is refused');
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('read_days', 'TU403', null, 'staff of another organisation are refused');
select tutela_tests.as_anon();
select throws_ok('read_days', '42501', null, 'anon may not call it');

-- the guardian loses progress: refused at once
select tutela_tests.clear_authentication();
update tutela.guardian_links
set permissions = permissions || '{"progress": false}'
where guardian_id = :'u_guardian';
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  'read_days', 'TU403', null, 'the guardian is refused once progress is switched off'
);

-- unknown student, bad limits
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);
select throws_ok(
  'select * from tutela.guardian_get_child_daily_study_stats(null)',
  'TU403', null, 'a null student is TU403'
);
select tutela_tests.authenticate_as(:'u_student');
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, 0)', :'student'),
  'TU422', null, 'limit 0 is TU422'
);
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, 367)', :'student'),
  'TU422', null, 'limit 367 is TU422'
);
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, -1)', :'student'),
  'TU422', null, 'a negative limit is TU422'
);
select throws_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, null)', :'student'),
  'TU422', null, 'a null limit is TU422'
);
select lives_ok(
  format('select * from tutela.guardian_get_child_daily_study_stats(%L, 366)', :'student'),
  'limit 366 is accepted'
);

select * from finish();
rollback;
