-- Rule cards_mastered (first_card_mastered, 1): the number of the student's flashcards in
-- Leitner box 5, the top box. A card in box 4 does not count; a right answer moves it to box 5
-- and earns the award, once.
begin;
select plan(5);

insert into tutela.organizations (name, slug) values ('Academy 023', 'academy-023')
returning id as org \gset
insert into tutela.students (organization_id, display_name)
values (:'org', 'Sam') returning id as student \gset
insert into tutela.flashcards (student_id, subject, question, answer, leitner_box)
values (:'student', 'Maths', '7 x 8?', '56', 4) returning id as card \gset
insert into tutela.flashcards (student_id, subject, question, answer, leitner_box)
values (:'student', 'Maths', '6 x 9?', '54', 4) returning id as card2 \gset

-- The codes check_achievements newly awards (of one rule, or all), sorted. Called as the
-- service role, as the job calls it; the owner's session comes back afterwards.
create function pg_temp.new_codes(p_student uuid, p_rule text default null)
returns text[]
language plpgsql
as $$
declare
  v_codes text[];
begin
  perform tutela_tests.as_service_role();
  select coalesce(array_agg(c.code order by c.code), '{}') into v_codes
  from tutela.check_achievements(p_student) as c
  where
    p_rule is null
    or c.code in (select a.code from tutela.achievements as a where a.rule = p_rule);
  perform tutela_tests.clear_authentication();
  return v_codes;
end;
$$;

select is(pg_temp.new_codes(:'student'), '{}'::text[], 'two cards in box 4: no award');
insert into tutela.card_reviews (student_id, flashcard_id, correct)
values (:'student', :'card', true);
select is(
  (select leitner_box from tutela.flashcards where id = :'card'), 5::smallint,
  'a right answer moved the card to box 5'
);
select is(
  pg_temp.new_codes(:'student'), array['first_card_mastered'],
  'a card in box 5 earns first_card_mastered'
);
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'checking again awards nothing');
update tutela.flashcards set leitner_box = 5 where id = :'card2';
select is(pg_temp.new_codes(:'student'), '{}'::text[], 'a second card in box 5: nothing');

select * from finish();
rollback;
