"""`extract load` on SQLite and PostgreSQL: the same tests, both backends.

PostgreSQL runs in a throwaway cluster (tests/pg_server.py). Without its binaries the
PostgreSQL cases skip, except under CI=true where they fail: CI installs `postgresql`.
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, inspect, insert, select, text
from typer.testing import CliRunner

from tests import load_records as R
from extract.commands.load import load_cmd
from extract.places.entities import complete
from extract.run.guard import OutputRefused
from extract.store import SchemaError, load_files, make_engine, migrations, resolve_url, write
from extract.store import tables as T
from extract.store.queries import QUERIES
from tests.pg_server import PgCluster, find_bin_dir

DOC = Path(__file__).resolve().parent.parent / "docs" / "database.md"

# The command alone, mounted as extract.cli mounts it, so that these tests do not depend
# on importing every other command.
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.callback()(lambda: None)
app.command("load")(load_cmd)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def pg_cluster():
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = ("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin "
                  "or on PATH; install them with: apt-get install postgresql")
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: required)")
        pytest.skip(reason)
    cluster = PgCluster(bin_dir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> str:
    """A URL (or path) of a new, empty database on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return request.getfixturevalue("pg_cluster").create_database()


@pytest.fixture
def seeds_v1(tmp_path) -> Path:
    return R.write_jsonl(tmp_path / "seeds_v1.jsonl", R.seed_records(R.RUN_V1))


def dump(db: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: the database's whole content."""
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in T.metadata.sorted_tables if t.name in present}
    finally:
        engine.dispose()


def counts(db: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(db).items()}


def scalar(db: str, stmt):
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    finally:
        engine.dispose()


def expected_counts(records: list[R.Record]) -> dict[str, int]:
    people = {(p.name, p.title or None) for r in records for m in r.meetings for p in (*m.chairs, *m.attendees)}
    runs = {(r.run.engine, r.run.model, r.run.prompt_version) for r in records}
    done = [complete(r) for r in records]  # hand-made records hold no keys: load computes them
    items = [i for r in done for i in (*r.policies, *r.targets, *r.meetings)]
    codes = {pl.code for i in items for pl in (i.place, *getattr(i, "issuer_places", [])) if pl is not None}
    return {
        "places": len(codes), "entities": len({i.key for i in items}),
        "schema_migrations": len(migrations.MIGRATIONS), "runs": len(runs), "articles": len(records),
        "article_errors": sum(len(r.errors) for r in records),
        "policies": sum(len(r.policies) for r in records),
        "policy_issuers": sum(len(p.issuers) for r in records for p in r.policies),
        "policy_measures": sum(len(p.measures) for r in records for p in r.policies),
        "targets": sum(len(r.targets) for r in records),
        "meetings": sum(len(r.meetings) for r in records),
        "meeting_organizers": sum(len(m.organizers) for r in records for m in r.meetings),
        "meeting_topics": sum(len(m.topics) for r in records for m in r.meetings),
        "persons": len(people),
        "meeting_attendees": sum(len(m.chairs) + len(m.attendees) for r in records for m in r.meetings),
    }


# ---------------------------------------------------------------- loading

def test_load_rows_and_types(db, seeds_v1):
    report = load_files(db, [seeds_v1])
    assert report.ok and report.inserted == 5 and report.schema_version == len(migrations.MIGRATIONS)
    assert counts(db) == expected_counts(R.seed_records())

    (value, year, unit), = scalar(db, select(T.targets.c.value, T.targets.c.deadline_year, T.targets.c.unit)
                                  .where(T.targets.c.metric == "工业规模总量"))
    assert (value, year, unit) == (2.5, 2025, "万亿元") and isinstance(value, float) and isinstance(year, int)
    # date_sort only for complete dates; the reduced-precision text is kept as written.
    assert dict(scalar(db, select(T.meetings.c.date, T.meetings.c.date_sort).where(T.meetings.c.date.is_not(None)))) \
        == {"2022-02-07": date(2022, 2, 7), "--12-01": None, "--02-19": None}
    assert scalar(db, select(T.articles.c.published_sort).where(T.articles.c.published.is_not(None))) \
        == [(date(2022, 2, 8),)]
    # A target's policy title links to the policy row of the same article.
    linked = scalar(db, select(T.targets.c.metric, T.policies.c.title)
                    .join(T.policies, T.policies.c.id == T.targets.c.policy_id)
                    .where(T.targets.c.metric == "销售收入"))
    assert linked == [("销售收入", "关于集成电路产业链跃升发展的实施意见")]
    # Chairs and attendees in the order listed, roles kept apart.
    roles = scalar(db, select(T.meeting_attendees.c.role, T.meeting_attendees.c.seq, T.persons.c.name)
                   .join(T.persons).join(T.meetings).where(T.meetings.c.name == "全市产业发展大会")
                   .order_by(T.meeting_attendees.c.role, T.meeting_attendees.c.seq))
    assert roles == [("attendee", 0, "陈金虎"), ("attendee", 1, "盛蕾"), ("attendee", 2, "白云萍"),
                     ("attendee", 3, "戴源"), ("chair", 0, "盛蕾")]
    run, = scalar(db, select(T.runs))
    assert (run.engine, run.model, run.prompt_version) == ("fixture", "handmade", "v1")
    assert (run.n_articles, run.n_policies, run.n_targets, run.n_meetings, run.n_errors) == (5, 7, 12, 7, 1)
    assert (run.prompt_tokens, run.completion_tokens, run.duration_s) == (5000, 1000, 7.5)
    # Evidence spans index the stored text.
    for t_text, quote, start, end in scalar(db, select(T.articles.c.text, T.targets.c.quote, T.targets.c.quote_start,
                                                       T.targets.c.quote_end).join(T.articles)):
        assert t_text[start:end] == quote


def test_reload_changes_nothing(db, seeds_v1):
    load_files(db, [seeds_v1])
    before = dump(db)
    report = load_files(db, [seeds_v1])
    assert (report.inserted, report.replaced, report.unchanged) == (0, 0, 5)
    assert dump(db) == before


def test_newer_run_replaces_that_articles_items(db, seeds_v1, tmp_path):
    load_files(db, [seeds_v1])
    before = dump(db)
    old = R.seed_records(R.RUN_V2)[0]
    newer = old.model_copy(update={"targets": old.targets[:1], "meetings": old.meetings[1:]})
    v2 = R.write_jsonl(tmp_path / "v2.jsonl", [newer])
    report = load_files(db, [v2])
    assert (report.inserted, report.replaced, report.unchanged) == (0, 1, 0)

    after = dump(db)
    assert [r[:3] for r in after["articles"]] == [r[:3] for r in before["articles"]]  # same rows, same ids
    key = newer.article.id
    assert scalar(db, select(T.targets.c.metric).join(T.articles).where(T.articles.c.key == key)) \
        == [("年应税销售收入十亿元企业",)]
    assert scalar(db, select(T.meetings.c.name).join(T.articles).where(T.articles.c.key == key)) \
        == [("东城街道党工委领导班子民主生活会",)]
    # Items now come from the v2 run; runs' totals follow; the unreferenced person is gone.
    assert {r for r, in scalar(db, select(T.runs.c.prompt_version).join(T.targets, T.targets.c.run_id == T.runs.c.id)
                              .join(T.articles).where(T.articles.c.key == key))} == {"v2"}
    assert dict(scalar(db, select(T.runs.c.prompt_version, T.runs.c.n_articles))) == {"v1": 4, "v2": 1}
    assert scalar(db, select(T.persons.c.id).where(T.persons.c.name == "刘国新", T.persons.c.title == "区委副书记")) == []
    # Other articles are untouched.
    other = [r for r in after["targets"] if r[1] != after["articles"][0][0]]
    assert other == [r for r in before["targets"] if r[1] != before["articles"][0][0]]
    # And loading v2 again is a no-op.
    load_files(db, [v2])
    assert dump(db) == after


def test_failure_half_way_leaves_database_as_before(db, seeds_v1, tmp_path, monkeypatch):
    load_files(db, [seeds_v1])
    before = dump(db)
    v2 = R.write_jsonl(tmp_path / "v2.jsonl", R.seed_records(R.RUN_V2))
    real, calls = write.write_batch, []

    def failing(conn, records, state):
        calls.append(1)
        if len(calls) == 3:  # two of five articles already replaced in this transaction
            raise RuntimeError("injected failure")
        return real(conn, records, state)

    monkeypatch.setattr(write, "write_batch", failing)
    with pytest.raises(RuntimeError, match="injected failure"):
        load_files(db, [v2], batch=1)
    assert len(calls) == 3
    assert dump(db) == before


def test_failure_on_first_load_leaves_no_tables(db, seeds_v1, monkeypatch):
    def failing(*_):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(write, "write_batch", failing)
    with pytest.raises(RuntimeError):
        load_files(db, [seeds_v1])
    engine = make_engine(db)
    try:
        assert inspect(engine).get_table_names() == []  # DDL was in the same transaction
    finally:
        engine.dispose()


def test_hostile_strings_are_stored_verbatim(db, tmp_path):
    record = R.hostile_record()
    load_files(db, [R.write_jsonl(tmp_path / "evil.jsonl", [record])])
    a = record.article
    row, = scalar(db, select(T.articles).where(T.articles.c.key == a.id))
    assert (row.title, row.outlet, row.text, row.source) == (a.title, a.outlet, a.text, a.source)
    assert scalar(db, select(T.policies.c.title, T.policy_issuers.c.issuer).join(T.policy_issuers)) \
        == [(R.HOSTILE, f"区委'; {R.HOSTILE}")]
    assert scalar(db, select(T.targets.c.metric, T.targets.c.region, T.targets.c.policy_id.is_not(None))) \
        == [(f"DELETE FROM targets; {R.HOSTILE}", "金坛区'--", True)]
    assert set(scalar(db, select(T.persons.c.name, T.persons.c.title))) == {(f"Robert{R.HOSTILE}", "市长'; --")}
    assert scalar(db, select(T.runs.c.model)) == [(f"m'; {R.HOSTILE}",)]
    assert counts(db) == expected_counts([record])  # every table still there, nothing deleted
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            hits = conn.execute(text(QUERIES["person_meetings"]), {"name": f"Robert{R.HOSTILE}"}).all()
    finally:
        engine.dispose()
    assert [(h.meeting, h.chaired) for h in hits] == [(f"会议{R.HOSTILE}", 1)]


def test_bad_lines_are_reported_and_their_file_is_not_loaded(db, tmp_path):
    records = R.seed_records()
    good = R.write_jsonl(tmp_path / "good.jsonl", records[:2])
    broken = json.loads(records[4].model_dump_json())
    broken["targets"][0]["evidence"]["start"] += 1  # span no longer matches the quote
    future = json.loads(records[3].model_dump_json()) | {"schema_version": "2"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([records[2].model_dump_json(), "{not json", json.dumps(broken, ensure_ascii=False),
                              "", json.dumps(future, ensure_ascii=False), records[3].model_dump_json()]) + "\n",
                   encoding="utf-8")
    report = load_files(db, [bad, good], batch=1)  # batch=1: line 1 was written, then undone

    assert not report.ok
    assert [(e.path, e.line) for e in report.errors] == [(str(bad), 2), (str(bad), 3), (str(bad), 5)]
    assert "evidence" in report.errors[1].message and "schema_version '2'" in report.errors[2].message
    assert str(report.errors[0]).startswith(f"{bad}:2: ")
    assert report.files_rejected == [str(bad)] and report.files_loaded == [str(good)]
    assert sorted(k for k, in scalar(db, select(T.articles.c.key))) == sorted(r.article.id for r in records[:2])
    assert counts(db) == expected_counts(records[:2])


def test_newer_schema_version_is_refused(db, seeds_v1):
    load_files(db, [seeds_v1])
    before = dump(db)
    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(insert(T.schema_migrations).values(version=99, name="m099_future", applied_at=date(2030, 1, 1)))
    engine.dispose()
    with pytest.raises(SchemaError, match="schema version 99 is newer"):
        load_files(db, [seeds_v1])
    result = CliRunner().invoke(app, ["load", str(seeds_v1), "--db", db])
    assert result.exit_code == 2 and "schema version 99 is newer" in result.stderr
    after = dump(db)
    assert after.pop("schema_migrations")[-1][:2] == (99, "m099_future")
    before.pop("schema_migrations")
    assert after == before


def test_foreign_database_is_refused(db, seeds_v1):
    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE articles (x INTEGER)"))
    engine.dispose()
    # A SQLite file is refused by the output guard first (another program's database); past
    # it (--force), and on PostgreSQL, the schema check refuses it.
    with pytest.raises((OutputRefused, SchemaError), match="not created by `extract load`|not a SQLite database"):
        load_files(db, [seeds_v1])
    with pytest.raises(SchemaError, match="not created by `extract load`"):
        load_files(db, [seeds_v1], force=True)


def test_pending_migration_runs_once(db, seeds_v1, monkeypatch):
    load_files(db, [seeds_v1])
    applied = []

    def m002_index_units(conn):
        applied.append(1)
        conn.execute(text("CREATE INDEX ix_targets_unit ON targets (unit)"))

    known = [(i + 1, m.__name__) for i, m in enumerate(migrations.MIGRATIONS)]
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m002_index_units])
    assert load_files(db, [seeds_v1]).schema_version == len(known) + 1
    assert load_files(db, [seeds_v1]).schema_version == len(known) + 1
    assert applied == [1]
    assert scalar(db, select(T.schema_migrations.c.version, T.schema_migrations.c.name)) \
        == [*known, (len(known) + 1, "m002_index_units")]


V1_DATABASE = Path(__file__).parent / "data" / "db" / "v1-seeds.sqlite"  # made by the release before m002


def test_database_of_the_previous_release_upgrades_in_place(tmp_path):
    """A database written by the previous release (schema 1: no places, no keys) is migrated by
    the next load: new tables and columns, its old rows backfilled, nothing lost."""
    path = tmp_path / "v1.sqlite"
    path.write_bytes(V1_DATABASE.read_bytes())
    db = f"sqlite:///{path}"
    engine = make_engine(db)
    with engine.connect() as conn:  # the old tables, by name: tables.py describes the new ones
        before = {n: conn.scalar(text(f"SELECT count(*) FROM {n}")) for n in inspect(conn).get_table_names()}
    engine.dispose()
    assert "places" not in before and before["articles"] == 21
    report = load_files(db, [])
    assert report.ok and report.schema_version == len(migrations.MIGRATIONS)
    after = counts(db)
    for table, n in before.items():
        assert after[table] == n + (table == "schema_migrations"), table
    # Old rows now carry divisions and keys, and the entities they point at exist.
    assert scalar(db, select(func.count()).where(T.policies.c.entity_key.is_(None))) == [(0,)]
    assert scalar(db, select(func.count()).where(T.targets.c.entity_key.is_(None))) == [(0,)]
    assert scalar(db, select(func.count()).where(T.meetings.c.entity_key.is_(None))) == [(0,)]
    orphans = select(func.count()).select_from(T.targets).where(
        ~select(T.entities.c.key).where(T.entities.c.key == T.targets.c.entity_key).exists())
    assert scalar(db, orphans) == [(0,)]
    assert ("320413", "金坛区", "county", "江苏省", "常州市") in scalar(db, select(T.places))
    assert scalar(db, select(T.targets.c.place_code).where(T.targets.c.region == "金坛区").distinct()) == [("320413",)]
    # Loading today's records into the upgraded database works and keeps one entity per key.
    report = load_files(db, [Path(__file__).parent / "data" / "runs" / "seeds.jsonl"])
    assert report.ok
    keys = scalar(db, select(T.entities.c.key))
    assert len(keys) == len(set(keys)) > 0


# ---------------------------------------------------------------- queries (docs/database.md)

QUERY_PARAMS = [
    ("targets_by_region_and_year", {"region": "金坛区", "year": 2025}),
    ("targets_by_region_and_year", {"region": "常州市", "year": 2025}),
    ("targets_by_region_and_year", {"region": "武进区", "year": 2023}),
    ("person_meetings", {"name": "刘国新"}),
    ("person_meetings", {"name": "盛蕾"}),
    ("person_meetings", {"name": f"Robert{R.HOSTILE}"}),
    ("policies_with_targets", {}),
    ("divisions_with_target", {"metric": "%上市%", "year": 2025}),
    ("documents_issued", {"division": "常州市", "year": ""}),
    ("documents_issued", {"division": "江苏省", "year": "2022"}),
]


def run_queries(db: str, params=QUERY_PARAMS) -> list[list[tuple]]:
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return [[tuple(r) for r in conn.execute(text(QUERIES[name]), p)] for name, p in params]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_doc_queries_answer_the_same_on_sqlite_and_postgres(pg_cluster, tmp_path):
    records = [*R.seed_records(), R.hostile_record()]
    run = R.write_jsonl(tmp_path / "run.jsonl", records)
    lite, pg = str(tmp_path / "q.db"), pg_cluster.create_database()
    for target in (lite, pg):
        load_files(target, [run])
    answers = run_queries(lite)
    assert answers == run_queries(pg)
    assert [len(a) for a in answers] == [3, 3, 5, 2, 1, 1, 14, 3, 7, 2]
    assert counts(lite) == counts(pg) == expected_counts(records)


def test_doc_contains_the_queries_verbatim():
    doc = DOC.read_text(encoding="utf-8")
    for name, sql in QUERIES.items():
        assert sql in doc, f"docs/database.md lacks the {name} query as in extract/store/queries.py"


# ---------------------------------------------------------------- the real seeds run, once it exists

@pytest.mark.skipif(R.real_run() is None, reason=f"no real run yet at {R.REAL_RUN}")
def test_real_seeds_run(db, tmp_path):
    path = R.real_run()
    records = [R.Record.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    report = load_files(db, [path])
    assert report.ok, [str(e) for e in report.errors]
    latest = {(r.article.id, r.article.source_sha256): r for r in records}  # a repeated article: last wins
    assert counts(db) == expected_counts(list(latest.values()))
    before = dump(db)
    load_files(db, [path])
    assert dump(db) == before


@pytest.mark.postgres
@pytest.mark.skipif(R.real_run() is None, reason=f"no real run yet at {R.REAL_RUN}")
def test_real_seeds_run_queries_match(pg_cluster, tmp_path):
    lite, pg = str(tmp_path / "real.db"), pg_cluster.create_database()
    for target in (lite, pg):
        load_files(target, [R.real_run()])
    assert counts(lite) == counts(pg)
    people = [n for n, in scalar(lite, select(T.persons.c.name).order_by(T.persons.c.name).limit(3))]
    regions = scalar(lite, select(T.targets.c.region, T.targets.c.deadline_year)
                     .where(T.targets.c.region.is_not(None), T.targets.c.deadline_year.is_not(None)).distinct()
                     .order_by(T.targets.c.region, T.targets.c.deadline_year).limit(3))
    params = [("person_meetings", {"name": n}) for n in people] + \
             [("targets_by_region_and_year", {"region": r, "year": y}) for r, y in regions] + \
             [("policies_with_targets", {})]
    assert run_queries(lite, params) == run_queries(pg, params)


# ---------------------------------------------------------------- command line and URLs

def test_cli_default_database_and_exit_codes(tmp_path, monkeypatch, seeds_v1):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["load", str(seeds_v1)])
    assert result.exit_code == 0, result.output
    assert "5 new" in result.stdout and (tmp_path / "extractions.db").exists()
    result = runner.invoke(app, ["load", str(seeds_v1), "--db", f"sqlite:///{tmp_path / 'extractions.db'}"])
    assert result.exit_code == 0 and "5 unchanged" in result.stdout

    bad = tmp_path / "bad.jsonl"
    bad.write_text(R.seed_records()[0].model_dump_json() + "\n{oops\n", encoding="utf-8")
    result = runner.invoke(app, ["load", str(bad), "--db", "other.db"])
    assert result.exit_code == 2  # malformed input: one line naming file and line, nothing written
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}:2: ") and "nothing loaded" in line
    assert counts(str(tmp_path / "other.db")).get("articles", 0) == 0  # rolled back, schema too


def test_resolve_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'extractions.db'}"
    assert resolve_url("x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"
    assert resolve_url("postgresql://u@h:5433/d") == "postgresql+psycopg://u@h:5433/d"
    assert resolve_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize("value, expected", [
    ("2021-02-19", date(2021, 2, 19)), ("2021-02", None), ("2021", None), ("--02-19", None),
    (None, None), ("2021-02-30", None),
])
def test_date_sort(value, expected):
    assert write.date_sort(value) == expected
