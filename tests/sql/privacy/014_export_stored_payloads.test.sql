-- Stored payloads in an export pass the gate their data has now (review of the second security
-- fix): a guardian's stored weekly digests need progress, and lose the grades and attendance
-- they no longer hold; a message's payload is exported only while its recipient may still read
-- it (otherwise the row comes without it, and says why). Reproduced: the primary guardian of a
-- child under the consent age, grades and progress switched off by staff, used to read the
-- digest's grades and the alert's score in their export.
begin;
select plan(5);

select tutela_tests.create_user('kid@stored.test') as u_kid \gset
select tutela_tests.create_user('mum@stored.test') as u_mum \gset
insert into tutela.organizations (name, slug) values ('Stored School', 'stored-school')
returning id as org \gset
insert into tutela.students (organization_id, display_name, user_id, birth_date)
values (:'org', 'Kid', :'u_kid', (now() at time zone 'UTC')::date - interval '12 years')
returning id as kid \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, is_primary, created_via, activated_at
)
values (:'kid', :'u_mum', 'active', true, 'staff', now()) returning id as link \gset
insert into tutela_private.weekly_digests (guardian_id, student_id, week_start, summary)
values (
  :'u_mum', :'kid', current_date - 7,
  '{"days": [], "grades": [{"title": "Quiz", "percent": 4173}], "attendance": {"absent": 2}}'
);
insert into tutela_private.notification_outbox (
  kind, recipient_user_id, student_id, payload, template, idempotency_key, status
)
values (
  'child_low_grade', :'u_mum', :'kid', '{"title": "Low grade", "score": 4173}', 'alert',
  'stored-1', 'sent'
);

-- every permission on: the digest and the message, whole
select tutela_tests.authenticate_as(:'u_mum');
select tutela.export_student_data(:'kid') as doc \gset
select results_eq(
  format(
    $$select %1$L::jsonb #> '{data,tutela_private.weekly_digests,0,summary,grades,0,percent}',
        %1$L::jsonb #> '{data,tutela_private.notification_outbox,0,payload,score}'$$,
    :'doc'
  ),
  $$values ('4173'::jsonb, '4173'::jsonb)$$,
  'with grades and progress, the stored digest and message are exported whole'
);

-- grades off: the digest without grades (attendance kept), the message without its payload
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || '{"grades": false}'
where id = :'link';
select tutela_tests.authenticate_as(:'u_mum');
select tutela.export_student_data(:'kid') as doc \gset
select results_eq(
  format(
    $$select %1$L::jsonb #> '{data,tutela_private.weekly_digests,0,summary}' ? 'grades',
        %1$L::jsonb #> '{data,tutela_private.weekly_digests,0,summary,attendance,absent}'$$,
    :'doc'
  ),
  $$values (false, '2'::jsonb)$$,
  'grades off: the digest loses its grades, keeps its attendance'
);
select results_eq(
  format(
    $$select %1$L::jsonb #> '{data,tutela_private.notification_outbox,0,payload}',
        %1$L::jsonb #>> '{data,tutela_private.notification_outbox,0,payload_withheld}'$$,
    :'doc'
  ),
  $$values ('null'::jsonb, 'permission_withdrawn'::text)$$,
  'grades off: the low-grade message comes without its payload, and says why'
);
select ok(
  position('4173' in :'doc') = 0, 'the score is nowhere in the export'
);

-- progress off too: no digest at all
select tutela_tests.clear_authentication();
update tutela.guardian_links set permissions = permissions || '{"progress": false}'
where id = :'link';
select tutela_tests.authenticate_as(:'u_mum');
select tutela.export_student_data(:'kid') as doc \gset
select is(
  :'doc'::jsonb #> '{data,tutela_private.weekly_digests}', '[]'::jsonb,
  'progress off: no stored digest'
);

select * from finish();
rollback;
