"""Database connections: an explicit URL, or the embedded cluster started on demand."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from py_admin.errors import TutelaError


def resolve_url(database_url: str | None) -> str:
    """The URL to use: the one given (option or DATABASE_URL), else the embedded cluster's."""
    if database_url:
        return database_url
    from py_admin.cluster import default_cluster

    cluster = default_cluster()
    cluster.start()
    return cluster.url()


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise TutelaError(
            f"cannot connect to the database: {str(exc).strip()}",
            hint="check --database-url / DATABASE_URL, or run `tutela db start`",
        ) from None


def with_dbname(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@contextmanager
def scratch_database(url: str, prefix: str = "tutela_scratch") -> Iterator[str]:
    """Create an empty database on the server of ``url``; yield its URL; drop it afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = connect(with_dbname(url, "postgres"), autocommit=True)
    try:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        admin.close()
        raise TutelaError(
            f"cannot create a scratch database on this server: {str(exc).strip()}",
            hint="use a role with CREATEDB, or the embedded cluster",
        ) from None
    try:
        yield with_dbname(url, name)
    finally:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        admin.close()
