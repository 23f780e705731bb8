-- run_due_jobs is for the service role (the scheduler): a signed-in user and anon get 42501.
begin;
select plan(3);

select tutela_tests.create_user('user-061@ntf.test') as u_user \gset

select tutela_tests.authenticate_as(:'u_user');
select throws_ok('select * from tutela.run_due_jobs()', '42501', null, 'a signed-in user');
select throws_ok('select * from tutela.run_due_jobs(true)', '42501', null, 'with p_force too');
select tutela_tests.as_anon();
select throws_ok('select * from tutela.run_due_jobs()', '42501', null, 'anon');

select * from finish();
rollback;
