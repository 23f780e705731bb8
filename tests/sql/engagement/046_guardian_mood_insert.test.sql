-- Writing guardian_mood_entries: the entry is always the caller's (guardian_id is stamped on
-- insert, whatever the client sends, and cannot be handed to someone else on update), and it
-- may name only a child the caller guards through an active link (any permissions) or no
-- child at all. A child of a pending or revoked link, or someone else's child: 42501.
begin;
select plan(17);

select tutela_tests.create_user('guardian@moodins.test') as u_guardian \gset
select tutela_tests.create_user('guardian2@moodins.test') as u_guardian2 \gset
select tutela_tests.create_user('staff@moodins.test') as u_staff \gset
insert into tutela.organizations (name, slug, max_guardians_per_student)
values ('Mood insert', 'mood-insert', 10) returning id as org \gset
insert into tutela.memberships (organization_id, user_id, role)
values (:'org', :'u_staff', 'staff');
insert into tutela.students (organization_id, display_name)
values (:'org', 'Child') returning id as child \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Quiet child') returning id as quiet_child \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Pending child') returning id as pending_child \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Former child') returning id as former_child \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Someone else''s child') returning id as other_child \gset
insert into tutela.guardian_links (
  student_id, guardian_id, status, created_via, activated_at, revoked_at, permissions
)
values
(:'child', :'u_guardian', 'active', 'staff', now(), null, tutela_hidden.default_link_permissions()),
(
  :'quiet_child', :'u_guardian', 'active', 'staff', now(), null,
  '{"progress": false, "sessions": false, "lessons": false, "card_content": false,
    "grades": false, "attendance": false, "journal": false, "messaging": false}'
),
(
  :'pending_child', :'u_guardian', 'pending', 'code', null, null,
  tutela_hidden.default_link_permissions()
),
(
  :'former_child', :'u_guardian', 'revoked', 'code', now() - interval '1 day', now(),
  tutela_hidden.default_link_permissions()
),
(
  :'other_child', :'u_guardian2', 'active', 'staff', now(), null,
  tutela_hidden.default_link_permissions()
);

prepare about_other as
insert into tutela.guardian_mood_entries (student_id, emoji) values (:'other_child', 'ok');
prepare about_other_as_its_guardian as
insert into tutela.guardian_mood_entries (guardian_id, student_id, emoji)
values (:'u_guardian2', :'other_child', 'ok');
prepare about_pending as
insert into tutela.guardian_mood_entries (student_id, emoji) values (:'pending_child', 'ok');
prepare about_former as
insert into tutela.guardian_mood_entries (student_id, emoji) values (:'former_child', 'ok');
prepare staff_about_child as
insert into tutela.guardian_mood_entries (student_id, emoji) values (:'child', 'ok');
prepare anon_entry as
insert into tutela.guardian_mood_entries (emoji) values ('ok');

-- allowed: about a child they guard (with or without permissions), or about no child
select tutela_tests.authenticate_as(:'u_guardian');
select lives_ok(
  format(
    'insert into tutela.guardian_mood_entries (student_id, emoji) values (%L, %L)',
    :'child', 'proud'
  ),
  'insert: about a child the guardian guards'
);
select lives_ok(
  format(
    'insert into tutela.guardian_mood_entries (student_id, emoji) values (%L, %L)',
    :'quiet_child', 'worried'
  ),
  'insert: about a guarded child whose link grants no permission (the entry is the guardian''s)'
);
select lives_ok(
  $$insert into tutela.guardian_mood_entries (emoji, note) values ('calm', 'Just me')$$,
  'insert: about no child'
);
-- a client-sent guardian_id is replaced by the caller
select lives_ok(
  format(
    'insert into tutela.guardian_mood_entries (guardian_id, student_id, emoji) '
    'values (%L, %L, %L)',
    :'u_guardian2', :'child', 'sent-as-other'
  ),
  'insert: an entry sent with another guardian as writer is accepted'
);
select lives_ok(
  format(
    'insert into tutela.guardian_mood_entries (guardian_id, emoji) values (%L, %L)',
    :'u_staff', 'sent-as-staff'
  ),
  'insert: an entry sent with any other user as writer is accepted'
);
select tutela_tests.clear_authentication();
select is(
  (
    select guardian_id from tutela.guardian_mood_entries
    where emoji = 'sent-as-other'
  ),
  :'u_guardian'::uuid,
  'insert: an entry sent as another guardian belongs to the caller'
);
select is(
  (
    select guardian_id from tutela.guardian_mood_entries
    where emoji = 'sent-as-staff'
  ),
  :'u_guardian'::uuid,
  'insert: an entry sent as any other user belongs to the caller'
);

-- refused: a child they do not guard (now)
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok('about_other', '42501', null, 'insert: about someone else''s child: refused');
select throws_ok(
  'about_other_as_its_guardian', '42501', null,
  'insert: about someone else''s child, sent as that child''s guardian: refused'
);
select throws_ok('about_pending', '42501', null, 'insert: about the child of a pending link');
select throws_ok('about_former', '42501', null, 'insert: about the child of a revoked link');
select tutela_tests.authenticate_as(:'u_staff');
select throws_ok(
  'staff_about_child', '42501', null, 'insert: staff cannot write an entry about a student'
);
select tutela_tests.as_anon();
select throws_ok('anon_entry', '42501', null, 'insert: anon is refused');

-- update: the entry cannot be handed to someone else nor moved to another's child
select tutela_tests.authenticate_as(:'u_guardian');
select throws_ok(
  format(
    'update tutela.guardian_mood_entries set guardian_id = %L where emoji = %L',
    :'u_guardian2', 'proud'
  ),
  '42501',
  null,
  'update: an entry cannot be handed to another guardian'
);
select throws_ok(
  format(
    'update tutela.guardian_mood_entries set student_id = %L where emoji = %L',
    :'other_child', 'proud'
  ),
  '42501',
  null,
  'update: an entry cannot be moved to someone else''s child'
);
select lives_ok(
  format(
    'update tutela.guardian_mood_entries set student_id = %L where emoji = %L',
    :'quiet_child', 'proud'
  ),
  'update: an entry may be moved to another child the guardian guards'
);
select tutela_tests.clear_authentication();
select is(
  (select count(*) from tutela.guardian_mood_entries where guardian_id = :'u_guardian'),
  5::bigint,
  'the guardian owns exactly the five entries they wrote'
);

select * from finish();
rollback;
