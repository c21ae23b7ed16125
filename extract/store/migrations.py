"""Schema versions: an ordered list of small functions, each applied once.

The version of a database is the highest `schema_migrations.version` (one row per applied
migration). `MIGRATIONS[i]` takes a database from version i to version i + 1.

A fresh database is built by `m001_initial` from tables.py, which already holds every
later change, so the later migrations are recorded as applied without running. To change
the schema: edit tables.py *and* append a function here that makes the same change to an
existing database (ALTER TABLE ..., CREATE INDEX ...). Never edit or reorder old entries.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, func, inspect, insert, select

from extract.store import tables


class SchemaError(RuntimeError):
    """The database's schema is not one this version of extract can load into."""


def m001_initial(conn: Connection) -> None:
    tables.metadata.create_all(conn)


MIGRATIONS: list[Callable[[Connection], None]] = [
    m001_initial,
]


def current_version(conn: Connection) -> int:
    """0 for a database without our tables; refuses a foreign database that has some."""
    names = set(inspect(conn).get_table_names())
    if tables.schema_migrations.name not in names:
        ours = names & set(tables.metadata.tables)
        if ours:
            raise SchemaError(
                f"database has tables {sorted(ours)} but no schema_migrations table: "
                "it was not created by `extract load`; use another database"
            )
        return 0
    return conn.scalar(select(func.max(tables.schema_migrations.c.version))) or 0


def migrate(conn: Connection) -> int:
    """Bring the database to the latest version inside the caller's transaction."""
    latest = len(MIGRATIONS)
    version = current_version(conn)
    if version > latest:
        raise SchemaError(
            f"database schema version {version} is newer than this extract knows "
            f"(latest {latest}); upgrade extract (pip install -U cn-policy-extract) "
            "or load into another database"
        )
    if version == latest:
        return version
    if version == 0:
        m001_initial(conn)
        _record(conn, range(1, latest + 1))
        return latest
    for number in range(version + 1, latest + 1):
        MIGRATIONS[number - 1](conn)
        _record(conn, [number])
    return latest


def _record(conn: Connection, numbers) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    conn.execute(
        insert(tables.schema_migrations),
        [{"version": n, "name": MIGRATIONS[n - 1].__name__, "applied_at": now} for n in numbers],
    )
