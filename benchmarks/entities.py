"""Records a database can join on, measured on both gold sets (replayed from the cassettes):
how many items carry a GB/T 2260 division, how many required gold policies and meetings with
stated measures/topics got at least one grounded phrase, and region/issuer agreement.

    python -m benchmarks.entities            # replays both sets, then prints the figures
    python -m benchmarks.entities --run seeds=out/seeds.jsonl --run corpus=out/corpus.jsonl
"""
from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from extract.review.match import KINDS, load_side, pair_items
from extract.text.normalize import split_bodies

from benchmarks.replay import GOLD, missing, run_pages


def _set_f1(a: list[str], b: list[str]) -> float:
    a, b = set(a), set(b)
    if not a and not b:
        return 1.0
    common = len(a & b)
    return 0.0 if not common else 2 * common / (len(a) + len(b))


def figures(run: Path, gold: Path) -> dict[str, str]:
    ours, truth = load_side(run), load_side(gold)
    placed, total, levels = 0, 0, Counter()
    for group in ours.sources.values():
        for kind in KINDS:
            for item in group.items[kind]:
                total += 1
                pl = item.data.get("place")
                if pl:
                    placed += 1
                    levels[pl["level"]] += 1
    phrase = {"policies": [0, 0, 0], "meetings": [0, 0, 0]}  # with a phrase, found, required
    field = {"policies": ("measures", "measures_evidence"), "meetings": ("topics", "topics_evidence")}
    issuers: list[float] = []
    for source, g in truth.sources.items():
        mine = ours.sources.get(source)
        for kind in ("policies", "meetings"):
            pairing = pair_items(g.items[kind], mine.items[kind] if mine else [], kind)
            wanted = [x for x in g.items[kind] if not x.optional and x.data.get(field[kind][0])]
            matched = {id(x): y for x, y, _ in pairing.pairs}
            for x in wanted:
                phrase[kind][2] += 1
                y = matched.get(id(x))
                phrase[kind][1] += y is not None
                if y is not None and y.data.get(field[kind][1]):
                    phrase[kind][0] += 1
            if kind == "policies":
                for x, y, _ in pairing.pairs:
                    if not x.optional:
                        issuers.append(_set_f1([b for s in x.data.get("issuers") or [] for b in split_bodies(s)],
                                               [b for s in y.data.get("issuers") or [] for b in split_bodies(s)]))
    return {
        "items with a division (code)": f"{placed}/{total} = {placed / max(total, 1):.2f} "
                                        f"({', '.join(f'{k} {n}' for k, n in levels.most_common())})",
        "required policies with stated measures → ≥1 grounded measure":
            "{} of {} found ({} required)".format(*phrase["policies"]),
        "required meetings with stated topics → ≥1 grounded topic":
            "{} of {} found ({} required)".format(*phrase["meetings"]),
        "policy issuers (set F1 over matched required policies)":
            f"{sum(issuers) / max(len(issuers), 1):.3f} (n={len(issuers)})",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", action="append", default=[], help="SET=PATH: score this run instead of replaying")
    args = ap.parse_args()
    given = dict(x.split("=", 1) for x in args.run)
    with tempfile.TemporaryDirectory() as tmp:
        for page_set in ("seeds", "corpus"):
            # The corpus set's pages and gold are read in ../shared; a given run needs only the gold.
            gone = missing(page_set) if page_set not in given else None if GOLD[page_set].exists() else GOLD[page_set]
            if gone is not None:
                print(f"## {page_set}: skipped, {gone} not found (../shared is not beside the checkout)")
                continue
            path = Path(given[page_set]) if page_set in given else Path(tmp) / f"{page_set}.jsonl"
            if page_set not in given:
                run_pages(page_set, path)
            print(f"## {page_set}")
            for name, value in figures(path, GOLD[page_set]).items():
                print(f"- {name}: {value}")


if __name__ == "__main__":
    main()
