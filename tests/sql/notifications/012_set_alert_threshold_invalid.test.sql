-- set_alert_threshold validates: the type is one of the four grade types, the percent is
-- 0 to 100 (TU422 otherwise), and a high threshold must exceed the matching low one, checked
-- whichever of the two is set second (TU422). Assignment and course pairs are separate, and
-- another guardian's thresholds do not constrain the caller's.
begin;
select plan(15);

select tutela_tests.create_user('mum-012@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-012@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 012', 'ntf-012') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_mum');
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_mid', 50) $$, :'sam'),
  'TU422', null, 'an unknown type'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'child_graded', 50) $$, :'sam'),
  'TU422', null, 'a notification type that has no threshold'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, null, 50) $$, :'sam'),
  'TU422', null, 'no type'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', -0.01) $$, :'sam'),
  'TU422', null, 'a percent below 0'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 100.01) $$, :'sam'),
  'TU422', null, 'a percent above 100'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', null) $$, :'sam'),
  'TU422', null, 'no percent'
);

-- low first, then high
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 50);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_high', 50) $$, :'sam'),
  'TU422', null, 'a high threshold equal to the low one'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_high', 40) $$, :'sam'),
  'TU422', null, 'a high threshold below the low one'
);
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_high', 50.01) $$, :'sam'),
  'a high threshold above the low one'
);
-- and the low one may not be moved up to it
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_low', 50.01) $$, :'sam'),
  'TU422', null, 'a low threshold moved up to the high one'
);

-- high first, then low
select tutela.set_alert_threshold(:'sam', 'course_grade_high', 80);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 80) $$, :'sam'),
  'TU422', null, 'a low threshold equal to the high one'
);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 95) $$, :'sam'),
  'TU422', null, 'a low threshold above the high one'
);
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 20) $$, :'sam'),
  'a low threshold below the high one; the assignment pair does not constrain it'
);

select tutela_tests.authenticate_as(:'u_dad');
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 90) $$, :'sam'),
  'another guardian''s thresholds do not constrain the caller'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select guardian_id, type, percent from tutela.alert_thresholds
       order by guardian_id = %L desc, type $$,
    :'u_mum'
  ),
  format(
    $$ values
      (%L::uuid, 'assignment_grade_high'::text, 50.01::numeric(5, 2)),
      (%L::uuid, 'assignment_grade_low'::text, 50.00::numeric(5, 2)),
      (%L::uuid, 'course_grade_high'::text, 80.00::numeric(5, 2)),
      (%L::uuid, 'course_grade_low'::text, 20.00::numeric(5, 2)),
      (%L::uuid, 'course_grade_low'::text, 90.00::numeric(5, 2)) $$,
    :'u_mum', :'u_mum', :'u_mum', :'u_mum', :'u_dad'
  ),
  'only the valid thresholds were stored'
);

select * from finish();
rollback;
