"""The Ray Data engine (extract/run/ray_engine.py) on a local Ray: the same records as the threaded
engine, the same resume, and a worker killed mid-run costs a retry, never a record.

Few and small on purpose: starting Ray's workers takes seconds on CI's 2 cores."""
from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

import extract
from extract.cli import app
from schemas import Record
from tests.fake_llm import FakeLLM, write_pages

ROOT = Path(__file__).resolve().parent.parent
SEEDS = str(ROOT / "seeds")


def _records(out: Path) -> list[Record]:
    return [Record.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_ray_engine_gives_the_threaded_runs_items_and_resumes(ray_local, fake_llm, tmp_path):
    base = ["--base-url", fake_llm.base_url, "--model", "fake"]
    threaded = CliRunner().invoke(app, ["run", SEEDS, "-o", str(tmp_path / "r.jsonl"), "--no-cache", *base])
    assert threaded.exit_code == 0, threaded.output
    live = fake_llm.requests["total"]
    fake_llm.reset_counts()
    cmd = ["run", SEEDS, "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray", "-j", "4", *base]
    ray_run = CliRunner().invoke(app, cmd)
    assert ray_run.exit_code == 0, ray_run.output
    assert fake_llm.requests["total"] == live  # the same requests, each once
    assert f"answer cache: 0 reused, {live} stored" in ray_run.stderr  # the actors' cache, counted
    assert "extracted 21, already done 0, with errors 0" in ray_run.stderr
    diff = CliRunner().invoke(app, ["diff", str(tmp_path / "r.jsonl"), str(tmp_path / "ray.jsonl")])
    assert diff.exit_code == 0, diff.output
    engines = {r.run.engine for r in _records(tmp_path / "ray.jsonl")}
    assert engines == {r.run.engine for r in _records(tmp_path / "r.jsonl")}

    fake_llm.reset_counts()
    again = CliRunner().invoke(app, cmd)
    assert again.exit_code == 0 and "already done 21" in again.stderr and fake_llm.requests["total"] == 0


def test_ray_engine_keeps_the_features_the_threaded_engine_keeps(ray_local, fake_llm, tmp_path):
    """`--keep-features` on Ray: each actor traces its articles' items and sends the rows back with
    the record; the driver writes the same features file as the threaded engine (in the order
    the records arrived)."""
    base = ["--base-url", fake_llm.base_url, "--model", "fake", "--no-cache", "--min-confidence", "0", "--keep-features"]
    for name, engine in (("r", []), ("ray", ["--engine", "ray", "-j", "4"])):
        res = CliRunner().invoke(app, ["run", SEEDS, "-o", str(tmp_path / f"{name}.jsonl"), *base, *engine])
        assert res.exit_code == 0, res.output
    threaded, ray_rows = ((tmp_path / f"{n}.features.jsonl").read_text(encoding="utf-8").splitlines() for n in ("r", "ray"))
    assert len(threaded) > 50 and sorted(threaded) == sorted(ray_rows)
    items = sum(len(r.policies) + len(r.targets) + len(r.meetings) for r in _records(tmp_path / "ray.jsonl"))
    assert len(ray_rows) == items


def _map_workers() -> list[int]:
    """PIDs of this machine's Ray Data map actors (their process title names them)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"MapWorker" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_a_worker_lost_mid_run_costs_a_retry_never_a_record(ray_local, tmp_path):
    folder = tmp_path / "in"
    write_pages(folder, 3, 40)  # 120 articles, one request each
    out = tmp_path / "out.jsonl"
    with FakeLLM(latency=0.05) as fake:
        result = {}

        def run() -> None:
            with extract.Extractor(base_url=fake.base_url, model="fake", env=False, cache=tmp_path / "cache",
                                   concurrency=4) as ex:
                result["r"] = ex.extract_paths([folder], out, runner="ray", ray_actors=2, keep_records=False)

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 120
        while (not out.exists() or len(out.read_bytes().splitlines()) < 10) and time.monotonic() < deadline:
            time.sleep(0.02)
        victims = _map_workers()
        assert victims, "no Ray map worker found to kill"
        os.kill(victims[0], signal.SIGKILL)
        worker.join(timeout=240)
        assert not worker.is_alive()
    summary = result["r"].summary
    records = _records(out)
    ids = Counter(r.article.id for r in records)
    assert len(ids) == 120 and max(ids.values()) == 1
    assert all(len(r.targets) == 1 and not r.errors for r in records)
    assert summary.exit_code == 0 and summary.done == 120
