"""`extract calibrate`: a confidence model fitted for the endpoint a user runs, from the gold the
user curated.

Each item of the runs is labelled by matching it to the gold (spec §3, as `extract eval` does):
right when it matches a required gold item, wrong when it matches none; an item matching an
optional gold item is left out. Its features come from the run's side file
(`run.features.jsonl`, written by `extract run --keep-features`). The fit is the one the project
ships (`extract/kinds/fit.py`, as `benchmarks/calibrate.py` fits `prompts/calibration.json`):
per kind, a ridge logistic regression over the model's probability and the features, a map on
its leave-one-page-out logits, and the cut that maximises leave-one-page-out F1 on the gold.

A kind whose gold has too few right or too few wrong items (MIN_PER_LABEL each, on MIN_PAGES
pages) is not fitted: it keeps the shipped fit, and the file lists it under `fallback`; with no
kind fittable, nothing is written.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract.kinds.fit import Row, fit_calibration
from extract.kinds.judgement import CALIBRATION_FILE
from extract.llm.prompting import PROMPTS_DIR, kind_version
from extract.review.match import KINDS, Item, Side, align_sources, load_side, pair_items
from extract.run.features import features_path, label_key, read_features

# Below these a kind's fit says more about the few items than about the model: a ridge logistic
# model over a dozen features and a two-number map need some of each label, and the
# leave-one-page-out figures need pages to leave out.
MIN_PER_LABEL = 10
MIN_PAGES = 3


class CalibrationError(ValueError):
    """What makes a calibration impossible, in one line (the command exits 2 with it)."""


@dataclass
class Calibrated:
    """What `calibrate_files` fitted: the calibration file's content, the items per kind
    (right, wrong, pages), the kinds that kept the shipped fit (with why), the figures (Markdown
    lines), warnings, and the labelled rows it was fitted on."""

    calibration: dict
    counts: dict[str, tuple[int, int, int]]
    fallback: dict[str, str] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: Path | None = None
    rows: list[Row] = field(default_factory=list)
    required: dict[str, dict[str, int]] = field(default_factory=dict)


def label_rows(run: Side, gold: Side, name: str, features: Callable[[Item], dict[str, float] | None],
               group: Callable[[str, str], str] | None = None, sources: Iterable[str] | None = None,
               articles: Callable[[str, int | None], bool] | None = None,
               ) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """The labelled rows of `run`'s items on `gold`'s pages, and the required gold items per
    page ("<name>/<source>") and kind (recall's denominator). `features(item)`: the item's
    features, None when none were kept (CalibrationError); `group(name, source)`: the unit a
    leave-one-out figure leaves out (default: the page); `sources`: only these gold sources;
    `articles(source, index)`: only the run's items in the articles it accepts."""
    rows: list[Row] = []
    required: dict[str, dict[str, int]] = {}
    wanted = None if sources is None else set(sources)
    for source, gold_group in gold.sources.items():
        if wanted is not None and source not in wanted:
            continue
        page = f"{name}/{source}"
        required[page] = {}
        mine = run.sources.get(source)
        for kind in KINDS:
            required[page][kind] = sum(1 for g in gold_group.items[kind] if not g.optional)
            items = mine.items[kind] if mine else []
            if articles is not None:
                items = [it for it in items if articles(source, it.article_index)]
            pairing = pair_items(items, gold_group.items[kind], kind)
            labels = [(a, 0 if b.optional else 1) for a, b, _ in pairing.pairs]
            labels = [(a, y) for a, y in labels if y == 1] + [(a, 0) for a in pairing.a_only]
            optional = {id(a) for a, b, _ in pairing.pairs if b.optional}
            for item, y in labels:
                if id(item) in optional:
                    continue
                found = features(item)
                if found is None:
                    ev = item.data["evidence"]
                    raise CalibrationError(f"{page}: no features kept for {kind} {label_key(kind, item.data)!r} "
                                           f"at {ev['start']}–{ev['end']} of {item.article_id}")
                rows.append(Row(page, kind, found, y, group(name, source) if group else page))
    return rows, required


def _set_names(golds: list[Path]) -> list[str]:
    """Each gold file's name in the figures: its stem, numbered where two share one."""
    stems = Counter(p.stem for p in golds)
    seen: Counter = Counter()
    out = []
    for p in golds:
        seen[p.stem] += 1
        out.append(p.stem if stems[p.stem] == 1 else f"{p.stem}.{seen[p.stem]}")
    return out


def _one(values: set, what: str, files: str) -> str:
    values = {v for v in values if v}
    if len(values) > 1:
        raise CalibrationError(f"{files} hold runs of {len(values)} {what}s ({', '.join(sorted(values))}); "
                               f"a calibration is fitted for one: give the runs of one {what}")
    return next(iter(values), "")


def shortfall(rows: list[Row]) -> tuple[int, int, int]:
    """(right, wrong, pages) of one kind's rows."""
    right = sum(r.label for r in rows)
    return right, len(rows) - right, len({r.group for r in rows})


def _enough(counts: tuple[int, int, int]) -> bool:
    right, wrong, pages = counts
    return right >= MIN_PER_LABEL and wrong >= MIN_PER_LABEL and pages >= MIN_PAGES


NEEDS = f"a kind needs at least {MIN_PER_LABEL} right and {MIN_PER_LABEL} wrong items on {MIN_PAGES} pages"


def calibrate_files(runs: Iterable[str | os.PathLike[str]], golds: Iterable[str | os.PathLike[str]],
                    output: str | os.PathLike[str] | None = None,
                    report: Callable[[str], None] | None = None) -> Calibrated:
    """Fit a calibration on `runs` (each with its `<run>.features.jsonl`, from `extract run
    --keep-features --min-confidence 0`) labelled by `golds`, and write it to `output` (JSON)
    when given. Raises CalibrationError (one line) when the files cannot be used or no kind has
    the gold to be fitted."""
    run_paths = [Path(p) for p in runs]
    gold_paths = [Path(p) for p in golds]
    if not run_paths or not gold_paths:
        raise CalibrationError("give at least one run file and one gold file (--gold)")
    out = Path(output) if output is not None else None
    if out is not None:
        if out.is_dir():
            raise CalibrationError(f"output {out} is a directory; give a file name, e.g. {out / 'my.calibration.json'}")
        for p in (*run_paths, *gold_paths):
            if out.exists() and p.exists() and os.path.samefile(out, p):
                raise CalibrationError(f"output {out} is one of the inputs; write the calibration to another file")
    warnings: list[str] = []
    sides = []
    for path in run_paths:
        side = load_side(path)
        if side.is_gold:
            raise CalibrationError(f"{path} is a gold file, not a run; give runs first and gold after --gold")
        fpath = features_path(path)
        if not fpath.is_file():
            raise CalibrationError(f"{fpath} not found: run `extract run … -o {path} --min-confidence 0 "
                                   "--keep-features` (answers come from the cache) and calibrate again")
        try:
            kept = read_features(fpath)
        except (OSError, ValueError) as exc:
            raise CalibrationError(str(exc)) from None
        cuts = {row.get("min_confidence") for rows in kept.values() for row in rows.values()}
        if cuts - {0, 0.0}:
            warnings.append(f"{path} was run with a cut (--min-confidence {', '.join(sorted(map(str, cuts - {0})))}"
                            "): the items under it are not in the run and the fit cannot learn from them; "
                            "run with --min-confidence 0")
        sides.append((path, side, kept))

    rows: list = []
    required: dict[str, dict[str, int]] = {}
    models, prompts = set(), set()
    names = _set_names(gold_paths)
    for gpath, name in zip(gold_paths, names):
        gold = load_side(gpath)
        if not gold.is_gold:
            raise CalibrationError(f"{gpath} is a run, not a gold file; build gold with `extract gold build`")
        owner: dict[str, tuple] = {}
        for path, side, kept in sides:
            align_sources(side, gold)
            for source in set(side.sources) & set(gold.sources):
                if source in owner:
                    raise CalibrationError(f"page {source} of {gpath} is in both {owner[source][0]} and {path}; "
                                           "give one run per page")
                owner[source] = (path, side, kept)
        left_out: list[int] = []
        missing = [s for s in gold.sources if s not in owner]
        if missing:
            warnings.append(f"{len(missing)} pages of {gpath} are in no run ({', '.join(sorted(missing)[:3])}"
                            f"{', …' if len(missing) > 3 else ''}): left out of the fit")
        for source in [s for s in gold.sources if s in owner]:  # in the gold's order, as the benchmark
            path, side, kept = owner[source]
            group = side.sources[source]
            for art in group.articles:
                run = (art.record or {}).get("run") or {}
                models.add(run.get("model"))
                prompts.add(run.get("prompt_version"))

            def features(item: Item, group=group, kept=kept) -> dict[str, float] | None:
                art = group.article(item.article_id)
                run = ((art.record if art is not None else None) or {}).get("run") or {}
                ev = item.data.get("evidence") or {}
                key = (item.article_id, item.kind, ev.get("start"), ev.get("end"), label_key(item.kind, item.data))
                row = kept.get((run.get("model"), run.get("prompt_version"), item.article_id), {}).get(key)
                return None if row is None else row["features"]

            # Gold built from a curation page holds the articles reviewed: the items of the
            # others are not wrong, only unjudged, and are left out.
            listed = {a.index for a in gold.sources[source].articles}
            unlisted = [a for a in group.articles if listed and a.index not in listed]
            if unlisted:
                left_out.append(len(unlisted))
            try:
                r, q = label_rows(side, gold, name, features, sources=[source],
                                  articles=lambda src, index, listed=listed: not listed or index in listed)
            except CalibrationError as exc:  # an article run (or resumed) without --keep-features
                raise CalibrationError(f"{exc} in {features_path(path)}: run `extract run … -o {path} --force "
                                       "--min-confidence 0 --keep-features` (answers come from the cache)") from None
            rows += r
            required.update(q)
        if left_out:
            warnings.append(f"{sum(left_out)} articles on {len(left_out)} pages of {gpath} are not in it (not "
                            "reviewed): their items are left out of the fit")
    if not rows and not required:
        raise CalibrationError(f"the runs share no page with the gold ({', '.join(map(str, gold_paths))}); "
                               "give the gold file for these pages")
    files = ", ".join(map(str, run_paths))
    model = _one(models, "model", files)
    prompt_version = _one(prompts, "prompt version", files)

    counts = {kind: shortfall([r for r in rows if r.kind == kind]) for kind in KINDS}
    fallback = {kind: f"{kind}: {c[0]} right and {c[1]} wrong items on {c[2]} pages; {NEEDS}: {kind} keeps the "
                      "shipped fit" for kind, c in counts.items() if not _enough(c)}
    if len(fallback) == len(KINDS):
        said = "; ".join(f"{k} {c[0]} right, {c[1]} wrong on {c[2]} pages" for k, c in counts.items())
        raise CalibrationError(f"too little gold to fit any kind ({said}); {NEEDS}: curate more pages")
    shipped = json.loads((PROMPTS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if report is not None:
            report(line)

    result = fit_calibration(
        rows, required, names, model=model, prompts={k: kind_version(k) for k in KINDS}, report=say,
        kept={k: shipped["kinds"][k] for k in fallback if k in shipped.get("kinds", {})},
        extra={"prompt_version": prompt_version, "fallback": sorted(fallback),
               "shipped_version": shipped.get("version"),
               "items": {k: {"right": c[0], "wrong": c[1], "pages": c[2]} for k, c in counts.items()}})
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return Calibrated(result, counts, fallback, lines, warnings, out, rows, required)
