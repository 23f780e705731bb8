-- student_progress() -> skills: every skill of the student's organisation, grouped by category
-- (categories by name; skills by position, then name), each with the latest assessed level
-- (by assessed_at, not by insertion; 0 and assessed_at null when never assessed), max_level
-- and mastered (latest level >= max_level: a later lower level un-masters). Another
-- organisation's skills and another student's assessments never appear.
begin;
select plan(3);

select tutela_tests.create_user('student-061@world.test') as u_student \gset
select tutela_tests.create_user('other-061@world.test') as u_other \gset
insert into tutela.organizations (name, slug) values ('World 061', 'world-061')
returning id as org \gset
insert into tutela.organizations (name, slug) values ('Other world 061', 'other-world-061')
returning id as other_org \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Student', :'u_student') returning id as student \gset
insert into tutela.students (organization_id, display_name, user_id)
values (:'org', 'Other', :'u_other') returning id as other \gset
insert into tutela.skills (organization_id, category, name, position, max_level)
values (:'org', 'Serve', 'Kick serve', 2, 3) returning id as kick \gset
insert into tutela.skills (organization_id, category, name, position, max_level)
values (:'org', 'Serve', 'Flat serve', 1, 5) returning id as flat \gset
insert into tutela.skills (organization_id, category, name, position, max_level)
values (:'org', 'Footwork', 'Split step', 0, 5) returning id as split \gset
insert into tutela.skills (organization_id, category, name, position, max_level)
values (:'org', 'Footwork', 'Recovery', 0, 5) returning id as recovery \gset
insert into tutela.skills (organization_id, category, name)
values (:'other_org', 'Serve', 'Other organisation''s skill');

insert into tutela.skill_assessments (skill_id, student_id, organization_id, level, assessed_at)
values
(:'flat', :'student', :'org', 2, now() - interval '10 days'),
(:'flat', :'student', :'org', 4, now() - interval '1 day'),
(:'flat', :'student', :'org', 3, now() - interval '5 days'),
(:'kick', :'student', :'org', 3, now() - interval '2 days'),
(:'split', :'student', :'org', 5, now() - interval '20 days'),
(:'split', :'student', :'org', 4, now() - interval '3 days'),
(:'recovery', :'other', :'org', 5, now());

select tutela_tests.authenticate_as(:'u_student');
select is(
  jsonb_path_query_array(tutela.student_progress(), '$.skills[*].category'),
  '["Footwork", "Serve"]'::jsonb,
  'categories by name; the other organisation''s skill is not listed'
);
select is(
  tutela.student_progress() -> 'skills',
  jsonb_build_array(
    jsonb_build_object('category', 'Footwork', 'skills', jsonb_build_array(
      jsonb_build_object(
        'skill_id', :'recovery', 'name', 'Recovery', 'level', 0, 'max_level', 5,
        'assessed_at', null, 'mastered', false
      ),
      jsonb_build_object(
        'skill_id', :'split', 'name', 'Split step', 'level', 4, 'max_level', 5,
        'assessed_at', now() - interval '3 days', 'mastered', false
      )
    )),
    jsonb_build_object('category', 'Serve', 'skills', jsonb_build_array(
      jsonb_build_object(
        'skill_id', :'flat', 'name', 'Flat serve', 'level', 4, 'max_level', 5,
        'assessed_at', now() - interval '1 day', 'mastered', false
      ),
      jsonb_build_object(
        'skill_id', :'kick', 'name', 'Kick serve', 'level', 3, 'max_level', 3,
        'assessed_at', now() - interval '2 days', 'mastered', true
      )
    ))
  ),
  'latest levels by assessment date, mastered at the maximum, never assessed at 0'
);
select tutela_tests.authenticate_as(:'u_other');
select is(
  jsonb_path_query_array(
    tutela.student_progress(), '$.skills[*].skills[*] ? (@.mastered == true).name'
  ),
  '["Recovery"]'::jsonb,
  'the other student''s tree has their own assessment only'
);

select * from finish();
rollback;
