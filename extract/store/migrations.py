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

from sqlalchemy import Connection, func, inspect, insert, select, text, update

from extract.store import tables


class SchemaError(RuntimeError):
    """The database's schema is not one this version of extract can load into."""


def m001_initial(conn: Connection) -> None:
    tables.metadata.create_all(conn)


# Columns added by m002, as tables.py declares them (all nullable: old rows get them by backfill).
_M002_COLUMNS = {
    "policies": ("place_code", "entity_key"),
    "targets": ("place_code", "entity_key"),
    "meetings": ("place_code", "entity_key"),
    "policy_issuers": ("place_code",),
    "policy_measures": ("quote_start", "quote_end"),
    "meeting_topics": ("quote_start", "quote_end"),
}


def m002_places_and_entities(conn: Connection) -> None:
    """Administrative divisions (places), one row per document/meeting/goal across articles
    (entities), the columns that point at them, and phrase offsets; existing rows backfilled."""
    tables.metadata.create_all(conn, tables=[tables.places, tables.entities])
    for name, columns in _M002_COLUMNS.items():
        table = tables.metadata.tables[name]
        for column in columns:
            col = table.c[column]
            type_ = col.type.compile(dialect=conn.dialect)
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {col.name} {type_}"))
        for index in table.indexes:
            if any(c.name in columns for c in index.columns):
                index.create(conn)
    backfill_entities(conn)


def backfill_entities(conn: Connection) -> None:
    """Divisions and keys for rows loaded before m002, from what the rows hold (region,
    issuers, location, the article's outlet and text): the same functions a new load uses."""
    from extract.places.entities import (division_place, issuer_division, meeting_key, meeting_place, place, policy_key,
                                  target_key)
    from extract.places.gazetteer import lookup
    from extract.text.script import to_simplified_chars
    from extract.store.write import WriteState, ensure_entities

    T = tables
    now = datetime.now(UTC).replace(tzinfo=None)
    state = WriteState(now=now)

    class _Item:  # what ensure_entities reads: place, issuer_places, key and a label
        def __init__(self, **kw):
            self.__dict__.update(kw)

    issuers: dict[int, list] = {}
    for row in conn.execute(select(T.policy_issuers).order_by(T.policy_issuers.c.policy_id, T.policy_issuers.c.seq)):
        issuers.setdefault(row.policy_id, []).append(row)
    items = []
    for row in conn.execute(select(T.policies)):
        pl = division_place(row.region)
        home = lookup(row.region) if row.region else None
        bodies = issuers.get(row.id, [])
        bplaces = [place(issuer_division(b.issuer, home)) for b in bodies]
        key = policy_key(row.title, pl, bplaces)
        conn.execute(update(T.policies).where(T.policies.c.id == row.id).values(place_code=pl and pl.code, entity_key=key))
        for b, bp in zip(bodies, bplaces):
            conn.execute(update(T.policy_issuers).where(T.policy_issuers.c.policy_id == b.policy_id,
                                                        T.policy_issuers.c.seq == b.seq).values(place_code=bp and bp.code))
        items.append(("policy", _Item(place=pl, issuer_places=bplaces, key=key, title=row.title)))
    for row in conn.execute(select(T.targets)):
        pl = division_place(row.region)
        key = target_key(row.metric, row.value, row.unit, row.deadline_year, pl)
        conn.execute(update(T.targets).where(T.targets.c.id == row.id).values(place_code=pl and pl.code, entity_key=key))
        items.append(("target", _Item(place=pl, key=key, metric=row.metric)))
    query = select(T.meetings, T.articles.c.text.label("article_text"), T.articles.c.outlet).join(
        T.articles, T.articles.c.id == T.meetings.c.article_id)
    for row in conn.execute(query):
        simple = to_simplified_chars(row.article_text)
        pl = meeting_place(row.location, simple[row.quote_start : row.quote_end], simple, row.outlet)
        key = meeting_key(row.name, row.date, pl)
        conn.execute(update(T.meetings).where(T.meetings.c.id == row.id).values(place_code=pl and pl.code, entity_key=key))
        items.append(("meeting", _Item(place=pl, key=key, name=row.name)))
    ensure_entities(conn, items, state)


MIGRATIONS: list[Callable[[Connection], None]] = [
    m001_initial,
    m002_places_and_entities,
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
