"""A re-run finishes the job: transient failures are retried (and only they), a dead endpoint
trips the circuit breaker, rate limits lower the concurrency, an unwritable output stops the run
cleanly; at the end the output holds exactly one record per article.

Offline: the fake OpenAI-compatible server (benchmarks/fake_llm.py, the `fake_llm` fixture), or a
closed port.
"""
from __future__ import annotations

import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.run.batch import EXIT_BREAKER, EXIT_OUTPUT, plan
from extract.cli import app
from extract.run.output import JsonlWriter, compact, scan_output
from schemas import Article, ErrorInfo, Record, RunInfo
from tests.fake_llm import FakeLLM, extract_files, synthetic_page, write_pages

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _records(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [Record.model_validate_json(line).model_dump(mode="json")
            for line in out.read_text(encoding="utf-8").splitlines()]


def _one_good_record_each(out: Path, n: int) -> list[dict]:
    records = _records(out)
    ids = Counter(r["article"]["id"] for r in records)
    assert len(ids) == n and max(ids.values()) == 1, ids
    assert all(not r["errors"] and len(r["targets"]) == 1 for r in records)
    return records


def _cli(*args: str):
    return CliRunner().invoke(app, ["run", *args, "--model", "fake", "--timeout", "2"])


def test_endpoint_down_then_up_same_command_redoes_only_what_failed(tmp_path, fast_backoff):
    """Endpoint up for the first articles, then down: the breaker stops the run (exit 3) with
    good records, one transient-error record and no record for the untried rest. Endpoint up,
    same command: the failed and untried articles are done, the good ones get no request."""
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 12), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    port = _free_port()
    cmd = [str(page), "-o", str(out), "--base-url", f"http://127.0.0.1:{port}/v1", "--no-cache"]

    with FakeLLM(port=port, outage_after=5, outage_s=3600) as fake:  # down from the 5th request
        first = _cli(*cmd)
        served_first = fake.requests["total"]
    assert first.exit_code == EXIT_BREAKER, first.output
    records = _records(out)
    good = [r for r in records if not r["errors"]]
    failed = [r for r in records if r["errors"]]
    assert len(good) == 4
    assert len(failed) == 1 and all(e["transient"] for e in failed[0]["errors"])
    assert served_first == 4 + 5  # four answers, then the breaker's five failures in a row
    said = re.search(r"stopped: endpoint http://127\.0\.0\.1:\d+/v1/? is failing: 5 requests in a row "
                     r"failed \(InternalServerError: .*503.*\); 5 of 12 articles done, 7 left; "
                     r"run the same command again to resume", first.stderr)
    assert said, first.stderr

    with FakeLLM(port=port) as fake:  # the endpoint is back: the same command
        second = _cli(*cmd)
        assert second.exit_code == 0, second.output
        assert fake.requests["total"] == 12 - 4  # no call for the four good ones
    assert "already done 4" in second.stderr and "retried: 1 articles" in second.stderr
    records = _one_good_record_each(out, 12)
    assert {r["article"]["id"]: r for r in records}.keys() >= {r["article"]["id"] for r in good}
    assert not list(tmp_path.glob(".out.jsonl.*"))  # the compaction's temporary file is gone

    with FakeLLM(port=port) as fake:  # and a third run has nothing left to do
        third = _cli(*cmd)
        assert third.exit_code == 0 and fake.requests["total"] == 0
    assert "already done 12" in third.stderr


def test_no_retry_failed_keeps_transient_errors_and_force_redoes_all(fake_llm, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 3), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    fast = dict(timeout_s=1.0, transport_attempts=2, max_backoff_s=0.01)
    fake_llm.script("503", "503")  # the first article's two requests
    extract_files(fake_llm.base_url, [page], out, **fast)
    assert sum(1 for r in _records(out) if r["errors"]) == 1
    fake_llm.reset_counts()
    summary, _ = extract_files(fake_llm.base_url, [page], out, batch={"retry_failed": False}, **fast)
    assert fake_llm.requests["total"] == 0 and summary.skipped == 3
    summary, _ = extract_files(fake_llm.base_url, [page], out, **fast)
    assert fake_llm.requests["total"] == 1 and summary.retried == 1
    _one_good_record_each(out, 3)
    summary, _ = extract_files(fake_llm.base_url, [page], out, batch={"force": True}, **fast)
    assert fake_llm.requests["total"] == 4 and summary.compacted == 3
    _one_good_record_each(out, 3)


def test_permanent_errors_are_not_retried(fake_llm, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 2), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    fake_llm.always("badjson")  # still invalid after the reask: the same request fails again
    extract_files(fake_llm.base_url, [page], out, reasks=1)
    assert all(r["errors"] and not r["errors"][0]["transient"] for r in _records(out))
    fake_llm.always(None)
    fake_llm.reset_counts()
    extract_files(fake_llm.base_url, [page], out)
    assert fake_llm.requests["total"] == 0


@pytest.mark.parametrize("fault", ["closed-port", "503"])
def test_breaker_stops_a_dead_endpoint(tmp_path, fast_backoff, fault):
    """K transient failures in a row: the run stops with exit 3 and one line saying so; no record
    for articles never tried, nor for those cut short in flight."""
    folder = tmp_path / "in"
    write_pages(folder, 2, 20)
    out = tmp_path / "out.jsonl"
    fake = None
    if fault == "closed-port":
        base = f"http://127.0.0.1:{_free_port()}/v1"
    else:
        fake = FakeLLM().start()
        fake.always("503")
        base = fake.base_url
    try:
        result = _cli(str(folder), "-o", str(out), "--base-url", base, "-j", "4", "--breaker", "5",
                      "--no-cache")
    finally:
        if fake is not None:
            fake.stop()
    assert result.exit_code == EXIT_BREAKER, result.output
    line = [x for x in result.stderr.splitlines() if x.startswith("stopped:")]
    assert len(line) == 1, result.stderr
    error = "APIConnectionError: Connection error" if fault == "closed-port" else "InternalServerError"
    assert f"endpoint {base}" in line[0] and "5 requests in a row failed" in line[0] and error in line[0]
    done, left = map(int, re.search(r"(\d+) of 40 articles done, (\d+) left", line[0]).groups())
    records = _records(out)
    assert done == len(records) and done + left == 40
    # Four tries per article: at most one article can have failed whole before the fifth failure.
    assert len(records) <= 1 and all(e["transient"] for r in records for e in r["errors"])
    if fake is not None:  # the breaker's K, plus what the other threads had already sent
        assert 5 <= fake.requests["total"] <= 5 + 3


@pytest.mark.parametrize("retry_after", [None, "0.05"])
def test_rate_limit_lowers_concurrency(tmp_path, retry_after, capsys):
    """A server that takes 4 requests at once and answers 429 above: at concurrency 16 the
    adaptive limit needs fewer retries than a fixed 16."""
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 80), encoding="utf-8")
    settings = dict(timeout_s=5.0, transport_attempts=30, max_backoff_s=0.2)
    retries, summaries = {}, {}
    for adaptive in (False, True):
        with FakeLLM(latency=0.05, max_concurrent=4, limit_retry_after=retry_after) as fake:
            summary, records = extract_files(fake.base_url, [page], tmp_path / f"{adaptive}.jsonl",
                                             concurrency=16, batch={"adaptive": adaptive}, **settings)
            assert len(records) == 80 and all(not r["errors"] for r in records)
            assert summary.rate_limited == fake.faults_served["429"] > 0
            retries[adaptive], summaries[adaptive] = summary.retries, summary
    with capsys.disabled():
        print(f"\n429 test (limit 4, concurrency 16, Retry-After {retry_after}): retries at fixed "
              f"concurrency {retries[False]}, with AIMD {retries[True]} "
              f"(min concurrency reached {summaries[True].concurrency_min})")
    assert retries[True] < retries[False]
    assert summaries[True].concurrency == 16 and summaries[True].concurrency_min < 16
    assert summaries[False].concurrency_min == 16


def _article(i: int) -> Article:
    return Article(id=f"p#{i}", source="p.txt", source_sha256="ab" * 32, index=i, text="正文")


def _rec(i: int, transient: bool | None = None) -> Record:
    errors = [] if transient is None else [ErrorInfo(stage="llm:targets", message="x", transient=transient)]
    return Record(article=_article(i), run=RunInfo(engine="e", model="m", prompt_version="v1"), errors=errors)


def test_last_record_counts_and_compaction_keeps_it(tmp_path):
    out = tmp_path / "out.jsonl"
    w = JsonlWriter(out)
    for rec in (_rec(1, transient=True), _rec(2, transient=False), _rec(3), _rec(1)):
        w.write(rec)
    w.close()
    with out.open("a", encoding="utf-8") as f:  # a record written before `transient` existed
        f.write(json.dumps({**_rec(4).model_dump(mode="json"),
                            "errors": [{"stage": "llm:targets", "message": "APIConnectionError: Connection error."}]},
                           ensure_ascii=False) + "\n")
    existing = scan_output(out)
    assert existing.records == 5 and existing.superseded == 1
    todo, retried, _ = plan([_article(i) for i in (1, 2, 3, 4, 5)], out, "v1", "m")
    assert [a.index for a in todo] == [4, 5] and retried == 1  # 1's last record is good; 2 is permanent
    assert compact(out) == 1
    kept = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["article"]["index"] for r in kept] == [2, 3, 1, 4] and not kept[2]["errors"]
    assert compact(out) == 0


def _limit_file_size(limit: int):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_output_device_full_stops_cleanly_and_the_next_run_resumes(fake_llm, tmp_path):
    folder = tmp_path / "in"
    write_pages(folder, 2, 25)
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "EXTRACT_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "extract.cli", "run", str(folder), "-o", str(out), "--base-url",
           fake_llm.base_url, "--model", "fake", "-j", "4", "--no-cache"]
    limit = 20_000
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=_limit_file_size(limit))
    assert proc.returncode == EXIT_OUTPUT, proc.stderr
    assert f"error: cannot write output {out}: File too large" in proc.stderr, proc.stderr
    assert "the file holds only whole records" in proc.stderr and "Traceback" not in proc.stderr
    data = out.read_bytes()
    assert 0 < len(data) <= limit and data.endswith(b"\n")
    written = _records(out)  # every line a whole, valid record
    assert 0 < len(written) < 50

    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"already done {len(written)}" in proc.stderr
    _one_good_record_each(out, 50)


def test_failures_after_a_stop_do_not_trip_the_breaker():
    """Ctrl-C closes the client: the requests it cuts short fail, and that says nothing about
    the endpoint."""
    from extract.llm.flow import DOWN, FlowControl

    flow = FlowControl(8, breaker=2)
    tickets = [flow.acquire() for _ in range(4)]
    flow.stop()
    for t in tickets:
        flow.release(t, DOWN, "APIConnectionError: Connection error.")
    assert not flow.tripped and flow.failures_in_a_row == 0
