-- tutela_private.purge_alerts() (the daily purge_alerts job) deletes alerts created more than
-- 6 months ago, read or not, and returns how many; younger alerts stay.
begin;
select plan(2);

select tutela_tests.create_user('mum-066@ntf.test') as u_mum \gset
insert into tutela.alerts (recipient_id, type, title, dedupe_key, created_at, read_at)
values
(:'u_mum', 'child_graded', 'a year', 'test-066-1', now() - interval '1 year', null),
(
  :'u_mum', 'child_graded', 'just over', 'test-066-2', now() - interval '6 months 1 minute',
  now()
),
(
  :'u_mum', 'child_graded', 'just under', 'test-066-3',
  now() - interval '6 months' + interval '1 minute', null
),
(:'u_mum', 'child_graded', 'today', 'test-066-4', now(), null);

select is(tutela_private.purge_alerts(), 2, 'two alerts older than 6 months purged');
select results_eq(
  'select title from tutela.alerts order by created_at',
  $$ values ('just under'), ('today') $$,
  'the younger ones stay'
);

select * from finish();
rollback;
