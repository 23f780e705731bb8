-- invite_guardian by a primary guardian: guardians never change link permissions
-- (docs/guardianship.md, "Who may do what"), so a co-parent invite cannot hand the invitee a
-- permission the student and staff have not granted. Asking for 'journal' (off by default) is
-- either refused (TU403) or has no effect; no invite or link with journal on results.
begin;
select plan(4);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"max_guardians_per_student": 5}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select code from tutela.create_guardian_link_code(:'student') \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'admin');
select tutela.set_primary_guardian(:'mum_link');

select tutela_tests.clear_authentication();
select is(
  (select permissions ->> 'journal' from tutela.guardian_links where id = :'mum_link'),
  'false',
  'setup: the primary guardian has no journal permission'
);

-- the primary guardian asks for journal on the co-parent's invite
select set_config('tutela_tests.student', :'student', true);
select tutela_tests.authenticate_as(:'mum');
do $$
begin
  perform tutela.invite_guardian(
    current_setting('tutela_tests.student')::uuid, 'dad@example.test', 'Dad', 'father',
    '{"journal": true}'
  );
exception
  when sqlstate 'TU403' then null;  -- refusing is one correct answer
end;
$$;

select tutela_tests.clear_authentication();
select is_empty(
  $$ select 1 from tutela.guardian_invites where (permissions ->> 'journal')::boolean $$,
  'no invite carries the journal permission'
);

-- if an invite was made, accepting it gives no journal permission either
select coalesce(
  (
    select payload ->> 'token' from tutela_private.notification_outbox
    where kind = 'guardian_invite' and recipient_email = 'dad@example.test'
  ),
  ''
) as token \gset
select tutela_tests.authenticate_as(:'dad');
select set_config('tutela_tests.token', :'token', true);
do $$
begin
  perform tutela.accept_guardian_invite(current_setting('tutela_tests.token'));
exception
  when sqlstate 'TU404' then null;  -- no invite was made
end;
$$;
select tutela_tests.clear_authentication();
select is_empty(
  $$ select 1 from tutela.guardian_links where (permissions ->> 'journal')::boolean $$,
  'no link carries the journal permission'
);

-- staff, by contrast, may grant it on an invite
select tutela_tests.authenticate_as(:'admin');
select invite_id as staff_invite from tutela.invite_guardian(
  :'student', 'gran@example.test', p_permissions => '{"journal": true}'
) \gset
select is(
  (select permissions ->> 'journal' from tutela.guardian_invites where id = :'staff_invite'),
  'true',
  'staff may grant journal on an invite'
);

select * from finish();
rollback;
