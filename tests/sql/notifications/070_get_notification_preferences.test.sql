-- get_notification_preferences(p_student_id) lists the caller's preference in force for all
-- 12 types: the type's defaults (is_default true) until the caller sets one; a general
-- preference (set_notification_preference without a child) for every child; a per-child
-- override wins for that child only. Channels are stored sorted and without repeats; no
-- channels means the type's defaults. Each user sees only their own.
begin;
select plan(8);

select tutela_tests.create_user('mum-070@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-070@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 070', 'ntf-070') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Kim') returning id as kim \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'kim', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());

select results_eq(
  $$ select type, severity from tutela_private.notification_types() order by type $$,
  $$ values ('assignment_grade_high'::text, 'info'::text), ('assignment_grade_low', 'warning'),
     ('assignment_missing', 'warning'), ('child_absent', 'warning'), ('child_graded', 'info'),
     ('child_low_grade', 'warning'), ('course_grade_high', 'info'),
     ('course_grade_low', 'warning'), ('engagement_drop', 'warning'),
     ('milestone_reached', 'info'), ('performance_decline', 'warning'),
     ('weekly_digest', 'info') $$,
  'each type''s severity'
);

select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  $$ select type, permission, channels, min_severity, enabled, is_default
     from tutela.get_notification_preferences() $$,
  $$ values
    ('assignment_grade_high'::text, 'grades'::text, '{in_app}'::text [], 'info'::text, true,
      true),
    ('assignment_grade_low', 'grades', '{in_app,email}', 'info', true, true),
    ('assignment_missing', 'progress', '{in_app,email}', 'info', true, true),
    ('child_absent', 'attendance', '{in_app,email}', 'info', true, true),
    ('child_graded', 'grades', '{in_app}', 'info', true, true),
    ('child_low_grade', 'grades', '{in_app,email}', 'info', true, true),
    ('course_grade_high', 'grades', '{in_app}', 'info', true, true),
    ('course_grade_low', 'grades', '{in_app,email}', 'info', true, true),
    ('engagement_drop', 'progress', '{in_app,email}', 'info', true, true),
    ('milestone_reached', 'progress', '{in_app,push}', 'info', true, true),
    ('performance_decline', 'grades', '{in_app,email}', 'info', true, true),
    ('weekly_digest', 'progress', '{email}', 'info', true, true) $$,
  'all 12 types with their defaults, by type'
);

select results_eq(
  $$ select channels, min_severity, enabled from tutela.set_notification_preference(
       'child_graded', array['sms', 'email', 'sms'], true, 'warning') $$,
  $$ values ('{email,sms}'::text [], 'warning'::text, true) $$,
  'a general preference: channels sorted, without repeats'
);
select results_eq(
  $$ select channels, min_severity, enabled, is_default from tutela.get_notification_preferences()
     where type = 'child_graded' $$,
  $$ values ('{email,sms}'::text [], 'warning'::text, true, false) $$,
  'reflected in the list, no longer the default'
);

select tutela.set_notification_preference('child_graded', array['push'], false, 'info', :'sam');
select results_eq(
  format(
    $$ select type, channels, enabled, is_default from tutela.get_notification_preferences(%L)
       where type in ('child_graded', 'child_absent') $$,
    :'sam'
  ),
  $$ values ('child_absent'::text, '{in_app,email}'::text [], true, true),
     ('child_graded', '{push}', false, false) $$,
  'for Sam: the per-child override wins; other types keep their defaults'
);
select results_eq(
  format(
    $$ select channels, enabled from tutela.get_notification_preferences(%L)
       where type = 'child_graded' $$,
    :'kim'
  ),
  $$ values ('{email,sms}'::text [], true) $$,
  'for Kim: the general preference'
);
select results_eq(
  $$ select channels from tutela.set_notification_preference('child_absent', null) $$,
  $$ values ('{in_app,email}'::text []) $$,
  'no channels given: the type''s default channels'
);

select tutela_tests.authenticate_as(:'u_dad');
select is(
  (select count(*)::integer from tutela.get_notification_preferences() where is_default),
  12,
  'another user still has only defaults'
);

select * from finish();
rollback;
