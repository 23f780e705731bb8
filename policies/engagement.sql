-- Engagement: policies and grants written by hand (tables whose rules are not the registry's
-- student-data pattern). student_achievements is in policies/registry.toml.

-- ---------------------------------------------------------------------------------------------
-- achievements: the rule book, readable by every signed-in user; changed by seed_achievements()
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.achievements from public, anon, authenticated, service_role;
grant all on table tutela.achievements to service_role;
grant select on table tutela.achievements to authenticated;

drop policy if exists achievements_select on tutela.achievements;
create policy achievements_select on tutela.achievements
for select to authenticated
using (true);

-- ---------------------------------------------------------------------------------------------
-- goals: the student manages their own goals; a guardian with `progress` reads the child's
-- goals and manages the family goals they created; staff read.
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.goals from public, anon, authenticated, service_role;
grant all on table tutela.goals to service_role;
grant select, insert, update, delete on table tutela.goals to authenticated;

drop policy if exists goals_select on tutela.goals;
create policy goals_select on tutela.goals
for select to authenticated
using (student_id in (select tutela_hidden.readable_student_ids('progress')));

drop policy if exists goals_insert on tutela.goals;
create policy goals_insert on tutela.goals
for insert to authenticated
with check (
  (kind = 'student' and student_id in (select tutela_hidden.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select tutela_hidden.guardian_student_ids('progress'))
  )
);

drop policy if exists goals_update on tutela.goals;
create policy goals_update on tutela.goals
for update to authenticated
using (
  (kind = 'student' and student_id in (select tutela_hidden.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select tutela_hidden.guardian_student_ids('progress'))
  )
)
with check (
  (kind = 'student' and student_id in (select tutela_hidden.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select tutela_hidden.guardian_student_ids('progress'))
  )
);

drop policy if exists goals_delete on tutela.goals;
create policy goals_delete on tutela.goals
for delete to authenticated
using (
  (kind = 'student' and student_id in (select tutela_hidden.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select tutela_hidden.guardian_student_ids('progress'))
  )
);

-- ---------------------------------------------------------------------------------------------
-- guardian_mood_entries: private to the guardian who wrote them
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.guardian_mood_entries from public, anon, authenticated, service_role;
grant all on table tutela.guardian_mood_entries to service_role;
grant select, insert, update, delete on table tutela.guardian_mood_entries to authenticated;

drop policy if exists guardian_mood_entries_select on tutela.guardian_mood_entries;
create policy guardian_mood_entries_select on tutela.guardian_mood_entries
for select to authenticated
using (guardian_id = (select auth.uid()));

drop policy if exists guardian_mood_entries_insert on tutela.guardian_mood_entries;
create policy guardian_mood_entries_insert on tutela.guardian_mood_entries
for insert to authenticated
with check (
  guardian_id = (select auth.uid())
  and (student_id is null or student_id in (select tutela_hidden.guardian_student_ids()))
);

drop policy if exists guardian_mood_entries_update on tutela.guardian_mood_entries;
create policy guardian_mood_entries_update on tutela.guardian_mood_entries
for update to authenticated
using (guardian_id = (select auth.uid()))
with check (
  guardian_id = (select auth.uid())
  and (student_id is null or student_id in (select tutela_hidden.guardian_student_ids()))
);

drop policy if exists guardian_mood_entries_delete on tutela.guardian_mood_entries;
create policy guardian_mood_entries_delete on tutela.guardian_mood_entries
for delete to authenticated
using (guardian_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- messaging: members (whose relationship still holds) read and post; start_conversation,
-- mark_conversation_read and unread_counts do the rest
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela.conversations from public, anon, authenticated, service_role;
grant all on table tutela.conversations to service_role;
grant select on table tutela.conversations to authenticated;

drop policy if exists conversations_select on tutela.conversations;
create policy conversations_select on tutela.conversations
for select to authenticated
using (id in (select tutela_hidden.my_conversation_ids()));

revoke all on table tutela.conversation_members from public, anon, authenticated, service_role;
grant all on table tutela.conversation_members to service_role;
grant select on table tutela.conversation_members to authenticated;

drop policy if exists conversation_members_select on tutela.conversation_members;
create policy conversation_members_select on tutela.conversation_members
for select to authenticated
using (conversation_id in (select tutela_hidden.my_conversation_ids()));

revoke all on table tutela.messages from public, anon, authenticated, service_role;
-- the identity column's sequence: no API role needs it (identity values need no privilege)
revoke all on sequence tutela.messages_id_seq from public, anon, authenticated, service_role;
grant all on table tutela.messages to service_role;
grant select on table tutela.messages to authenticated;
grant insert (conversation_id, body) on table tutela.messages to authenticated;

drop policy if exists messages_select on tutela.messages;
create policy messages_select on tutela.messages
for select to authenticated
using (conversation_id in (select tutela_hidden.my_conversation_ids()));

drop policy if exists messages_insert on tutela.messages;
create policy messages_insert on tutela.messages
for insert to authenticated
with check (
  conversation_id in (select tutela_hidden.my_conversation_ids())
  and sender_id = (select auth.uid())
  and kind = 'text'
);

-- ---------------------------------------------------------------------------------------------
-- private: no API access
-- ---------------------------------------------------------------------------------------------
revoke all on table tutela_private.achievement_queue from public, anon, authenticated, service_role;
