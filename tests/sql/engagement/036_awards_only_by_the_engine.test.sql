-- Awards come only from the engine (check_achievements and the job). No API client role can
-- write one directly, change the rule book to earn one, fill the queue, or call the engine's
-- private functions: all 42501. (Reading awards is the registry's access matrix,
-- tests/sql/learning/access/024_student_achievements_access.test.sql.)
begin;
select plan(14);

select tutela_tests.create_user('student-036@world.test') as u_student \gset
select tutela_tests.create_user('admin-036@world.test') as u_admin \gset
insert into tutela.organizations (name, slug) values ('Academy 036', 'academy-036')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_admin', 'admin');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Sam', :'u_student') returning id as student \gset
select id as first_session from tutela.achievements where code = 'first_session' \gset

prepare award_self as
insert into tutela.student_achievements (student_id, achievement_id)
values (:'student', :'first_session');
prepare upsert_award as
insert into tutela.student_achievements (student_id, achievement_id)
values (:'student', :'first_session')
on conflict (student_id, achievement_id) do nothing;
prepare lower_threshold as
update tutela.achievements set threshold = 1 where code = 'sessions_100';
prepare add_definition as
insert into tutela.achievements (code, title, category, rule, threshold)
values ('free_badge', 'Free badge', 'sessions', 'journal_entries', 1);
prepare drop_definition as
delete from tutela.achievements where code = 'first_session';
prepare queue_self as
insert into tutela_private.achievement_queue (student_id) values (:'student');
prepare award_private as
select * from tutela_private.award_achievements(array[:'student'::uuid]);
prepare metrics_private as
select * from tutela_private.achievement_metrics(array[:'student'::uuid]);
prepare drain_private as
select tutela_private.drain_achievement_queue(10);

select tutela_tests.authenticate_as(:'u_student');
select throws_ok('award_self', '42501', null, 'the student cannot award themself');
select throws_ok('upsert_award', '42501', null, 'nor through an upsert');
select throws_ok('queue_self', '42501', null, 'nor queue themself');
select throws_ok('award_private', '42501', null, 'nor call tutela_private.award_achievements');
select throws_ok('metrics_private', '42501', null, 'nor call tutela_private.achievement_metrics');
select throws_ok('drain_private', '42501', null, 'nor call tutela_private.drain_achievement_queue');

select tutela_tests.authenticate_as(:'u_admin');
select throws_ok('award_self', '42501', null, 'an admin of the organisation cannot award');
select throws_ok('lower_threshold', '42501', null, 'nor lower a threshold');
select throws_ok('add_definition', '42501', null, 'nor add a definition');
select throws_ok('drop_definition', '42501', null, 'nor remove a definition');
select throws_ok('award_private', '42501', null, 'nor call tutela_private.award_achievements');

select tutela_tests.as_anon();
select throws_ok('award_self', '42501', null, 'anon cannot award');

select tutela_tests.clear_authentication();
select is(
  (
    select array_agg(r.rolname order by r.rolname)
    from pg_catalog.pg_roles as r
    where
      r.rolname in ('anon', 'authenticated')
      and (
        pg_catalog.has_table_privilege(r.oid, 'tutela.student_achievements', 'insert')
        or pg_catalog.has_table_privilege(r.oid, 'tutela.achievements', 'insert, update, delete')
        or pg_catalog.has_function_privilege(
          r.oid, 'tutela_private.award_achievements(uuid[])', 'execute'
        )
      )
  ),
  null::name[],
  'neither anon nor authenticated holds a grant that writes awards or definitions'
);
select is_empty(
  $$ select 1 from tutela.student_achievements $$,
  'no award was written'
);

select * from finish();
rollback;
