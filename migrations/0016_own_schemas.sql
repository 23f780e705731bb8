-- tutela:created 20261207210000
-- Tutela in schemas of its own (issue 26): moves a 0.1 database (migrations 0001-0015, built in
-- public and private) into the layout a fresh install gets from migrations/baseline/0016.
--
-- Everything is moved, not copied: `alter ... set schema` keeps every row, index, constraint,
-- sequence, policy, trigger, grant and comment; the runner then re-applies rpc/ and policies/,
-- which replace the moved functions' bodies with ones that name the new schemas. Only objects
-- Tutela 0.1 created are named below (its manifest at 0015). Nothing of an app's is touched;
-- what 0.1 changed outside its own objects is given back (the default privileges, the schema
-- `private` when Tutela's objects were all it held).
--
--   public.*           -> tutela.*          what clients read and call
--   private.<helper>   -> tutela_hidden.*   helpers the API roles execute (policies, defaults)
--   private.*          -> tutela_private.*  everything else, with the migration ledger
--   on_auth_user_created (auth.users)  -> tutela_on_auth_user_created
--   pg_cron jobs <name>                -> tutela_<name>

create schema tutela;
comment on schema tutela is
'Tutela: the API (tables under RLS, rpc() functions). Exposed to the Data API.';
grant usage on schema tutela to anon, authenticated, service_role;

create schema tutela_hidden;
comment on schema tutela_hidden is
'Tutela: helpers that policies and functions call as the API roles. Usable, never exposed.';
revoke all on schema tutela_hidden from public;
grant usage on schema tutela_hidden to authenticated, service_role;

create schema tutela_private;
comment on schema tutela_private is 'Tutela: internal tables and functions. No API role has usage.';
revoke all on schema tutela_private from public;

-- Functions, by their 0.1 signature. A database whose rpc/ was last applied by an older 0.1 may
-- lack some: those are skipped here and created by the re-applied rpc/. Functions move first,
-- while the table types their signatures name still resolve.
do $move$
declare
  v_fn text;
begin
  foreach v_fn in array array[
    'tutela_private|private.achievement_metrics(uuid[])',
    'tutela_private|private.activity_after_delete()',
    'tutela_private|private.activity_after_insert()',
    'tutela_private|private.activity_before_insert()',
    'tutela_hidden|private.admin_organization_ids()',
    'tutela_private|private.alert_permissions()',
    'tutela_private|private.alert_readable(uuid,text)',
    'tutela_hidden|private.alert_types(text)',
    'tutela_private|private.all_permissions()',
    'tutela_private|private.apply_payment(text,text,jsonb,jsonb)',
    'tutela_private|private.attach_guardian(public.students,uuid,text,jsonb,text,text,text,text,timestamp with time zone,uuid,uuid,text,boolean)',
    'tutela_private|private.audit(text,text,uuid,uuid,uuid,uuid,uuid,uuid,jsonb,jsonb)',
    'tutela_private|private.audit_subscription(text,public.subscriptions,public.subscriptions)',
    'tutela_private|private.award_achievements(uuid[])',
    'tutela_private|private.badges(uuid,integer)',
    'tutela_private|private.caller_permissions(uuid)',
    'tutela_private|private.cancel_erasure_request(uuid,text)',
    'tutela_private|private.cancel_outbox_on_link_change()',
    'tutela_private|private.cancel_unsendable(uuid[])',
    'tutela_private|private.card_review_before_insert()',
    'tutela_private|private.card_reviews_after_delete()',
    'tutela_private|private.card_reviews_after_insert()',
    'tutela_private|private.check_payment_callback_keys(text,text)',
    'tutela_private|private.check_relation(text)',
    'tutela_private|private.check_skill_level()',
    'tutela_private|private.check_submission_scores()',
    'tutela_private|private.child_card(public.guardian_links)',
    'tutela_hidden|private.child_overview_doc(uuid,jsonb)',
    'tutela_private|private.coaching_section(uuid,jsonb,jsonb)',
    'tutela_private|private.code_maker_role(private.guardian_link_codes,public.students)',
    'tutela_private|private.conflict(text,text,text)',
    'tutela_private|private.consent_deciders(uuid)',
    'tutela_private|private.consent_granted(uuid,text,text)',
    'tutela_private|private.create_guardian_invite(public.students,text,text,text,jsonb,uuid,text,text,boolean,boolean)',
    'tutela_private|private.create_member_invite(public.organizations,text,text,text,uuid,text,text,boolean)',
    'tutela_private|private.data_rights_basis(uuid,uuid)',
    'tutela_private|private.data_rights_lost(public.data_requests)',
    'tutela_hidden|private.default_link_permissions()',
    'tutela_private|private.deny(text)',
    'tutela_private|private.drain_achievement_queue(integer)',
    'tutela_private|private.effective_preference(uuid,uuid,text)',
    'tutela_private|private.enforce_guardian_cap()',
    'tutela_private|private.enqueue(text,text,text,uuid,text,uuid,jsonb)',
    'tutela_private|private.expire_consents()',
    'tutela_private|private.expire_invites()',
    'tutela_hidden|private.export_gated_sections(uuid)',
    'tutela_hidden|private.export_rules()',
    'tutela_private|private.family_access_on(uuid)',
    'tutela_hidden|private.flashcard_overview(uuid,boolean)',
    'tutela_private|private.forbid_audit_change()',
    'tutela_private|private.forbid_history_update()',
    'tutela_private|private.format_link_code(text)',
    'tutela_private|private.guardian_access_gap(uuid,uuid,text)',
    'tutela_private|private.guardian_inviter_role(public.guardian_invites)',
    'tutela_private|private.guardian_links_cancel_erasure_requests()',
    'tutela_private|private.guardian_slots_left(uuid)',
    'tutela_hidden|private.guardian_student_ids(text)',
    'tutela_private|private.handle_new_user()',
    'tutela_private|private.hash_secret(text)',
    'tutela_private|private.invalid(text,text)',
    'tutela_private|private.invite_mail_dead(text,uuid)',
    'tutela_hidden|private.is_erased_user(uuid)',
    'tutela_private|private.is_payer(public.subscriptions,uuid)',
    'tutela_private|private.is_service_role(boolean)',
    'tutela_private|private.is_support_staff(uuid)',
    'tutela_private|private.keep_an_admin(uuid,uuid)',
    'tutela_private|private.keep_column()',
    'tutela_private|private.link_code_limits()',
    'tutela_private|private.link_org(public.guardian_links)',
    'tutela_hidden|private.link_permission_keys()',
    'tutela_private|private.live_streak(public.student_stats)',
    'tutela_private|private.lock_link(uuid,text)',
    'tutela_private|private.lock_stats(uuid[])',
    'tutela_private|private.lock_student(uuid)',
    'tutela_private|private.lock_subscription_for_payer(uuid)',
    'tutela_private|private.make_primary(public.guardian_links,text)',
    'tutela_private|private.masked_fields(jsonb)',
    'tutela_private|private.member_inviter_ok(public.membership_invites)',
    'tutela_private|private.memberships_cancel_erasure_requests()',
    'tutela_private|private.merge_link_permissions(jsonb,jsonb)',
    'tutela_hidden|private.my_conversation_ids()',
    'tutela_hidden|private.my_link_student_ids()',
    'tutela_private|private.my_member_invite(text)',
    'tutela_private|private.narrow_link_permissions(jsonb,jsonb)',
    'tutela_private|private.new_link_code()',
    'tutela_private|private.new_token()',
    'tutela_private|private.normalize_link_code(text)',
    'tutela_private|private.not_found(text,text)',
    'tutela_private|private.notification_types()',
    'tutela_private|private.notify(uuid,text,text,text,text,jsonb,text,text,text,uuid[])',
    'tutela_private|private.on_attendance_change()',
    'tutela_private|private.on_certificate_issued()',
    'tutela_private|private.on_submissions_change()',
    'tutela_private|private.open_assignments(uuid,timestamp with time zone,timestamp with time zone,integer)',
    'tutela_private|private.organizations_cancel_erasure_requests()',
    'tutela_private|private.outbox_block_reason(private.notification_outbox)',
    'tutela_private|private.outbox_defaults()',
    'tutela_private|private.outbox_payload_now(private.notification_outbox)',
    'tutela_hidden|private.own_student_ids()',
    'tutela_hidden|private.parent_dashboard_doc(uuid)',
    'tutela_private|private.parse_mobile_money(jsonb)',
    'tutela_private|private.parse_payment_payload(text,jsonb)',
    'tutela_private|private.payer_may_act(public.subscriptions,uuid)',
    'tutela_private|private.payment_event_outcome(public.payment_events,boolean)',
    'tutela_private|private.payment_payload_limit()',
    'tutela_private|private.points_after_change()',
    'tutela_private|private.primary_guardian_controls(public.guardian_links)',
    'tutela_private|private.profiles_refuse_erased()',
    'tutela_private|private.purge_alerts()',
    'tutela_private|private.queue_achievement_check()',
    'tutela_private|private.queue_session_start_check()',
    'tutela_private|private.quick_actions(public.students,integer)',
    'tutela_hidden|private.readable_report_ids()',
    'tutela_hidden|private.readable_session_ids()',
    'tutela_hidden|private.readable_student_ids(text)',
    'tutela_private|private.recent_grades(uuid,integer,jsonb)',
    'tutela_private|private.recheck_erasure_requests(uuid[],uuid)',
    'tutela_private|private.recompute_last_active(uuid[])',
    'tutela_private|private.recompute_streaks(uuid[])',
    'tutela_hidden|private.record_export(uuid,jsonb)',
    'tutela_private|private.recorded_payment(text,jsonb,uuid)',
    'tutela_private|private.refresh_course_average(uuid,uuid)',
    'tutela_private|private.reissue_invite(text,uuid,text,uuid)',
    'tutela_private|private.reject_payment_callback(text,text,text)',
    'tutela_private|private.report_attendance(uuid,date,date)',
    'tutela_private|private.report_first_day(uuid)',
    'tutela_private|private.report_grades(uuid,date,date)',
    'tutela_private|private.report_journal(uuid,date,date)',
    'tutela_private|private.report_progress(uuid,date,date)',
    'tutela_private|private.report_sessions(uuid,date,date)',
    'tutela_private|private.reports_before_update()',
    'tutela_private|private.request_ip()',
    'tutela_private|private.request_user_agent()',
    'tutela_private|private.requeue_outbox(uuid[])',
    'tutela_private|private.require_aal2(uuid)',
    'tutela_private|private.require_aal2_for_student(uuid)',
    'tutela_private|private.require_aal2_for_subscription(public.subscriptions)',
    'tutela_hidden|private.require_data_rights(uuid)',
    'tutela_private|private.require_resendable(text,timestamp with time zone)',
    'tutela_private|private.require_student()',
    'tutela_private|private.require_student_access(uuid,text)',
    'tutela_hidden|private.require_uid()',
    'tutela_hidden|private.review_xp(boolean,smallint)',
    'tutela_private|private.revoke_link(public.guardian_links,text,uuid,text)',
    'tutela_private|private.role_for_student(uuid)',
    'tutela_private|private.role_in_organization(uuid)',
    'tutela_private|private.roster_boolean(text,text)',
    'tutela_private|private.roster_check_columns(jsonb,text[])',
    'tutela_private|private.roster_find_student(uuid,text)',
    'tutela_private|private.roster_line(jsonb,integer)',
    'tutela_private|private.roster_link_row(uuid,jsonb,jsonb)',
    'tutela_private|private.roster_permissions(text)',
    'tutela_private|private.roster_staff_row(uuid,jsonb,jsonb)',
    'tutela_private|private.roster_student_row(uuid,jsonb)',
    'tutela_private|private.roster_tally(jsonb,text)',
    'tutela_private|private.roster_value(jsonb,text)',
    'tutela_private|private.run_early_warnings()',
    'tutela_private|private.run_weekly_digests(date)',
    'tutela_private|private.severity_rank(text)',
    'tutela_private|private.skill_tree(uuid)',
    'tutela_hidden|private.staff_organization_ids()',
    'tutela_hidden|private.staff_student_ids()',
    'tutela_private|private.stamp_caller()',
    'tutela_private|private.stamp_goal()',
    'tutela_private|private.stamp_revocation()',
    'tutela_hidden|private.student_dashboard_doc(public.students)',
    'tutela_private|private.student_entitlements(uuid)',
    'tutela_private|private.student_inviter_ok(public.student_invites)',
    'tutela_hidden|private.student_reference_columns()',
    'tutela_private|private.student_row_counts(uuid)',
    'tutela_private|private.students_cancel_erasure_requests()',
    'tutela_private|private.subscription_view(jsonb)',
    'tutela_private|private.threshold_alerts(uuid,text,uuid,text,numeric,numeric,text)',
    'tutela_private|private.throttle_link_codes(text,uuid,uuid)',
    'tutela_private|private.touch_conversation()',
    'tutela_private|private.under_consent_age(uuid)',
    'tutela_private|private.undo_revocation(public.guardian_links,text,timestamp with time zone,text)',
    'tutela_private|private.valid_email(text)',
    'tutela_hidden|private.valid_link_permissions(jsonb)',
    'tutela_hidden|private.visible_assignment_ids()',
    'tutela_hidden|private.visible_course_ids()',
    'tutela_hidden|private.visible_organization_ids()',
    'tutela_hidden|private.visible_profile_ids()',
    'tutela_private|private.withdraw_invite(uuid,text,text)',
    'tutela|public.accept_guardian_invite(text)',
    'tutela|public.accept_organization_invite(text)',
    'tutela|public.accept_student_invite(text)',
    'tutela|public.add_organization_member(uuid,uuid,text)',
    'tutela|public.approve_guardian_link(uuid)',
    'tutela|public.change_plan(uuid,text)',
    'tutela|public.check_achievements(uuid)',
    'tutela|public.child_overview(uuid)',
    'tutela|public.claim_notifications(integer,integer)',
    'tutela|public.complete_drill_assignment(uuid)',
    'tutela|public.complete_notification(uuid,integer)',
    'tutela|public.count_unread_alerts()',
    'tutela|public.create_guardian_link_code(uuid,integer,interval)',
    'tutela|public.create_organization(text,text)',
    'tutela|public.create_student(uuid,text,text,date,uuid)',
    'tutela|public.decline_guardian_link(uuid)',
    'tutela|public.decline_organization_invite(text)',
    'tutela|public.describe_erasure_request(uuid)',
    'tutela|public.dismiss_alert(uuid)',
    'tutela|public.drain_achievement_queue(integer)',
    'tutela|public.erase_student_data(uuid)',
    'tutela|public.export_student_data(uuid)',
    'tutela|public.fail_notification(uuid,text,integer,boolean)',
    'tutela|public.family_overview()',
    'tutela|public.generate_report(uuid,text,date,date)',
    'tutela|public.get_child_overview(uuid)',
    'tutela|public.get_consent_matrix(uuid)',
    'tutela|public.get_notification_preferences(uuid)',
    'tutela|public.guardian_get_child_daily_study_stats(uuid,integer)',
    'tutela|public.guardian_list_children()',
    'tutela|public.guardian_mood_history(integer)',
    'tutela|public.import_roster(uuid,text,jsonb,jsonb)',
    'tutela|public.invite_guardian(uuid,text,text,text,jsonb)',
    'tutela|public.invite_organization_member(uuid,text,text,text)',
    'tutela|public.invite_student(uuid,text,text)',
    'tutela|public.journal_trends(uuid)',
    'tutela|public.list_alerts(integer,timestamp with time zone,uuid,text[],boolean,uuid)',
    'tutela|public.list_guardian_link_codes(uuid)',
    'tutela|public.list_guardians_for_notification(uuid,text)',
    'tutela|public.list_reports(uuid)',
    'tutela|public.mark_alert_read(uuid)',
    'tutela|public.mark_conversation_read(uuid)',
    'tutela|public.parent_dashboard()',
    'tutela|public.pause_subscription(uuid)',
    'tutela|public.payment_history(uuid)',
    'tutela|public.recheck_notification(uuid,integer)',
    'tutela|public.record_payment_callback(text,text,text)',
    'tutela|public.record_payment_event(text,text,jsonb)',
    'tutela|public.redeem_guardian_link_code(text,text)',
    'tutela|public.release_notification(uuid,integer,text,integer)',
    'tutela|public.remove_organization_member(uuid,uuid)',
    'tutela|public.request_data_erasure(uuid)',
    'tutela|public.resend_guardian_invite(uuid)',
    'tutela|public.resend_organization_invite(uuid)',
    'tutela|public.resend_student_invite(uuid)',
    'tutela|public.restore_guardian_link(uuid)',
    'tutela|public.resume_subscription(uuid)',
    'tutela|public.revoke_guardian_link(uuid,text)',
    'tutela|public.run_due_jobs(boolean)',
    'tutela|public.seed_achievements()',
    'tutela|public.seed_plans()',
    'tutela|public.set_alert_threshold(uuid,text,numeric)',
    'tutela|public.set_consent(uuid,text,text,boolean,timestamp with time zone,text)',
    'tutela|public.set_guardian_link_permissions(uuid,jsonb)',
    'tutela|public.set_notification_preference(text,text[],boolean,text,uuid)',
    'tutela|public.set_primary_guardian(uuid)',
    'tutela|public.start_conversation(text,uuid,uuid[],text)',
    'tutela|public.student_dashboard()',
    'tutela|public.student_list_guardians(uuid)',
    'tutela|public.student_missions(text[])',
    'tutela|public.student_progress()',
    'tutela|public.touch_last_seen()',
    'tutela|public.unread_counts()',
    'tutela|public.update_organization_settings(uuid,jsonb)',
    'tutela|public.withdraw_guardian_invite(uuid)',
    'tutela|public.withdraw_guardian_link_code(uuid)',
    'tutela|public.withdraw_organization_invite(uuid)'
  ] loop
    if pg_catalog.to_regprocedure(pg_catalog.split_part(v_fn, '|', 2)) is not null then
      execute pg_catalog.format(
        'alter function %s set schema %I',
        pg_catalog.split_part(v_fn, '|', 2), pg_catalog.split_part(v_fn, '|', 1)
      );
    end if;
  end loop;
end;
$move$;

-- Tables (their indexes, sequences, constraints, policies and triggers move with them)
alter table private.achievement_queue set schema tutela_private;
alter table private.course_averages set schema tutela_private;
alter table private.erased_users set schema tutela_private;
alter table private.guardian_link_codes set schema tutela_private;
alter table private.jobs set schema tutela_private;
alter table private.link_code_attempts set schema tutela_private;
alter table private.notification_outbox set schema tutela_private;
alter table private.student_guardian_locks set schema tutela_private;
alter table private.tutela_migrations set schema tutela_private;
alter table private.weekly_digests set schema tutela_private;
alter table public.achievements set schema tutela;
alter table public.activity_events set schema tutela;
alter table public.alert_thresholds set schema tutela;
alter table public.alerts set schema tutela;
alter table public.assignment_skills set schema tutela;
alter table public.assignments set schema tutela;
alter table public.card_reviews set schema tutela;
alter table public.certificates set schema tutela;
alter table public.coaching_sessions set schema tutela;
alter table public.consent_audit_log set schema tutela;
alter table public.consent_records set schema tutela;
alter table public.conversation_members set schema tutela;
alter table public.conversations set schema tutela;
alter table public.course_modules set schema tutela;
alter table public.courses set schema tutela;
alter table public.daily_study_stats set schema tutela;
alter table public.data_requests set schema tutela;
alter table public.drill_assignments set schema tutela;
alter table public.drills set schema tutela;
alter table public.enrollments set schema tutela;
alter table public.flashcards set schema tutela;
alter table public.goals set schema tutela;
alter table public.guardian_invites set schema tutela;
alter table public.guardian_links set schema tutela;
alter table public.guardian_mood_entries set schema tutela;
alter table public.journal_entries set schema tutela;
alter table public.lessons set schema tutela;
alter table public.link_events set schema tutela;
alter table public.live_class_attendance set schema tutela;
alter table public.live_classes set schema tutela;
alter table public.membership_invites set schema tutela;
alter table public.memberships set schema tutela;
alter table public.messages set schema tutela;
alter table public.notification_preferences set schema tutela;
alter table public.organizations set schema tutela;
alter table public.payment_events set schema tutela;
alter table public.payments set schema tutela;
alter table public.plans set schema tutela;
alter table public.points_ledger set schema tutela;
alter table public.profiles set schema tutela;
alter table public.reports set schema tutela;
alter table public.session_scores set schema tutela;
alter table public.session_students set schema tutela;
alter table public.skill_assessments set schema tutela;
alter table public.skills set schema tutela;
alter table public.student_achievements set schema tutela;
alter table public.student_invites set schema tutela;
alter table public.student_stats set schema tutela;
alter table public.students set schema tutela;
alter table public.submissions set schema tutela;
alter table public.subscriptions set schema tutela;

-- The one function a migration (0003) defined whose body names a schema: it calls the key list
-- where that now lives (the same body the baseline gives). rpc/ replaces every other body.
create or replace function tutela_hidden.valid_link_permissions(p_permissions jsonb)
returns boolean
language sql
immutable
parallel safe
as $$
  select jsonb_typeof(p_permissions) = 'object'
    and (select array_agg(k order by k) from jsonb_object_keys(p_permissions) as k)
    = (select array_agg(k order by k) from unnest(tutela_hidden.link_permission_keys()) as k)
    and not exists (
      select 1 from jsonb_each(p_permissions) as e where jsonb_typeof(e.value) <> 'boolean'
    )
$$;

-- Identity columns' sequences: 0.1 had them granted to the API roles by Supabase's old
-- defaults; identity values need no grant, and a fresh install has none.
revoke all on sequence tutela.activity_events_id_seq, tutela.card_reviews_id_seq,
tutela.consent_audit_log_id_seq, tutela.link_events_id_seq, tutela.messages_id_seq,
tutela.points_ledger_id_seq
from anon, authenticated, service_role;

-- The ledger records a baseline too (a fresh install's).
alter table tutela_private.tutela_migrations
drop constraint tutela_migrations_kind_check,
add constraint tutela_migrations_kind_check
check (kind in ('bootstrap', 'baseline', 'versioned', 'repeatable'));

-- The sign-up trigger: on auth.users, a table Tutela does not own, its name carries the prefix.
alter trigger on_auth_user_created on auth.users rename to tutela_on_auth_user_created;

-- pg_cron job names are global: Tutela's jobs (same name and 0.1 command) carry the prefix and
-- call the functions where they now live. An app's job of the same name is not touched.
-- A role that may write cron.job (a superuser) renames the rows in place: same job ids, owner
-- and history. On Supabase `postgres` may only read cron.job: its own jobs are scheduled again
-- under the new names (inactive ones stay inactive); a job of another user it cannot move, and
-- then nothing is applied (SQLSTATE 42501, the job and its owner named).
-- (Changed after 0.2's first landing, which wrote cron.job directly and so failed, applying
-- nothing, where the role may not: py_admin/migrate.py SUPERSEDED accepts that version.)
do $cron$
declare
  r record;
  v_direct boolean;
  v_id bigint;
begin
  if pg_catalog.to_regclass('cron.job') is null then
    return;
  end if;
  v_direct := pg_catalog.has_table_privilege('cron.job', 'update');
  for r in
    select j.jobid, j.schedule, j.username, j.active, v.name, v.new_command
    from cron.job as j
    inner join (
      values
      ('drain_achievements', 'select public.drain_achievement_queue(1000)',
        'select tutela.drain_achievement_queue(1000)'),
      ('expire_invites', 'select private.expire_invites()',
        'select tutela_private.expire_invites()'),
      ('early_warnings', 'select private.run_early_warnings()',
        'select tutela_private.run_early_warnings()'),
      ('weekly_digest', 'select private.run_weekly_digests()',
        'select tutela_private.run_weekly_digests()'),
      ('purge_alerts', 'select private.purge_alerts()', 'select tutela_private.purge_alerts()'),
      ('expire_consents', 'select private.expire_consents()',
        'select tutela_private.expire_consents()')
    ) as v (name, old_command, new_command)
      on j.jobname = v.name and j.command = v.old_command
    order by j.jobid
  loop
    if v_direct then
      update cron.job
      set jobname = 'tutela_' || r.name, command = r.new_command
      where jobid = r.jobid;
    elsif r.username = current_user then
      perform cron.unschedule(r.jobid);
      v_id := cron.schedule('tutela_' || r.name, r.schedule, r.new_command);
      if not r.active then
        perform cron.alter_job(v_id, active => false);
      end if;
    else
      raise exception using
        errcode = '42501',
        message = pg_catalog.format(
          'pg_cron job %s (Tutela 0.1''s) belongs to %s: %s may not rename it',
          r.name, r.username, current_user
        ),
        hint = pg_catalog.format(
          'run `tutela migrate` as %s (or a superuser), or unschedule that job and run '
          '`tutela jobs install` afterwards', r.username
        );
    end if;
  end loop;
end;
$cron$;

-- What 0.1 changed outside its own objects, given back:
-- its 0001 revoked EXECUTE on every future function from PUBLIC, database-wide, for the role
-- that migrates; Tutela now revokes it on each of its own functions instead.
alter default privileges grant execute on functions to public;

-- the schema private, when Tutela's objects were all it held (0.1 created it unless the app
-- already had one, and then the app's objects are still in it and it stays)
do $private$
begin
  if pg_catalog.to_regnamespace('private') is not null
    and not exists (
      select 1 from pg_catalog.pg_class where relnamespace = 'private'::regnamespace
      union all
      select 1 from pg_catalog.pg_proc where pronamespace = 'private'::regnamespace
      union all
      select 1 from pg_catalog.pg_type where typnamespace = 'private'::regnamespace
    )
  then
    drop schema private;
  end if;
end;
$private$;
