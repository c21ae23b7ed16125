"""Large corpora: the Ray engine against the threaded one, and the batch path's own overhead.

    .venv/bin/python benchmarks/scale.py [-n 3000] [--latency 0.2] [-c 16] [--actors 2] [--batch 10000]

1. Engines side by side: N synthetic articles (one request each) through the threaded engine and
   then the Ray Data engine (local Ray on this machine's CPUs), same fake server (its own
   process, fixed latency L), same concurrency C, answer cache off. Ray's throughput is given
   with and without starting the local Ray itself (a cluster is started once, not per run);
   the actors' start is inside the Ray run's time.
2. Batch path: `batch submit` of B requests (B articles, one request each) and `batch collect`,
   timed in process; the provider's work (the fake server answering the batch, done when the
   batch is first retrieved) is left out by retrieving once, untimed, between the two.
Not a test: it prints figures (benchmarks/RESULTS.md has them).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fake_llm import write_pages  # noqa: E402
from benchmarks.throughput import start_server  # noqa: E402
from extract.api import Extractor, read_articles  # noqa: E402


def _pages(folder: Path, n: int, per_file: int = 50) -> None:
    files, rest = divmod(n, per_file)
    write_pages(folder, files, per_file)
    if rest:
        write_pages(folder / "rest", 1, rest)


def engines(n: int, latency: float, c: int, actors: int) -> None:
    import ray

    proc, url = start_server(latency)
    try:
        with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
            tmp = Path(tmp)
            _pages(tmp / "in", n)
            articles, _ = read_articles([tmp / "in"])
            ex = Extractor(base_url=url, model="fake", engine="fake", timeout=30, cache=False, concurrency=c, env=False)
            with ex:
                t0 = time.perf_counter()
                threaded = ex.run_batch(articles, tmp / "threads.jsonl", keep_records=False).summary
                t_threads = time.perf_counter() - t0
                t0 = time.perf_counter()
                ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, configure_logging=False)
                t_init = time.perf_counter() - t0
                t0 = time.perf_counter()
                on_ray = ex.run_batch(articles, tmp / "ray.jsonl", keep_records=False, runner="ray",
                                      ray_actors=actors).summary
                t_ray = time.perf_counter() - t0
                ray.shutdown()
            from extract.api import diff_files
            same = diff_files(tmp / "threads.jsonl", tmp / "ray.jsonl").identical
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    ideal = n * latency / c
    print(f"engines: {n} articles (one request each), latency {latency} s, concurrency {c}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"  threaded: {t_threads:.1f} s, {threaded.done / t_threads:.1f} articles/s (ideal N·L/C {ideal:.1f} s), "
          f"errors {threaded.article_errors}")
    print(f"  ray ({actors} actors × {-(-c // actors)} threads): {t_ray:.1f} s, {on_ray.done / t_ray:.1f} articles/s, "
          f"errors {on_ray.article_errors}; local Ray start {t_init:.1f} s more "
          f"({on_ray.done / (t_ray + t_init):.1f} articles/s with it)")
    print(f"  ray / threaded throughput: {t_threads / t_ray:.2f} (goal ≥ 0.8); with Ray's start: "
          f"{t_threads / (t_ray + t_init):.2f}; same items: {same}")


def batch(b: int) -> None:
    proc, url = start_server(0.0)
    try:
        with tempfile.TemporaryDirectory(prefix="scale-batch-") as tmp:
            tmp = Path(tmp)
            _pages(tmp / "in", b)
            out = tmp / "b.jsonl"
            with Extractor(base_url=url, model="fake", timeout=120, cache=tmp / "cache", env=False) as ex:
                t0 = time.perf_counter()
                sub = ex.batch_submit([tmp / "in"], out)
                t_submit = time.perf_counter() - t0
                t0 = time.perf_counter()
                ex.batch_status(out)  # the provider's work: the fake answers the batch here
                t_provider = time.perf_counter() - t0
            with Extractor(base_url=url, model="fake", timeout=120, cache=tmp / "cache", env=False,
                           concurrency=8) as ex:
                t0 = time.perf_counter()
                report, result = ex.batch_collect(out, keep_records=False)
                t_collect = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in (tmp / "b.jsonl.batch").glob("round*.jsonl"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    s = result.summary
    print(f"batch: {sub.submitted} requests in {len(sub.batches)} batches ({size / 1e6:.1f} MB of request files)")
    print(f"  submit: {t_submit:.1f} s; collect: {t_collect:.1f} s ({report.stored} answers validated into the cache, "
          f"{s.done} records, {s.requests} live requests); provider's own work (left out): {t_provider:.1f} s")
    print(f"  overhead: {t_submit + t_collect:.1f} s for {sub.submitted} requests = "
          f"{(t_submit + t_collect) / max(sub.submitted, 1) * 1000:.1f} ms per request")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--articles", type=int, default=3000)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--actors", type=int, default=2)
    ap.add_argument("--batch", type=int, default=10000, help="requests for the batch path (0: skip)")
    ap.add_argument("--skip-engines", action="store_true")
    args = ap.parse_args()
    if not args.skip_engines:
        engines(args.articles, args.latency, args.concurrency, args.actors)
    if args.batch:
        batch(args.batch)


if __name__ == "__main__":
    main()
