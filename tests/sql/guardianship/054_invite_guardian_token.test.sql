-- invite_guardian returns (invite_id, token, expires_at). The token is 43 characters of
-- base64url (256 random bits); the table keeps only sha256(token), never the token; the invite
-- expires after the organisation's guardian_invite_ttl.
begin;
select plan(9);

select tutela_tests.create_user('admin@example.test') as admin \gset

select tutela_tests.authenticate_as(:'admin');
select id as org from tutela.create_organization('Org', 'org-slug') \gset
select tutela.update_organization_settings(:'org', '{"guardian_invite_ttl": "3 days"}');
select id as student from tutela.create_student(:'org', 'Kid') \gset
select
  invite_id,
  token,
  expires_at
from tutela.invite_guardian(:'student', 'gran@example.test') \gset
select token as token2 from tutela.invite_guardian(:'student', 'gramps@example.test') \gset

select is(length(:'token'), 43, 'the token is 43 characters long');
select matches(:'token'::text, '^[A-Za-z0-9_-]{43}$', 'the token is base64url without padding');
select isnt(:'token'::text, :'token2'::text, 'every invite gets its own token');
select is(
  :'expires_at'::timestamptz,
  now() + interval '3 days',
  'expires_at is now() plus the organisation''s guardian_invite_ttl'
);

select tutela_tests.clear_authentication();
select is(
  (select token_hash from tutela.guardian_invites where id = :'invite_id'),
  sha256(convert_to(:'token', 'UTF8')),
  'the table stores sha256 of the token'
);
select is(
  (select expires_at from tutela.guardian_invites where id = :'invite_id'),
  :'expires_at'::timestamptz,
  'the stored expiry is the one returned'
);
select is_empty(
  format(
    $$ select 1 from tutela.guardian_invites as i
       where strpos(to_jsonb(i)::text, %L) > 0 or strpos(to_jsonb(i)::text, %L) > 0 $$,
    :'token', :'token2'
  ),
  'no column of guardian_invites holds a plain token'
);

-- the hash is not readable through the API, even by the staff who sent the invite
select tutela_tests.authenticate_as(:'admin');
select throws_ok(
  'select token_hash from tutela.guardian_invites',
  '42501', null, 'authenticated users cannot read token_hash'
);
select is(
  (select count(*) from tutela.guardian_invites where student_id = :'student'),
  2::bigint,
  'staff still read the invites without the hash'
);

select * from finish();
rollback;
