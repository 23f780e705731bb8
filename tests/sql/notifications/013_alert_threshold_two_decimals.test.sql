-- Threshold percents are kept with two decimals (numeric(5, 2)); the rule "a high threshold
-- must exceed the matching low one" holds for the stored values: a percent that rounds to
-- the other threshold is refused (TU422) like an equal one, so the pair never ends up equal.
begin;
select plan(3);

select tutela_tests.create_user('mum-013@ntf.test') as u_mum \gset
insert into tutela.organizations (name, slug)
values ('Ntf 013', 'ntf-013') returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (student_id, guardian_id, status, created_via, activated_at)
values (:'sam', :'u_mum', 'active', 'staff', now());

select tutela_tests.authenticate_as(:'u_mum');
select tutela.set_alert_threshold(:'sam', 'course_grade_high', 50);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'course_grade_low', 49.996) $$, :'sam'),
  'TU422', null, 'a low threshold of 49.996 would be stored as 50.00, the high one'
);
select tutela.set_alert_threshold(:'sam', 'assignment_grade_low', 50);
select throws_ok(
  format($$ select tutela.set_alert_threshold(%L, 'assignment_grade_high', 50.004) $$, :'sam'),
  'TU422', null, 'a high threshold of 50.004 would be stored as 50.00, the low one'
);
select is_empty(
  $$ select l.type from tutela.alert_thresholds as l
     join tutela.alert_thresholds as h
       on h.student_id = l.student_id and h.guardian_id = l.guardian_id
         and h.type = replace(l.type, '_low', '_high')
     where l.type like '%_low' and h.percent <= l.percent $$,
  'no stored pair has high <= low'
);

select * from finish();
rollback;
