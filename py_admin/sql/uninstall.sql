-- Removes Tutela from a database: its schemas (tutela, tutela_hidden, tutela_private, and the
-- test helpers' tutela_tests) with everything in them, and every object it owns outside them
-- (each named with the tutela_ prefix): the sign-up trigger on auth.users goes with the function
-- it calls, pg_cron jobs named tutela_* are unscheduled. Nothing else is touched: the app's
-- schemas, tables, functions, triggers, jobs, settings and default privileges stay as they are.
--
-- It refuses, changing nothing, while an object of the app depends on one of Tutela's (a view
-- over tutela.students, a foreign key to it, a policy calling a tutela_hidden helper): the error
-- (TU409 `app_depends_on_tutela`) lists them; remove or change those first. Run it as the
-- owner of Tutela's objects (`tutela uninstall`, or psql / the Supabase SQL editor).

do $uninstall$
declare
  v_blockers text;
begin
  with ours as (
    select n.oid from pg_catalog.pg_namespace as n
    where n.nspname in ('tutela', 'tutela_hidden', 'tutela_private', 'tutela_tests')
  ),

  refs as (
    select d.classid, d.objid, d.objsubid
    from pg_catalog.pg_depend as d
    where
      d.deptype in ('n', 'a')
      and case d.refclassid
        when 'pg_catalog.pg_class'::pg_catalog.regclass
          then (select c.relnamespace from pg_catalog.pg_class as c where c.oid = d.refobjid)
        when 'pg_catalog.pg_proc'::pg_catalog.regclass
          then (select p.pronamespace from pg_catalog.pg_proc as p where p.oid = d.refobjid)
        when 'pg_catalog.pg_type'::pg_catalog.regclass
          then (select t.typnamespace from pg_catalog.pg_type as t where t.oid = d.refobjid)
        when 'pg_catalog.pg_namespace'::pg_catalog.regclass then d.refobjid
      end in (select ours.oid from ours)
  ),

  located as (
    select
      r.classid,
      r.objid,
      r.objsubid,
      case r.classid
        when 'pg_catalog.pg_class'::pg_catalog.regclass
          then (select c.relnamespace from pg_catalog.pg_class as c where c.oid = r.objid)
        when 'pg_catalog.pg_proc'::pg_catalog.regclass
          then (select p.pronamespace from pg_catalog.pg_proc as p where p.oid = r.objid)
        when 'pg_catalog.pg_type'::pg_catalog.regclass
          then (select t.typnamespace from pg_catalog.pg_type as t where t.oid = r.objid)
        when 'pg_catalog.pg_constraint'::pg_catalog.regclass
          then (select k.connamespace from pg_catalog.pg_constraint as k where k.oid = r.objid)
        when 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          then (
            select c.relnamespace from pg_catalog.pg_rewrite as w
            inner join pg_catalog.pg_class as c on w.ev_class = c.oid
            where w.oid = r.objid
          )
        when 'pg_catalog.pg_trigger'::pg_catalog.regclass
          then (
            -- a prefixed trigger of Tutela's on another schema's table goes with Tutela
            select case
              when g.tgname like 'tutela\_%' then (select min(ours.oid) from ours)
              else c.relnamespace
            end
            from pg_catalog.pg_trigger as g
            inner join pg_catalog.pg_class as c on g.tgrelid = c.oid
            where g.oid = r.objid
          )
        when 'pg_catalog.pg_policy'::pg_catalog.regclass
          then (
            select case
              when y.polname like 'tutela\_%' then (select min(ours.oid) from ours)
              else c.relnamespace
            end
            from pg_catalog.pg_policy as y
            inner join pg_catalog.pg_class as c on y.polrelid = c.oid
            where y.oid = r.objid
          )
        when 'pg_catalog.pg_attrdef'::pg_catalog.regclass
          then (
            select c.relnamespace from pg_catalog.pg_attrdef as a
            inner join pg_catalog.pg_class as c on a.adrelid = c.oid
            where a.oid = r.objid
          )
        else 0::oid  -- any other kind of object (a cast, an operator...): the app's
      end as nsp
    from refs as r
  )

  select
    pg_catalog.string_agg(
      distinct pg_catalog.pg_describe_object(l.classid, l.objid, l.objsubid), '; '
    )
  into v_blockers
  from located as l
  where l.nsp not in (select ours.oid from ours);

  if v_blockers is not null then
    raise exception 'objects of the app depend on Tutela''s: %', v_blockers
    using
      errcode = 'TU409',
      detail = 'app_depends_on_tutela',
      hint = 'Drop or change those objects first; nothing was removed.';
  end if;

  if pg_catalog.to_regclass('cron.job') is not null then
    perform cron.unschedule(j.jobid)
    from cron.job as j
    where j.jobname like 'tutela\_%';
  end if;
end;
$uninstall$;

drop schema if exists tutela_tests cascade;
drop schema if exists tutela cascade;
drop schema if exists tutela_hidden cascade;
drop schema if exists tutela_private cascade;
