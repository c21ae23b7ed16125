"""How close the batch runner gets to the ideal throughput against a slow endpoint.

    .venv/bin/python benchmarks/throughput.py [-n 1000] [--latency 0.2] [-c 16] [--profile]

N synthetic articles go through the real code path (read → segment → run_batch →
ArticleExtractor → LLMClient → instructor → openai SDK → HTTP) to the fake OpenAI-compatible
server of the tests (benchmarks/fake_llm.py), which answers every request after a fixed latency L.
Each synthetic article has exactly one target candidate and nothing else, so it makes exactly
one request and the ideal wall time is N·L/C. The fake server runs in its own process so its
CPU does not compete with the client for the GIL. The answer cache is off. Not a test.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fake_llm import write_pages  # noqa: E402
from extract.api import Extractor, read_articles  # noqa: E402
from extract.llm.client import LLMClient  # noqa: E402
from extract.run.pipeline import ArticleExtractor  # noqa: E402


class ProfiledExtractor(ArticleExtractor):
    """Profiles each worker thread's CPU time (thread_time, so waiting on the server is not
    counted); cProfile only sees the thread that enables it."""

    def __init__(self, client: LLMClient):
        super().__init__(client)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.profiles: list[cProfile.Profile] = []

    def extract(self, article):
        prof = getattr(self._local, "prof", None)
        if prof is None:
            prof = self._local.prof = cProfile.Profile(time.thread_time)
            with self._lock:
                self.profiles.append(prof)
        prof.enable()
        try:
            return super().extract(article)
        finally:
            prof.disable()


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.fake_llm", "--latency", str(latency)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"fake server did not start: {url!r}")
    return proc, url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--articles", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.2, help="seconds the server takes per request")
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--per-file", type=int, default=50, help="articles per synthetic page")
    ap.add_argument("--profile", action="store_true", help="print where the client's CPU time goes")
    args = ap.parse_args()
    n, lat, c = args.articles, args.latency, args.concurrency

    proc, url = start_server(lat)
    try:
        with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
            files, rest = divmod(n, args.per_file)
            write_pages(Path(tmp) / "in", files, args.per_file)
            if rest:
                write_pages(Path(tmp) / "in" / "rest", 1, rest)
            articles, summary = read_articles([Path(tmp) / "in"], lambda e: print("error", e))
            ex = Extractor(base_url=url, model="fake", engine="fake", timeout=30, cache=False,
                           concurrency=c, env=False)
            if args.profile:
                ex.pipeline = ProfiledExtractor(ex.client)
            t0, cpu0 = time.perf_counter(), time.process_time()
            with ex:
                ex.run_batch(articles, Path(tmp) / "out.jsonl", summary=summary, keep_records=False)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        with urllib.request.urlopen(url.rsplit("/v1", 1)[0] + "/stats", timeout=5) as r:
            stats = json.load(r)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    ideal = summary.requests * lat / c
    print("synthetic articles: one target candidate each, so exactly one request per article")
    print(f"articles: {summary.done} (of {len(articles)}), requests: {summary.requests}, "
          f"retries: {summary.retries}, errors: {summary.article_errors}")
    print(f"latency L = {lat:.3f} s, concurrency C = {c}; the server saw {stats['requests'].get('total', 0)} "
          f"requests on {stats['connections']} connections")
    print(f"elapsed: {elapsed:.2f} s, ideal N·L/C: {ideal:.2f} s, ideal/elapsed: {ideal / elapsed:.3f} (goal ≥ 0.9)")
    print(f"overhead per article: {(elapsed - ideal) / max(summary.done, 1) * 1000:.2f} ms wall "
          f"(over ideal), {(elapsed * c / max(summary.done, 1) - lat) * 1000:.2f} ms per request slot")
    # The client's Python work runs under one GIL: above ~1/(cpu per request) requests per
    # second the client, not the endpoint, sets the pace. Other processes on the same cores
    # take from it too.
    per_req = cpu / max(summary.requests, 1)
    print(f"client CPU: {cpu:.2f} s, {per_req * 1000:.2f} ms per request; needed {summary.requests / ideal:.0f} req/s "
          f"= {per_req * summary.requests / ideal * 100:.0f}% of one core (the GIL) at the ideal pace; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if args.profile:  # (profiling slows the client: read the shares, not the ratio)
        print("worker threads' CPU time by function (cumulative):")
        pstats.Stats(*ex.pipeline.profiles).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
