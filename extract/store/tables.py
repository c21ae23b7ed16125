"""The database schema as SQLAlchemy Core tables (documented in docs/database.md).

This module is the *current* schema: a fresh database is created from it (see
migrations.py). Changing it means adding a migration that brings older databases here.

Conventions: integer surrogate keys named `id`; `<table>_id` columns are foreign keys;
`seq` keeps the order items had in the record; dates are kept as the spec's reduced-
precision ISO text plus a `*_sort` DATE filled only when the date is complete; every
extracted item carries its evidence (`quote`, `quote_start`, `quote_end`) and `run_id`.
"""
from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    func,
)

# Stable constraint names so that later migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _fk(target: str, **kw) -> ForeignKey:
    # Children go with their parent, so deleting an article by hand removes its items
    # (on SQLite this needs PRAGMA foreign_keys=ON, which db.py sets).
    return ForeignKey(target, ondelete="CASCADE", **kw)


def _evidence() -> list[Column]:
    return [
        Column("quote", Text, nullable=False),
        Column("quote_start", Integer, nullable=False),
        Column("quote_end", Integer, nullable=False),
    ]


schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("engine", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("prompt_version", Text, nullable=False),
    Column("loaded_at", DateTime, nullable=False),  # first load of this run (UTC)
    Column("updated_at", DateTime, nullable=False),  # last load that changed its articles
    # Totals over the articles whose current items come from this run.
    Column("n_articles", Integer, nullable=False, default=0),
    Column("n_policies", Integer, nullable=False, default=0),
    Column("n_targets", Integer, nullable=False, default=0),
    Column("n_meetings", Integer, nullable=False, default=0),
    Column("n_errors", Integer, nullable=False, default=0),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("duration_s", Double, nullable=False, default=0.0),
    UniqueConstraint("engine", "model", "prompt_version"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False),  # the spec's article.id, e.g. 000_022c8c979c5708e9#1
    Column("source_sha256", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("article_index", Integer, nullable=False),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", Text),
    Column("published_sort", Date),
    Column("script", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("requests", Integer, nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cached_tokens", Integer, nullable=False),
    Column("duration_s", Double, nullable=False),
    # sha256 of the validated record: an unchanged record is skipped (idempotent load).
    Column("record_sha256", Text, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
    UniqueConstraint("key", "source_sha256"),
    Index(None, "run_id"),
    Index(None, "published_sort"),
)

article_errors = Table(
    "article_errors",
    metadata,
    Column("article_id", _fk("articles.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("stage", Text, nullable=False),
    Column("message", Text, nullable=False),
)

# GB/T 2260 divisions that items were resolved to (filled on load, one row per code).
places = Table(
    "places",
    metadata,
    Column("code", Text, primary_key=True),  # six-digit 行政区划代码
    Column("name", Text, nullable=False),
    Column("level", Text, nullable=False),  # province | city | county
    Column("province", Text),
    Column("city", Text),
)

# One row per document, meeting or goal across articles: the items of every article that
# reports it (reprints, follow-ups) carry its key in `entity_key`.
entities = Table(
    "entities",
    metadata,
    Column("key", Text, primary_key=True),  # P-/M-/T-<division code>-<hash>
    Column("kind", Text, nullable=False),  # policy | meeting | target
    Column("label", Text, nullable=False),  # title, name or metric as first loaded
    Column("place_code", Text),
    CheckConstraint("kind IN ('policy', 'meeting', 'target')", name="kind"),
)

policies = Table(
    "policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", _fk("articles.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("doc_type", Text),
    Column("region", Text),
    Column("issued", Text),
    Column("issued_sort", Date),
    Column("time_text", Text),
    *_evidence(),
    Column("place_code", Text),  # places.code of `region`
    Column("entity_key", Text),  # entities.key
    UniqueConstraint("article_id", "seq"),
    Index(None, "region"),
    Index(None, "title"),
    Index(None, "place_code"),
    Index(None, "entity_key"),
    Index(None, "run_id"),
)

policy_issuers = Table(
    "policy_issuers",
    metadata,
    Column("policy_id", _fk("policies.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("place_code", Text),  # the division the body belongs to
    Index(None, "issuer"),
)

policy_measures = Table(
    "policy_measures",
    metadata,
    Column("policy_id", _fk("policies.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("measure", Text, nullable=False),
    Column("quote_start", Integer),  # where the phrase stands in the article text
    Column("quote_end", Integer),
)

targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", _fk("articles.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("metric", Text, nullable=False),
    Column("value", Double, nullable=False),
    Column("unit", Text, nullable=False),
    Column("comparator", Text, nullable=False),
    Column("deadline_year", Integer),
    Column("time_text", Text),
    Column("region", Text),
    Column("policy", Text),  # the record's policy title, as given
    # The policy row of the same article with that title; NULL when none matches.
    Column("policy_id", ForeignKey("policies.id", ondelete="SET NULL")),
    *_evidence(),
    Column("place_code", Text),
    Column("entity_key", Text),
    UniqueConstraint("article_id", "seq"),
    Index(None, "place_code"),
    Index(None, "entity_key"),
    CheckConstraint(
        "comparator IN ('reach', 'exceed', 'at_least', 'about', 'at_most')", name="comparator"
    ),
    Index(None, "region", "deadline_year"),
    Index(None, "deadline_year"),
    Index(None, "metric"),
    Index(None, "policy_id"),
    Index(None, "run_id"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", _fk("articles.id"), nullable=False),
    Column("run_id", ForeignKey("runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("date", Text),
    Column("date_sort", Date),
    Column("time_text", Text),
    Column("location", Text),
    *_evidence(),
    Column("place_code", Text),  # the division it was held in
    Column("entity_key", Text),
    UniqueConstraint("article_id", "seq"),
    Index(None, "place_code"),
    Index(None, "entity_key"),
    Index(None, "date_sort"),
    Index(None, "date"),
    Index(None, "run_id"),
)

meeting_organizers = Table(
    "meeting_organizers",
    metadata,
    Column("meeting_id", _fk("meetings.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("organizer", Text, nullable=False),
    Index(None, "organizer"),
)

meeting_topics = Table(
    "meeting_topics",
    metadata,
    Column("meeting_id", _fk("meetings.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("topic", Text, nullable=False),
    Column("quote_start", Integer),
    Column("quote_end", Integer),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("title", Text),
    Index(None, "name"),
)
# One row per distinct (name, title); COALESCE because NULLs never collide in a UNIQUE key.
Index("uq_persons_name_title", persons.c.name, func.coalesce(persons.c.title, ""), unique=True)

meeting_attendees = Table(
    "meeting_attendees",
    metadata,
    Column("meeting_id", _fk("meetings.id"), primary_key=True),
    Column("role", Text, primary_key=True),  # 'chair' (from chairs) or 'attendee'
    Column("seq", Integer, primary_key=True),  # position in that list
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    CheckConstraint("role IN ('chair', 'attendee')", name="role"),
    Index(None, "person_id"),
)
