-- After an erasure nothing names the student: every text, json, array and uuid column of every
-- table in the schemas Tutela owns (public, private; not auth, which Supabase Auth owns) is
-- scanned for the student's name, email, student id and login id. The only hit allowed is the
-- documented one (docs/privacy.md, "What is kept"): tutela_private.erased_users.user_id, the mark
-- that
-- keeps the login out until Supabase Auth deletes it. Covered here in particular: a support
-- conversation the student started (title, membership, messages with their name and email),
-- a support conversation support started with them, a conversation about them, their own
-- alerts, settings and outbox mail that name no student, their link-code attempts, the email
-- their invite was sent to, a report they generated.
begin;
select plan(5);

select tutela_tests.create_user('zq-scan@erase.test') as u_kid \gset
select tutela_tests.create_user('mum-scan@erase.test') as u_mum \gset
select tutela_tests.create_user('staff-scan@erase.test') as u_staff \gset
select tutela_tests.create_user('support-scan@erase.test') as u_support \gset
select tutela_tests.create_user('other-scan@erase.test') as u_other \gset
update auth.users set raw_app_meta_data = '{"tutela_role": "support"}' where id = :'u_support';
insert into tutela.organizations (name, slug) values ('Scan School', 'scan-school')
returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');

-- the student joins through an invite (student_invites, the outbox mail to their address)
select tutela_tests.authenticate_as(:'u_staff');
select
  student_id as kid,
  token
from tutela.invite_student(
  :'org', 'Zephyrine Quarrington', 'zq-scan@erase.test'
) \gset
select tutela_tests.authenticate_as(:'u_kid');
select tutela.accept_student_invite(:'token') is not null as accepted \gset
select tutela_tests.clear_authentication();
update tutela.students
set birth_date = (now() at time zone 'UTC')::date - interval '17 years' where id = :'kid';
update tutela.profiles set display_name = 'Zephyrine Q.' where user_id = :'u_kid';
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values (:'kid', :'u_mum', 'active', true, 'staff', now());

-- conversations: one the student starts with support, one support starts with them, one about
-- them with staff; messages naming them
select tutela_tests.authenticate_as(:'u_kid');
select id as own_support from tutela.start_conversation(
  'support', null, array[:'u_support']::uuid[], 'Help for Zephyrine Quarrington'
) \gset
insert into tutela.messages (conversation_id, body)
values (:'own_support', 'I am Zephyrine Quarrington, zq-scan@erase.test, please help');
select tutela_tests.authenticate_as(:'u_support');
insert into tutela.messages (conversation_id, body)
values (:'own_support', 'Hello Zephyrine, we will look into it');
select id as their_support from tutela.start_conversation(
  'support', null, array[:'u_kid']::uuid[], 'Follow-up'
) \gset
insert into tutela.messages (conversation_id, body)
values (:'their_support', 'Zephyrine, is it fixed?');
select tutela_tests.authenticate_as(:'u_kid');
insert into tutela.messages (conversation_id, body)
values (:'their_support', 'Yes, thanks! Zephyrine');
select tutela_tests.authenticate_as(:'u_staff');
select id as about_kid from tutela.start_conversation(
  'student_staff', :'kid', array[:'u_kid']::uuid[], 'Homework'
) \gset
insert into tutela.messages (conversation_id, body)
values (:'about_kid', 'Zephyrine, your homework is late');
-- the student's own settings, alerts and mail that name no student; a failed code guess; a
-- report; an export; their own request for erasure
select tutela_tests.authenticate_as(:'u_kid');
select tutela.set_notification_preference('weekly_digest', null, false) is not null as pref \gset
select tutela.redeem_guardian_link_code('ZZZZ-ZZZZ-ZZZZ') is not null as guessed \gset
select (tutela.generate_report(:'kid', 'transcript')).id as report \gset
select tutela.export_student_data(:'kid') is not null as exported \gset
select (tutela.request_data_erasure(:'kid')).id as req \gset
select tutela_tests.clear_authentication();
insert into tutela.alerts (recipient_id, type, title, message, dedupe_key, data)
values (
  :'u_kid', 'announcement', 'Hi Zephyrine', 'For zq-scan@erase.test', 'scan-1',
  jsonb_build_object('user', :'u_kid')
);
insert into tutela_private.notification_outbox (
  kind, recipient_user_id, payload, template, idempotency_key
)
values (
  'announcement', :'u_kid', '{"name": "Zephyrine Quarrington"}', 'alert', 'scan-outbox-1'
);
insert into tutela.journal_entries (student_id, mood, body)
values (:'kid', 4, 'Zephyrine''s diary');
-- another user's data stays
insert into tutela.notification_preferences (user_id, type, enabled)
values (:'u_other', 'weekly_digest', false);

-- the scan: every column of public and private that could hold the name, email or an id
create function pg_temp.mentions(p_needles text[], p_ids uuid[])
returns table (place text)
language plpgsql
as $fn$
declare
  v_col record;
  v_found boolean;
begin
  for v_col in
    select c.table_schema, c.table_name, c.column_name, c.data_type
    from information_schema.columns as c
    inner join information_schema.tables as t
      on c.table_schema = t.table_schema and c.table_name = t.table_name
    where c.table_schema in ('tutela', 'tutela_private') and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'uuid', 'ARRAY')
  loop
    if v_col.data_type = 'uuid' then
      execute format('select exists (select 1 from %I.%I where %I = any($1))',
        v_col.table_schema, v_col.table_name, v_col.column_name)
      into v_found using p_ids;
    else
      execute format('select exists (select 1 from %I.%I where %I::text ilike any($1))',
        v_col.table_schema, v_col.table_name, v_col.column_name)
      into v_found using array(
        select '%' || n || '%' from unnest(p_needles || p_ids::text[]) as n
      );
    end if;
    if v_found then
      place := v_col.table_schema || '.' || v_col.table_name || '.' || v_col.column_name;
      return next;
    end if;
  end loop;
end;
$fn$;

select ok(
  (select count(*) from pg_temp.mentions(
    array['Zephyrine', 'Quarrington', 'zq-scan'], array[:'kid', :'u_kid']::uuid[]
  )) >= 15,
  'before: the student is named in many places'
);

select tutela_tests.as_service_role();
select tutela.erase_student_data(:'req') is not null as erased \gset
select tutela_tests.clear_authentication();
select is(
  (select status from tutela.data_requests where id = :'req'), 'completed',
  'the erasure is carried out'
);

select set_eq(
  format(
    $$select place from pg_temp.mentions(array['Zephyrine', 'Quarrington', 'zq-scan'],
      array[%L, %L]::uuid[])$$,
    :'kid', :'u_kid'
  ),
  $$values ('tutela_private.erased_users.user_id')$$,
  'afterwards nothing in public or private names the student, but the documented mark'
);
select results_eq(
  format(
    $$select (select count(*) from tutela.conversations where id in (%L, %L, %L)),
        (select count(*) from tutela.notification_preferences where user_id = %L),
        (select count(*) from tutela.profiles where user_id = %L)$$,
    :'own_support', :'their_support', :'about_kid', :'u_other', :'u_support'
  ),
  $$values (0::bigint, 1::bigint, 1::bigint)$$,
  'the three conversations are gone; other people''s own rows stay'
);
select is(
  (select requested_by from tutela.data_requests where id = :'req'), null,
  'the request no longer names the erased login (the right it was asked on is kept)'
);

select * from finish();
rollback;
