-- Engagement: policies and grants written by hand (tables whose rules are not the registry's
-- student-data pattern). student_achievements is in policies/registry.toml.

-- ---------------------------------------------------------------------------------------------
-- achievements: the rule book, readable by every signed-in user; changed by seed_achievements()
-- ---------------------------------------------------------------------------------------------
revoke all on table public.achievements from anon, authenticated;
grant select on table public.achievements to authenticated;

drop policy if exists achievements_select on public.achievements;
create policy achievements_select on public.achievements
for select to authenticated
using (true);

-- ---------------------------------------------------------------------------------------------
-- goals: the student manages their own goals; a guardian with `progress` reads the child's
-- goals and manages the family goals they created; staff read.
-- ---------------------------------------------------------------------------------------------
revoke all on table public.goals from anon, authenticated;
grant select, insert, update, delete on table public.goals to authenticated;

drop policy if exists goals_select on public.goals;
create policy goals_select on public.goals
for select to authenticated
using (student_id in (select private.readable_student_ids('progress')));

drop policy if exists goals_insert on public.goals;
create policy goals_insert on public.goals
for insert to authenticated
with check (
  (kind = 'student' and student_id in (select private.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select private.guardian_student_ids('progress'))
  )
);

drop policy if exists goals_update on public.goals;
create policy goals_update on public.goals
for update to authenticated
using (
  (kind = 'student' and student_id in (select private.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select private.guardian_student_ids('progress'))
  )
)
with check (
  (kind = 'student' and student_id in (select private.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select private.guardian_student_ids('progress'))
  )
);

drop policy if exists goals_delete on public.goals;
create policy goals_delete on public.goals
for delete to authenticated
using (
  (kind = 'student' and student_id in (select private.own_student_ids()))
  or (
    kind = 'family' and created_by = (select auth.uid())
    and student_id in (select private.guardian_student_ids('progress'))
  )
);

-- ---------------------------------------------------------------------------------------------
-- guardian_mood_entries: private to the guardian who wrote them
-- ---------------------------------------------------------------------------------------------
revoke all on table public.guardian_mood_entries from anon, authenticated;
grant select, insert, update, delete on table public.guardian_mood_entries to authenticated;

drop policy if exists guardian_mood_entries_select on public.guardian_mood_entries;
create policy guardian_mood_entries_select on public.guardian_mood_entries
for select to authenticated
using (guardian_id = (select auth.uid()));

drop policy if exists guardian_mood_entries_insert on public.guardian_mood_entries;
create policy guardian_mood_entries_insert on public.guardian_mood_entries
for insert to authenticated
with check (
  guardian_id = (select auth.uid())
  and (student_id is null or student_id in (select private.guardian_student_ids()))
);

drop policy if exists guardian_mood_entries_update on public.guardian_mood_entries;
create policy guardian_mood_entries_update on public.guardian_mood_entries
for update to authenticated
using (guardian_id = (select auth.uid()))
with check (
  guardian_id = (select auth.uid())
  and (student_id is null or student_id in (select private.guardian_student_ids()))
);

drop policy if exists guardian_mood_entries_delete on public.guardian_mood_entries;
create policy guardian_mood_entries_delete on public.guardian_mood_entries
for delete to authenticated
using (guardian_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- messaging: members (whose relationship still holds) read and post; start_conversation,
-- mark_conversation_read and unread_counts do the rest
-- ---------------------------------------------------------------------------------------------
revoke all on table public.conversations from anon, authenticated;
grant select on table public.conversations to authenticated;

drop policy if exists conversations_select on public.conversations;
create policy conversations_select on public.conversations
for select to authenticated
using (id in (select private.my_conversation_ids()));

revoke all on table public.conversation_members from anon, authenticated;
grant select on table public.conversation_members to authenticated;

drop policy if exists conversation_members_select on public.conversation_members;
create policy conversation_members_select on public.conversation_members
for select to authenticated
using (conversation_id in (select private.my_conversation_ids()));

revoke all on table public.messages from anon, authenticated;
grant select on table public.messages to authenticated;
grant insert (conversation_id, body) on table public.messages to authenticated;

drop policy if exists messages_select on public.messages;
create policy messages_select on public.messages
for select to authenticated
using (conversation_id in (select private.my_conversation_ids()));

drop policy if exists messages_insert on public.messages;
create policy messages_insert on public.messages
for insert to authenticated
with check (
  conversation_id in (select private.my_conversation_ids())
  and sender_id = (select auth.uid())
  and kind = 'text'
);

-- ---------------------------------------------------------------------------------------------
-- private: no API access
-- ---------------------------------------------------------------------------------------------
revoke all on table private.achievement_queue from public, anon, authenticated, service_role;
