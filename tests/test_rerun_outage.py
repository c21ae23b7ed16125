"""A re-run after an outage ends with exactly one record per article (issue 38, item 8), and
compaction never leaves a stray line first, where the output guard would refuse the tool's own
file on the next run (item 9). Made-up pages; the endpoint is the fake server on loopback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import extract
from extract.cli import app
from extract.run.output import compact
from tests.fake_llm import synthetic_page


pytestmark = pytest.mark.usefixtures("fast_backoff")


def _run(*args):
    return CliRunner().invoke(app, ["run", "--no-cache", "--timeout", "2", *[str(a) for a in args]])


def _records(out: Path) -> list[dict]:
    return [json.loads(x) for x in out.read_text("utf-8").splitlines()] if out.exists() else []


def test_no_model_and_the_endpoint_down_at_the_start_then_back(fake_llm, page, tmp_path):
    out = tmp_path / "out.jsonl"
    fake_llm.models_fault = "503"
    fake_llm.always("503")
    down = _run(page, "-o", out, "--base-url", fake_llm.base_url)
    assert down.exit_code == 3, down.output
    assert "no --model was given" in down.stderr and "run the same command again" in down.stderr
    assert fake_llm.requests["total"] == 0 and not out.exists()
    fake_llm.models_fault = None
    fake_llm.always(None)
    back = _run(page, "-o", out, "--base-url", fake_llm.base_url)
    assert back.exit_code == 0, back.output
    records = _records(out)
    assert len(records) == 4 and len({r["article"]["id"] for r in records}) == 4
    assert {r["run"]["model"] for r in records} == {"fake"} and not any(r["errors"] for r in records)


def _stale(article: dict, model: str) -> dict:
    """What an earlier version wrote for an article the outage cut short, under a guessed model."""
    return {"article": article, "policies": [], "targets": [], "meetings": [],
            "run": {"engine": "openai-compatible:127.0.0.1", "model": model, "prompt_version":
                    extract.Extractor(base_url="http://127.0.0.1:9/v1", env=False, cache=False).prompt_version},
            "errors": [{"stage": "llm:targets", "message": "InternalServerError: Error code: 503", "transient": True}]}


def test_a_stale_error_record_under_another_model_is_dropped(fake_llm, page, tmp_path):
    articles, _ = extract.read_articles([page])
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(_stale(articles[0].model_dump(), "gpt-4o-mini"), ensure_ascii=False) + "\n",
                   encoding="utf-8")
    result = _run(page, "-o", out, "--base-url", fake_llm.base_url)  # the one model served: fake
    assert result.exit_code == 0, result.output
    records = _records(out)
    assert len(records) == 4 and {r["run"]["model"] for r in records} == {"fake"}


def test_an_outage_run_with_another_model_leaves_the_done_records_alone(fake_llm, page, tmp_path):
    out = tmp_path / "out.jsonl"
    assert _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "fake").exit_code == 0
    fake_llm.always("503")
    fake_llm.models = ["fake", "other"]
    outage = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "other")
    assert outage.exit_code in (1, 3), outage.output
    records = _records(out)
    assert len(records) == 4 and {r["run"]["model"] for r in records} == {"fake"}


def test_compaction_never_moves_a_stray_line_first(fake_llm, page, tmp_path):
    out = tmp_path / "out.jsonl"
    assert _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "fake").exit_code == 0
    lines = out.read_text("utf-8").splitlines(keepends=True)
    out.write_text(lines[0] + "a note someone left\n" + "".join(lines[1:]), encoding="utf-8")
    forced = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "fake", "--force")
    assert forced.exit_code == 0, forced.output
    after = out.read_text("utf-8").splitlines()
    assert json.loads(after[0])["article"] and "a note someone left" in after  # kept, not first
    again = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "fake")
    assert again.exit_code == 0, again.output  # the guard still knows the file as a run file


def test_compact_keeps_the_latest_per_model_and_one_record_at_least(tmp_path):
    articles, _ = extract.read_articles([_page(tmp_path)])
    a = articles[0].model_dump()
    done = {**_stale(a, "fake"), "errors": []}
    lines = [_stale(a, "gpt-4o-mini"), _stale(a, "other"), done, _stale(a, "third")]
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert compact(out) == 3
    assert [r["run"]["model"] for r in _records(out)] == ["fake"]
    only_errors = [_stale(a, "gpt-4o-mini"), _stale(a, "other")]
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in only_errors), encoding="utf-8")
    assert compact(out) == 1 and [r["run"]["model"] for r in _records(out)] == ["other"]


def _page(tmp_path: Path) -> Path:
    p = tmp_path / "one.txt"
    p.write_text(synthetic_page(1, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("errors", ["abc", [1, 2], {"stage": "x"}])
def test_a_record_line_of_the_wrong_shape_is_left_and_its_article_redone(fake_llm, page, tmp_path, errors):
    """A hand-edited record in the output (an older version: a traceback on resume)."""
    articles, _ = extract.read_articles([page])
    out = tmp_path / "out.jsonl"
    bad = {**_stale(articles[0].model_dump(), "fake"), "errors": errors}
    out.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    result = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--model", "fake")
    assert result.exit_code == 0, result.output
    lines = out.read_text("utf-8").splitlines()
    assert json.loads(lines[0]) == bad and len(lines) == 5  # left where it was; the four articles done
