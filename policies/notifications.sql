-- Notifications: each user reads and edits their own preferences and thresholds through the
-- functions; alerts are readable by their recipient (Supabase Realtime can stream them) while
-- the recipient may still read the child's data for the permission the alert's type needs.

revoke all on table tutela.notification_preferences from public, anon, authenticated, service_role;
grant all on table tutela.notification_preferences to service_role;
grant select on table tutela.notification_preferences to authenticated;

drop policy if exists notification_preferences_select on tutela.notification_preferences;
create policy notification_preferences_select on tutela.notification_preferences
for select to authenticated
using (user_id = (select auth.uid()));

revoke all on table tutela.alert_thresholds from public, anon, authenticated, service_role;
grant all on table tutela.alert_thresholds to service_role;
grant select, delete on table tutela.alert_thresholds to authenticated;

drop policy if exists alert_thresholds_select on tutela.alert_thresholds;
create policy alert_thresholds_select on tutela.alert_thresholds
for select to authenticated
using (guardian_id = (select auth.uid()));

drop policy if exists alert_thresholds_delete on tutela.alert_thresholds;
create policy alert_thresholds_delete on tutela.alert_thresholds
for delete to authenticated
using (guardian_id = (select auth.uid()));

revoke all on table tutela.alerts from public, anon, authenticated, service_role;
grant all on table tutela.alerts to service_role;
grant select on table tutela.alerts to authenticated;

drop policy if exists alerts_select on tutela.alerts;
create policy alerts_select on tutela.alerts
for select to authenticated
using (
  recipient_id = (select auth.uid())
  and (
    student_id is null
    -- an alert about a child: while the recipient may read that child's data for the
    -- permission its type needs (tutela_private.notification_types(); one branch per permission of
    -- tutela_private.alert_permissions(); each array evaluated once per statement, an InitPlan)
    or (
      type = any((select tutela_hidden.alert_types('grades'))::text[])
      and student_id = any(array(select tutela_hidden.readable_student_ids('grades')))
    )
    or (
      type = any((select tutela_hidden.alert_types('attendance'))::text[])
      and student_id = any(array(select tutela_hidden.readable_student_ids('attendance')))
    )
    or (
      type = any((select tutela_hidden.alert_types('progress'))::text[])
      and student_id = any(array(select tutela_hidden.readable_student_ids('progress')))
    )
  )
);

revoke all on table tutela_private.course_averages from public, anon, authenticated, service_role;
revoke all on table tutela_private.weekly_digests from public, anon, authenticated, service_role;
revoke all on table tutela_private.jobs from public, anon, authenticated, service_role;
