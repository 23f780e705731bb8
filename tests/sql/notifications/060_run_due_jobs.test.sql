-- tutela.run_due_jobs() (service role) runs each job of tutela_private.jobs whose interval has
-- passed since last_run_at (or that never ran), in name order, and records the run:
-- last_run_at, last_result (the command's value) and last_error (null on success; the
-- error's message on failure, which does not stop the other jobs). Jobs not due are left
-- alone. p_force runs every job.
begin;
select plan(9);

select tutela_tests.create_user('mum-060@ntf.test') as u_mum \gset
-- alerts for purge_alerts: one past six months, one within them
insert into tutela.alerts (recipient_id, type, title, dedupe_key, created_at)
values
(:'u_mum', 'milestone_reached', 'old', 'test-060-old', now() - interval '6 months 1 hour'),
(:'u_mum', 'milestone_reached', 'recent', 'test-060-recent', now() - interval '5 months');

update tutela_private.jobs
set
  last_run_at = case name
    when 'purge_alerts' then now() - interval '1 day'
    when 'early_warnings' then now() - interval '23 hours 59 minutes'
    when 'drain_achievements' then now() - interval '30 seconds'
    when 'weekly_digest' then now() - interval '6 days'
  end,
  last_result = 'before',
  last_error = 'before';
insert into tutela_private.jobs (name, schedule, every, command)
values ('broken', '0 * * * *', interval '1 hour', 'select 1 / 0');

select tutela_tests.as_service_role();
select results_eq(
  'select name, result, error from tutela.run_due_jobs()',
  $$ values ('broken'::text, null::text, 'division by zero'::text),
     ('expire_consents', '0', null), ('expire_invites', '0', null), ('purge_alerts', '1', null) $$,
  'the due jobs run (never run, or the interval passed), in name order; a failure is reported'
);
select tutela_tests.clear_authentication();
select results_eq(
  $$ select name, last_run_at = now(), last_result, last_error from tutela_private.jobs
     order by name $$,
  $$ values ('broken'::text, true, null::text, 'division by zero'::text),
     ('drain_achievements', false, 'before', 'before'),
     ('early_warnings', false, 'before', 'before'),
     ('expire_consents', true, '0', null),
     ('expire_invites', true, '0', null),
     ('purge_alerts', true, '1', null),
     ('weekly_digest', false, 'before', 'before') $$,
  'each run recorded (result or error); the jobs not due untouched'
);
select results_eq(
  'select title from tutela.alerts',
  $$ values ('recent') $$,
  'the purge job did its work'
);

select tutela_tests.as_service_role();
select is_empty('select * from tutela.run_due_jobs()', 'right after: nothing is due');
select is_empty(
  'select * from tutela.run_due_jobs(false)', 'p_force false is the same'
);
select results_eq(
  'select name, error is null from tutela.run_due_jobs(true)',
  $$ values ('broken'::text, false), ('drain_achievements', true), ('early_warnings', true),
     ('expire_consents', true), ('expire_invites', true), ('purge_alerts', true),
     ('weekly_digest', true) $$,
  'p_force runs every job'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*)::integer from tutela_private.jobs where last_run_at = now()),
  7,
  'and records every run'
);
select is(
  (select last_result from tutela_private.jobs where name = 'weekly_digest'),
  '0',
  'the digest job''s result: how many digests it made'
);
select results_eq(
  'select name, schedule, every from tutela_private.jobs where name <> ''broken'' order by name',
  $$ values ('drain_achievements'::text, '* * * * *'::text, interval '1 minute'),
     ('early_warnings', '0 5 * * *', interval '1 day'),
     ('expire_consents', '15 * * * *', interval '1 hour'),
     ('expire_invites', '5 * * * *', interval '1 hour'),
     ('purge_alerts', '30 4 * * *', interval '1 day'),
     ('weekly_digest', '0 6 * * 1', interval '7 days') $$,
  'the registered jobs and their schedules'
);

select * from finish();
rollback;
