-- Security review (issue 22, finding 7): an id the caller may not know gets the very refusal of
-- one they may not act on, so that no answer tells whether a student, link, code, invite,
-- organisation, user, conversation or alert exists. For each function: a stranger names an
-- existing id of someone else and an id that does not exist; both answers (SQLSTATE and
-- message) are the same, and are TU403. The service role is still told TU404.
begin;
select plan(18);

-- sqlstate: message of a statement's error (null when it succeeds)
create function pg_temp.refusal(p_sql text)
returns text
language plpgsql
as $$
declare
  v_state text;
  v_message text;
begin
  execute p_sql;
  return null;
exception
  when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
    return v_state || ': ' || v_message;
end;
$$;
grant execute on function pg_temp.refusal(text) to authenticated, service_role;

select tutela_tests.create_user('admin@a.test') as admin \gset
select tutela_tests.create_user('kid@a.test') as kid \gset
select tutela_tests.create_user('mum@a.test') as mum \gset
select tutela_tests.create_user('stranger@x.test') as stranger \gset
select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Alpha School', 'alpha-school') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code from tutela.create_guardian_link_code(:'student', 2) \gset
select id as code_id from tutela.list_guardian_link_codes(:'student') order by id limit 1 \gset
select invite_id from tutela.invite_guardian(:'student', 'gran@a.test') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as link \gset
select id as conv
from tutela.start_conversation('guardian_staff', :'student', array[:'admin'::uuid]) \gset

-- each statement with the existing id and with a new one
create temporary table probes (name text, stmt text, known uuid) on commit drop;
insert into probes values
('child_overview', 'select tutela.child_overview(%L)', :'student'),
('create_guardian_link_code', 'select tutela.create_guardian_link_code(%L)', :'student'),
('list_guardian_link_codes', 'select tutela.list_guardian_link_codes(%L)', :'student'),
('withdraw_guardian_link_code', 'select tutela.withdraw_guardian_link_code(%L)', :'code_id'),
('revoke_guardian_link', 'select tutela.revoke_guardian_link(%L)', :'link'),
('restore_guardian_link', 'select tutela.restore_guardian_link(%L)', :'link'),
('approve_guardian_link', 'select tutela.approve_guardian_link(%L)', :'link'),
('set_primary_guardian', 'select tutela.set_primary_guardian(%L)', :'link'),
('withdraw_guardian_invite', 'select tutela.withdraw_guardian_invite(%L)', :'invite_id'),
('student_list_guardians', 'select tutela.student_list_guardians(%L)', :'student'),
(
  'update_organization_settings',
  $$select tutela.update_organization_settings(%L, '{"name": "X"}')$$, :'org'
),
('create_student', $$select tutela.create_student(%L, 'Probe')$$, :'org'),
('mark_conversation_read', 'select tutela.mark_conversation_read(%L)', :'conv'),
(
  'guardian_get_child_daily_study_stats',
  'select tutela.guardian_get_child_daily_study_stats(%L)', :'student'
),
('list_reports', 'select tutela.list_reports(%L)', :'student'),
('get_consent_matrix', 'select tutela.get_consent_matrix(%L)', :'student');
grant select on probes to authenticated;

select tutela_tests.authenticate_as(:'stranger');
select results_eq(
  $$select p.name,
      pg_temp.refusal(format(p.stmt, p.known)) = pg_temp.refusal(format(p.stmt, gen_random_uuid()))
      and pg_temp.refusal(format(p.stmt, p.known)) like 'TU403: %'
    from probes as p order by p.name$$,
  $$select p.name, true from probes as p order by p.name$$,
  'every function: an unknown id and someone else''s get the same TU403 refusal'
);
select is(
  pg_temp.refusal(
    format('select tutela.start_conversation(%L, null, array[%L::uuid])', 'support', :'kid')
  ),
  pg_temp.refusal(
    format(
      'select tutela.start_conversation(%L, null, array[%L::uuid])', 'support',
      gen_random_uuid()
    )
  ),
  'start_conversation: an unknown user and a real one get the same refusal'
);

-- the same for each, one by one, so a failure names the function
select
  is(
    pg_temp.refusal(format(p.stmt, gen_random_uuid())),
    pg_temp.refusal(format(p.stmt, p.known)),
    p.name || ': the unknown id is refused like the known one'
  )
from probes as p
where
  p.name in (
    'child_overview', 'revoke_guardian_link', 'withdraw_guardian_link_code',
    'withdraw_guardian_invite', 'update_organization_settings', 'create_student',
    'mark_conversation_read', 'list_reports', 'get_consent_matrix', 'restore_guardian_link',
    'guardian_get_child_daily_study_stats', 'set_primary_guardian', 'approve_guardian_link',
    'student_list_guardians', 'create_guardian_link_code'
  )
order by p.name;

-- the service role is told the truth
select tutela_tests.as_service_role();
select throws_ok(
  format('select tutela.create_student(%L, %L)', gen_random_uuid(), 'Probe'),
  'TU404', null, 'the service role gets TU404 for an unknown organisation'
);

select * from finish();
rollback;
