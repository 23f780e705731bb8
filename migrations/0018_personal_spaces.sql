-- tutela:created 20261208011000
-- Personal spaces (issue 17, "Apps without schools"): a consumer app has children and parents
-- but no school. A child who signs up on their own gets a personal organisation of their own,
-- created on first use by tutela.ensure_personal_space() (rpc/personal_spaces.sql), and is its
-- only student. The organisation is marked by the login it belongs to; it has no members.
--
-- on delete cascade: when Supabase Auth deletes the login, its personal space goes with it
-- (the student record and everything hanging on it). A school's student record outlives its
-- login (students.user_id is set null); a personal space has no one else to keep it for, and
-- the erasure (tutela.erase_student_data) removes it the same way, as Auth's deletion would.

alter table tutela.organizations
add column personal_user_id uuid unique references auth.users (id) on delete cascade;

comment on column tutela.organizations.personal_user_id is
'Set on a personal space: the login whose own organisation this is (its only student). '
'Null for a school, academy or family organisation. '
'See docs/guardianship.md, "Apps without schools".';
