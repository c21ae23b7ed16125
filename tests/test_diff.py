"""`diff` and `extract diff`: runs against runs and against gold."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import (  # noqa: E402
    ROOT,
    cli_app,
    edit,
    gold_path,
    read_jsonl,
    record_for,
    run_path,
    write_jsonl,
)

from extract.commands.diff import render  # noqa: E402
from extract.review.diff import diff  # noqa: E402
from extract.review.evaluate import evaluate  # noqa: E402
from extract.review.match import KINDS, load_side  # noqa: E402


@pytest.fixture
def run_file(tmp_path) -> Path:
    return run_path(tmp_path)


def test_run_against_itself_is_identical(run_file):
    side = load_side(run_file)
    report = diff(side, load_side(run_file))
    assert report.identical
    assert all(s.changed == s.added == s.removed == 0 for s in report.summary.values())
    assert not any(report.fields.values())
    res = CliRunner().invoke(cli_app(), ["diff", str(run_file), str(run_file)])
    assert res.exit_code == 0, res.output
    assert "identical" in res.output


def test_known_edits_are_reported_exactly(run_file, tmp_path):
    rows, expect = edit(read_jsonl(run_file))
    edited = write_jsonl(tmp_path / "edited.jsonl", rows)
    report = diff(load_side(run_file), load_side(edited))
    assert not report.identical
    s = report.summary
    assert (s["policies"].removed, s["policies"].added, s["policies"].changed) == (1, 0, 0)
    assert (s["targets"].removed, s["targets"].added, s["targets"].changed) == (0, 0, 1)
    assert (s["meetings"].removed, s["meetings"].added, s["meetings"].changed) == (0, 0, 1)
    assert {f: n for f, n in report.fields.items() if n} == {"targets.value": 1, "meetings.attendees": 1}

    removed = [r for sc in report.scopes for r in sc.removed]
    assert [r.item["title"] for r in removed] == [expect["removed"]["title"]]
    changes = {p.kind: (sc.key, p.changes) for sc in report.scopes for p in sc.changed}
    key, ch = changes["targets"]
    assert ch == {"value": (expect["target"][1], expect["target"][1] + 1000)}
    assert key in (expect["target"][0], expect["target"][0].split("#")[0] + ".txt")
    key, ch = changes["meetings"]
    old, new = ch["attendees"]
    assert [p["name"] for p in new if p not in old] == ["测试新增人"] and len(ch) == 1

    res = CliRunner().invoke(cli_app(), ["diff", str(run_file), str(edited), "--json"])
    assert res.exit_code == 1, res.output
    assert json.loads(res.output)["summary"]["targets"]["changed"] == 1


@pytest.mark.parametrize("split", [False, True], ids=["page", "articles"])
@pytest.mark.parametrize("variant", ["as_is", "edited"])
def test_against_gold_equals_eval(tmp_path, variant, split):
    rows = read_jsonl(run_path(tmp_path, split=split))
    if variant == "edited":
        rows = edit(rows)[0]
    run = load_side(write_jsonl(tmp_path / "run.jsonl", rows))
    gold = load_side(gold_path())
    report, scores = diff(run, gold), evaluate(run, gold)
    for kind in KINDS:
        extras = sum(1 for sc in report.scopes if sc.source in gold.sources for r in sc.removed if r.kind == kind)
        misses = sum(1 for sc in report.scopes for r in sc.added if r.kind == kind)
        assert (extras, misses) == (scores.types[kind].fp, scores.types[kind].fn), kind
    assert all(not sc.per_article for sc in report.scopes)  # per source file against gold
    if variant == "edited":
        # Against gold the target with a changed value is an extra and a miss, as in eval.
        assert scores.types["targets"].fp >= 1 and scores.types["targets"].fn >= 1


def test_gold_against_itself_is_identical():
    gold = load_side(gold_path())
    report = diff(gold, gold)
    assert report.identical
    assert [report.summary[k].unchanged for k in KINDS] == [18, 53, 21]  # optional items too


def test_optional_gold_items_unmatched_are_not_misses(tmp_path):
    rows = read_jsonl(gold_path())
    dropped = 0
    for r in rows:
        for kind in KINDS:
            keep = [x for x in r[kind] if not x.get("optional")]
            dropped += len(r[kind]) - len(keep)
            r[kind] = keep
    report = diff(load_side(write_jsonl(tmp_path / "req.jsonl", rows)), load_side(gold_path()))
    assert sum(s.optional_unmatched for s in report.summary.values()) == dropped
    assert sum(s.added + s.removed + s.changed for s in report.summary.values()) == 0
    assert not report.identical  # not the same file, though nothing counts as a miss


def test_scopes_follow_segmentation(tmp_path):
    text = "第一篇：到2025年，上市公司20家。\n\n第二篇：昨天召开全市产业发展大会。"
    target = {"metric": "上市公司", "value": 20, "unit": "家", "comparator": "reach",
              "evidence": {"quote": "到2025年，上市公司20家"}}
    meeting = {"name": "全市产业发展大会", "evidence": {"quote": "昨天召开全市产业发展大会"}}
    one = record_for("p.txt", text, {"targets": [target], "meetings": [meeting]}, title="第一篇")
    cut = text.index("第二篇")
    two = [record_for("p.txt", text[:cut], {"targets": [target]}, index=1, title="第一篇"),
           record_for("p.txt", text[cut:], {"meetings": [meeting]}, index=2, title="第二篇")]
    a = load_side(write_jsonl(tmp_path / "a.jsonl", [one]))
    b = load_side(write_jsonl(tmp_path / "b.jsonl", two))
    report = diff(a, b)  # different cuts: compared per source file, nothing changed
    assert [sc.key for sc in report.scopes] == ["p.txt"] and report.identical
    report = diff(b, b)
    assert [sc.key for sc in report.scopes] == ["p#1", "p#2"] and report.identical


def test_rich_output_keeps_cjk_columns_aligned(run_file, tmp_path):
    rows, _ = edit(read_jsonl(run_file))
    report = diff(load_side(run_file), load_side(write_jsonl(tmp_path / "e.jsonl", rows)))
    buf = io.StringIO()
    render(report, Console(file=buf, width=100, force_terminal=False, color_system=None))
    out = buf.getvalue()
    assert "测试新增人" in out and "value" in out
    # Every table row spans the same number of terminal cells as its table's top border:
    # a wide (CJK) character counted as one cell would break this.
    blocks, current = [], []
    for line in out.splitlines():
        if line[:1] in "┏┃┡│└├┗┣┠╭╰":
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    assert blocks
    for block in blocks:
        assert len({cell_len(line.rstrip()) for line in block}) == 1, block
        assert max(cell_len(line) for line in block) <= 100


def test_registered_in_cli():
    text = (ROOT / "extract" / "cli.py").read_text(encoding="utf-8")
    for entry in ('("eval", "eval", "eval_cmd")', '("diff", "diff", "diff_cmd")',
                  '("review", "review", "review_cmd")'):
        assert entry in text
