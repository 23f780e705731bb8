-- Personal spaces: apps without schools (issue 17; docs/guardianship.md, "Apps without schools").
--
-- A consumer app has children and parents but no organisation and no staff. A child who signed
-- up on their own (an auth.users row and the profile the sign-up trigger made, nothing else)
-- calls tutela.ensure_personal_space(): the first call creates an organisation of their own
-- (organizations.personal_user_id = the child's login, migrations/0018) with the child as its
-- only student; every later call returns the same student record. From then on the ordinary
-- flow works: create_guardian_link_code(), redeem_guardian_link_code(), approve_guardian_link().
--
-- A personal space has no members: nobody administers it through the API (the child is its
-- student, not its admin); the service role (the app's back office) changes its settings with
-- SQL or the Data API. Two triggers keep it that way for every writer, the service role included.

create or replace function tutela.ensure_personal_space(p_display_name text default null)
returns tutela.students
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := tutela_hidden.require_uid();  -- a signed-in user, for themself only
  v_student tutela.students;
  v_org tutela.organizations;
  v_name text;
begin
  -- one call at a time per user: two first calls in parallel make one space
  perform pg_catalog.pg_advisory_xact_lock(
    pg_catalog.hashtextextended('tutela.personal_space:' || v_uid::text, 0)
  );
  if p_display_name is not null and char_length(btrim(p_display_name)) not between 1 and 200 then
    perform tutela_private.invalid('the display name must be 1 to 200 characters',
      'Leave it out to use the name of your profile.');
  end if;
  -- who may: a user who is nobody else in Tutela yet, or already has this space (idempotent)
  select * into v_student from tutela.students as s where s.user_id = v_uid;
  if found then
    if exists (
      select 1 from tutela.organizations as o
      where o.id = v_student.organization_id and o.personal_user_id = v_uid
    ) then
      return v_student;  -- the space exists: the same record, unchanged
    end if;
    perform tutela_private.conflict('you are already a student of an organisation',
      'already_student', 'Create link codes for your record there: create_guardian_link_code().');
  end if;
  if exists (select 1 from tutela.memberships as m where m.user_id = v_uid) then
    perform tutela_private.conflict('staff and admins of an organisation get no personal space',
      'is_member');
  end if;
  if exists (select 1 from tutela.guardian_links as l where l.guardian_id = v_uid) then
    -- a parent who opened the wrong screen must not become a student by accident
    perform tutela_private.conflict('a guardian gets no personal space', 'is_guardian');
  end if;

  v_name := coalesce(
    btrim(p_display_name),
    (select nullif(btrim(p.display_name), '') from tutela.profiles as p where p.user_id = v_uid),
    'Student'
  );
  -- an empty space of this login may be left from an erasure of a login with other roles
  select * into v_org from tutela.organizations as o where o.personal_user_id = v_uid;
  if not found then
    -- consumer defaults: no staff to vouch for anyone, so the child approves every guardian
    -- (link_requires_student_approval) and every link starts with the child's own code
    -- (guardian_invite_policy 'admins': a personal space has none, so nobody sends invites)
    insert into tutela.organizations (
      name, slug, created_by, personal_user_id, max_guardians_per_student,
      link_requires_student_approval, guardian_invite_policy, students_may_create_link_codes,
      family_access_enabled, roster_trusted
    )
    values (
      'Personal space',
      -- random, not derived from the login: the slug must not name the child
      'personal-' || pg_catalog.replace(gen_random_uuid()::text, '-', ''),
      v_uid, v_uid, 2, true, 'admins', true, true, false
    )
    returning * into v_org;
  end if;
  insert into tutela.students (organization_id, display_name, user_id, created_by)
  values (v_org.id, v_name, v_uid, v_uid)
  returning * into v_student;
  -- both events name the student, so that an erasure pseudonymises them
  perform tutela_private.audit('organization_created', 'student', v_org.id, v_student.id,
    p_new => to_jsonb(v_org));
  perform tutela_private.audit('student_created', 'student', v_org.id, v_student.id,
    p_subject_user_id => v_uid, p_new => to_jsonb(v_student));
  return v_student;
exception
  when unique_violation then
    -- a space or record committed after this transaction's snapshot (REPEATABLE READ or
    -- SERIALIZABLE; at READ COMMITTED the lock above lets the later call see it): retry, and
    -- the retry returns that record or says why not
    raise exception 'a personal space was made meanwhile; try again'
      using errcode = '40001', hint = 'Retry the call.';
end;
$$;

comment on function tutela.ensure_personal_space(text) is
'Makes the caller the student of a personal space of their own (created on first use; later '
'calls return the same record). For apps without schools; not for staff, guardians or '
'students of an organisation (TU409).';
revoke all on function tutela.ensure_personal_space(text)
from public, anon, authenticated, service_role;
grant execute on function tutela.ensure_personal_space(text) to authenticated;

-- A personal space has no members: no staff, no admin (whoever writes the row).
create or replace function tutela_private.personal_space_has_no_members()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from tutela.organizations as o
    where o.id = new.organization_id and o.personal_user_id is not null
  ) then
    raise exception 'a personal space has no members'
      using errcode = 'TU409', detail = 'personal_space';
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.personal_space_has_no_members()
from public, anon, authenticated, service_role;

drop trigger if exists memberships_personal_space on tutela.memberships;
create trigger memberships_personal_space
before insert or update of organization_id on tutela.memberships
for each row execute function tutela_private.personal_space_has_no_members();

-- A personal space has one student: its owner's record, with the owner's login. When Supabase
-- Auth deletes the login, its foreign keys first set the record's user_id and created_by null,
-- then delete the space (and with it the record): the updates are skipped here, so that the
-- deletion finds the record as it was (an update of a record made in the same transaction
-- would otherwise have its organisation checked after the space is gone).
create or replace function tutela_private.personal_space_has_one_student()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select o.personal_user_id into v_owner from tutela.organizations as o
  where o.id = new.organization_id;
  if v_owner is null then
    return new;  -- not a personal space
  end if;
  if tg_op = 'UPDATE' and new.organization_id = old.organization_id
    and not exists (select 1 from auth.users as u where u.id = v_owner) then
    return null;  -- the owner's login is being deleted: the space and this record go with it
  end if;
  if new.user_id is distinct from v_owner then
    raise exception 'a personal space has only its owner as student'
      using errcode = 'TU409', detail = 'personal_space';
  end if;
  return new;
end;
$$;

revoke all on function tutela_private.personal_space_has_one_student()
from public, anon, authenticated, service_role;

drop trigger if exists students_personal_space on tutela.students;
create trigger students_personal_space
before insert or update of organization_id, user_id, created_by on tutela.students
for each row execute function tutela_private.personal_space_has_one_student();
