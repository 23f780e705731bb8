-- redeem_guardian_link_code: a signed-in user with a valid code becomes an active guardian of
-- the code's student, with the relation they give, created_via 'code' and the default
-- permissions (journal off, the rest on). The use and a successful attempt are recorded.
begin;
select plan(13);

select tutela_tests.create_user('admin@example.test') as admin \gset
select tutela_tests.create_user('kid@example.test') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('dad@example.test') as dad \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select id as student from tutela.create_student(:'org', 'Kid') \gset
select tutela_tests.attach_student_login(:'student', :'kid');
select code as mum_code from tutela.create_guardian_link_code(:'student') \gset
select code as dad_code from tutela.create_guardian_link_code(:'student') \gset

select tutela_tests.authenticate_as(:'mum');
select tutela.redeem_guardian_link_code(:'mum_code', 'mother') as mum_result \gset

select is(
  current_setting('response.status', true),
  null,
  'a successful redemption leaves the HTTP status alone'
);
select ok(
  (:'mum_result'::jsonb) ?& array['id', 'student_id', 'guardian_id', 'status', 'permissions'],
  'the result is the link'
);

select tutela_tests.clear_authentication();
select results_eq(
  format(
    $$ select id, student_id, guardian_id, relation, status, created_via, is_primary
       from tutela.guardian_links where guardian_id = %L $$,
    :'mum'
  ),
  format(
    $$ values (%L::uuid, %L::uuid, %L::uuid, 'mother'::text, 'active'::text, 'code'::text,
       false) $$,
    :'mum_result'::jsonb ->> 'id', :'student', :'mum'
  ),
  'the link is active, for the code''s student, with the relation given, created via code'
);
select is(
  (select permissions from tutela.guardian_links where guardian_id = :'mum'),
  '{"progress": true, "sessions": true, "lessons": true, "card_content": true,
    "grades": true, "attendance": true, "journal": false, "messaging": true}'::jsonb,
  'the link carries the default permissions: journal false, the rest true'
);
select is(
  (select activated_at from tutela.guardian_links where guardian_id = :'mum'),
  now(),
  'the link is activated now'
);
select is(
  (
    select uses from tutela_private.guardian_link_codes
    where code_hash = sha256(convert_to(replace(:'mum_code', '-', ''), 'UTF8'))
  ),
  1,
  'the code''s use is counted'
);
select results_eq(
  format($$ select succeeded from tutela_private.link_code_attempts where user_id = %L $$, :'mum'),
  $$ values (true) $$,
  'a successful attempt is recorded'
);
select results_eq(
  format(
    $$ select actor_id, actor_role, subject_user_id, code_id is not null
       from tutela.link_events where action = 'link_created' and link_id = %L $$,
    :'mum_result'::jsonb ->> 'id'
  ),
  format($$ values (%L::uuid, 'guardian'::text, %L::uuid, true) $$, :'mum', :'mum'),
  'the new link is audited with the guardian as actor and the code'
);

-- mum now sees her child
select tutela_tests.authenticate_as(:'mum');
select results_eq(
  'select id from tutela.students',
  format('values (%L::uuid)', :'student'),
  'the new guardian reads the student''s record'
);
select results_eq(
  'select student_id, status from tutela.guardian_list_children()',
  format($$ values (%L::uuid, 'active'::text) $$, :'student'),
  'the child appears in the guardian''s list'
);

-- the relation defaults to guardian
select tutela_tests.authenticate_as(:'dad');
select is(
  tutela.redeem_guardian_link_code(:'dad_code') ->> 'relation',
  'guardian',
  'without a relation, the link says guardian'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_links where student_id = :'student' and status = 'active'),
  2::bigint,
  'two guardians are linked'
);
select is(
  (select relation from tutela.guardian_links where guardian_id = :'dad'),
  'guardian',
  'the stored relation is guardian'
);

select * from finish();
rollback;
