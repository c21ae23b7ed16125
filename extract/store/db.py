"""Database URLs and engines: SQLite file by default, PostgreSQL through psycopg 3."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

DEFAULT_DB = "extractions.db"


def resolve_url(db: str | None = None) -> str:
    """`None` → ./extractions.db; a bare path → SQLite file; `postgresql://` → psycopg 3."""
    if not db:
        db = DEFAULT_DB
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve()}"
    scheme, rest = db.split("://", 1)
    # libpq-style URLs name no driver; SQLAlchemy would pick psycopg2, which is not installed.
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return db


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database or another database)."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def make_engine(db: str | None = None) -> Engine:
    url = resolve_url(db)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    # Python's sqlite3 (before 3.12's autocommit=False) neither BEGINs before DDL nor
    # nests SAVEPOINTs in the transaction; SQLAlchemy's documented recipe takes over BEGIN
    # so a load (migrations included) commits or rolls back as one unit.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN")
