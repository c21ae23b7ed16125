"""The seed pages on the embedded engine with the previous and the current answer formats, side
by side in one process run: seconds, tokens, tokens/s and F1 for each, and the ratio.

    python -m benchmarks.embedded_speed                # both variants, about 25 min on 2 cores
    python -m benchmarks.embedded_speed --only after   # one of them
    python -m benchmarks.embedded_speed --keep DIR     # also keep each variant's records

Each variant gets a fresh embedded server (no prefix cache carried over from the other) and no
answer cache, so both pay the same start-up and both compute every answer. Needs the `local`
extra (the model) and an otherwise idle machine: anything else on the cores changes the figures.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.replay import GOLD, page_files
from extract.api import Extractor, Options, evaluate_files, read_articles
from extract.llm.engine import ENGINE_NAME, EmbeddedServer
from extract.review.match import KINDS
from extract.llm.model_file import MODEL_NAME

# "before": the meeting format of the previous release (the model lists the meetings, naming
# each and pointing at its sentence); "after": today's defaults (one 是/否 question per meeting
# sentence, code reads the name and the rest).
VARIANTS = {"before": Options(meeting_answers="point"), "after": Options()}


def run_variant(options: Options, files: list[Path], out: Path) -> dict:
    t0 = time.monotonic()
    with EmbeddedServer() as server:
        started = time.monotonic() - t0
        with Extractor(base_url=server.base_url, model=MODEL_NAME, mode="json_schema", engine=ENGINE_NAME,
                       cache=False, env=False, options=options) as ex:
            articles, summary = read_articles([str(p) for p in files])
            ex.run_batch(articles, out, summary=summary, keep_records=False)
    wall = time.monotonic() - t0
    report = evaluate_files(out, GOLD["seeds"])
    return {"wall": wall, "start": started, "summary": summary, "report": report}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=list(VARIANTS))
    ap.add_argument("--keep", type=Path, help="write each variant's records to DIR/<variant>.jsonl")
    args = ap.parse_args(argv)
    files = page_files("seeds")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name, options in VARIANTS.items():
            if args.only and name != args.only:
                continue
            results[name] = r = run_variant(options, files, folder / f"{name}.jsonl")
            s, rep = r["summary"], r["report"]
            f1 = " / ".join(f"{rep.types[k].f1:.3f}" for k in ("targets", "meetings", "policies"))
            att = rep.types["meetings"].fields.get("attendees")
            print(f"{name}: {r['wall']:.1f} s (server start {r['start']:.1f} s), {s.done} articles, "
                  f"{s.requests} requests, {s.prompt_tokens} prompt tokens ({s.cached_tokens} cached), "
                  f"{s.completion_tokens} completion tokens, {s.completion_tokens / r['wall']:.1f} completion tok/s "
                  f"over the wall; F1 targets/meetings/policies {f1}, attendees "
                  f"{'—' if att is None else f'{att:.3f}'}, grounded {rep.grounded:.1%}, "
                  f"articles with errors {rep.articles_with_errors}", flush=True)
            for kind in KINDS:
                t = rep.types[kind]
                print(f"    {kind}: P {t.precision:.3f} R {t.recall:.3f} F1 {t.f1:.3f}", flush=True)
    if len(results) == 2:
        before, after = results["before"], results["after"]
        print(f"ratio: {before['wall'] / after['wall']:.2f}x faster "
              f"({before['wall']:.1f} s → {after['wall']:.1f} s); completion tokens "
              f"{before['summary'].completion_tokens} → {after['summary'].completion_tokens}")


if __name__ == "__main__":
    main()
