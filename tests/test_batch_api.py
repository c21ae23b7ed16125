"""Batch mode (extract/run/batch_api.py): submit, status and collect against the fake server's
/v1/files and /v1/batches give the same items as a plain run; nothing is submitted twice;
partial failures, invalid answers and expiry are redone live or in a second round; a collect
killed and run again loses and duplicates nothing; request files without a hosted Batch API.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.fake_llm import batch_answer
from extract.run.batch_api import BatchError, Outputs, request_id, write_request_files
from extract.cli import app
from schemas import Record
from tests.fake_llm import FakeLLM, write_pages

ROOT = Path(__file__).resolve().parent.parent
SEEDS = str(ROOT / "seeds")


def _cli(*args: str, base_url: str):
    return CliRunner().invoke(app, [*args, "--base-url", base_url, "--model", "fake"])


def _items(out: Path) -> dict[str, tuple]:
    """Each article's items, as `extract diff` compares them."""
    recs = [Record.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = Counter(r.article.id for r in recs)
    assert max(ids.values()) == 1, f"duplicate records in {out}: {ids.most_common(3)}"
    return {r.article.id: (r.model_dump(mode="json")["policies"], r.model_dump(mode="json")["targets"],
                           r.model_dump(mode="json")["meetings"], [e.stage for e in r.errors]) for r in recs}


@pytest.fixture
def plain(fake_llm, tmp_path):
    """The seeds extracted by a plain threaded run against the same server (no cache)."""
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(app, ["run", SEEDS, "-o", str(out), "--base-url", fake_llm.base_url,
                                      "--model", "fake", "--no-cache"])
    assert result.exit_code == 0, result.output
    live = fake_llm.requests["total"]
    fake_llm.reset_counts()
    return out, live


def _diff(a: Path, b: Path) -> int:
    return CliRunner().invoke(app, ["diff", str(a), str(b)]).exit_code


def test_submit_then_collect_gives_the_plain_runs_items_and_nothing_twice(fake_llm, plain, tmp_path):
    r, live = plain
    b = tmp_path / "b.jsonl"
    first = _cli("batch", "submit", SEEDS, "-o", str(b), base_url=fake_llm.base_url)
    assert first.exit_code == 0, first.output
    assert f"submitted: {live} requests in 1 batches" in first.stderr
    assert len(fake_llm.batches) == 1 and fake_llm.requests["total"] == 0  # no live call to submit
    again = _cli("batch", "submit", SEEDS, "-o", str(b), base_url=fake_llm.base_url)
    assert again.exit_code == 0 and "nothing to submit" in again.stderr
    assert f"({live} submitted before)" in again.stderr and len(fake_llm.batches) == 1

    status = _cli("batch", "status", "-o", str(b), base_url=fake_llm.base_url)
    assert status.exit_code == 0 and f"completed  {live}/{live} done, 0 failed" in status.stdout, status.output

    collected = _cli("batch", "collect", "-o", str(b), base_url=fake_llm.base_url)
    assert collected.exit_code == 0, collected.output
    assert f"batch answers: {live}, valid {live}" in collected.stderr
    assert fake_llm.requests["total"] == 0  # every answer came from the batch, none live
    assert _diff(r, b) == 0 and _items(r) == _items(b)
    # Done: a third submit finds every answer in the cache.
    third = _cli("batch", "submit", SEEDS, "-o", str(b), base_url=fake_llm.base_url)
    assert "articles to do: 0" in third.stderr and len(fake_llm.batches) == 1


def test_partial_failures_and_invalid_answers_are_redone_live(fake_llm, plain, tmp_path):
    r, live = plain
    b = tmp_path / "b.jsonl"
    # The batch's first three lines (a target clause's question each): a verdict that is neither
    # 是 nor 否 is invalid with no re-ask to wait for, so it is not among the requests left; like
    # the two errors it is asked live when the run is completed.
    fake_llm.batch_script("503", "schema", "500")
    assert _cli("batch", "submit", SEEDS, "-o", str(b), base_url=fake_llm.base_url).exit_code == 0
    collected = _cli("batch", "collect", "-o", str(b), base_url=fake_llm.base_url)
    assert collected.exit_code == 0, collected.output
    assert f"batch answers: {live - 2}, valid {live - 3} (now in the answer cache), invalid 1" in collected.stderr
    assert "request errors: 1 http 500, 1 http 503; requests left: 2" in collected.stderr
    assert fake_llm.requests["total"] == 3  # the two errors and the invalid answer, asked live
    assert _diff(r, b) == 0


def test_expired_batch_rest_in_a_second_round(fake_llm, plain, tmp_path):
    """An expired batch answered part; --resubmit sends the rest as round 2, not live."""
    r, live = plain
    b = tmp_path / "b.jsonl"
    fake_llm.batch_expire_after = 10
    assert _cli("batch", "submit", SEEDS, "-o", str(b), base_url=fake_llm.base_url).exit_code == 0
    status = _cli("batch", "status", "-o", str(b), base_url=fake_llm.base_url)
    assert f"round 1  expired  10/{live} done, {live - 10} failed" in status.stdout, status.output
    fake_llm.batch_expire_after = None
    fake_llm.batch_polls = 1  # round 2 is still running at the first collect
    second = _cli("batch", "collect", "-o", str(b), "--resubmit", base_url=fake_llm.base_url)
    assert second.exit_code == 0, second.output
    assert f"{live - 10} batch_expired" in second.stderr
    assert f"resubmitted: {live - 10} requests in 1 batches" in second.stderr and not b.exists()
    early = _cli("batch", "collect", "-o", str(b), base_url=fake_llm.base_url)
    assert early.exit_code == 2 and "1 batches still running" in early.stderr and not b.exists()
    done = _cli("batch", "collect", "-o", str(b), base_url=fake_llm.base_url)
    assert done.exit_code == 0, done.output
    assert fake_llm.requests["total"] == 0 and len(fake_llm.batches) == 2
    assert _diff(r, b) == 0


def test_requests_only_then_output_files_from_elsewhere(fake_llm, plain, tmp_path):
    """No hosted Batch API: request files for a runner such as `vllm run-batch`, whose output
    lines (same format) `collect --from-file` reads."""
    r, live = plain
    b, folder = tmp_path / "b.jsonl", tmp_path / "requests"
    made = _cli("batch", "submit", SEEDS, "-o", str(b), "--requests-only", str(folder), base_url=fake_llm.base_url)
    assert made.exit_code == 0 and "nothing uploaded" in made.stderr and not fake_llm.files
    lines = [json.loads(x) for f in sorted(folder.iterdir()) for x in f.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == live and {x["url"] for x in lines} == {"/v1/chat/completions"}
    assert all(x["custom_id"] == request_id(x["body"]) and x["method"] == "POST" for x in lines)
    # The runner elsewhere: its answers to the same bodies, in the Batch API's output format.
    answered = tmp_path / "vllm-output.jsonl"
    answered.write_text("".join(json.dumps({"id": f"r{n}", "custom_id": x["custom_id"], "error": None,
                                            "response": {"status_code": 200, "body": batch_answer(fake_llm, x["body"], None)}},
                                           ensure_ascii=False) + "\n" for n, x in enumerate(lines)), encoding="utf-8")
    fake_llm.reset_counts()
    done = _cli("batch", "collect", SEEDS, "-o", str(b), "--from-file", str(answered), base_url=fake_llm.base_url)
    assert done.exit_code == 0, done.output
    assert fake_llm.requests["total"] == 0 and _diff(r, b) == 0


def test_collect_killed_and_run_again_loses_and_duplicates_nothing(fake_llm, tmp_path):
    folder = tmp_path / "in"
    write_pages(folder, 4, 100)  # 400 articles, one request each
    out = tmp_path / "b.jsonl"
    env = {**os.environ, "EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    base = ["--base-url", fake_llm.base_url, "--model", "fake"]
    subprocess.run([sys.executable, "-m", "extract.cli", "batch", "submit", str(folder), "-o", str(out), *base],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    cmd = [sys.executable, "-m", "extract.cli", "batch", "collect", "-o", str(out), *base]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (not out.exists() or out.stat().st_size == 0) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)  # mid-run: some records written, the rest not
    proc.wait()
    written = len(out.read_text(encoding="utf-8").splitlines()) if out.exists() else 0
    assert written < 400, "the kill came too late to test anything"
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    items = _items(out)
    assert len(items) == 400 and all(len(t) == 1 and not errs for _, t, _, errs in items.values())
    assert fake_llm.requests["total"] == 0 and len(fake_llm.batches) == 1  # no live call, no second batch


def test_request_files_split_under_the_limits(tmp_path):
    requests = {f"req-{n:03d}": {"model": "m", "messages": [{"role": "user", "content": "字" * 100}]} for n in range(25)}
    by_count = write_request_files(requests, tmp_path / "a", "r", max_requests=10)
    assert [len(ids) for _, ids in by_count] == [10, 10, 5]
    size = len((tmp_path / "a" / "r-001.jsonl").read_bytes()) // 10
    by_size = write_request_files(requests, tmp_path / "b", "r", max_bytes=size * 4 + 1)
    assert [len(ids) for _, ids in by_size] == [4] * 6 + [1]
    assert all(p.stat().st_size <= size * 4 + 1 for p, _ in by_size)
    with pytest.raises(BatchError, match="over the 100-byte file limit"):
        write_request_files(requests, tmp_path / "c", "r", max_bytes=100)


def test_a_bad_output_file_is_named_with_its_line(tmp_path):
    bad = tmp_path / "out.jsonl"
    bad.write_text('{"custom_id": "req-1", "response": {"status_code": 200, "body": {}}}\nnot json\n', encoding="utf-8")
    with pytest.raises(BatchError, match=r"out\.jsonl:2: not a batch output line \(not JSON"):
        Outputs().read(bad)
    result = CliRunner().invoke(app, ["batch", "collect", SEEDS, "-o", str(tmp_path / "b.jsonl"), "--from-file",
                                      str(bad), "--base-url", "http://127.0.0.1:9/v1", "--model", "fake"])
    # As every file a command reads (issue 38): the file, the line, exit 2.
    assert result.exit_code == 2 and f"{bad}:2: not a batch output line" in result.stderr
    bad.write_text('{"custom_id": "req-1", "response": "x"}\n', encoding="utf-8")  # JSON of the wrong shape
    with pytest.raises(BatchError, match=r"out\.jsonl:1: not a batch output line \(field response"):
        Outputs().read(bad)
    missing = CliRunner().invoke(app, ["batch", "collect", "-o", str(tmp_path / "x.jsonl"),
                                       "--base-url", "http://127.0.0.1:9/v1"])
    assert missing.exit_code == 1 and "run `extract batch submit` first" in missing.stderr
