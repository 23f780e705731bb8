-- app_exposed_view: a view or materialized view of the app's, in a schema the Data API exposes,
-- that anon or authenticated may read and that shows every user's rows. A materialized view
-- has no row level security at all; a view runs as its owner (past RLS) unless it is
-- security_invoker, and then still shows whatever its tables without RLS hold.
-- Setting: tutela_lint.schemas, the exposed schemas, comma-separated (config.toml [api] schemas).
select
  'app_exposed_view' as name,
  'warn' as level,
  pg_catalog.format('%I.%I', n.nspname, c.relname) as object,
  case
    when c.relkind = 'm' then 'materialized view (no row level security) readable by '
    else 'view running as its owner (past row level security) readable by '
  end || pg_catalog.array_to_string(array(
    select r from unnest(array['anon', 'authenticated']) as r
    where pg_catalog.has_table_privilege(r, c.oid, 'select')
  ), ', ') as detail,
  'revoke select from anon, authenticated and read it through a security definer function '
  || 'filtered to auth.uid() (guardians: a [[view]] in supabase/tutela.toml); a view: '
  || 'with (security_invoker = true) over tables with row level security' as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
  c.relkind in ('v', 'm')
  and n.nspname
  = any(pg_catalog.string_to_array(pg_catalog.current_setting('tutela_lint.schemas'), ','))
  and not exists (
    select 1 from pg_catalog.pg_depend as d
    where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
  )
  and (
    pg_catalog.has_table_privilege('anon', c.oid, 'select')
    or pg_catalog.has_table_privilege('authenticated', c.oid, 'select')
  )
  and (
    c.relkind = 'm'
    or not coalesce(c.reloptions && array['security_invoker=true', 'security_invoker=on'], false)
    or exists (  -- security_invoker, over a table without row level security
      select 1 from pg_catalog.pg_rewrite as w
      inner join pg_catalog.pg_depend as d
        on w.oid = d.objid and d.classid = 'pg_catalog.pg_rewrite'::regclass
      inner join pg_catalog.pg_class as t on d.refobjid = t.oid
      where w.ev_class = c.oid and t.relkind in ('r', 'p') and not t.relrowsecurity
    )
  )
order by 3
