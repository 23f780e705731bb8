"""An embedded PostgreSQL cluster made with the machine's initdb/pg_ctl.

The default cluster lives under ``<project>/.tutela/``. PostgreSQL refuses to run as root, so
when the harness runs as root it creates (or reuses) the unprivileged system user ``tutela``,
hands the cluster directory to it and runs every server binary as that user.

Where the server has pg_cron (``make setup`` installs it), the cluster preloads it with
``cron.database_name = 'tutela_cron'`` (pg_cron's extension and its jobs live in that one
database, which every start makes sure exists; ``create extension pg_cron`` in it is left to
whoever schedules jobs). The settings are written at every start (``tutela.conf``), so a cluster
made before pg_cron was there gets them on its next start; ``tutela db start`` restarts a running
one that has not loaded them yet (a fast shutdown: open transactions roll back and clients are
disconnected, nothing committed is lost). In the embedded cluster jobs run in background workers
as their owner. In the ephemeral test clusters the scheduler runs but no job can execute: its
connections go to a socket directory where no server listens, so a job a test registers never
runs its command mid-test (the run is recorded as failed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from psycopg import sql

from py_admin.errors import TutelaError
from py_admin.paths import BUNDLED_ROOT, SQL_DIR, project_root
from py_admin.pgbin import PgInstall, find_install

SERVICE_USER = os.environ.get("TUTELA_PG_USER", "tutela")
ADMIN = "supabase_admin"  # the platform's superuser, as on Supabase (initdb's user)
APP_ROLE = "postgres"  # what the harness, its tests and `tutela` connect as: NOT a superuser
DEFAULT_DB = "tutela"
# the Supabase a cluster stands in for (chosen when it is made, `TUTELA_SUPABASE_MODE`):
#   today   no default privileges for the API roles (Supabase since 2026-10-30)
#   legacy  an older project: new tables, sequences and functions are granted to the three
#           API roles by default privileges, in public and (the widest case) everywhere
# Clusters made before the modes existed ran everything as the superuser `postgres`: "superuser".
MODES = ("today", "legacy")
DEFAULT_MODE = "today"
_API_ROLES = "anon, authenticated, service_role"
LEGACY_DEFAULTS = [
    f"alter default privileges for role {APP_ROLE} {where} grant {what} to {_API_ROLES}"
    for where in ("in schema public", "")
    for what in ("all on tables", "all on sequences", "execute on functions")
] + [
    # Supabase's own, for objects its superuser creates in public
    f"alter default privileges in schema public grant all on {kind} to {APP_ROLE}, {_API_ROLES}"
    for kind in ("tables", "sequences", "functions")
]
CRON_DB = "tutela_cron"  # cron.database_name: pg_cron's extension can only be created there


@dataclass(frozen=True)
class OsUser:
    name: str
    uid: int
    gid: int


def _pg_install() -> PgInstall:
    install = find_install()
    if install is None:
        raise TutelaError(
            "no PostgreSQL server (>= 15) found on this machine",
            hint="run `make setup`, or install the postgresql server package "
            "(or set TUTELA_PG_BINDIR to its bin directory)",
        )
    return install


def service_user() -> OsUser | None:
    """The unprivileged user that runs the server when we are root; None when not root."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        if not Path(useradd).exists():
            raise TutelaError(
                f"running as root and user {SERVICE_USER!r} does not exist",
                hint=f"create an unprivileged user {SERVICE_USER!r} (or set TUTELA_PG_USER)",
            ) from None
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True, capture_output=True,
        )
        pw = pwd.getpwnam(SERVICE_USER)
    return OsUser(pw.pw_name, pw.pw_uid, pw.pw_gid)


def _traversable_by(path: Path, user: OsUser) -> bool:
    """Whether ``user`` can reach ``path`` (every parent searchable)."""
    probe = subprocess.run(
        ["test", "-x", str(path)], user=user.uid, group=user.gid, extra_groups=[],
        capture_output=True, check=False,
    )
    return probe.returncode == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_in_use(port: int) -> bool:
    """Whether a process listens on the port. With SO_REUSEADDR, as PostgreSQL binds: the
    TIME-WAIT connections a crashed server leaves behind do not count (without it they made
    the cluster move to another port after every crash, issue 27)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def requested_mode() -> str:
    mode = os.environ.get("TUTELA_SUPABASE_MODE", DEFAULT_MODE).strip() or DEFAULT_MODE
    if mode not in MODES:
        raise TutelaError(
            f"TUTELA_SUPABASE_MODE={mode!r} is not a mode of the harness",
            hint=f"use one of: {', '.join(MODES)}",
        )
    return mode


class Cluster:
    """One local cluster: ``base/data`` (PGDATA), ``base/run`` (socket), ``base/postgres.log``.

    Like a Supabase project, it is made with the superuser ``supabase_admin``; ``postgres`` is
    an ordinary role (``NOSUPERUSER CREATEDB CREATEROLE BYPASSRLS``) that owns the databases
    Tutela and its tests use; ``py_admin/sql/supabase_platform.sql`` sets up what the platform
    would (roles, ``auth``, ``extensions`` with pgcrypto and pgTAP) in template1, so every
    database made later has it. ``mode`` says which Supabase's default privileges it has.
    """

    def __init__(self, base: Path, *, ephemeral: bool = False, mode: str | None = None) -> None:
        self.requested_base = base.resolve()
        self.ephemeral = ephemeral
        self._wanted_mode = mode
        self.install = _pg_install()
        self.user = service_user()
        self.base = self._choose_base()
        self.cron = self.install.has_pg_cron  # preload pg_cron (decided at every start)

    # ---- layout -------------------------------------------------------------------------
    def _choose_base(self) -> Path:
        base = self.requested_base
        base.mkdir(parents=True, exist_ok=True)
        if self.user is None:
            return base
        self._chown(base)
        if _traversable_by(base, self.user):
            return base
        # The project sits somewhere the service user cannot reach (e.g. under /root):
        # keep the cluster in a private folder of its own and point to it from the project.
        digest = hashlib.sha256(str(base).encode()).hexdigest()[:12]
        alt = Path("/var/tmp") / f"tutela-{digest}"
        alt.mkdir(mode=0o700, exist_ok=True)
        self._chown(alt)
        (base / "LOCATION").write_text(f"{alt}\n")
        return alt

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def run_dir(self) -> Path:
        return self.base / "run"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    @property
    def _port_file(self) -> Path:
        return self.requested_base / "port"

    @property
    def _password_file(self) -> Path:
        return self.requested_base / "password"

    @property
    def _mode_file(self) -> Path:
        return self.requested_base / "mode"

    @property
    def _pending_file(self) -> Path:
        return self.requested_base / "mode.pending"

    @property
    def mode(self) -> str:
        """today | legacy; "superuser" for a cluster made before the modes (its `postgres` is
        the superuser; `tutela db reset` remakes it as today's Supabase)."""
        for f in (self._mode_file, self._pending_file):
            with contextlib.suppress(OSError):
                return f.read_text().strip()
        return "superuser" if self.initialised else (self._wanted_mode or requested_mode())

    @property
    def _admin_user(self) -> str:
        return APP_ROLE if self.mode == "superuser" else ADMIN

    def _chown(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.uid, self.user.gid)

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.user is not None:
            kwargs = {"user": self.user.uid, "group": self.user.gid, "extra_groups": []}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            args, capture_output=True, text=True, cwd=self.base, env=env, check=False, **kwargs
        )
        if check and proc.returncode != 0:
            tool = Path(args[0]).name
            detail = (proc.stderr or proc.stdout).strip()
            raise TutelaError(f"{tool} failed: {detail}", hint=f"see {self.log}")
        return proc

    # ---- state --------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    @property
    def port(self) -> int | None:
        try:
            return int(self._port_file.read_text().strip())
        except (OSError, ValueError):
            return None

    @property
    def password(self) -> str:
        return self._password_file.read_text().strip()

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        if not self.initialised:
            return False
        pid = self._postmaster_pid()
        if pid is None:
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"postgres" in cmdline

    def url(self, dbname: str = DEFAULT_DB) -> str:
        port = self.port
        if port is None:
            raise TutelaError("the embedded cluster has no port yet", hint="run `tutela db start`")
        pw = quote(self.password, safe="")
        return f"postgresql://{APP_ROLE}:{pw}@127.0.0.1:{port}/{dbname}"

    def admin_url(self, dbname: str = "postgres") -> str:
        """The platform's superuser: for what Supabase itself does (never for Tutela's work)."""
        port = self.port
        if port is None:
            raise TutelaError("the embedded cluster has no port yet", hint="run `tutela db start`")
        pw = quote(self.password, safe="")
        return f"postgresql://{self._admin_user}:{pw}@127.0.0.1:{port}/{dbname}"

    # ---- lifecycle ----------------------------------------------------------------------
    def init(self) -> None:
        self.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for p in (self.data, self.run_dir):
            self._chown(p)
        self._password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self._password_file.chmod(0o600)
        pwfile = self.base / ".pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._chown(pwfile)
        try:
            self._run([
                self.install.tool("initdb"), "-D", str(self.data), "-U", ADMIN,
                "--pwfile", str(pwfile), "--auth-local=trust", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--no-locale",
            ])
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write("\n# Tutela embedded cluster\ninclude_if_exists = 'tutela.conf'\n")
        # the platform is set up at the first start (it needs the server): until then the
        # mode is pending
        mode = self._wanted_mode or requested_mode()
        self._mode_file.unlink(missing_ok=True)
        self._pending_file.write_text(mode + "\n")

    def _write_runtime_conf(self, port: int) -> None:
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{self.run_dir}'",
            "max_connections = 200",
            "log_min_messages = warning",
        ]
        if self.ephemeral:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        lines += self._cron_conf()
        # as on Supabase: auto_explain preloaded (the bench's nested plans; its settings are
        # granted to postgres by the platform), pg_cron when installed
        libs = ["pg_cron"] if self.cron else []
        lines.append(f"shared_preload_libraries = '{', '.join([*libs, 'auto_explain'])}'")
        path = self.data / "tutela.conf"
        path.write_text("\n".join(lines) + "\n")
        self._chown(path)

    def _cron_conf(self) -> list[str]:
        if not self.cron:
            return []
        lines = [f"cron.database_name = '{CRON_DB}'"]
        if self.ephemeral:
            # no job ever runs in a test cluster: pg_cron connects to run one (the default
            # without background workers), here to a socket directory that does not exist
            lines += [f"cron.host = '{self.base / 'no-cron-jobs'}'", "cron.max_running_jobs = 1"]
        else:
            lines += ["cron.use_background_workers = on", "cron.max_running_jobs = 4",
                      "max_worker_processes = 12"]
        return lines

    def _loaded_settings(self) -> dict[str, str]:
        import psycopg

        with psycopg.connect(self.url("postgres"), connect_timeout=5) as conn:
            rows = conn.execute(
                "select name, setting from pg_settings where name in "
                "('shared_preload_libraries', 'cron.database_name')"
            ).fetchall()
        return {str(k): str(v) for k, v in rows}

    def needs_restart(self) -> bool:
        """Whether the running server has not loaded the settings this cluster wants (pg_cron,
        for a cluster started before pg_cron was installed or before Tutela configured it)."""
        if not self.cron or not self.running():
            return False
        loaded = self._loaded_settings()
        libs = [x.strip() for x in loaded.get("shared_preload_libraries", "").split(",")]
        return "pg_cron" not in libs or loaded.get("cron.database_name") != CRON_DB

    def restart(self) -> None:
        """Restart the running server with the current settings (fast shutdown: open
        transactions roll back, clients are disconnected; nothing committed is lost)."""
        port = self.port
        if port is None or not self.running():
            raise TutelaError("the embedded cluster is not running", hint="run `tutela db start`")
        self._write_runtime_conf(port)
        proc = self._run([
            self.install.tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-m", "fast", "-w", "-t", "60", "restart",
        ], check=False)
        if proc.returncode != 0:
            tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-8:])
            raise TutelaError(f"PostgreSQL did not restart:\n{tail}", hint=f"see {self.log}")
        self._ensure_databases()

    def _clear_stale_pid(self) -> None:
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists() and not self.running():
            pidfile.unlink()
        for lock in self.run_dir.glob(".s.PGSQL.*"):
            with contextlib.suppress(OSError):
                lock.unlink()

    def start(self) -> bool:
        """Start the cluster; True if it was started now, False if it was already running."""
        if not self.initialised:
            self.init()
        if self.running():
            return False
        self._clear_stale_pid()
        port = self.port
        if port is None:
            port = free_port()
            self._port_file.write_text(f"{port}\n")
        elif _port_in_use(port):
            # the cluster keeps its port: every saved DATABASE_URL, cron job and running
            # dispatcher points at it. Another process holds it: say so, move nothing.
            raise TutelaError(
                f"port {port} of the embedded cluster is taken by another process",
                hint=f"stop that process (e.g. `ss -ltnp 'sport = :{port}'`), or delete "
                     f"{self._port_file} to let `tutela db start` pick a new port (saved "
                     "URLs then need `tutela db url` again)")
        self._write_runtime_conf(port)
        self.log.touch(exist_ok=True)
        self._chown(self.log)
        proc = self._run([
            self.install.tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-w", "-t", "60", "start",
        ], check=False)
        if proc.returncode != 0:
            tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-8:])
            raise TutelaError(f"PostgreSQL did not start:\n{tail}", hint=f"see {self.log}")
        self._ensure_databases()
        return True

    def _connect_admin(self, dbname: str) -> Any:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                return psycopg.connect(self.admin_url(dbname), autocommit=True, connect_timeout=5)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _setup_platform(self) -> None:
        """What Supabase sets up before anyone else runs SQL (supabase_platform.sql), in
        template1 and postgres, then the mode's default privileges. Once per cluster."""
        from py_admin.migrate import bootstrap_file

        mode = self.mode
        platform = (SQL_DIR / "supabase_platform.sql").read_text()
        compat = bootstrap_file().path.read_text()
        for dbname in ("template1", "postgres"):
            with self._connect_admin(dbname) as conn:
                conn.execute(platform.encode())
                # auth.users and auth.uid()/role()/email()/jwt() as the compat bootstrap makes
                # them, then owned by supabase_auth_admin as on Supabase
                conn.execute(compat.encode())
                conn.execute("""
                    do $own$
                    declare r record;
                    begin
                      for r in
                        select format('alter table %s owner to supabase_auth_admin',
                                      c.oid::regclass) as ddl
                        from pg_class as c
                        where c.relnamespace = 'auth'::regnamespace and c.relkind = 'r'
                        union all
                        select format('alter function %s owner to supabase_auth_admin',
                                      p.oid::regprocedure)
                        from pg_proc as p where p.pronamespace = 'auth'::regnamespace
                      loop
                        execute r.ddl;
                      end loop;
                    end;
                    $own$""")
                conn.execute("grant all on all tables in schema auth to postgres")
                conn.execute("grant all on all routines in schema auth to postgres")
                if mode == "legacy":
                    for ddl in LEGACY_DEFAULTS:
                        conn.execute(ddl.encode())
            if dbname == "postgres":
                with self._connect_admin(dbname) as conn:
                    pw = self.password
                    conn.execute(
                        sql.SQL("alter role {} password {}").format(
                            sql.Identifier(APP_ROLE), sql.Literal(pw)))
        self._mode_file.write_text(mode + "\n")
        self._pending_file.unlink(missing_ok=True)

    def setup_cron(self) -> None:
        """pg_cron in its database, as Supabase grants it: `postgres` schedules jobs and reads
        cron.job (every start, for clusters made before: idempotent)."""
        if self.mode == "superuser":
            return
        with self._connect_admin(CRON_DB) as conn:
            conn.execute("create extension if not exists pg_cron")
            conn.execute(f"grant usage on schema cron to {APP_ROLE} with grant option")
            conn.execute(f"grant all on all tables in schema cron to {APP_ROLE} with grant option")
            # Supabase Cron (the dashboard) manages jobs as postgres: alter_job, unschedule...
            conn.execute(f"grant all on all routines in schema cron to {APP_ROLE}")
            conn.execute(f"revoke all on table cron.job from {APP_ROLE}")
            conn.execute(f"grant select on table cron.job to {APP_ROLE} with grant option")

    def _ensure_databases(self) -> None:
        if self._pending_file.exists():
            self._setup_platform()
        self._ensure_database(DEFAULT_DB)
        if self.cron:
            self._ensure_database(CRON_DB)  # pg_cron's launcher connects to it
            self.setup_cron()

    def _ensure_database(self, dbname: str) -> None:
        import psycopg
        from psycopg import sql

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,))
            if exists.fetchone() is None:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))

    def stop(self) -> bool:
        """Stop the cluster; True if it was running."""
        if not self.running():
            return False
        self._run([self.install.tool("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        return True

    def destroy(self) -> None:
        self.stop()
        for path in (self.data, self.run_dir, self.log):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        for f in (self._port_file, self._password_file, self._mode_file, self._pending_file,
                  self.requested_base / "LOCATION"):
            f.unlink(missing_ok=True)
        if self.base != self.requested_base:
            shutil.rmtree(self.base, ignore_errors=True)

    def status(self) -> dict[str, Any]:
        running = self.running()
        return {
            "running": running,
            "pid": self._postmaster_pid() if running else None,
            "port": self.port,
            "socket_dir": str(self.run_dir),
            "data_dir": str(self.data),
            "postgres_version": self.install.major,
            "supabase_mode": self.mode,
            "bindir": str(self.install.bindir),
            "url": self.url() if self.port is not None and self.initialised else None,
        }


def default_home() -> Path:
    """Where the embedded cluster lives: $TUTELA_HOME, else ``.tutela/`` in the checkout, else
    (installed from a wheel, outside a checkout) the user's data folder, never site-packages."""
    base = os.environ.get("TUTELA_HOME")
    if base:
        return Path(base)
    root = project_root()
    if root == BUNDLED_ROOT:
        data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(data) / "tutela"
    return root / ".tutela"


def default_cluster() -> Cluster:
    return Cluster(default_home())
