"""Re-record cassettes from the real embedded model (20–60 s per request on 2 cores).

    python -m tests.record_cassettes [--set seeds|corpus|reports|all] [--changed] [STEM ...]

Default: every page of the seed set. `--changed` first replays each page and records only
those whose requests no longer match their cassette (a prompt, candidate or schema change),
or that have none. It starts the embedded server, deletes the cassettes it is about to record,
runs the pages through the same code path as the replay tests and writes the recorded run (the
other pages' records from earlier recordings kept) to RECORDED[set]: the seed run is committed,
tests/data/runs/seeds.recorded.jsonl; the corpus run holds the corpus pages' text, which stays out
of the repository, so it goes to runs/corpus.recorded.jsonl (ignored by git).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.replay import CASSETTE_SETS, CASSETTES, ROOT, cassette_path, page_files, run_pages
from extract.llm.engine import EmbeddedServer

RECORDED = {"seeds": ROOT / "tests" / "data" / "runs" / "seeds.recorded.jsonl",
            "corpus": ROOT / "runs" / "corpus.recorded.jsonl",
            "reports": ROOT / "runs" / "reports.recorded.jsonl"}


def changed_pages(page_set: str, files: list[Path]) -> list[Path]:
    """Pages whose replay fails: a request that no cassette holds."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in files:
            # A page that makes no request has no cassette: its replay tells.
            run = Path(tmp) / f"{p.stem}.jsonl"
            run_pages(page_set, run, files=[p])
            records = [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines()]
            if any("re-record" in e["message"] or "cassette" in e["message"].lower()
                   for r in records for e in r["errors"]):
                out.append(p)
    return out


def record(page_set: str, stems: list[str], only_changed: bool) -> None:
    files = [p for p in page_files(page_set) if not stems or p.stem in stems]
    if only_changed:
        files = changed_pages(page_set, files)
        print(f"{page_set}: {len(files)} pages to record: {' '.join(p.stem for p in files)}", flush=True)
    if not files:
        return
    for p in files:
        (CASSETTES / cassette_path(p.stem, page_set)).unlink(missing_ok=True)
    out = RECORDED[page_set]
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = out.with_suffix(".partial")
    t0 = time.monotonic()
    with EmbeddedServer() as server:
        s = run_pages(page_set, fresh, base_url=server.base_url, record_mode="once", files=files)
    # Keep the other pages' records from earlier recordings: the file holds one run of every page.
    recorded = {p.name for p in files}
    kept = [line for line in (out.read_text(encoding="utf-8").splitlines() if out.exists() else [])
            if json.loads(line)["article"]["source"].rsplit("/", 1)[-1] not in recorded]
    out.write_text("".join(f"{line}\n" for line in kept) + fresh.read_text(encoding="utf-8"), encoding="utf-8")
    fresh.unlink()
    print(f"{page_set}: recorded {len(files)} pages, {s.done} articles, {s.requests} requests, "
          f"{s.prompt_tokens} prompt + {s.completion_tokens} completion tokens "
          f"in {time.monotonic() - t0:.0f} s; run written to {out}", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="seeds", choices=[*CASSETTE_SETS, "all"])
    ap.add_argument("--changed", action="store_true", help="record only pages whose replay fails")
    ap.add_argument("stems", nargs="*")
    args = ap.parse_args(argv)
    for page_set in (CASSETTE_SETS if args.set == "all" else [args.set]):
        record(page_set, args.stems, args.changed)


if __name__ == "__main__":
    main()
