"""`evaluate` and `extract eval` against the gold seeds (spec §3)."""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import cli_app, gold_path, read_jsonl, run_path, write_jsonl  # noqa: E402

from extract.review.evaluate import evaluate  # noqa: E402
from extract.review.match import load_side  # noqa: E402

KINDS = ("policies", "targets", "meetings")
S000, S001, S002, S004 = "000_022c8c979c5708e9.txt", "001_ad50afaed758b5d7.txt", \
    "002_cdf20a56a5e704e9.txt", "004_dcb35c77580a043b.txt"


@pytest.fixture(scope="module")
def gold_rows() -> list[dict]:
    return read_jsonl(gold_path())


def by_source(rows: list[dict]) -> dict[str, dict]:
    return {r["source"]: r for r in rows}


def test_gold_against_itself_is_perfect():
    gold = load_side(gold_path())
    report = evaluate(gold, gold)
    for kind in KINDS:
        t = report.types[kind]
        assert (t.precision, t.recall, t.f1) == (1.0, 1.0, 1.0), kind
        assert t.fp == t.fn == 0
        assert all(v == 1.0 for v in t.fields.values()), (kind, t.fields)
    # The README's counts of required items.
    assert [report.types[k].tp for k in KINDS] == [9, 46, 19]
    assert report.segmentation_found == 1.0
    assert report.grounded is None  # a gold side has no offsets to check
    assert report.articles == 21 and report.articles_with_errors == 0
    assert not report.missing_sources and not report.extra_sources


def damage(rows: list[dict]) -> list[dict]:
    """Known edits on a copy of gold; the expected figures are worked out in the test."""
    rows = copy.deepcopy(rows)
    g = by_source(rows)
    # 2 required targets removed (600 个, 15 家: no other target of 004 has that value/unit).
    del g[S004]["targets"][0:2]
    # A value changed: the run item no longer matches (FP) and its gold item is missed (FN).
    assert g[S000]["targets"][0]["value"] == 100
    g[S000]["targets"][0]["value"] = 101
    # Still matched, one field off: deadline_year agreement 42 of 43 credited pairs.
    g[S004]["targets"][0]["deadline_year"] = 2024
    # A meeting renamed beyond the threshold and quoted elsewhere: FP + FN.
    m = g[S002]["meetings"][2]
    assert m["name"] == "2020年度党报党刊征订发行工作会议"
    m["name"], m["evidence"] = "xxxxxxxxxx", {"quote": "yyyyyyyyyy"}
    # Renamed but with its quote kept: still matched through evidence overlap; one of its
    # six attendees dropped, so its attendee F1 is 2·5/(5+6) = 10/11.
    m = g[S000]["meetings"][7]
    assert len(m["attendees"]) == 6
    m["name"] = "xxxxxxxxxx"
    m["attendees"] = m["attendees"][1:]
    # A wrong date on a matched meeting: date agreement 17 of 18.
    g[S000]["meetings"][0]["date"] = "1999-01-01"
    # An optional gold item not found: no effect.
    assert g[S001]["policies"][2]["optional"]
    del g[S001]["policies"][2]
    # A duplicate of a required policy on the same page: FP.
    g[S004]["policies"].append(copy.deepcopy(g[S004]["policies"][0]))
    return rows


def test_damaged_copy_gives_the_expected_figures(gold_rows, tmp_path):
    run = load_side(write_jsonl(tmp_path / "damaged.jsonl", damage(gold_rows)))
    report = evaluate(run, load_side(gold_path()))
    p, t, m = (report.types[k] for k in KINDS)

    assert (p.tp, p.fp, p.fn) == (9, 1, 0)
    assert p.precision == pytest.approx(9 / 10)
    assert p.recall == 1.0
    assert p.f1 == pytest.approx(2 * 0.9 * 1 / 1.9)

    assert (t.tp, t.fp, t.fn) == (43, 1, 3)  # 46 required − 2 removed − 1 value changed
    assert t.precision == pytest.approx(43 / 44)
    assert t.recall == pytest.approx(43 / 46)
    assert t.f1 == pytest.approx(2 * 43 / (2 * 43 + 1 + 3))
    assert t.fields["deadline_year"] == pytest.approx(42 / 43)
    assert t.fields["comparator"] == t.fields["region"] == 1.0

    assert (m.tp, m.fp, m.fn) == (18, 1, 1)
    assert m.precision == m.recall == m.f1 == pytest.approx(18 / 19)
    assert m.fields["date"] == pytest.approx(17 / 18)
    assert m.fields["attendees"] == pytest.approx((17 + 10 / 11) / 18)


def test_missing_source_counts_as_misses(gold_rows, tmp_path):
    rows = [r for r in gold_rows if r["source"] != S002]
    report = evaluate(load_side(write_jsonl(tmp_path / "part.jsonl", rows)), load_side(gold_path()))
    assert report.missing_sources == [S002]
    assert (report.types["meetings"].tp, report.types["meetings"].fn) == (15, 4)
    assert report.types["targets"].fn == 0  # 002's one target is optional
    src = next(s for s in report.sources if s.source == S002)
    assert not src.in_run and src.articles_found == 0 and src.gold_articles == 6


def test_run_file_scores(tmp_path):
    report = evaluate(load_side(run_path(tmp_path)), load_side(gold_path()))
    assert report.grounded == 1.0  # spec: every output quote indexes its article text
    assert report.ungrounded_items == 0
    assert not report.missing_sources
    for kind in KINDS:
        assert 0.0 <= report.types[kind].f1 <= 1.0


def test_ungrounded_items_are_counted(tmp_path):
    rows = read_jsonl(run_path(tmp_path))
    rec = next(r for r in rows if any(r[k] for k in KINDS))
    item = next(r for k in KINDS for r in rec[k])
    item["evidence"]["start"] += 1  # now text[start:end] != quote
    rec["errors"] = [{"stage": "validate", "message": "test"}]
    report = evaluate(load_side(write_jsonl(tmp_path / "bad.jsonl", rows)), load_side(gold_path()))
    assert report.ungrounded_items == 1 and report.grounded < 1.0
    assert report.articles_with_errors >= 1


def test_cli_json_and_table(tmp_path):
    runner, app = CliRunner(), cli_app()
    res = runner.invoke(app, ["eval", str(gold_path()), str(gold_path()), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["types"]["targets"]["f1"] == 1.0

    rows = [r for r in read_jsonl(gold_path()) if r["source"] != S002]
    part = write_jsonl(tmp_path / "part.jsonl", rows)
    res = runner.invoke(app, ["eval", str(part), str(gold_path())])
    assert res.exit_code == 0, res.output
    assert "meetings" in res.output and "F1" in res.output
    assert "no run records" in res.output and S002 in res.output


def test_error_report_lists_each_miss_false_positive_and_field(gold_rows, tmp_path):
    from extract.review.evaluate import error_report
    damaged = write_jsonl(tmp_path / "damaged.jsonl", damage(gold_rows))
    errors = error_report(load_side(damaged), load_side(gold_path()))
    kinds = sorted((e.kind, e.error) for e in errors)
    # The damaged copy's figures above, item by item: every FP and FN, and each disagreeing field.
    assert kinds.count(("targets", "miss")) == 3 and kinds.count(("targets", "false positive")) == 1
    assert kinds.count(("policies", "false positive")) == 1
    assert kinds.count(("meetings", "miss")) == 1 and kinds.count(("meetings", "false positive")) == 1
    assert kinds.count(("targets", "field: deadline_year")) == 1
    assert kinds.count(("meetings", "field: date")) == 1 and kinds.count(("meetings", "field: attendees")) == 1
    value_changed = next(e for e in errors if e.kind == "targets" and e.error == "false positive")
    assert value_changed.closest and "value differs" in value_changed.closest
    for e in errors:
        assert e.source and e.item

    res = CliRunner().invoke(cli_app(), ["eval", str(damaged), str(gold_path()), "--errors", "--kind", "targets"])
    assert res.exit_code == 0, res.output
    assert "targets miss: 3" in res.output and "meetings" not in res.output
