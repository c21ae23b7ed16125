"""Load and fault soak: a long batch against a flaky endpoint that also goes down for a while.

    .venv/bin/python benchmarks/soak.py [-n 10000] [-c 64] [--fault-rate 0.05] [--outage-s 30]

N synthetic articles (one request each) go through the real `extract run` command, in this
process, to the fake OpenAI-compatible server (benchmarks/fake_llm.py) in its own process, which
serves a random transient fault (503, 500 or a connection reset) to 5% of requests and, once
half the articles' requests have been served, answers every request with 503 for `--outage-s`
seconds. Expected: the first run stops at the outage with the circuit breaker's message (exit
3); the same command run again once the endpoint is back finishes (runs repeat while one exits 1
with transient errors, at most 3 more); at the end the output holds exactly one valid, error-free
record per article. The runner's resident memory is sampled as records are written: the
growth between the 1,000th and the last record is reported. The answer cache is off. Not a test
(tests/test_soak.py runs a small version).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.run import batch  # noqa: E402
from extract.cli import app  # noqa: E402
from schemas import Record  # noqa: E402
from benchmarks.fake_llm import write_pages  # noqa: E402

PER_FILE = 100


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, s: str) -> int:
        for st in self.streams:
            st.write(s)
        return len(s)

    def flush(self) -> None:
        for st in self.streams:
            st.flush()


def start_server(args) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "benchmarks.fake_llm", "--fault-rate", str(args.fault_rate), "--seed", str(args.seed),
           "--outage-after", str(args.outage_after or args.n // 2), "--outage-s", str(args.outage_s),
           "--latency", str(args.latency)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def server_stats(base_url: str) -> dict:
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats", timeout=5) as r:
        return json.load(r)


def soak(args, workdir: Path, log=sys.stderr) -> dict:
    folder, out = workdir / "in", workdir / "out.jsonl"
    files = max(1, args.n // PER_FILE)
    write_pages(folder, files, args.n // files)
    n = files * (args.n // files)
    proc, base_url = start_server(args)
    samples: dict[int, float] = {}
    written = 0
    add = batch.Summary.add

    def counting_add(self, rec):  # RSS at the 1,000th record and at every 1,000 after it
        nonlocal written
        add(self, rec)
        written += 1
        if written % 1000 == 0 or written == 1:
            samples[written] = rss_mb()

    batch.Summary.add = counting_add
    runs = []
    try:
        os.environ.pop("OPENAI_BASE_URL", None)
        cmd = ["run", str(folder), "-o", str(out), "--base-url", base_url, "--model", "fake",
               "-j", str(args.concurrency), "--no-cache", "--timeout", "30"]
        for attempt in range(4):
            if attempt:  # the same command, once the endpoint is back
                while server_stats(base_url)["in_outage"]:
                    time.sleep(0.5)
            buf = io.StringIO()
            t0 = time.monotonic()
            with contextlib.redirect_stderr(_Tee(log, buf)):
                code = app(cmd, standalone_mode=False) or 0
            lines = buf.getvalue().splitlines()
            runs.append({"exit": code, "seconds": round(time.monotonic() - t0, 1),
                         "stopped": next((x for x in lines if x.startswith("stopped:")), None),
                         "summary": [x for x in lines if x.startswith(("articles:", "retries:", "concurrency:"))]})
            if code == 0:
                break
        stats = server_stats(base_url)
        samples[written] = rss_mb()
    finally:
        batch.Summary.add = add
        proc.terminate()
        proc.wait()
    records = [Record.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = Counter(r.article.id for r in records)
    last = max(samples)
    return {
        "articles": n,
        "runs": runs,
        "records": len(records),
        "distinct_articles": len(ids),
        "duplicates": sum(v - 1 for v in ids.values()),
        "with_errors": sum(1 for r in records if r.errors),
        "server": stats,
        "rss_mb": {k: round(v, 1) for k, v in sorted(samples.items())},
        "rss_growth_mb": round(samples[last] - samples.get(1000, samples[min(samples)]), 1),
        "rss_growth_between": [1000 if 1000 in samples else min(samples), last],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("-c", "--concurrency", type=int, default=64)
    ap.add_argument("--fault-rate", type=float, default=0.05)
    ap.add_argument("--outage-s", type=float, default=30.0)
    ap.add_argument("--outage-after", type=int, default=None, help="requests before the outage (default n/2)")
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = soak(args, Path(tmp))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
