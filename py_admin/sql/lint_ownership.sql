-- Lint rule `ownership` (catalog layer): what lies outside Tutela's schemas.
--
-- One row per object (or per privilege or setting) outside tutela, tutela_hidden and
-- tutela_private that Tutela must not have made: relations, functions, types, policies,
-- unprefixed triggers on other schemas' tables, default privileges not scoped to a schema of
-- Tutela's, database and role settings, schemas, extensions, event triggers, publications and
-- their tables, roles without the tutela_ prefix, and the privileges and RLS state of
-- everything outside. On its own the list is the app's and Supabase's as much as Tutela's:
-- `tutela lint` runs it after the Supabase compat bootstrap and again after the migration, and
-- reports the rows that are new (py_admin/lint.py, check_ownership_catalog).
-- Columns: name, level, object (the key the two runs are compared on), detail, remediation.
with
outside as (
  select
    n.oid,
    n.nspname
  from pg_catalog.pg_namespace as n
  where
    n.nspname not in (
      'tutela', 'tutela_hidden', 'tutela_private', 'pg_catalog', 'information_schema',
      'pg_toast'
    )
    and n.nspname not like 'pg\_temp\_%'
    and n.nspname not like 'pg\_toast\_temp\_%'
),

ext_members as (
  select
    d.classid,
    d.objid
  from pg_catalog.pg_depend as d
  where d.deptype = 'e'
),

found (object, detail, remediation) as (
  select
    pg_catalog.format(
      '%s %I.%I%s',
      case c.relkind
        when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
        when 'm' then 'materialized view' when 'S' then 'sequence'
        when 'f' then 'foreign table' when 'c' then 'type' else 'index'
      end,
      o.nspname, c.relname,
      -- an index, or a sequence a column owns: named with its table (reported once with it)
      (
        select pg_catalog.format(' on %I.%I', tn.nspname, t.relname)
        from pg_catalog.pg_index as i
        inner join pg_catalog.pg_class as t on i.indrelid = t.oid
        inner join pg_catalog.pg_namespace as tn on t.relnamespace = tn.oid
        where i.indexrelid = c.oid
        union all
        select pg_catalog.format(' of %I.%I', tn.nspname, t.relname)
        from pg_catalog.pg_depend as d
        inner join pg_catalog.pg_class as t on d.refobjid = t.oid
        inner join pg_catalog.pg_namespace as tn on t.relnamespace = tn.oid
        where
          d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid
          and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
          and d.deptype in ('a', 'i')
        limit 1
      )
    ),
    'a relation outside Tutela''s schemas',
    'create it in tutela, tutela_hidden or tutela_private'
  from pg_catalog.pg_class as c
  inner join outside as o on c.relnamespace = o.oid
  where
    c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')
    and (c.relkind not in ('i', 'I') or not exists (
      select 1 from ext_members as e
      inner join pg_catalog.pg_index as i on e.objid = i.indrelid
      where e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and i.indexrelid = c.oid
    ))
    and not exists (
      select 1 from ext_members as e
      where e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and e.objid = c.oid
    )

  union all
  select
    pg_catalog.format(
      'function %I.%I(%s)', o.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)
    ),
    'a function outside Tutela''s schemas',
    'create it in tutela, tutela_hidden or tutela_private'
  from pg_catalog.pg_proc as p
  inner join outside as o on p.pronamespace = o.oid
  where
    not exists (
      select 1 from ext_members as e
      where e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and e.objid = p.oid
    )

  union all
  select
    pg_catalog.format('type %I.%I', o.nspname, t.typname),
    'a type outside Tutela''s schemas',
    'create it in tutela, tutela_hidden or tutela_private'
  from pg_catalog.pg_type as t
  inner join outside as o on t.typnamespace = o.oid
  where
    t.typrelid = 0
    and not exists (select 1 from pg_catalog.pg_type as a where a.typarray = t.oid)
    and not exists (
      select 1 from ext_members as e
      where e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass and e.objid = t.oid
    )

  union all
  select
    pg_catalog.format('policy %I on %I.%I', pol.polname, o.nspname, c.relname),
    'a policy on a table outside Tutela''s schemas',
    'Tutela adds policies to an app''s tables only when the app''s registry asks for them'
  from pg_catalog.pg_policy as pol
  inner join pg_catalog.pg_class as c on pol.polrelid = c.oid
  inner join outside as o on c.relnamespace = o.oid

  union all
  select
    pg_catalog.format('trigger %I on %I.%I', tg.tgname, o.nspname, c.relname),
    'a trigger on a table outside Tutela''s schemas without the tutela_ prefix',
    'name it tutela_...'
  from pg_catalog.pg_trigger as tg
  inner join pg_catalog.pg_class as c on tg.tgrelid = c.oid
  inner join outside as o on c.relnamespace = o.oid
  where not tg.tgisinternal and tg.tgname not like 'tutela\_%'

  union all
  select
    pg_catalog.format(
      'default privileges of %s %s on %s: %s',
      pg_catalog.pg_get_userbyid(da.defaclrole),
      coalesce('in schema ' || pg_catalog.quote_ident(n.nspname), 'database-wide'),
      case da.defaclobjtype
        when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
        when 'T' then 'types' when 'n' then 'schemas' else da.defaclobjtype::text
      end,
      da.defaclacl::text
    ),
    'default privileges not scoped to a schema of Tutela''s',
    'write `alter default privileges in schema tutela, ...` naming only Tutela''s schemas'
  from pg_catalog.pg_default_acl as da
  left join pg_catalog.pg_namespace as n on da.defaclnamespace = n.oid
  where coalesce(n.nspname, '') not in ('tutela', 'tutela_hidden', 'tutela_private')

  union all
  select
    pg_catalog.format(
      'setting %s for %s: %s',
      case s.setdatabase when 0 then 'in every database' else 'in this database' end,
      case s.setrole when 0 then 'every role' else pg_catalog.pg_get_userbyid(s.setrole) end,
      cfg.setting
    ),
    'a database- or role-wide setting',
    'settings are Tutela''s only inside its functions (`set` clauses) or its schemas'
  from pg_catalog.pg_db_role_setting as s
  cross join lateral pg_catalog.unnest(s.setconfig) as cfg (setting)
  where
    s.setdatabase in (
      0, (select d.oid from pg_catalog.pg_database as d where d.datname = current_database())
    )

  union all
  select
    pg_catalog.format('schema %I', o.nspname),
    'a schema that is not one of Tutela''s',
    'Tutela''s schemas are tutela, tutela_hidden and tutela_private'
  from outside as o

  union all
  select
    pg_catalog.format('extension %I', x.extname),
    'an extension (database-wide)',
    'leave extensions to the app or Supabase; name it as a requirement'
  from pg_catalog.pg_extension as x

  union all
  select
    pg_catalog.format('event trigger %I', et.evtname),
    'an event trigger (database-wide)',
    'Tutela makes no event triggers'
  from pg_catalog.pg_event_trigger as et

  union all
  select
    pg_catalog.format('publication %I', pub.pubname),
    'a publication without the tutela_ prefix',
    'name it tutela_...'
  from pg_catalog.pg_publication as pub
  where pub.pubname not like 'tutela\_%'

  union all
  select
    pg_catalog.format('publication %I table %I.%I', pub.pubname, o.nspname, c.relname),
    'a publication entry for a table outside Tutela''s schemas',
    'publish only tables of Tutela''s schemas'
  from pg_catalog.pg_publication_rel as pr
  inner join pg_catalog.pg_publication as pub on pr.prpubid = pub.oid
  inner join pg_catalog.pg_class as c on pr.prrelid = c.oid
  inner join outside as o on c.relnamespace = o.oid

  union all
  select
    pg_catalog.format('role %I', r.rolname),
    'a role (cluster-wide) without the tutela_ prefix',
    'name it tutela_..., or leave roles to the app or Supabase'
  from pg_catalog.pg_roles as r
  where r.rolname not like 'tutela\_%'

  union all
  select
    pg_catalog.format(
      'privileges on %s %I.%I: %s, row level security %s%s',
      case when c.relkind in ('S') then 'sequence' else 'relation' end,
      o.nspname, c.relname, coalesce(c.relacl::text, 'default'),
      case when c.relrowsecurity then 'on' else 'off' end,
      case when c.relforcerowsecurity then ' (forced)' else '' end
    ),
    'privileges or row level security of a relation outside Tutela''s schemas changed',
    'Tutela grants on an app''s tables only what the app''s registry asks for'
  from pg_catalog.pg_class as c
  inner join outside as o on c.relnamespace = o.oid
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')

  union all
  select
    pg_catalog.format(
      'privileges on function %I.%I(%s): %s', o.nspname, p.proname,
      pg_catalog.oidvectortypes(p.proargtypes), coalesce(p.proacl::text, 'default')
    ),
    'privileges of a function outside Tutela''s schemas changed',
    'leave the privileges of functions outside Tutela''s schemas to their owner'
  from pg_catalog.pg_proc as p
  inner join outside as o on p.pronamespace = o.oid

  union all
  select
    pg_catalog.format(
      'privileges on schema %I: %s', o.nspname, coalesce(n.nspacl::text, 'default')
    ),
    'privileges of a schema that is not Tutela''s changed',
    'leave the privileges of other schemas to their owner'
  from outside as o
  inner join pg_catalog.pg_namespace as n on o.oid = n.oid
)

select
  'ownership' as name,
  'ERROR' as level,
  f.object,
  f.detail,
  f.remediation
from found as f
order by f.object
