-- set_alert_threshold: an active guardian whose link grants `grades` sets a grade threshold
-- (percent) per child and type; setting it again replaces the percent (one row per guardian,
-- child and type). Each guardian reads and deletes only their own thresholds.
begin;
select plan(8);

select tutela_tests.create_user('mum-010@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-010@ntf.test') as u_dad \gset
insert into tutela.organizations (name, slug)
values ('Ntf 010', 'ntf-010') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values
(:'sam', :'u_mum', 'active', 'staff', now()),
(:'sam', :'u_dad', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_mum');
select results_eq(
  format(
    $$ select guardian_id, student_id, type, percent
       from tutela.set_alert_threshold(%L, 'assignment_grade_low', 60) $$,
    :'sam'
  ),
  format(
    $$ values (%L::uuid, %L::uuid, 'assignment_grade_low'::text, 60.00::numeric(5, 2)) $$,
    :'u_mum', :'sam'
  ),
  'a guardian with grades sets a threshold; the row is theirs'
);
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_low', 55.5) $$, :'sam'),
  'setting it again'
);
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_high', 90) $$, :'sam'),
  'another type'
);
select results_eq(
  'select type, percent from tutela.alert_thresholds order by type',
  $$ values ('assignment_grade_low'::text, 55.50::numeric(5, 2)),
     ('course_grade_high'::text, 90.00::numeric(5, 2)) $$,
  'one row per type: the percent replaced'
);

select tutela_tests.authenticate_as(:'u_dad');
select is_empty('select * from tutela.alert_thresholds', 'another guardian sees none of them');
select lives_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_low', 40) $$, :'sam'),
  'the other guardian sets their own'
);
delete from tutela.alert_thresholds;
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela.alert_thresholds where guardian_id = :'u_mum'),
  2,
  'a guardian''s delete leaves the other guardian''s thresholds alone'
);
select is(
  (select count(*)::integer from tutela.alert_thresholds where guardian_id = :'u_dad'),
  0,
  'and removes their own'
);

select * from finish();
rollback;
