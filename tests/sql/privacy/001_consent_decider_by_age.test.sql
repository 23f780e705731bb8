-- Who decides a student's consent (tutela_private.consent_deciders, enforced by set_consent):
-- under the organisation's digital-consent age (default 16) the active primary guardian, or
-- every active guardian when none is primary; at or above it the student (their login). A
-- pending or revoked guardian never decides; an unknown birth date counts as under the age;
-- changing organizations.digital_consent_age moves the line. Everyone else gets TU403.
begin;
select plan(30);

select tutela_tests.create_user('young@consent.test') as u_young \gset
select tutela_tests.create_user('adult@consent.test') as u_adult \gset
select tutela_tests.create_user('unknown@consent.test') as u_unknown \gset
select tutela_tests.create_user('mum@consent.test') as u_mum \gset
select tutela_tests.create_user('dad@consent.test') as u_dad \gset
select tutela_tests.create_user('gran@consent.test') as u_gran \gset
select tutela_tests.create_user('uncle@consent.test') as u_uncle \gset
select tutela_tests.create_user('stranger@consent.test') as u_stranger \gset

insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Consent School', 'consent-school', 10) returning id as org \gset

-- today's cut-off: a child born on it is exactly 16 today (UTC)
select ((now() at time zone 'UTC')::date - make_interval(years => 16))::date as cutoff16
\gset

-- one day under the age, exactly the age, and no birth date
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Young', :'u_young', (:'cutoff16'::date + 1))
returning id as young \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Adult', :'u_adult', :'cutoff16'::date)
returning id as adult \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Unknown', :'u_unknown', null)
returning id as unknown \gset

-- every child: mum active primary, dad active; the young child also a pending and a revoked one
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at, revoked_at
)
values
(:'young', :'u_mum', 'active', true, 'staff', now(), null),
(:'young', :'u_dad', 'active', false, 'staff', now(), null),
(:'young', :'u_gran', 'pending', false, 'code', null, null),
(:'young', :'u_uncle', 'revoked', false, 'code', now() - interval '1 day', now()),
(:'adult', :'u_mum', 'active', true, 'staff', now(), null),
(:'adult', :'u_dad', 'active', false, 'staff', now(), null),
(:'unknown', :'u_mum', 'active', true, 'staff', now(), null),
(:'unknown', :'u_dad', 'active', false, 'staff', now(), null);

prepare grant_young as select tutela.set_consent(:'young', 'progress', 'teachers', true);
prepare grant_adult as select tutela.set_consent(:'adult', 'progress', 'teachers', true);
prepare grant_unknown as select tutela.set_consent(:'unknown', 'progress', 'teachers', true);

-- ---------------------------------------------------------------------------------------------
-- One day under the age: the active primary guardian
-- ---------------------------------------------------------------------------------------------
select ok(tutela_private.under_consent_age(:'young'), 'one day under the age is under it');
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'young'),
  format('values (%L::uuid)', :'u_mum'),
  'under the age: the active primary guardian alone decides'
);
select tutela_tests.authenticate_as(:'u_mum');
select lives_ok('grant_young', 'under the age: the primary guardian sets consent');
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok('grant_young', 'TU403', null, 'under the age: a non-primary guardian is refused');
select tutela_tests.authenticate_as(:'u_young');
select throws_ok('grant_young', 'TU403', null, 'under the age: the student is refused');
select tutela_tests.authenticate_as(:'u_gran');
select throws_ok('grant_young', 'TU403', null, 'under the age: a pending guardian is refused');
select tutela_tests.authenticate_as(:'u_uncle');
select throws_ok('grant_young', 'TU403', null, 'under the age: a revoked guardian is refused');
select tutela_tests.authenticate_as(:'u_stranger');
select throws_ok('grant_young', 'TU403', null, 'under the age: a stranger is refused');

-- no primary guardian: every active guardian decides, pending and revoked still not
select tutela_tests.clear_authentication();
update tutela.guardian_links set is_primary = false where student_id = :'young';
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'young'),
  format('values (%L::uuid), (%L::uuid)', :'u_mum', :'u_dad'),
  'no primary guardian: every active guardian decides'
);
select tutela_tests.authenticate_as(:'u_dad');
select lives_ok('grant_young', 'no primary guardian: an active guardian sets consent');
select tutela_tests.authenticate_as(:'u_mum');
select lives_ok('grant_young', 'no primary guardian: the other active guardian too');
select tutela_tests.authenticate_as(:'u_gran');
select throws_ok('grant_young', 'TU403', null, 'no primary guardian: pending is still refused');
select tutela_tests.authenticate_as(:'u_uncle');
select throws_ok('grant_young', 'TU403', null, 'no primary guardian: revoked is still refused');
select tutela_tests.authenticate_as(:'u_young');
select throws_ok('grant_young', 'TU403', null, 'no primary guardian: the child is still refused');
select tutela_tests.clear_authentication();
update tutela.guardian_links set is_primary = true
where student_id = :'young' and guardian_id = :'u_mum';

-- ---------------------------------------------------------------------------------------------
-- Exactly the age (born on this day, 16 years ago): the student
-- ---------------------------------------------------------------------------------------------
select ok(
  not tutela_private.under_consent_age(:'adult'), 'born exactly 16 years ago is not under 16'
);
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'adult'),
  format('values (%L::uuid)', :'u_adult'),
  'at the age: the student alone decides'
);
select tutela_tests.authenticate_as(:'u_adult');
select lives_ok('grant_adult', 'at the age: the student sets consent');
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok('grant_adult', 'TU403', null, 'at the age: the primary guardian is refused');
select tutela_tests.authenticate_as(:'u_dad');
select throws_ok('grant_adult', 'TU403', null, 'at the age: another guardian is refused');

-- ---------------------------------------------------------------------------------------------
-- The organisation moves the line
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 17 where id = :'org';
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'adult'),
  format('values (%L::uuid)', :'u_mum'),
  'consent age 17: the 16-year-old is under it again, the primary guardian decides'
);
select tutela_tests.authenticate_as(:'u_mum');
select lives_ok('grant_adult', 'consent age 17: the primary guardian sets the consent');
select tutela_tests.authenticate_as(:'u_adult');
select throws_ok('grant_adult', 'TU403', null, 'consent age 17: the 16-year-old is refused');

select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 15 where id = :'org';
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'young'),
  format('values (%L::uuid)', :'u_young'),
  'consent age 15: the child one day under 16 now decides alone'
);
select tutela_tests.authenticate_as(:'u_young');
select lives_ok('grant_young', 'consent age 15: the child sets their own consent');
select tutela_tests.authenticate_as(:'u_mum');
select throws_ok('grant_young', 'TU403', null, 'consent age 15: the primary guardian is refused');

-- ---------------------------------------------------------------------------------------------
-- Unknown birth date: under the age, whatever the age is
-- ---------------------------------------------------------------------------------------------
select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 13 where id = :'org';
select ok(
  tutela_private.under_consent_age(:'unknown'), 'an unknown birth date counts as under the age'
);
select set_eq(
  format('select tutela_private.consent_deciders(%L)', :'unknown'),
  format('values (%L::uuid)', :'u_mum'),
  'unknown birth date: the primary guardian decides'
);
select tutela_tests.authenticate_as(:'u_mum');
select lives_ok('grant_unknown', 'unknown birth date: the primary guardian sets consent');
select tutela_tests.authenticate_as(:'u_unknown');
select throws_ok('grant_unknown', 'TU403', null, 'unknown birth date: the student is refused');

-- at the age without a login, nobody decides (the consent stays as it is)
select tutela_tests.clear_authentication();
update tutela.organizations set digital_consent_age = 16 where id = :'org';
update tutela.students set user_id = null where id = :'adult';
select is_empty(
  format('select tutela_private.consent_deciders(%L)', :'adult'),
  'at the age without a login: nobody decides'
);

select * from finish();
rollback;
