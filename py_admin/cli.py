"""The `tutela` command line: thin commands over the plain modules of py_admin."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from py_admin.errors import TutelaError

app = typer.Typer(
    help="Tutela admin: embedded PostgreSQL, migrations, pgTAP tests, lint, Supabase build.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The embedded PostgreSQL cluster under .tutela/.", no_args_is_help=True)
build_app = typer.Typer(help="Derived outputs.", no_args_is_help=True)
seed_app = typer.Typer(help="Named data sets (seeds/<name>/).", no_args_is_help=True)
policies_app = typer.Typer(help="The student-data policy registry.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled jobs (pg_cron, or run-due).", no_args_is_help=True)
privacy_app = typer.Typer(help="Data rights: erasure.", no_args_is_help=True)
dashboard_app = typer.Typer(
    help="The dashboards in the terminal, read as a user through the API (RLS).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(build_app, name="build")
app.add_typer(seed_app, name="seed")
app.add_typer(policies_app, name="policies")
app.add_typer(jobs_app, name="jobs")
app.add_typer(privacy_app, name="privacy")
app.add_typer(dashboard_app, name="dashboard")

_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "120"))
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="DATABASE_URL",
        help="PostgreSQL URL; default: the embedded cluster (started on demand).",
        show_default=False,
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: TutelaError) -> None:
    # the message is text, not markup: "[api]" in it must print as written
    err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
    if exc.hint:
        err_console.print(f"[dim]hint: {escape(exc.hint)}[/]", highlight=False)
    raise typer.Exit(1)


def _show_version(value: bool) -> None:
    if value:
        from py_admin.version import version_line

        print(version_line())
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Print the package version and the schema version it installs, then exit.",
    )] = False,
) -> None:
    pass


# ---- db -------------------------------------------------------------------------------------
@db_app.command("start")
def db_start() -> None:
    """Start the embedded cluster (initialising it on first use). Idempotent. A running cluster
    that has not loaded pg_cron yet (started before it was installed) is restarted: open
    transactions roll back and clients are disconnected; nothing committed is lost."""
    from py_admin.cluster import default_cluster

    cluster = default_cluster()
    started = cluster.start()
    word = "started" if started else "already running"
    if not started and cluster.needs_restart():
        cluster.restart()
        word = "restarted to load pg_cron"
    console.print(f"PostgreSQL {cluster.install.major} {word} on port {cluster.port}")
    console.print(cluster.url(), highlight=False, soft_wrap=True)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster."""
    from py_admin.cluster import default_cluster

    stopped = default_cluster().stop()
    console.print("stopped" if stopped else "not running")


@db_app.command("status")
def db_status(as_json: JsonOut = False) -> None:
    """Whether the embedded cluster runs, where, and how to reach it."""
    from py_admin.cluster import default_cluster

    info = default_cluster().status()
    if as_json:
        print(json.dumps(info, indent=2))
        if not info["running"]:
            raise typer.Exit(3)
        return
    table = Table(show_header=False, box=None)
    for k, v in info.items():
        table.add_row(k, "" if v is None else str(v))
    console.print(table)
    if not info["running"]:
        raise typer.Exit(3)


@db_app.command("url")
def db_url() -> None:
    """Print the URL of the embedded cluster's database (starting it if needed)."""
    from py_admin.cluster import default_cluster

    cluster = default_cluster()
    cluster.start()
    print(cluster.url())


@db_app.command(
    "psql", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def db_psql(ctx: typer.Context, database_url: DatabaseUrl = None) -> None:
    """Open psql on the database (extra arguments go to psql)."""
    from py_admin.db import resolve_url
    from py_admin.pgtap import psql_path

    url = resolve_url(database_url)
    exe = psql_path()
    sys.stdout.flush()
    os.execv(exe, [exe, url, *ctx.args])


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Destroy the embedded cluster and start a new, empty one."""
    from py_admin.cluster import default_cluster

    if not yes and not typer.confirm("Delete every database of the embedded cluster?"):
        raise typer.Exit(1)
    cluster = default_cluster()
    cluster.destroy()
    cluster = default_cluster()
    cluster.start()
    console.print(f"new empty cluster on port {cluster.port}")


# ---- migrations -----------------------------------------------------------------------------
@app.command("migrate")
def migrate_cmd(
    database_url: DatabaseUrl = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan only.")] = False,
) -> None:
    """Apply pending migrations and changed rpc/ and policies/ files, all or nothing."""
    from py_admin.db import resolve_url
    from py_admin.migrate import migrate

    result = migrate(resolve_url(database_url), dry_run=dry_run)
    if result.plan.missing:
        err_console.print(
            "[yellow]warning:[/] in the ledger but not on disk: " + ", ".join(result.plan.missing)
        )
    if result.plan.empty:
        console.print("nothing to apply: the database is up to date")
        return
    verb = "would apply" if dry_run else "applied"
    for f in result.plan.apply:
        console.print(f"  {verb} [{f.kind}] {f.name}", highlight=False, markup=False)
        if f.kind == "baseline" and result.plan.covered:
            names = [c.name for c in result.plan.covered]
            console.print(f"    (a new install: in place of {names[0]} ... {names[-1]})",
                          highlight=False)
    console.print(f"{verb} {len(result.plan.apply)} file(s)")


@app.command("status")
def status_cmd(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """Which Tutela version the database is on, and every migration file's state: applied,
    pending, changed or missing."""
    from py_admin import __version__
    from py_admin.db import resolve_url
    from py_admin.migrate import status
    from py_admin.version import database_version, package_schema, schema_label

    url = resolve_url(database_url)
    rows = status(url)
    db = database_version(url)
    if as_json:
        print(json.dumps({
            "database": db.as_json(),
            "tutela": {"version": __version__, "schema": schema_label(package_schema())},
            "files": [r.__dict__ for r in rows],
        }, indent=2))
        return
    table = Table(title="Migration status")
    for col in ("file", "kind", "state", "applied at"):
        table.add_column(col)
    colours = {"applied": "green", "pending": "yellow", "changed": "red", "missing": "red"}
    for r in rows:
        table.add_row(r.name, r.kind, f"[{colours[r.state]}]{r.state}[/]", r.applied_at or "")
    console.print(table)
    console.print(f"database: {db.describe()}", highlight=False, markup=False, soft_wrap=True)


def _confirm(question: str, *, verb: str, outcome: str, shown: str) -> None:
    """Ask before something that cannot be undone; without a terminal to ask on, refuse."""
    if not sys.stdin.isatty():
        raise TutelaError(
            f"refusing to {verb} without confirmation: there is no terminal to ask on; {outcome}",
            hint=f"Read {shown} above, then run again with --yes.",
        )
    if not typer.confirm(question, default=False):
        raise TutelaError(f"not confirmed; {outcome}")


@app.command("uninstall")
def uninstall_cmd(
    database_url: DatabaseUrl = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation (scripts, CI).")
    ] = False,
) -> None:
    """Remove everything Tutela owns (its schemas, its tutela_-prefixed triggers, policies and
    pg_cron jobs) and nothing else, all or nothing. Refuses while an app object depends on
    Tutela's. The same SQL for Supabase CLI users: supabase/tutela_uninstall.sql."""
    from py_admin.db import resolve_url
    from py_admin.uninstall import read_manifest, uninstall

    url = resolve_url(database_url)
    found = read_manifest(url)
    if found.empty:
        console.print("nothing to remove: this database has no Tutela schema or object")
        return
    table = Table(title="Tutela in this database (removed with every row in it)")
    table.add_column("what")
    table.add_column("objects", justify="right")
    for schema, count in found.schemas.items():
        table.add_row(f"schema {schema}", str(count))
    for what in found.outside:
        table.add_row(what, "1")
    console.print(table)
    if not yes:
        _confirm("Remove Tutela and all its data? This cannot be undone",
                 verb="uninstall", outcome="nothing was removed", shown="the list")
    removed = uninstall(url)
    console.print(
        f"removed {len(removed.schemas)} schema(s) and {len(removed.outside)} object(s) outside "
        "them; nothing of the app's was touched"
    )


@app.command("new")
def new_cmd(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_goals")],
) -> None:
    """Write the next numbered migration file from the template."""
    from py_admin.migrate import new_migration

    path = new_migration(name)
    console.print(f"wrote {path}")


@app.command("init")
def init_cmd(
    supabase_dir: Annotated[
        Path,
        typer.Option(
            "--supabase-dir",
            help="The app's Supabase project folder (the one holding config.toml).",
        ),
    ] = Path("supabase"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    allow_edited: Annotated[
        bool,
        typer.Option(
            "--allow-edited",
            help="Keep Tutela's files that the app edited as they are (else: refuse).",
        ),
    ] = False,
) -> None:
    """Adopt Tutela in an app's Supabase CLI project: add Tutela's migrations (after the app's
    newest) and tests (supabase/tests/tutela/), and "tutela" to [api] schemas in config.toml.
    The app's own files are never touched; a second run adds only what a newer Tutela brings."""
    from py_admin.adopt import TESTS_SUBDIR, apply, plan
    from py_admin.init import API_SCHEMA, add_api_schema, confirms_emails
    from py_admin.paths import project_root

    def say(text: str) -> None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)

    files = plan(supabase_dir, project_root() / "supabase", allow_edited=allow_edited)
    result = add_api_schema(supabase_dir, write=not dry_run)
    if not dry_run:
        apply(files)
    would = "would add" if dry_run else "added"
    if not result.changed:
        say(f'{result.path}: [api] schemas already has "{API_SCHEMA}"; nothing changed')
    else:
        say(f'{result.path}: {would} "{API_SCHEMA}" to [api] schemas')
        for line in result.before.splitlines():
            say(f"  - {line}")
        for line in result.after.splitlines():
            say(f"  + {line}")

    mig = supabase_dir / "migrations"
    if files.migrations_add:
        after = (f"after {files.app_latest}, the newest there" if files.app_latest
                 else "the folder had none")
        say(f"{mig}: {would} {len(files.migrations_add)} of Tutela's migration(s) ({after}):")
        width = max(len(m.dest) for m in files.migrations_add) - len("migrations/")
        for m in files.migrations_add:
            say(f"  {m.dest.removeprefix('migrations/'):<{width}}  "
                f"from Tutela's {m.source.removeprefix('migrations/')}")
    else:
        say(f"{mig}: nothing to add (Tutela's {files.migrations_present} migration(s) are there)")
    tests = supabase_dir / "tests" / TESTS_SUBDIR
    if files.tests_add or files.tests_update or files.tests_remove:
        verbs = ("would be " if dry_run else "")
        say(f"{tests}: {len(files.tests_add)} test file(s) {verbs}added, "
            f"{len(files.tests_update)} {verbs}updated, {len(files.tests_remove)} {verbs}removed "
            f"(Tutela's own; the app's tests are not touched)")
        for label, items in (("+", [t.dest for t in files.tests_add]),
                             ("~", [t.dest for t in files.tests_update]),
                             ("-", files.tests_remove)):
            if len(items) <= 20:
                for dest in items:
                    say(f"  {label} {dest}")
    else:
        say(f"{tests}: up to date ({files.tests_present} test file(s))")
    access = files.access
    if access is not None:
        reg = supabase_dir / "tutela.toml"
        if access.migration is not None:
            say(f"{reg}: {would} {access.migration[0]} ({len(access.entries)} entr(y/ies); "
                + (f"down path for {', '.join(access.removed)}; " if access.removed else "")
                + "the app's own policies are not touched)")
        else:
            say(f"{reg}: guardian access up to date (as in {access.previous or 'nothing'})")
        for dest in access.tests_write:
            say(f"  ~ {dest}")
        for dest in access.tests_remove:
            say(f"  - {dest}")
    for line in files.kept_edited:
        err_console.print(f"[yellow]warning:[/] kept as edited: {escape(line)}", highlight=False,
                          soft_wrap=True)
    if not confirms_emails(supabase_dir):
        err_console.print(
            "[yellow]warning:[/] config.toml does not set \\[auth.email] enable_confirmations = "
            "true: Tutela's invites are accepted by the signed-in user whose address matches, "
            "proof of the address only when Auth confirms it (docs/security.md). Turn it on "
            "(hosted project: Authentication > Sign In / Providers > Email, Confirm email).",
            highlight=False, soft_wrap=True,
        )
    if dry_run:
        say("dry run: nothing was written")
        return
    if not (files.changes or result.changed):
        return
    s = API_SCHEMA
    say(
        "next steps:\n"
        "  1. review and commit the new files (never edit or rename them afterwards)\n"
        "  2. apply them: supabase db push (linked project), or supabase db reset (local stack;\n"
        "     restart it first, supabase stop && supabase start, to pick config.toml up)\n"
        "  3. test: supabase test db (runs the app's tests and Tutela's)\n"
        "  4. hosted project: expose the schema in the Dashboard, Project Settings > Data API >\n"
        f"     Exposed schemas: add {s}\n"
        "  5. clients call the API in its schema (docs/api.md):\n"
        f"     supabase-js  supabase.schema('{s}').rpc(...), or\n"
        f"                  createClient(url, key, {{ db: {{ schema: '{s}' }} }})\n"
        f"     supabase-py  supabase.schema(\"{s}\"), or ClientOptions(schema=\"{s}\")\n"
        f"     PostgREST    Accept-Profile: {s} (GET), Content-Profile: {s} (POST)\n"
        "  later Tutela versions: upgrade the package, run tutela init again (it adds only the\n"
        "  new migrations), then supabase db push"
    )


# ---- build ----------------------------------------------------------------------------------
@build_app.command("supabase")
def build_supabase(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the committed output is stale; write nothing.")
    ] = False,
) -> None:
    """Write supabase/ (config.toml, migrations/, tests/) for the Supabase CLI."""
    from py_admin.supabase_build import build

    result = build(check=check)
    _report_generated(
        check, result.stale, result.written, result.removed,
        what="supabase/", prefix="supabase/", command="tutela build supabase",
    )


def _report_generated(
    check: bool, stale: list[str], written: list[str], removed: list[str], *,
    what: str, prefix: str, command: str,
) -> None:
    """Report a run of a generator of committed files: fail on stale ones with --check,
    else list what was written and removed."""
    if check:
        if stale:
            raise TutelaError(
                f"{what} is stale: " + ", ".join(stale),
                hint=f"run `{command}` and commit the result",
            )
        console.print(f"{what} is up to date")
        return
    for name in written:
        console.print(f"  wrote {prefix}{name}", highlight=False)
    for name in removed:
        console.print(f"  removed {prefix}{name}", highlight=False)
    if not written and not removed:
        console.print(f"{what} is up to date")


# ---- policies -------------------------------------------------------------------------------
@policies_app.command("render")
def policies_render(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the rendered files are stale; write nothing.")
    ] = False,
) -> None:
    """Render policies/registry.toml into policies/learning.sql and tests/sql/learning/."""
    from py_admin.policies import render_files

    result = render_files(check=check)
    _report_generated(
        check, result.stale, result.written, result.removed,
        what="policies/learning.sql with its tests", prefix="", command="tutela policies render",
    )


# ---- privacy --------------------------------------------------------------------------------
def _show_erasure_request(info: dict[str, Any]) -> None:
    who = info.get("requested_by") or {}
    student = info.get("student") or {}
    console.print(f"Erasure request {info['request_id']} ({info['status']})", highlight=False)
    console.print(
        f"  student:      {student.get('display_name')} <{student.get('email') or '-'}> "
        f"({student.get('organization')}, {student.get('id')})", highlight=False)
    console.print(
        f"  requested by: {who.get('display_name') or '-'} <{who.get('email') or '-'}> "
        f"as {who.get('basis') or 'unknown'} ({who.get('user_id') or 'deleted login'})",
        highlight=False)
    console.print(f"  requested at: {info['requested_at']}", highlight=False)
    if info.get("cancel_reason"):
        console.print(f"  cancelled:    {info['cancel_reason']}", highlight=False)
    if info["status"] == "pending":
        holds = "yes" if who.get("holds_the_right_now") else f"no: {who.get('lost_because')}"
        console.print(f"  still holds the right: {holds}", highlight=False)
    would = info.get("would_erase") or {}
    if would:
        table = Table(title="What would be erased (rows)")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in sorted(would.items()):
            if count:
                table.add_row(name, str(count))
        console.print(table)


@privacy_app.command("erase")
def privacy_erase(
    request: Annotated[str, typer.Option("--request", help="The erasure request id.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation (scripts, CI).")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Carry out an erasure request (service role): show who asked, when and what goes, ask
    for confirmation (unless --yes), then delete the student's data in one transaction if the
    requester still holds the right (otherwise the request is cancelled, with the reason)."""
    from py_admin.db import resolve_url
    from py_admin.privacy import describe, erase

    url = resolve_url(database_url)
    info = describe(url, request)
    if not as_json:
        _show_erasure_request(info)
    if not yes:
        _confirm("Erase this student's data? This cannot be undone",
                 verb="erase", outcome="nothing was deleted", shown="the request")
    report = erase(url, request)
    if report.get("status") == "cancelled":
        if as_json:
            print(json.dumps(report, indent=2))
        raise TutelaError(
            f"the erasure was cancelled: {report['reason']}; nothing was deleted",
            hint="The requester no longer holds the right to ask (docs/privacy.md); "
            "the request is recorded as cancelled with this reason.",
        )
    if as_json:
        print(json.dumps(report, indent=2))
        return
    table = Table(title=f"Erased (pseudonym {report['pseudonym']})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(report["deleted"].items()):
        if count:
            table.add_row(name, str(count))
    console.print(table)


# ---- jobs -----------------------------------------------------------------------------------
@jobs_app.command("run-due")
def jobs_run_due(
    database_url: DatabaseUrl = None,
    force: Annotated[bool, typer.Option("--force", help="Run every job now.")] = False,
    as_json: JsonOut = False,
) -> None:
    """Run the jobs whose interval has passed, as the service role (no pg_cron needed)."""
    from py_admin.db import resolve_url
    from py_admin.jobs import held_elsewhere, run_due

    url = resolve_url(database_url)
    runs = run_due(url, force=force)
    busy = held_elsewhere(url, force=force)
    if as_json:
        print(json.dumps([r.__dict__ for r in runs], indent=2))
    else:
        table = Table(title="Jobs run")
        for col in ("job", "result", "error"):
            table.add_column(col)
        for r in runs:
            table.add_row(r.name, r.result or "", r.error or "")
        if runs:
            console.print(table)
        if busy:
            console.print(f"another run of the jobs is in progress: {busy} due job(s) are "
                          "being run by it and were skipped here", highlight=False)
        elif not runs:
            console.print("no job was due")
    if any(r.error for r in runs):
        raise typer.Exit(1)


@jobs_app.command("list")
def jobs_list(database_url: DatabaseUrl = None, as_json: JsonOut = False) -> None:
    """The jobs, their schedules and their last runs."""
    from py_admin.db import resolve_url
    from py_admin.jobs import list_jobs

    jobs = list_jobs(resolve_url(database_url))
    if as_json:
        print(json.dumps(jobs, indent=2, default=str))
        return
    table = Table(title="Jobs")
    for col in ("job", "cron", "every", "last run", "last result", "last error"):
        table.add_column(col)
    for j in jobs:
        table.add_row(j["name"], j["schedule"], j["every"], str(j["last_run_at"] or ""),
                      j["last_result"] or "", j["last_error"] or "")
    console.print(table)


@jobs_app.command("install")
def jobs_install(database_url: DatabaseUrl = None) -> None:
    """Register the jobs with pg_cron (where the database has it)."""
    from py_admin.db import resolve_url
    from py_admin.jobs import install

    names = install(resolve_url(database_url))
    console.print(f"registered with pg_cron: {', '.join(names)}")


# ---- seeds and demo -------------------------------------------------------------------------
@seed_app.command("demo")
def seed_demo(database_url: DatabaseUrl = None) -> None:
    """Load the demo data set (idempotent): an organisation, staff, parents, four children."""
    from py_admin.db import resolve_url
    from py_admin.seed import apply_seed

    files = apply_seed(resolve_url(database_url), "demo")
    console.print(f"seeded demo data ({', '.join(files)})")
    _print_people()


@seed_app.command("synthetic")
def seed_synthetic(
    students: Annotated[int, typer.Option("--students", min=1, help="Students to generate.")],
    days: Annotated[int, typer.Option("--days", min=7, max=730, help="Days of history.")] = 90,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same rows.")] = 1,
    anchor: Annotated[str | None, typer.Option(
        "--anchor", help="First day after the history, YYYY-MM-DD (UTC); default today.",
        show_default=False)] = None,
    check: Annotated[bool, typer.Option(
        "--verify/--no-verify", help="Recount the rollups and check the rules after the load.")
    ] = True,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """A large deterministic data set through COPY (docs/scaling.md), with rows per second."""
    from py_admin.db import resolve_url
    from py_admin.synthetic import run_synthetic

    run_synthetic(resolve_url(database_url), students, days, seed, anchor, as_json, console,
                  check)


def _print_people() -> None:
    from py_admin.demo import PEOPLE

    table = Table(title="Demo people")
    for col in ("name", "email", "user id", "role"):
        table.add_column(col)
    for name, email, uid, role in PEOPLE:
        table.add_row(name, email, uid, role)
    console.print(table)
    pat = next(uid for name, _, uid, _ in PEOPLE if name == "Pat Parent")
    console.print(
        "Act as one of them in `tutela db psql`, as PostgREST would (README: 'Acting as a user'):\n"
        f"  begin; select set_config('request.jwt.claims', "
        f"'{{\"sub\": \"{pat}\", \"role\": \"authenticated\"}}', true);\n"
        "  set local role authenticated;\n"
        "  select display_name, current_streak, reviews_7d from tutela.guardian_list_children();\n"
        "  rollback;",
        highlight=False, markup=False, soft_wrap=True,
    )


@app.command("demo")
def demo_cmd(database_url: DatabaseUrl = None) -> None:
    """Seed the demo, link a parent with a student's code, and show each parent's children."""
    from py_admin.db import resolve_url
    from py_admin.demo import run_demo

    result = run_demo(resolve_url(database_url))
    console.print(f"seeded demo data ({', '.join(result.seeded)})")
    _print_people()
    if result.revoked_first:
        console.print("Noah revoked Jordan's earlier link, so that the demo can run again.")
    console.print(
        f"\n[bold]1.[/] Noah (a student) creates a link code: [bold cyan]{result.code}[/] "
        f"(valid until {result.expires_at:%Y-%m-%d %H:%M} UTC, shown once, stored as a hash)"
    )
    link = result.link
    state = ("[yellow]pending[/] (Noah had removed Jordan: only Noah can bring him back)"
             if result.approved else f"[green]{link['status']}[/]")
    console.print(
        f"[bold]2.[/] Jordan types it in loosely ({result.code.lower().replace('-', ' ')!r}) "
        f"and redeems it: link {link['id']} is {state}, "
        f"relation {link['relation']}, via {link['created_via']}"
    )
    if result.approved:
        console.print(f"[bold]3.[/] Noah approves it: the link is [green]{link['status']}[/]")
    for parent, rows in result.children.items():
        if parent == "Pat Parent":
            _print_pat(rows, result.overviews)
            continue
        table = Table(title=f"{parent}: guardian_list_children()")
        for col in ("child", "relation", "primary", "status", "journal", "grades", "school"):
            table.add_column(col)
        for r in rows:
            perms = r["permissions"]
            table.add_row(
                r["display_name"], r["relation"], "yes" if r["is_primary"] else "",
                r["status"], "yes" if perms.get("journal") else "no",
                "yes" if perms.get("grades") else "no", r["organization_name"],
            )
        console.print(table)


def _ago(moment: Any) -> str:
    """A timestamp as a parent reads it: 'today 07:42', 'yesterday', '3 days ago' (UTC days)."""
    from datetime import datetime

    if moment is None:
        return "never"
    days = (datetime.now(UTC).date() - moment.astimezone(UTC).date()).days
    if days <= 0:
        return f"today {moment.astimezone(UTC):%H:%M} UTC"
    return "yesterday" if days == 1 else f"{days} days ago"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _print_pat(rows: list[dict[str, Any]], overviews: dict[str, dict[str, Any]]) -> None:
    """Pat's children with their activity (guardian_list_children()), then one line per child
    from get_child_overview(child): all read as Pat, through the API."""
    from py_admin.demo import portfolio_subjects, shows_progress

    table = Table(title="Pat Parent: guardian_list_children()")
    for col in ("child", "relation", "primary", "status", "journal", "grades", "streak",
                "reviews 7d", "accuracy 7d", "last active"):
        table.add_column(col, justify="right" if col in ("streak", "reviews 7d") else "left")
    for r in rows:
        perms = r["permissions"]
        visible = shows_progress(r)
        acc = r["accuracy_7d"]
        table.add_row(
            r["display_name"], r["relation"], "yes" if r["is_primary"] else "", r["status"],
            "yes" if perms.get("journal") else "no", "yes" if perms.get("grades") else "no",
            _days(r["current_streak"]) if visible else "-",
            str(r["reviews_7d"]) if visible else "-",
            f"{acc}%" if visible and acc is not None else "-",
            _ago(r["last_active_at"]) if visible else "hidden",
        )
    console.print(table)
    if not overviews:
        return
    console.print("Pat Parent: get_child_overview(child), last 30 days")
    for name, overview in overviews.items():
        k = overview["kpis"]
        if k["reviews_30d"]:
            cards = (f"{k['reviews_30d']} reviews, {k['accuracy_30d']}% correct, "
                     f"{k['xp_30d']} XP")
        else:
            cards = "no flashcard reviews"
        subjects = portfolio_subjects(overview)
        portfolio = ("hidden" if subjects is None else "no cards" if subjects == 0
                     else f"{subjects} subject{'' if subjects == 1 else 's'}")
        console.print(
            f"  {name}: {cards}; {k['active_days_30d']} active days; portfolio: {portfolio}",
            highlight=False,
        )


# ---- dashboards -----------------------------------------------------------------------------
AsEmail = Annotated[
    str,
    typer.Option("--as", help="Email of the user to read the dashboard as (auth.users).",
                 show_default=False),
]


@dashboard_app.command("parent")
def dashboard_parent(
    email: AsEmail, database_url: DatabaseUrl = None, as_json: JsonOut = False,
) -> None:
    """parent_dashboard() as that user: a card per child, with 30-day sparklines."""
    from py_admin.dashboard_view import fetch_parent, render_parent
    from py_admin.db import resolve_url

    doc, activity = fetch_parent(resolve_url(database_url), email)
    if as_json:
        print(json.dumps({**doc, "activity": activity}, indent=2))
        return
    console.print(render_parent(doc, activity, who=email), highlight=False)


@dashboard_app.command("student")
def dashboard_student(
    email: AsEmail, database_url: DatabaseUrl = None, as_json: JsonOut = False,
) -> None:
    """student_dashboard() as that user (who must be a student)."""
    from py_admin.dashboard_view import fetch_student, render_student
    from py_admin.db import resolve_url

    doc = fetch_student(resolve_url(database_url), email)
    if as_json:
        print(json.dumps(doc, indent=2))
        return
    console.print(render_student(doc, who=email), highlight=False)


# ---- bench ----------------------------------------------------------------------------------
@app.command("bench")
def bench_cmd(
    clients: Annotated[str, typer.Option("--clients", help="Client counts, e.g. 1,8,16.")] = "1,8",
    duration: Annotated[float, typer.Option("--duration", min=0.5, help="Seconds per level.")] = 20,
    warmup: Annotated[float, typer.Option("--warmup", min=0, help="Seconds before measuring.")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Picks the actors.")] = 1,
    label: Annotated[str | None, typer.Option(
        "--label", help="Folder under bench/results/ (default: time and size).")] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="results.json of a smaller database: the scaling check.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Results root.")] = Path("bench/results"),
    no_explain: Annotated[bool, typer.Option("--no-explain", help="Skip EXPLAIN.")] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Dashboard reads under RLS against the same work as service_role (the floor): p50, p95,
    p99 and throughput per client count, EXPLAIN of each statement (docs/scaling.md)."""
    from py_admin.bench import BenchConfig, markdown, run_bench
    from py_admin.db import resolve_url

    try:
        levels = [int(x) for x in clients.split(",") if x.strip()]
    except ValueError:
        raise TutelaError(f"--clients {clients!r}: give numbers like 1,8,16") from None
    cfg = BenchConfig(clients=levels, duration=duration, warmup=warmup, seed=seed, label=label,
                      out_root=out, baseline=baseline, explain=not no_explain)

    def show(level: dict[str, Any]) -> None:
        if not as_json:
            err_console.print(f"{level['clients']} client(s): {level['calls_per_second']} "
                              f"calls/s, CPU {level['cpu_busy_percent']}%", highlight=False)

    doc, folder = run_bench(resolve_url(database_url), cfg, on_level=show)
    if as_json:
        print(json.dumps(doc, indent=2))
        return
    console.print(markdown(doc), highlight=False, markup=False)
    console.print(f"wrote {folder}/results.json, results.md and explain/", highlight=False)


# ---- tests ----------------------------------------------------------------------------------
@app.command("test")
def test_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Test files or folders.")] = None,
    database_url: DatabaseUrl = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Files run at once.")] = 1,
    as_json: JsonOut = False,
) -> None:
    """Run the pgTAP files against a fresh database migrated from scratch."""
    from py_admin.db import resolve_url, scratch_database
    from py_admin.paths import project_root
    from py_admin.pgtap import FileResult, discover, prepare_database, run_files

    files = discover(paths)
    if not files:
        raise TutelaError("no pgTAP files found (tests/sql/**/*.test.sql)")
    root = project_root()

    def show(res: FileResult) -> None:
        if as_json:
            return
        full = res.path.resolve()
        rel = full.relative_to(root) if full.is_relative_to(root) else res.path
        mark = "[green]ok[/]" if res.ok else "[red]FAIL[/]"
        console.print(f"{mark} {rel}  ({res.passed}/{res.planned or 0}, {res.seconds:.2f}s)",
                      highlight=False)
        for p in res.problems:
            console.print(f"    {p}", highlight=False, markup=False)

    with scratch_database(resolve_url(database_url), prefix="tutela_test") as url:
        prepare_database(url)
        results = run_files(url, files, jobs=jobs, on_result=show)
    total = sum(len(r.assertions) for r in results)
    passed = sum(r.passed for r in results)
    bad = [r for r in results if not r.ok]
    if as_json:
        print(json.dumps({
            "files": len(results), "assertions": total, "passed": passed,
            "failed_files": [str(r.path) for r in bad],
        }, indent=2))
    else:
        console.print(f"{len(results)} files, {total} assertions: {passed} passed, "
                      f"{len(bad)} file(s) failed")
    if bad or total == 0:
        raise typer.Exit(1)


# ---- lint -----------------------------------------------------------------------------------
@app.command("lint")
def lint_cmd(
    database_url: DatabaseUrl = None,
    skip_sqlfluff: Annotated[bool, typer.Option("--no-sqlfluff", help="Skip sqlfluff.")] = False,
    skip_python: Annotated[bool, typer.Option("--no-python", help="Skip ruff and mypy.")] = False,
    matrix: Annotated[bool, typer.Option(
        "--matrix", help="Only the privilege matrix: every public table x actor x command.",
    )] = False,
    as_json: JsonOut = False,
    app: Annotated[bool, typer.Option(
        "--app", help="Only the app check: views and materialized views of the app's (in the "
        "schemas config.toml exposes) that show every user's rows to anon or authenticated. "
        "Give the app's database with --database-url.",
    )] = False,
    supabase_dir: Annotated[Path, typer.Option(
        "--supabase-dir", help="With --app: the app's Supabase project folder (config.toml).",
    )] = Path("supabase"),
) -> None:
    """sqlfluff, catalog checks on a freshly migrated database, ruff and mypy."""
    from py_admin.db import resolve_url
    from py_admin.lint import run_all

    if app:
        from py_admin.app_access import exposed_schemas, lint_app_views

        found = lint_app_views(resolve_url(database_url), exposed_schemas(supabase_dir))
        for name, level, obj, detail, fix in found:
            console.print(f"{level} {name}: {obj}: {detail}\n  fix: {fix}", highlight=False,
                          markup=False, soft_wrap=True)
        if found:
            raise TutelaError(f"app lint: {len(found)} view(s) show every user's rows",
                              hint="docs/adopting.md, \"Views and materialized views\"")
        console.print("app lint: clean")
        return
    if matrix:
        from py_admin.matrix import matrix_report

        bad = matrix_report(resolve_url(database_url), console, as_json=as_json)
        if bad:
            raise TutelaError(f"privilege matrix: {bad} problem(s)",
                              hint="fix the grant or policy, or tests/privilege_matrix.toml")
        return
    problems = run_all(
        resolve_url(database_url), sqlfluff=not skip_sqlfluff, python=not skip_python,
        echo=lambda s: console.print(s, highlight=False, markup=False),
    )
    if problems:
        raise TutelaError(f"lint found {problems} problem(s)")
    console.print("lint: clean")


# ---- dispatch -------------------------------------------------------------------------------
@app.command("dispatch")
def dispatch_cmd(
    database_url: DatabaseUrl = None,
    loop: Annotated[bool, typer.Option(
        "--loop/--once",
        help="--once: send what is due now, then stop; --loop: keep polling until SIGINT/SIGTERM.",
    )] = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, envvar="TUTELA_DISPATCH_WORKERS",
        help="Parallel workers, each with its own connection and SMTP session.",
    )] = 4,
    batch: Annotated[int, typer.Option(
        "--batch", min=1, max=1000, envvar="TUTELA_DISPATCH_BATCH",
        help="Messages one claim takes.",
    )] = 50,
    lease: Annotated[int, typer.Option(
        "--lease", min=10, max=86400, envvar="TUTELA_DISPATCH_LEASE",
        help="Seconds after which a claimed, unmarked message is claimed again.",
    )] = 300,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.1, envvar="TUTELA_DISPATCH_INTERVAL",
        help="--loop: seconds between polls.",
    )] = 5.0,
    as_json: JsonOut = False,
) -> None:
    """Send the notification outbox: email over SMTP (TUTELA_SMTP_*, TUTELA_MAIL_FROM,
    TUTELA_APP_URL); sms and push need a provider (TUTELA_SMS_PROVIDER, TUTELA_PUSH_PROVIDER)."""
    import time

    from py_admin.db import resolve_url
    from py_admin.dispatch import DispatchCounts, SmtpSettings, run_loop, run_once

    settings = SmtpSettings.from_env()
    url = resolve_url(database_url)
    started = time.monotonic()
    if loop:
        if not as_json:
            console.print(
                f"dispatching with {workers} worker(s) to {settings.host}:{settings.port} "
                f"every {interval:g} s; Ctrl-C to stop", highlight=False,
            )
            with console.status("waiting for messages...") as status:
                def show_loop(c: DispatchCounts) -> None:
                    status.update(f"dispatching: {c.sent} sent, {c.retried} retried, "
                                  f"{c.dead} dead so far; Ctrl-C to stop")

                counts = run_loop(url, workers, batch, interval=interval, lease_seconds=lease,
                                  settings=settings, on_progress=show_loop)
        else:
            counts = run_loop(url, workers, batch, interval=interval, lease_seconds=lease,
                              settings=settings)
    elif as_json:
        counts = run_once(url, workers, batch, lease_seconds=lease, settings=settings)
    else:
        with console.status("dispatching...") as status:
            def show(c: DispatchCounts) -> None:
                status.update(f"dispatching: {c.sent} sent, {c.retried} retried, {c.dead} dead")

            counts = run_once(url, workers, batch, lease_seconds=lease, settings=settings,
                              on_progress=show)
    seconds = time.monotonic() - started
    if as_json:
        print(json.dumps({
            "sent": counts.sent, "retried": counts.retried, "dead": counts.dead,
            "deferred": counts.deferred, "cancelled": counts.cancelled,
            "unconfirmed": counts.unconfirmed, "workers": workers,
            "seconds": round(seconds, 3),
        }, indent=2))
        return
    table = Table(title=f"Dispatch ({workers} worker(s), {seconds:.1f} s)")
    table.add_column("outcome")
    table.add_column("messages", justify="right")
    table.add_row("[green]sent[/]", str(counts.sent))
    table.add_row("[yellow]retried[/] (will be tried again)", str(counts.retried))
    table.add_row("[red]dead[/] (gave up; last error kept)", str(counts.dead))
    if counts.deferred:
        table.add_row("deferred (given back untried: an outage, or the lease ran out)",
                      str(counts.deferred))
    if counts.unconfirmed:
        table.add_row("unconfirmed (sent, but another claim had taken it: sent again)",
                      str(counts.unconfirmed))
    if counts.cancelled:
        table.add_row("cancelled at sending (the right to read it was gone)",
                      str(counts.cancelled))
    console.print(table)


# ---- outbox (the operator's requeue) --------------------------------------------------------
outbox_app = typer.Typer(
    help="The notification outbox: what waits or died, retry and requeue "
         "(docs/notifications.md).",
    no_args_is_help=True,
)
app.add_typer(outbox_app, name="outbox")

OutboxStatus = Annotated[list[str] | None, typer.Option(
    "--status", help="pending, sending, sent, dead or cancelled (repeatable).",
    show_default=False)]
OutboxTemplate = Annotated[list[str] | None, typer.Option(
    "--template", help="A template, e.g. guardian_invite (repeatable).", show_default=False)]
OutboxChannel = Annotated[list[str] | None, typer.Option(
    "--channel", help="email, sms or push (repeatable).", show_default=False)]
OutboxId = Annotated[list[str] | None, typer.Option(
    "--id", help="A message id (repeatable).", show_default=False)]
OutboxError = Annotated[str | None, typer.Option(
    "--error", help="Part of the last error, e.g. 'SMTP server'.", show_default=False)]
OutboxOlder = Annotated[float | None, typer.Option(
    "--older-than", min=0, help="Queued more than this many minutes ago.", show_default=False)]
OutboxRecipient = Annotated[str | None, typer.Option(
    "--recipient", help="Part of the recipient's address.", show_default=False)]
OutboxAll = Annotated[bool, typer.Option("--all", help="Every matching message, no filter.")]


def _outbox_filter(status: list[str] | None, template: list[str] | None,
                   channel: list[str] | None, ids: list[str] | None, error: str | None,
                   older_than: float | None, recipient: str | None) -> Any:
    from py_admin.outbox import OutboxFilter

    return OutboxFilter(statuses=tuple(status or ()), templates=tuple(template or ()),
                        channels=tuple(channel or ()), ids=tuple(ids or ()), error=error,
                        older_than_minutes=older_than, recipient=recipient)


@outbox_app.command("list")
def outbox_list(
    database_url: DatabaseUrl = None, status: OutboxStatus = None,
    template: OutboxTemplate = None, channel: OutboxChannel = None, ids: OutboxId = None,
    error: OutboxError = None, older_than: OutboxOlder = None,
    recipient: OutboxRecipient = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 100,
    as_json: JsonOut = False,
) -> None:
    """What waits (pending, sending) or died (dead), with its attempts, outage deferrals and
    last error. Default: pending, sending and dead."""
    from py_admin.db import resolve_url
    from py_admin.outbox import list_outbox

    flt = _outbox_filter(status, template, channel, ids, error, older_than, recipient)
    result = list_outbox(resolve_url(database_url), flt, limit)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    counts = result["counts"]
    console.print(", ".join(f"{k}: {counts.get(k, 0)}" for k in
                            ("pending", "sending", "sent", "dead", "cancelled"))
                  + f"; overdue by 10+ minutes: {result['overdue']}", highlight=False)
    table = Table()
    for col in ("id", "status", "template", "recipient", "attempts", "deferred", "next attempt",
                "last error"):
        table.add_column(col)
    for m in result["messages"]:
        table.add_row(m["id"][:8], m["status"], m["template"], m["recipient"] or "",
                      f"{m['attempts']}/{m['max_attempts']}", str(m["deferrals"]),
                      f"{m['next_attempt_at']:%Y-%m-%d %H:%M}" if m["status"] == "pending"
                      else "", (m["last_error"] or m["cancel_reason"] or "")[:60])
    console.print(table)


@outbox_app.command("retry")
def outbox_retry(
    database_url: DatabaseUrl = None, status: OutboxStatus = None,
    template: OutboxTemplate = None, channel: OutboxChannel = None, ids: OutboxId = None,
    error: OutboxError = None, older_than: OutboxOlder = None,
    recipient: OutboxRecipient = None, everything: OutboxAll = False, as_json: JsonOut = False,
) -> None:
    """Pending messages waiting for their backoff become due now (the next dispatch sends
    them). Needs a filter or --all."""
    from py_admin.db import resolve_url
    from py_admin.outbox import retry_outbox

    flt = _outbox_filter(status, template, channel, ids, error, older_than, recipient)
    count = retry_outbox(resolve_url(database_url), flt, everything)
    if as_json:
        print(json.dumps({"retried": count}))
        return
    console.print(f"{count} message(s) due now", highlight=False)


@outbox_app.command("requeue")
def outbox_requeue(
    database_url: DatabaseUrl = None, status: OutboxStatus = None,
    template: OutboxTemplate = None, channel: OutboxChannel = None, ids: OutboxId = None,
    error: OutboxError = None, older_than: OutboxOlder = None,
    recipient: OutboxRecipient = None, everything: OutboxAll = False, as_json: JsonOut = False,
) -> None:
    """Dead messages back in the queue, due now, with fresh attempts; a dead invite is
    re-issued (a new token by email) while it can still be accepted. Needs a filter or --all."""
    from py_admin.db import resolve_url
    from py_admin.outbox import requeue_outbox

    flt = _outbox_filter(status, template, channel, ids, error, older_than, recipient)
    result = requeue_outbox(resolve_url(database_url), flt, everything)
    summary = {
        "requeued": sum(r["outcome"] == "requeued" for r in result),
        "reissued": sum(r["outcome"] == "reissued" for r in result),
        "skipped": sum(r["outcome"].startswith("skipped") for r in result),
        "messages": result,
    }
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    console.print(f"{summary['requeued']} requeued, {summary['reissued']} invite(s) re-issued, "
                  f"{summary['skipped']} skipped", highlight=False)
    for r in result:
        if r["outcome"].startswith("skipped"):
            console.print(f"  {r['id']}: {r['outcome']}", highlight=False)


# ---- roster import --------------------------------------------------------------------------
import_app = typer.Typer(
    help="Roster sync from CSV exports of a student information system (docs/roster-sync.md).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

OrgSlug = Annotated[str, typer.Option(
    "--organization", "--org", help="The organisation's slug.", show_default=False,
)]
DryRun = Annotated[bool, typer.Option(
    "--dry-run",
    help="Print the plan (creates, updates, revokes, invites, errors); change nothing.",
)]
Strict = Annotated[bool, typer.Option("--strict", help="Abort on the first bad row.")]
BatchSize = Annotated[int, typer.Option(
    "--batch-size", min=1, max=50000, help="Rows sent per call (progress is shown per batch).",
)]
CommitBatches = Annotated[bool, typer.Option(
    "--commit-batches",
    help="Commit each batch on its own (a report per batch) instead of one transaction.",
)]


def _roster(kind: str, file: Path, organization: str, dry_run: bool, strict: bool, full: bool,
            batch_size: int, commit_batches: bool, database_url: str | None,
            as_json: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from py_admin.db import resolve_url
    from py_admin.roster import run_import

    url = resolve_url(database_url)
    if as_json:
        report = run_import(url, kind, file, organization, dry_run=dry_run, strict=strict,
                            full=full, batch_size=batch_size, commit_batches=commit_batches)
        print(json.dumps(report.as_json(), indent=2, default=str))
        return
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console,
                  transient=True) as progress:
        task = progress.add_task(f"importing {kind}", total=None)
        report = run_import(url, kind, file, organization, dry_run=dry_run, strict=strict,
                            full=full, batch_size=batch_size, commit_batches=commit_batches,
                            on_start=lambda n: progress.update(task, total=n),
                            on_progress=lambda n: progress.advance(task, n))
    title = ("Plan (dry run: nothing changed)" if dry_run else "Imported") + (
        f": {kind} into {organization}, {report.rows} row(s) in {report.seconds:.1f} s"
    )
    table = Table(title=title)
    for name in ("creates", "updates", "revokes", "invites", "unchanged", "errors"):
        table.add_column(name, justify="right")
    c = report.counts
    table.add_row(*(str(c[k]) for k in ("create", "update", "revoke", "invite", "unchanged",
                                        "error")))
    console.print(table)
    if dry_run and report.changes:
        plan = Table(title="Changes")
        plan.add_column("line", justify="right")
        plan.add_column("action")
        plan.add_column("key")
        for change in report.changes[:100]:
            plan.add_row(str(change["line"] or "-"), change["action"], str(change["key"]))
        console.print(plan)
        if len(report.changes) > 100:
            console.print(f"... and {len(report.changes) - 100} more (--json lists them all)")
    if report.errors:
        errors = Table(title="Skipped rows" if not strict else "Errors")
        errors.add_column("line", justify="right")
        errors.add_column("code")
        errors.add_column("reason")
        for e in report.errors[:200]:
            errors.add_row(str(e["line"] or "-"), e["code"], e["reason"])
        console.print(errors)
        if len(report.errors) > 200:
            console.print(f"... and {len(report.errors) - 200} more (--json lists them all)")


@import_app.command("students")
def import_students(
    file: Annotated[Path, typer.Argument(help="CSV: sis_id, display_name, email, birth_date.")],
    organization: OrgSlug,
    dry_run: DryRun = False,
    strict: Strict = False,
    batch_size: BatchSize = 2000,
    commit_batches: CommitBatches = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Create or update students by their SIS id (never deletes a student)."""
    _roster("students", file, organization, dry_run, strict, False, batch_size, commit_batches,
            database_url, as_json)


@import_app.command("staff")
def import_staff(
    file: Annotated[Path, typer.Argument(help="CSV: email, role, title, sis_id, status.")],
    organization: OrgSlug,
    dry_run: DryRun = False,
    strict: Strict = False,
    full: Annotated[bool, typer.Option(
        "--full", help="Also remove roster-managed members the file no longer lists.",
    )] = False,
    batch_size: BatchSize = 2000,
    commit_batches: CommitBatches = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Add, update or remove staff and admins (they need an account)."""
    _roster("staff", file, organization, dry_run, strict, full, batch_size, commit_batches,
            database_url, as_json)


@import_app.command("guardian-links")
def import_guardian_links(
    file: Annotated[Path, typer.Argument(
        help="CSV: student, guardian_email, relation, primary, status, permissions, "
        "guardian_name, sis_id.",
    )],
    organization: OrgSlug,
    dry_run: DryRun = False,
    strict: Strict = False,
    full: Annotated[bool, typer.Option(
        "--full", help="Also revoke roster-managed links (and invites) the file no longer lists.",
    )] = False,
    batch_size: BatchSize = 2000,
    commit_batches: CommitBatches = False,
    database_url: DatabaseUrl = None,
    as_json: JsonOut = False,
) -> None:
    """Link guardians (an invite when they have no account yet); status deleted revokes."""
    _roster("guardian-links", file, organization, dry_run, strict, full, batch_size,
            commit_batches, database_url, as_json)


# ---- reports --------------------------------------------------------------------------------
report_app = typer.Typer(help="Stored report snapshots (tutela.reports).", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("render")
def report_render(
    report_id: Annotated[str, typer.Option("--id", help="The report's id.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write; default: report-<id>.<format> here.",
        show_default=False,
    )] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Render a stored report to HTML (inline SVG chart) or PDF (WeasyPrint), read as the
    database owner."""
    from py_admin.db import resolve_url
    from py_admin.reports import render_report

    path = render_report(resolve_url(database_url), report_id, fmt.lower(), output)
    console.print(f"wrote {path}", highlight=False)


def main() -> None:
    import psycopg

    try:
        app()
    except TutelaError as exc:
        _fail_exit(exc)
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        # the one boundary: a lost or refused connection is a message, never a traceback
        _fail_exit(TutelaError(
            f"the connection to the database failed: {str(exc).strip().splitlines()[0]}",
            hint="check that the server runs (tutela db status) and the URL; then run the "
            "same command again",
        ))
    except psycopg.Error as exc:
        # a statement the server refused that no command turned into its own message
        _fail_exit(TutelaError(
            f"the database refused it: {str(exc).strip().splitlines()[0]} "
            f"(SQLSTATE {exc.sqlstate})",
            hint="`tutela status` shows whether Tutela is installed and current; "
            "`tutela migrate` installs or upgrades it",
        ))
    except ModuleNotFoundError as exc:
        _fail_exit(TutelaError(
            f"this command needs the Python package {exc.name!r}, which is not installed",
            hint="the development tools come with `pip install 'tutela[dev]'`",
        ))
    except Exception as exc:
        if os.environ.get("TUTELA_DEBUG"):
            raise
        _fail_exit(TutelaError(
            f"unexpected {type(exc).__name__}: {exc}",
            hint="a bug in tutela: run again with TUTELA_DEBUG=1 for the traceback, and report it",
        ))


def _fail_exit(exc: TutelaError) -> None:
    try:
        _fail(exc)
    except typer.Exit as e:
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
