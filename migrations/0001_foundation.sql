-- tutela:created 20261122000000
-- Foundation: privileges and the private schema.

-- Functions are not executable by PUBLIC unless a grant says so.
alter default privileges revoke execute on functions from public;

-- private: tables and helpers that clients never address directly.
create schema if not exists private;
revoke all on schema private from public;
