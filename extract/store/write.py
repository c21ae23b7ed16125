"""Writing validated records: one batch at a time, with bulk Core inserts.

An article is keyed by (article.id, source_sha256). A record identical to the stored one
(same sha256 of its validated JSON) is skipped; a different one replaces all of that
article's items. Every statement uses bound parameters (Core constructs only).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Table, bindparam, delete, exists, func, insert, select, update

from extract.store.tables import (
    article_errors,
    articles,
    entities,
    meeting_attendees,
    meeting_organizers,
    meeting_topics,
    meetings,
    persons,
    places,
    policies,
    policy_issuers,
    policy_measures,
    runs,
    targets,
)
from extract.places.entities import complete
from schemas import Place, Record, RunInfo

CHUNK = 500  # keys per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ArticleKey = tuple[str, str]  # (article.id, source_sha256)
RunKey = tuple[str, str, str]  # (engine, model, prompt_version)
PersonKey = tuple[str, str | None]  # (name, title)


@dataclass
class WriteState:
    """What one load call has done so far, and id caches that spare look-ups."""

    now: datetime
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    touched_runs: set[int] = field(default_factory=set)
    run_ids: dict[RunKey, int] = field(default_factory=dict)
    person_ids: dict[PersonKey, int] = field(default_factory=dict)
    known_keys: set[str] = field(default_factory=set)  # places and entities stored already

    def checkpoint(self) -> tuple[int, int, int, frozenset[int]]:
        return self.inserted, self.replaced, self.unchanged, frozenset(self.touched_runs)

    def restore(self, mark: tuple[int, int, int, frozenset[int]]) -> None:
        """After a savepoint rollback: the counters go back, the id caches may be stale."""
        self.inserted, self.replaced, self.unchanged, touched = mark
        self.touched_runs = set(touched)
        self.run_ids.clear()
        self.person_ids.clear()


def date_sort(value: str | None) -> date | None:
    """The DATE for a complete ISO date; None for 2021-02, 2021, --02-19 or null."""
    if value is None or not _FULL_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # e.g. 2021-02-30 passes the spec's pattern but is no date
        return None


def record_digest(record: Record) -> str:
    return hashlib.sha256(record.model_dump_json().encode("utf-8")).hexdigest()


def write_batch(conn: Connection, records: Sequence[Record], state: WriteState) -> None:
    latest: dict[ArticleKey, Record] = {}
    for record in records:  # the same article twice in a batch: the later line wins
        key = (record.article.id, record.article.source_sha256)
        latest.pop(key, None)
        latest[key] = record
    stored = _stored_articles(conn, latest)

    new: list[tuple[Record, str]] = []
    changed: list[tuple[int, Record, str]] = []
    for key, record in latest.items():
        digest = record_digest(record)
        row = stored.get(key)
        if row is None:
            new.append((record, digest))
        elif row.record_sha256 == digest:
            state.unchanged += 1
        else:
            changed.append((row.id, record, digest))
            state.touched_runs.add(row.run_id)
    if not new and not changed:
        return

    written: list[tuple[int, Record, int]] = []  # (article row id, record, run id)
    if changed:
        _delete_items(conn, [article_id for article_id, _, _ in changed])
        rows = []
        for article_id, record, digest in changed:
            run_id = _run_id(conn, record.run, state)
            rows.append({"b_id": article_id, **_article_row(record, run_id, digest, state.now)})
            written.append((article_id, record, run_id))
        conn.execute(update(articles).where(articles.c.id == bindparam("b_id")), rows)
        state.replaced += len(changed)
    if new:
        run_ids = [_run_id(conn, record.run, state) for record, _ in new]
        rows = [_article_row(r, run_id, d, state.now) for (r, d), run_id in zip(new, run_ids)]
        ids = _insert_returning_ids(conn, articles, rows)
        written += [(i, r, run_id) for i, (r, _), run_id in zip(ids, new, run_ids)]
        state.inserted += len(new)
    state.touched_runs.update(run_id for _, _, run_id in written)
    _insert_items(conn, written, state)


def finish(conn: Connection, state: WriteState) -> None:
    """Once per load: refresh the totals of the runs concerned, drop unreferenced persons."""
    if not state.touched_runs:
        return
    per_run = {
        "n_articles": _count(articles), "n_policies": _count(policies),
        "n_targets": _count(targets), "n_meetings": _count(meetings),
        "n_errors": select(func.count()).select_from(article_errors).join(articles)
        .where(articles.c.run_id == runs.c.id).scalar_subquery(),
        "prompt_tokens": _sum(articles.c.prompt_tokens, 0),
        "completion_tokens": _sum(articles.c.completion_tokens, 0),
        "duration_s": _sum(articles.c.duration_s, 0.0),
    }
    for chunk in _chunks(sorted(state.touched_runs)):
        conn.execute(
            update(runs).where(runs.c.id.in_(chunk)).values(updated_at=state.now, **per_run)
        )
    if state.replaced:  # only a replacement can leave a person without meetings
        conn.execute(
            delete(persons).where(
                ~exists().where(meeting_attendees.c.person_id == persons.c.id)
            )
        )


def _count(table: Table):
    return select(func.count()).where(table.c.run_id == runs.c.id).scalar_subquery()


def _sum(column, zero):
    return select(func.coalesce(func.sum(column), zero)).where(
        articles.c.run_id == runs.c.id
    ).scalar_subquery()


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert_returning_ids(conn: Connection, table: Table, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    # One multi-row INSERT ... RETURNING per batch; ids come back in the rows' order.
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def _stored_articles(conn: Connection, keys: Iterable[ArticleKey]) -> dict[ArticleKey, object]:
    wanted = set(keys)
    found = {}
    cols = (articles.c.id, articles.c.key, articles.c.source_sha256,
            articles.c.record_sha256, articles.c.run_id)
    for chunk in _chunks(sorted({k for k, _ in wanted})):
        for row in conn.execute(select(*cols).where(articles.c.key.in_(chunk))):
            if (row.key, row.source_sha256) in wanted:
                found[(row.key, row.source_sha256)] = row
    return found


def _delete_items(conn: Connection, article_ids: list[int]) -> None:
    """Remove the items of these articles, children first (no reliance on CASCADE)."""
    for chunk in _chunks(article_ids):
        meeting_ids = select(meetings.c.id).where(meetings.c.article_id.in_(chunk))
        policy_ids = select(policies.c.id).where(policies.c.article_id.in_(chunk))
        for child in (meeting_attendees, meeting_organizers, meeting_topics):
            conn.execute(delete(child).where(child.c.meeting_id.in_(meeting_ids)))
        for child in (policy_issuers, policy_measures):
            conn.execute(delete(child).where(child.c.policy_id.in_(policy_ids)))
        for table in (targets, policies, meetings, article_errors):  # targets point at policies
            conn.execute(delete(table).where(table.c.article_id.in_(chunk)))


def _run_id(conn: Connection, run: RunInfo, state: WriteState) -> int:
    key = (run.engine, run.model, run.prompt_version)
    if key not in state.run_ids:
        match = (runs.c.engine == key[0]) & (runs.c.model == key[1]) & (runs.c.prompt_version == key[2])
        run_id = conn.scalar(select(runs.c.id).where(match))
        if run_id is None:
            run_id = conn.execute(
                insert(runs).returning(runs.c.id),
                {"engine": key[0], "model": key[1], "prompt_version": key[2],
                 "loaded_at": state.now, "updated_at": state.now},
            ).scalar_one()
        state.run_ids[key] = run_id
    return state.run_ids[key]


def _article_row(record: Record, run_id: int, digest: str, now: datetime) -> dict:
    a, run = record.article, record.run
    return {
        "key": a.id, "source_sha256": a.source_sha256, "source": a.source,
        "article_index": a.index, "title": a.title, "outlet": a.outlet,
        "published": a.published, "published_sort": date_sort(a.published),
        "script": a.script, "text": a.text, "run_id": run_id,
        "attempts": run.attempts, "requests": run.requests,
        "prompt_tokens": run.usage.prompt_tokens,
        "completion_tokens": run.usage.completion_tokens,
        "cached_tokens": run.usage.cached_tokens, "duration_s": run.duration_s,
        "record_sha256": digest, "loaded_at": now,
    }


def _span(evidence: list, i: int) -> dict:
    ev = evidence[i] if i < len(evidence) else None
    return {"quote_start": ev.start if ev else None, "quote_end": ev.end if ev else None}


def _evidence(item) -> dict:
    ev = item.evidence
    return {"quote": ev.quote, "quote_start": ev.start, "quote_end": ev.end}


def _code(place: Place | None) -> str | None:
    return place.code if place else None


def ensure_entities(conn: Connection, items: Iterable[tuple[str, object]], state: WriteState) -> None:
    """Rows in `places` and `entities` for the divisions and keys of these (kind, item) pairs,
    inserting those not stored yet: one entity row however many articles report it."""
    place_rows: dict[str, dict] = {}
    entity_rows: dict[str, dict] = {}
    for kind, item in items:
        for pl in [getattr(item, "place", None), *getattr(item, "issuer_places", [])]:
            if pl is not None:
                place_rows.setdefault(pl.code, pl.model_dump())
        key = getattr(item, "key", None)
        if key:
            label = getattr(item, "title", None) or getattr(item, "name", None) or getattr(item, "metric")
            entity_rows.setdefault(key, {"key": key, "kind": kind, "label": label,
                                         "place_code": _code(getattr(item, "place", None))})
    for table, column, rows in ((places, places.c.code, place_rows), (entities, entities.c.key, entity_rows)):
        todo = {k: v for k, v in rows.items() if (table.name, k) not in state.known_keys}
        for chunk in _chunks(sorted(todo)):
            for (k,) in conn.execute(select(column).where(column.in_(chunk))):
                todo.pop(k, None)
        _insert(conn, table, [todo[k] for k in sorted(todo)])
        state.known_keys.update((table.name, k) for k in rows)


def _insert_items(conn: Connection, written: list[tuple[int, Record, int]], state: WriteState) -> None:
    # Records written before divisions and keys existed get them here, from their own fields.
    written = [(article_id, complete(record), run_id) for article_id, record, run_id in written]
    ensure_entities(conn, [(kind, item) for _, record, _ in written
                           for kind, group in (("policy", record.policies), ("target", record.targets),
                                               ("meeting", record.meetings)) for item in group], state)
    # Policies first: targets refer to them, and their children need their ids.
    policy_rows, policy_objs = [], []
    for article_id, record, run_id in written:
        for seq, p in enumerate(record.policies):
            policy_rows.append({
                "article_id": article_id, "run_id": run_id, "seq": seq, "title": p.title,
                "doc_type": p.doc_type, "region": p.region, "issued": p.issued,
                "issued_sort": date_sort(p.issued), "time_text": p.time_text, **_evidence(p),
                "place_code": _code(p.place), "entity_key": p.key,
            })
            policy_objs.append((article_id, p))
    policy_ids = _insert_returning_ids(conn, policies, policy_rows)
    by_title: dict[tuple[int, str], int] = {}
    issuers, measures = [], []
    for policy_id, (article_id, p) in zip(policy_ids, policy_objs):
        by_title.setdefault((article_id, p.title), policy_id)  # first of a repeated title
        issuers += [{"policy_id": policy_id, "seq": i, "issuer": s,
                     "place_code": _code(p.issuer_places[i]) if p.issuer_places else None}
                    for i, s in enumerate(p.issuers)]
        measures += [{"policy_id": policy_id, "seq": i, "measure": s, **_span(p.measures_evidence, i)}
                     for i, s in enumerate(p.measures)]
    _insert(conn, policy_issuers, issuers)
    _insert(conn, policy_measures, measures)

    target_rows, meeting_rows, meeting_objs, error_rows = [], [], [], []
    for article_id, record, run_id in written:
        for seq, t in enumerate(record.targets):
            target_rows.append({
                "article_id": article_id, "run_id": run_id, "seq": seq, "metric": t.metric,
                "value": t.value, "unit": t.unit, "comparator": t.comparator,
                "deadline_year": t.deadline_year, "time_text": t.time_text, "region": t.region,
                "policy": t.policy,
                "policy_id": by_title.get((article_id, t.policy)) if t.policy else None,
                **_evidence(t), "place_code": _code(t.place), "entity_key": t.key,
            })
        for seq, m in enumerate(record.meetings):
            meeting_rows.append({
                "article_id": article_id, "run_id": run_id, "seq": seq, "name": m.name,
                "date": m.date, "date_sort": date_sort(m.date), "time_text": m.time_text,
                "location": m.location, **_evidence(m), "place_code": _code(m.place), "entity_key": m.key,
            })
            meeting_objs.append(m)
        error_rows += [
            {"article_id": article_id, "seq": i, "stage": e.stage, "message": e.message}
            for i, e in enumerate(record.errors)
        ]
    _insert(conn, targets, target_rows)
    _insert(conn, article_errors, error_rows)

    meeting_ids = _insert_returning_ids(conn, meetings, meeting_rows)
    person_ids = _person_ids(
        conn, {_person_key(p) for m in meeting_objs for p in (*m.chairs, *m.attendees)}, state
    )
    organizers, topics, attendees = [], [], []
    for meeting_id, m in zip(meeting_ids, meeting_objs):
        organizers += [{"meeting_id": meeting_id, "seq": i, "organizer": s} for i, s in enumerate(m.organizers)]
        topics += [{"meeting_id": meeting_id, "seq": i, "topic": s, **_span(m.topics_evidence, i)}
                   for i, s in enumerate(m.topics)]
        for role, people in (("chair", m.chairs), ("attendee", m.attendees)):
            attendees += [
                {"meeting_id": meeting_id, "role": role, "seq": i,
                 "person_id": person_ids[_person_key(p)]}
                for i, p in enumerate(people)
            ]
    _insert(conn, meeting_organizers, organizers)
    _insert(conn, meeting_topics, topics)
    _insert(conn, meeting_attendees, attendees)


def _person_key(person) -> PersonKey:
    # "" and null both mean "no title"; one spelling keeps (name, title) unique.
    return person.name, person.title or None


def _person_ids(conn: Connection, keys: set[PersonKey], state: WriteState) -> dict[PersonKey, int]:
    """Ids for (name, title) pairs, inserting the persons not stored yet."""
    missing = keys - state.person_ids.keys()
    for chunk in _chunks(sorted({name for name, _ in missing})):
        rows = conn.execute(select(persons.c.id, persons.c.name, persons.c.title)
                            .where(persons.c.name.in_(chunk)))
        for row in rows:
            state.person_ids[(row.name, row.title)] = row.id
    # Sorted (None as "") so that ids do not depend on set order: same input, same rows.
    todo = sorted(keys - state.person_ids.keys(), key=lambda k: (k[0], k[1] or ""))
    ids = _insert_returning_ids(conn, persons, [{"name": n, "title": t} for n, t in todo])
    state.person_ids.update(zip(todo, ids))
    return state.person_ids
