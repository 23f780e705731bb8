-- accept_guardian_invite: the signed-in user whose email matches the invite (any case) gets an
-- active link with the invite's relation and permissions, created via 'invite'; the invite
-- becomes accepted, recording who accepted it and when.
begin;
select plan(11);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('Gran@Example.TEST') as gran \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
-- even where links by code need the student's approval, an accepted invite is active
select tutela.update_organization_settings(:'org', '{"link_requires_student_approval": true}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select
  invite_id,
  token
from tutela.invite_guardian(
  :'student', 'gran@example.test', 'Gran', 'other', '{"journal": true, "grades": false}'
) \gset

select tutela_tests.authenticate_as(:'gran');
select
  id as link,
  student_id as link_student,
  guardian_id as link_guardian,
  status,
  relation,
  created_via,
  permissions,
  activated_at
from tutela.accept_guardian_invite(:'token') \gset

select is(:'link_student'::uuid, :'student'::uuid, 'the link is to the invite''s student');
select is(:'link_guardian'::uuid, :'gran'::uuid, 'the link is to the accepting user');
select is(:'status'::text, 'active', 'the link is active at once');
select is(:'relation'::text, 'other', 'the link has the invite''s relation');
select is(:'created_via'::text, 'invite', 'the link records that it came from an invite');
select is(
  :'permissions'::jsonb,
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": false, "attendance": true, "journal": true, "messaging": true}'::jsonb,
  'the link has the invite''s permissions'
);
select isnt(:'activated_at'::text, '', 'the link records when it became active');

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select status, accepted_by, accepted_at from tutela.guardian_invites where id = %L $$,
    :'invite_id'
  ),
  format($$ values ('accepted'::text, %L::uuid, now()) $$, :'gran'),
  'the invite is accepted, by the user, now'
);
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student'),
  1::bigint,
  'exactly one link was created'
);

-- the new guardian now reads the child
select tutela_tests.authenticate_as(:'gran');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'student'),
  'the guardian sees the student'
);
select throws_ok(
  format('select tutela.accept_guardian_invite(%L)', :'token'),
  'TU404', null, 'the same token cannot be accepted twice'
);

select * from finish();
rollback;
