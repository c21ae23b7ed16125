"""Re-record the seed cassettes from the real embedded model (about a minute per request on
2 cores). Usage: python -m tests.record_cassettes [STEM ...]  (default: every seed page).

It starts the embedded server, deletes the cassettes it is about to record, runs the seeds
through the same code path as the replay test and writes tests/data/runs/seeds.jsonl.
"""
from __future__ import annotations

import json
import sys
import time

from extract.engine import EmbeddedServer
from tests import seeds_run
from tests.cassettes import CASSETTES, cassette_path


def main(stems: list[str]) -> None:
    files = [p for p in seeds_run.seed_files() if not stems or p.stem in stems]
    for p in files:
        (CASSETTES / cassette_path(p.stem)).unlink(missing_ok=True)
    seeds_run.seed_files = lambda: files  # record only what was asked for
    out = seeds_run.ROOT / "tests" / "data" / "runs" / "seeds.recorded.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = out.with_suffix(".partial")
    t0 = time.monotonic()
    with EmbeddedServer() as server:
        s = seeds_run.run_seeds(fresh, base_url=server.base_url, record_mode="once")
    # Keep the other pages' records from earlier recordings: the file holds one run of every page.
    recorded = {p.name for p in files}
    kept = [line for line in (out.read_text(encoding="utf-8").splitlines() if out.exists() else [])
            if json.loads(line)["article"]["source"].rsplit("/", 1)[-1] not in recorded]
    out.write_text("".join(f"{line}\n" for line in kept) + fresh.read_text(encoding="utf-8"), encoding="utf-8")
    fresh.unlink()
    print(f"recorded {len(files)} pages, {s.done} articles, {s.requests} requests "
          f"in {time.monotonic() - t0:.0f} s; run written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
