-- get_consent_matrix(student): every data type (9) x every recipient type (4) with the consent
-- in force (an expired grant reads as not granted), who decides and whether the caller does.
-- Readable by the student, active guardians, staff and admins of the organisation; TU403 for
-- a stranger, a pending or revoked guardian, staff of another organisation; TU404 for an
-- unknown student; anon 42501.
begin;
select plan(27);

select tutela_tests.create_user('kid@matrix.test') as u_kid \gset
select tutela_tests.create_user('mum@matrix.test') as u_mum \gset
select tutela_tests.create_user('dad@matrix.test') as u_dad \gset
select tutela_tests.create_user('gran@matrix.test') as u_gran \gset
select tutela_tests.create_user('uncle@matrix.test') as u_uncle \gset
select tutela_tests.create_user('staff@matrix.test') as u_staff \gset
select tutela_tests.create_user('admin@matrix.test') as u_admin \gset
select tutela_tests.create_user('other-staff@matrix.test') as u_other_staff \gset
select tutela_tests.create_user('stranger@matrix.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Matrix', 'matrix', 10) returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other', 'matrix-other')
returning id as other_org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff'), (:'org', :'u_admin', 'admin'),
(:'other_org', :'u_other_staff', 'staff');
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Kid', :'u_kid') returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, revoked_at
)
values
(:'kid', :'u_mum', 'active', true, 'staff', now(), null),
(:'kid', :'u_dad', 'active', false, 'staff', now(), null),
(:'kid', :'u_gran', 'pending', false, 'code', null, null),
(:'kid', :'u_uncle', 'revoked', false, 'code', now() - interval '1 day', now());

-- one grant in force, one refusal, one grant that has run out (the job has not run)
select tutela_tests.authenticate_as(:'u_mum');
select
  tutela.set_consent(:'kid', 'journal', 'other_guardians', true, null, 'dad too')
  is not null as granted
\gset
select tutela.set_consent(:'kid', 'messaging', 'third_parties', false) is not null as refused
\gset
select
  tutela.set_consent(:'kid', 'grades', 'ai_tutor', true, now() + interval '1 day')
  is not null as expiring
\gset
select tutela_tests.clear_authentication();
update tutela.consent_records set expires_at = now() - interval '1 hour'
where student_id = :'kid' and data_type = 'grades' and recipient_type = 'ai_tutor';

prepare matrix as select tutela.get_consent_matrix(:'kid');

-- ---------------------------------------------------------------------------------------------
-- The shape and the values, as the primary guardian
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_mum');
select tutela.get_consent_matrix(:'kid') as m \gset
select tutela_tests.clear_authentication();
select set_eq(
  format($$select jsonb_object_keys(%L::jsonb -> 'matrix')$$, :'m'),
  $$values ('progress'), ('grades'), ('attendance'), ('sessions'), ('lessons'),
    ('card_content'), ('journal'), ('messaging'), ('profile')$$,
  'the matrix has the nine data types'
);
select is_empty(
  format(
    $$select d.key from jsonb_each(%L::jsonb -> 'matrix') as d
      where array(select jsonb_object_keys(d.value) order by 1)
        <> array['ai_tutor', 'other_guardians', 'teachers', 'third_parties']$$,
    :'m'
  ),
  'each data type has the four recipient types'
);
select results_eq(
  format(
    $$select count(*) from jsonb_each(%L::jsonb -> 'matrix') as d, jsonb_each(d.value) as r
      where jsonb_typeof(r.value -> 'granted') = 'boolean'$$,
    :'m'
  ),
  'values (36::bigint)',
  'all 36 cells carry a granted state'
);
select results_eq(
  format(
    $$select (%1$L::jsonb #>> '{matrix,journal,other_guardians,granted}')::boolean,
        %1$L::jsonb #>> '{matrix,journal,other_guardians,reason}',
        (%1$L::jsonb #>> '{matrix,messaging,third_parties,granted}')::boolean,
        (%1$L::jsonb #>> '{matrix,messaging,third_parties,revoked_at}') is not null,
        (%1$L::jsonb #>> '{matrix,grades,ai_tutor,granted}')::boolean,
        (%1$L::jsonb #>> '{matrix,progress,teachers,granted}')::boolean$$,
    :'m'
  ),
  $$values (true, 'dad too', false, true, false, false)$$,
  'granted, refused, expired and never-decided cells read true, false, false, false'
);
select results_eq(
  format(
    $$select count(*) from jsonb_each(%L::jsonb -> 'matrix') as d, jsonb_each(d.value) as r
      where (r.value ->> 'granted')::boolean$$,
    :'m'
  ),
  'values (1::bigint)',
  'only the grant in force reads granted'
);
select results_eq(
  format(
    $$select %1$L::jsonb ->> 'student_id', (%1$L::jsonb ->> 'under_consent_age')::boolean,
        %1$L::jsonb -> 'deciders', (%1$L::jsonb ->> 'you_decide')::boolean$$,
    :'m'
  ),
  format($$values (%L, true, jsonb_build_array(%L::uuid), true)$$, :'kid', :'u_mum'),
  'the primary guardian sees the child is under the age, the deciders, and that they decide'
);

-- ---------------------------------------------------------------------------------------------
-- Other readers: the same matrix, you_decide false
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_dad');
select is(
  tutela.get_consent_matrix(:'kid') -> 'matrix', :'m'::jsonb -> 'matrix',
  'a non-primary active guardian reads the same matrix'
);
select is(
  (tutela.get_consent_matrix(:'kid') ->> 'you_decide')::boolean, false,
  'the non-primary guardian does not decide'
);
select tutela_tests.authenticate_as(:'u_kid');
select is(
  tutela.get_consent_matrix(:'kid') -> 'deciders', jsonb_build_array(:'u_mum'::uuid),
  'the student reads the matrix and who decides'
);
select is(
  (tutela.get_consent_matrix(:'kid') ->> 'you_decide')::boolean, false,
  'the student under the age does not decide'
);
select tutela_tests.authenticate_as(:'u_staff');
select is(
  tutela.get_consent_matrix(:'kid') -> 'matrix', :'m'::jsonb -> 'matrix',
  'staff of the organisation read the matrix'
);
select is(
  (tutela.get_consent_matrix(:'kid') ->> 'you_decide')::boolean, false,
  'staff do not decide'
);
select tutela_tests.authenticate_as(:'u_admin');
select is(
  tutela.get_consent_matrix(:'kid') -> 'matrix', :'m'::jsonb -> 'matrix',
  'an admin of the organisation reads the matrix'
);

-- the records themselves, under RLS, to the same readers
select is(
  (select count(*) from tutela.consent_records where student_id = :'kid'), 3::bigint,
  'the admin reads the consent records'
);
select tutela_tests.authenticate_as(:'u_dad');
select is(
  (select count(*) from tutela.consent_records where student_id = :'kid'), 3::bigint,
  'an active guardian reads the consent records'
);

-- ---------------------------------------------------------------------------------------------
-- Refused
-- ---------------------------------------------------------------------------------------------
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('matrix', 'TU403', null, 'a stranger is refused');
select is_empty(
  format('select 1 from tutela.consent_records where student_id = %L', :'kid'),
  'a stranger reads no consent record'
);
select tutela_tests.authenticate_as(:'u_gran');
select throws_ok('matrix', 'TU403', null, 'a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_uncle');
select throws_ok('matrix', 'TU403', null, 'a revoked guardian is refused');
select is_empty(
  format('select 1 from tutela.consent_records where student_id = %L', :'kid'),
  'a revoked guardian reads no consent record'
);
select tutela_tests.authenticate_as(:'u_other_staff');
select throws_ok('matrix', 'TU403', null, 'staff of another organisation are refused');
select is_empty(
  format('select 1 from tutela.consent_records where student_id = %L', :'kid'),
  'staff of another organisation read no consent record'
);
select throws_ok(
  format('select tutela.get_consent_matrix(%L)', gen_random_uuid()),
  'TU403', null, 'an unknown student is TU403'
);
select tutela_tests.as_anon();
select throws_ok('matrix', '42501', null, 'anon may not call it');

-- ---------------------------------------------------------------------------------------------
-- At the age, the student decides and sees it
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
update tutela.students set birth_date = (now() at time zone 'UTC')::date - interval '20 years'
where id = :'kid';
select tutela_tests.authenticate_as(:'u_kid');
select results_eq(
  $$select (m ->> 'under_consent_age')::boolean, m -> 'deciders', (m ->> 'you_decide')::boolean
    from (select tutela.get_consent_matrix(s.id) as m from tutela.students as s
      where s.user_id = (select auth.uid())) as x$$,
  format($$values (false, jsonb_build_array(%L::uuid), true)$$, :'u_kid'),
  'at the age: the student is the decider and is told so'
);
select tutela_tests.authenticate_as(:'u_mum');
select is(
  (tutela.get_consent_matrix(:'kid') ->> 'you_decide')::boolean, false,
  'at the age: the primary guardian still reads the matrix but no longer decides'
);
select tutela_tests.authenticate_as(:'u_dad');
select is(
  (tutela.get_consent_matrix(:'kid') #>> '{matrix,journal,other_guardians,granted}')::boolean,
  true,
  'earlier decisions stay in force when the decider changes'
);

select * from finish();
rollback;
