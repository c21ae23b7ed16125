"""Candidate recall: the share of required gold items the candidates can reach, no model needed.

    python -m benchmarks.candidates [--sets seeds corpus district shapes] [--misses]

Every page runs through the whole pipeline with a stand-in for the model that says yes to
every question (every document mark issued, every clause a goal, every sentence a held
gathering) and no cut, so what is still missing was never proposed: the ceiling the judgement
works under. `--misses` lists the required gold items nothing reached (to read, never to copy
into code). The validation sets need their pages (`benchmarks/validation.py`).
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks import validation
from benchmarks.replay import GOLD, PAGE_SETS, missing, page_files
from extract.api import Extractor, Options, evaluate_files, read_articles
from extract.llm.client import CallStats, LLMClient
from extract.review.match import KINDS, load_side, pair_items
from schemas.llm import ANSWER_CONTEXT, MeasureAnswers, PolicyAnswer, PolicyAnswers, Verdict


class SaysYes(LLMClient):
    """A model that answers yes to every question and lists no measures."""

    def ask(self, kind, text, context=None):
        ids = sorted((context.ids if context and context.ids else ()))
        if kind == "policies":
            return PolicyAnswers(items=[PolicyAnswer(id=i, is_policy=True, issuers=[], p=0.999) for i in ids]), CallStats()
        if kind == "measures":
            return MeasureAnswers(items=[]), CallStats()
        raise NotImplementedError(kind)

    def ask_verdict(self, kind, text):
        return Verdict(yes=True, p=0.999), CallStats()

    def check_model(self, model_given):
        return None


def files_of(name: str) -> tuple[list[Path], Path]:
    if name in validation.SETS:
        return validation.page_files(name), validation.gold_path(name)
    return page_files(name), GOLD[name]


def reach(name: str, out: Path) -> Path:
    files, gold = files_of(name)
    articles, summary = read_articles([str(p) for p in files])
    with Extractor(base_url="http://127.0.0.1:9/v1", api_key="none", model="says-yes", cache=False, env=False,
                   options=Options(min_confidence=0.0), client_class=SaysYes) as ex:
        ex.run_batch(articles, out, summary=summary, keep_records=False, adaptive=False, breaker=0)
    return gold


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=[*PAGE_SETS, *validation.SETS], choices=[*PAGE_SETS, *validation.SETS])
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--fields", action="store_true", help="also the fields code fills, on the items reached")
    args = ap.parse_args(argv)
    print("| set | " + " | ".join(f"{k} reached" for k in KINDS) + " |\n|---|" + "---|" * len(KINDS))
    misses, fields = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            if name in validation.SETS and not validation.available(name):
                print(f"| {name} | skipped: no pages in {validation.validation_dir()} |")
                continue
            if name in PAGE_SETS and (gone := missing(name)) is not None:
                print(f"| {name} | skipped: {gone} not found |")
                continue
            out = Path(tmp) / f"{name}.jsonl"
            gold = reach(name, out)
            run, ref = load_side(out), load_side(gold)
            cells = []
            for kind in KINDS:
                got = need = 0
                for source, group in ref.sources.items():
                    mine = run.sources.get(source)
                    pairing = pair_items(mine.items[kind] if mine else [], group.items[kind], kind)
                    matched = {id(b) for _, b, _ in pairing.pairs}
                    for g in group.items[kind]:
                        if g.optional:
                            continue
                        need += 1
                        got += id(g) in matched
                        if id(g) not in matched:
                            misses.append((name, source, kind, g.data))
                cells.append(f"{got / need:.3f} ({got}/{need})" if need else "—")
            print(f"| {name} | " + " | ".join(cells) + " |")
            if args.fields:
                report = evaluate_files(out, gold)
                fields.append(f"{name}: " + "; ".join(
                    ", ".join(f"{f} {v:.2f}" for f, v in report.types[k].fields.items() if v is not None) for k in KINDS))
    print("\n".join(fields))
    if args.misses:
        for name, source, kind, d in misses:
            label = d.get("title") or d.get("name") or f"{d.get('metric')} {d.get('value')}{d.get('unit')}"
            print(f"{name}/{source} {kind}: {label} | {d['evidence']['quote'][:80]!r}")


if __name__ == "__main__":
    main()
