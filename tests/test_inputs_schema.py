"""Every file a command reads is checked by its schema (issue 38): a line that is valid JSON of the
wrong shape is one line naming the file, the line and the field, exit 2, nothing written; never a
traceback. `gold build` checks the decisions it is given, so it never writes a gold that `eval`
cannot read. Made-up records only."""
from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import record_for  # noqa: E402

TEXT = "区政府召开测试推进会，区长张三出席。到2025年，测试企业达到500家。"


def _record() -> dict:
    return record_for("900_made_up.txt", TEXT, {
        "targets": [{"metric": "测试企业", "value": 500, "unit": "家", "deadline_year": 2025,
                     "evidence": {"quote": "测试企业达到500家"}}],
        "meetings": [{"name": "测试推进会", "attendees": [{"name": "张三", "title": "区长"}],
                      "evidence": {"quote": "区政府召开测试推进会"}}]}, title="测试页面")


def _gold() -> dict:
    rec = _record()
    return {"source": "900_made_up.txt", "articles": [{"index": 1, "title": "测试页面"}],
            "policies": [], "targets": [{**t, "evidence": {"quote": t["evidence"]["quote"]}} for t in rec["targets"]],
            "meetings": [{**m, "evidence": {"quote": m["evidence"]["quote"]}} for m in rec["meetings"]]}


def _set(line: dict, path: str, value) -> dict:
    line = copy.deepcopy(line)
    *parents, last = path.split(".")
    here = line
    for p in parents:
        here = here[int(p)] if p.isdigit() else here[p]
    here[int(last) if last.isdigit() else last] = value
    return line


# (what, a line of the wrong shape, the field the one line names)
WRONG = [
    ("attendees a string", lambda: _set(_record(), "meetings.0.attendees", "张三"), "meetings.0.attendees"),
    ("targets a string", lambda: _set(_record(), "targets", "abc"), "targets"),
    ("a value that is no number", lambda: _set(_record(), "targets.0.value", "many"), "targets.0.value"),
    ("article without its text", lambda: {k: v for k, v in _record().items()} | {"article": {"id": "x#1"}},
     "article."),
    ("errors a dict", lambda: _set(_record(), "errors", {"stage": "x"}), "errors"),
    ("gold targets a string", lambda: _set(_gold(), "targets", "abc"), "targets"),
    ("gold attendees a string", lambda: _set(_gold(), "meetings.0.attendees", "张三"), "meetings.0.attendees"),
    ("gold quote a number", lambda: _set(_gold(), "targets.0.evidence.quote", 123), "targets.0.evidence.quote"),
    ("gold article index a word", lambda: _set(_gold(), "articles.0.index", "one"), "articles.0.index"),
    ("gold source a number", lambda: _set(_gold(), "source", 1), "source"),
]


@pytest.mark.parametrize("what,line,field", WRONG, ids=[w[0] for w in WRONG])
@pytest.mark.parametrize("command", ["eval", "eval --errors", "eval (second)", "diff", "review"])
def test_a_line_of_the_wrong_shape_is_one_line(tmp_path, what, line, field, command):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_record(), ensure_ascii=False) + "\n" + json.dumps(line(), ensure_ascii=False) + "\n",
                   encoding="utf-8")
    out = tmp_path / "review.html"
    args = {"eval": ["eval", bad, good], "eval --errors": ["eval", "--errors", bad, good],
            "eval (second)": ["eval", good, bad], "diff": ["diff", good, bad],
            "review": ["review", bad, "-o", out]}[command]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    [message] = [x for x in result.stderr.splitlines() if x.strip()]
    assert message.startswith(f"error: {bad}:2: malformed") and f"field {field}" in message, message
    assert not out.exists()


def _decision(**changes) -> dict:
    rec = _record()
    item = rec["targets"][0]
    line = {"article": rec["article"]["id"], "source": rec["article"]["source"],
            "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(), "kind": "targets", "key": None,
            "evidence": dict(item["evidence"]), "decision": "accept", "item": item}
    for path, value in changes.items():
        line = _set(line, path.replace("__", "."), value)
    return line


DECISIONS = [
    ("a key that is a list", dict(key=["T-1"]), "key"),
    ("a quote that is a number", dict(item__evidence__quote=123), "item.evidence.quote"),
    ("no decision", dict(decision=None), "decision"),
    ("an unknown kind", dict(kind="budgets"), "kind"),
    ("a value that is no number", dict(item__value="many"), "item.value"),
    ("an item that is a string", dict(item="accept it"), "item"),
    ("attendees a string", dict(kind="meetings", item={"name": "测试推进会", "attendees": "张三",
                                                         "evidence": {"quote": "区政府召开测试推进会"}}),
     "item.attendees"),
]


@pytest.mark.parametrize("what,changes,field", DECISIONS, ids=[d[0] for d in DECISIONS])
def test_gold_build_checks_each_decision_by_its_schema(tmp_path, what, changes, field):
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(json.dumps(_decision(), ensure_ascii=False) + "\n"
                         + json.dumps(_decision(**changes), ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(app, ["gold", "build", str(run), str(decisions), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    [message] = [x for x in result.stderr.splitlines() if x.strip()]
    assert message.startswith(f"error: {decisions}:2: malformed decision") and f"field {field}" in message, message
    assert not out.exists() and not (tmp_path / "gold.rejected.jsonl").exists()


def test_a_gold_built_is_read_by_eval(tmp_path):
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(json.dumps(_decision(), ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    assert CliRunner().invoke(app, ["gold", "build", str(run), str(decisions), "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(app, ["eval", str(run), str(out)])
    assert result.exit_code == 0, result.output


def test_rejected_files_for_review_are_checked_too(tmp_path):
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    rejected = tmp_path / "gold.rejected.jsonl"
    rejected.write_text(json.dumps(_decision(decision="reject", key=[1]), ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "review.html"
    result = CliRunner().invoke(app, ["review", str(run), "--curate", "--rejected", str(rejected), "-o", str(out)])
    assert result.exit_code == 2 and f"{rejected}:1: malformed decision" in result.stderr and "field key" in result.stderr
    assert not out.exists()


def test_eval_still_measures_ungrounded_items(tmp_path):
    """Grounding is what `eval` reports, so a run line whose quote misses its text is read."""
    rec = _set(_record(), "targets.0.evidence.start", 3)
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--json", str(run), str(run)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ungrounded_items"] == 1
