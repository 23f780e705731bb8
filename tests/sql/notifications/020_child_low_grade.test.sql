-- child_low_grade: a course average falls below the passing line, the mean passing_percent of
-- the graded assignments in that course. Sent to every active guardian with grades (no
-- threshold needed), in_app and email, with a recommendation. A first average below the line
-- counts; exactly at the line is not below; staying below fires nothing more.
begin;
select plan(7);

select tutela_tests.create_user('mum-020@ntf.test') as u_mum \gset
select tutela_tests.create_user('dad-020@ntf.test') as u_dad \gset
select tutela_tests.create_user('noperm-020@ntf.test') as u_noperm \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Ntf 020', 'ntf-020', 10) returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as sam \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, permissions
)
values
(:'sam', :'u_mum', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(:'sam', :'u_dad', 'active', 'staff', now(), tutela_hidden.default_link_permissions()),
(
  :'sam', :'u_noperm', 'active', 'staff', now(),
  tutela_hidden.default_link_permissions() || '{"grades": false}'
);
insert into tutela.courses (organization_id, title)
values (:'org', 'Algebra') returning id as algebra \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'Physics') returning id as physics \gset
insert into tutela.courses (organization_id, title)
values (:'org', 'History') returning id as history \gset
insert into tutela.assignments (organization_id, course_id, title, passing_percent)
values
(:'org', :'algebra', 'A1', 60),
(:'org', :'algebra', 'A2', 70),
(:'org', :'algebra', 'A3', 65),
(:'org', :'algebra', 'A4', 65),
(:'org', :'physics', 'P1', 60),
(:'org', :'history', 'H1', 60);

prepare grade (text, numeric) as
insert into tutela.submissions (
  student_id, organization_id, assignment_id, status, score, graded_at
)
select
  :'sam' as student_id,
  :'org' as organization_id,
  a.id as assignment_id,
  'graded' as status,
  $2 as score,
  now() as graded_at
from tutela.assignments as a
where a.title = $1;
prepare mums as
select
  (data ->> 'course_id')::uuid as course_id,
  (data ->> 'average')::numeric as average,
  (data ->> 'passing')::numeric as passing
from tutela.alerts
where recipient_id = :'u_mum' and type = 'child_low_grade';

-- Algebra: 80 (line 60), then 52 (average 66, line 65): above
execute grade ('A1', 80);
execute grade ('A2', 52);
select is_empty('mums', 'averages 80 and 66 over lines 60 and 65: nothing');
-- then 60 (average 64, line 65): below
execute grade ('A3', 60);
select results_eq(
  'mums',
  format($$ values (%L::uuid, 64.0::numeric, 65.0::numeric) $$, :'algebra'),
  'average 64 under the mean passing line 65: child_low_grade'
);
-- then 50 (average 60.5, line 65): still below
execute grade ('A4', 50);
select is(
  (select count(*)::integer from tutela.alerts where type = 'child_low_grade'),
  2,
  'still below: nothing more (one alert for each of the two guardians)'
);

-- Physics: a first average of 40 under 60; History: a first average exactly at 60
execute grade ('P1', 40);
execute grade ('H1', 60);
select bag_eq(
  format(
    $$ select (data ->> 'course_id')::uuid from tutela.alerts
       where recipient_id = %L and type = 'child_low_grade' $$,
    :'u_mum'
  ),
  format($$ values (%L::uuid), (%L::uuid) $$, :'algebra', :'physics'),
  'a first average below the line counts; one exactly at the line does not'
);
select bag_eq(
  $$ select recipient_id from tutela.alerts where type = 'child_low_grade' $$,
  format(
    $$ values (%L::uuid), (%L::uuid), (%L::uuid), (%L::uuid) $$,
    :'u_mum', :'u_mum', :'u_dad', :'u_dad'
  ),
  'every active guardian with grades, not one without'
);
select is(
  (
    select count(*)::integer from tutela_private.notification_outbox
    where kind = 'child_low_grade' and channel = 'email'
  ),
  4,
  'an email for each (default channels in_app and email)'
);
select results_eq(
  format(
    $$ select severity, title, recommendation is not null from tutela.alerts
       where recipient_id = %L and type = 'child_low_grade' and data ->> 'course_id' = %L $$,
    :'u_dad', :'physics'
  ),
  $$ values ('warning'::text, 'Physics: average below passing'::text, true) $$,
  'a warning naming the course, with a recommendation'
);

select * from finish();
rollback;
