-- The end of a personal space: erasing the child's data removes the space with the record
-- (nothing of it stays, the audit is pseudonymised), and so does Supabase Auth's deletion of
-- the login. A login that is more than this student (here also a guardian) keeps its login;
-- its other roles.
begin;
select plan(14);

select tutela_tests.create_user('kid@example.test', '{"display_name": "Kim Unique"}') as kid \gset
select tutela_tests.create_user('mum@example.test') as mum \gset
select tutela_tests.create_user('kid2@example.test') as kid2 \gset
select tutela_tests.create_user('teen@example.test') as teen \gset

-- kid: a space, a parent linked, a card
select tutela_tests.authenticate_as(:'kid');
select
  id as kid_student,
  organization_id as space
from tutela.ensure_personal_space() \gset
insert into tutela.flashcards (student_id, subject, question, answer)
values (:'kid_student', 'Maths', '2 + 2?', '4');
select code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'mum');
select (tutela.redeem_guardian_link_code(:'code', 'mother') ->> 'id') as mum_link \gset
select tutela_tests.authenticate_as(:'kid');
select tutela.approve_guardian_link(:'mum_link');

-- the child asks for erasure; the back office carries it out
select (tutela.request_data_erasure(:'kid_student')).id as req \gset
select tutela_tests.as_service_role();
select is(
  tutela.erase_student_data(:'req') ->> 'status', 'completed', 'the erasure is carried out'
);
select tutela_tests.clear_authentication();
select is_empty(
  format(
    $$ select 1 from tutela.organizations where id = %L or personal_user_id = %L $$,
    :'space', :'kid'
  ),
  'the personal space is gone with the child''s record'
);
select is_empty(
  format('select 1 from tutela.students where id = %L or user_id = %L', :'kid_student', :'kid'),
  'the student record is gone'
);
select is_empty(
  format(
    $$ select 1 from tutela.link_events
    where actor_id = %L or subject_user_id = %L or student_id = %L
      or coalesce(old_values::text, '') || coalesce(new_values::text, '') ~ %L $$,
    :'kid', :'kid', :'kid_student', :'kid' || '|' || :'kid_student' || '|Kim Unique'
  ),
  'the audit keeps neither the login, nor the record, nor the name (the space''s creation included)'
);
select tutela_tests.authenticate_as(:'mum');
select is_empty('select 1 from tutela.guardian_list_children()', 'the parent has no child left');
select is_empty('select 1 from tutela.flashcards', 'nor any of the child''s cards');
select tutela_tests.authenticate_as(:'kid');
select throws_ok(
  'select tutela.ensure_personal_space()', 'TU401', null,
  'the erased login gets no new space: TU401'
);

-- kid2: Supabase Auth deletes the login; the space goes with it
select tutela_tests.authenticate_as(:'kid2');
select
  id as kid2_student,
  organization_id as space2
from tutela.ensure_personal_space() \gset
select tutela_tests.clear_authentication();
delete from auth.users where id = :'kid2';
select is_empty(
  format('select 1 from tutela.organizations where id = %L', :'space2'),
  'deleting the login deletes its personal space'
);
select is_empty(
  format('select 1 from tutela.students where id = %L', :'kid2_student'),
  'and the student record in it (no orphan record without a login or staff)'
);

-- teen: a space, and also a guardian of someone else's child (a code of mum's child)
select tutela_tests.authenticate_as(:'teen');
select
  id as teen_student,
  organization_id as teen_space
from tutela.ensure_personal_space() \gset
select tutela_tests.create_user('little@example.test') as little \gset
select tutela_tests.authenticate_as(:'little');
select
  id as little_student,
  organization_id as little_space
from tutela.ensure_personal_space() \gset
select code as little_code from tutela.create_guardian_link_code() \gset
select tutela_tests.authenticate_as(:'teen');
select is(
  tutela.redeem_guardian_link_code(:'little_code', 'other') ->> 'status', 'pending',
  'the teen is (pending) guardian of another child'
);
select (tutela.request_data_erasure(:'teen_student')).id as teen_req \gset
select tutela_tests.as_service_role();
select is(
  tutela.erase_student_data(:'teen_req') ->> 'status', 'completed', 'the teen''s record is erased'
);
select tutela_tests.clear_authentication();
select is_empty(
  format('select 1 from tutela.organizations where id = %L', :'teen_space'),
  'the space goes with the record, also for a login with other roles'
);
select tutela_tests.authenticate_as(:'teen');
select is(
  (select count(*) from tutela.guardian_list_children()), 1::bigint,
  'the login keeps its other roles'
);

-- a space whose record the back office deleted by hand is used again
select tutela_tests.authenticate_as(:'little');
select tutela_tests.as_service_role();
delete from tutela.students where id = :'little_student';
select tutela_tests.authenticate_as(:'little');
select is(
  (tutela.ensure_personal_space()).organization_id, :'little_space'::uuid,
  'an empty space of the login is used again, not a second one made'
);

select * from finish();
rollback;
