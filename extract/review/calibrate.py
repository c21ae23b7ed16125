"""`extract calibrate`: a confidence model fitted for the endpoint a user runs, from the gold the
user curated.

Each item of the runs is labelled by matching it to the gold (spec §3, as `extract eval` does):
right when it matches a required gold item, wrong when it matches none; an item matching an
optional gold item is left out. Its features come from the run's side file
(`run.features.jsonl`, written by `extract run --keep-features`). The fit is the one the project
ships (`extract/kinds/fit.py`, as `benchmarks/calibrate.py` fits `prompts/calibration.json`):
per kind, a ridge logistic regression over the model's probability and the features, a map on
its leave-one-page-out logits, and the cut that maximises leave-one-page-out F1 on the gold.
Rows labelled before can be added from a table (`write_table`: numbers and labels, no text), and
pages taken from one source grouped, so that a leave-one-out figure leaves them out together
(`read_groups`): how `extract calibrate` reproduces the shipped fit (docs/your-model.md).

A kind whose gold has too few right or too few wrong items (MIN_PER_LABEL each, on MIN_PAGES
pages) is not fitted: it keeps the shipped fit, and the file lists it under `fallback`; with no
kind fittable, nothing is written.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Callable, Iterable, Mapping, Union

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
    prompt_version: str = ""  # the runs'


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


# -- labelled rows kept as a table ----------------------------------------------------------------
# A set whose pages may not be shared is still fitted on: its rows written once where the pages
# are, numbers and labels only, no text (benchmarks/data/validation.features.jsonl). One line per
# page with its required gold items per kind ({"page", "required"}), then one per row ({"page",
# "kind", "label", "features"}, and "group" where the row's group is not its page), set by set.


def _set_of(page: str) -> str:
    return page.split("/", 1)[0]


def write_table(path: str | os.PathLike[str], rows: list[Row], required: dict[str, dict[str, int]]) -> int:
    """Write labelled rows and the required gold items per page as a table (the features
    rounded to 4 decimals); returns the number of lines."""
    sets = list(dict.fromkeys([*map(_set_of, required), *(_set_of(r.page) for r in rows)]))
    lines: list[str] = []
    for s in sets:
        lines += [json.dumps({"page": p, "required": q}, sort_keys=True)
                  for p, q in sorted(required.items()) if _set_of(p) == s]
        lines += [json.dumps({"page": r.page, "kind": r.kind, "label": r.label,
                              "features": {k: round(v, 4) for k, v in sorted(r.features.items())},
                              **({"group": r.group} if r.group and r.group != r.page else {})}, sort_keys=True)
                  for r in rows if _set_of(r.page) == s]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


def read_table(path: str | os.PathLike[str], sets: Iterable[str] | None = None,
               ) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """A table's rows and required gold items per page (of `sets` only, when given);
    CalibrationError naming the line when one is not a table line."""
    wanted = None if sets is None else set(sets)
    rows: list[Row] = []
    required: dict[str, dict[str, int]] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"table {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            page = str(d["page"])
            if "/" not in page:
                raise ValueError(f"page {page!r} is not <set>/<source>")
            if wanted is not None and _set_of(page) not in wanted:
                continue
            if "required" in d:
                required[page] = {k: int(d["required"].get(k, 0)) for k in KINDS}
                continue
            if d["kind"] not in KINDS or d["label"] not in (0, 1):
                raise ValueError(f"kind {d['kind']!r}, label {d['label']!r}")
            rows.append(Row(page, d["kind"], {k: float(v) for k, v in d["features"].items()}, int(d["label"]),
                            str(d.get("group") or page)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CalibrationError(f"{path}:{n}: not a table line ({type(exc).__name__}: {exc})") from None
    return rows, required


def read_groups(path: str | os.PathLike[str]) -> dict[str, str]:
    """A groups file: the pages a leave-one-out figure leaves out together (those taken from one
    site or repository share wording and layout, and flatter each other's figures). JSON, an
    object of page source → group; or text, one `source<TAB>group` a line (# starts a comment).
    A source is named as its gold file names it, or as `<set>/<source>`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"groups {p}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if p.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CalibrationError(f"groups {p}: not JSON ({exc})") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) and v for v in data.values()):
            raise CalibrationError(f"groups {p}: not an object of source → group name")
        return {str(k): v for k, v in data.items()}
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 2 or not all(cells):
            raise CalibrationError(f"{p}:{n}: not `source<TAB>group`")
        out[cells[0]] = cells[1]
    return out


# -- labelling and fitting ---------------------------------------------------------------------------


@dataclass
class Labelled:
    """What `label_files` read: the labelled rows, the required gold items per page and kind,
    the sets in order (each gold file's name, then each table's sets), the runs' model and
    prompt version ("" where no run names one), and warnings."""

    rows: list[Row]
    required: dict[str, dict[str, int]]
    sets: list[str]
    model: str = ""
    prompt_version: str = ""
    warnings: list[str] = field(default_factory=list)


Groups = Union[str, os.PathLike, Mapping[str, str], None]


def label_files(runs: Iterable[str | os.PathLike[str]], golds: Iterable[str | os.PathLike[str]],
                tables: Iterable[str | os.PathLike[str]] = (), groups: Groups = None,
                whole_pages: bool = False) -> Labelled:
    """Label the items of `runs` (each with its `<run>.features.jsonl`) by `golds`, and add the
    rows of `tables` (labelled before, `write_table`). `groups`: a groups file (`read_groups`)
    or its mapping; a page it does not name is its own group. `whole_pages`: the gold judges
    every article of its pages (made by hand page by page, as the development gold), not only
    the articles it lists (a curated gold lists those reviewed). CalibrationError (one line)
    when the files cannot be used."""
    run_paths = [Path(p) for p in runs]
    gold_paths = [Path(p) for p in golds]
    table_paths = [Path(p) for p in tables]
    if bool(run_paths) != bool(gold_paths) or not (run_paths or table_paths):
        raise CalibrationError("give at least one run file and one gold file (--gold), or a table of labelled "
                               "rows (--table)")
    grouping = {} if groups is None else dict(groups) if isinstance(groups, Mapping) else read_groups(groups)
    used: set[str] = set()
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

        def group_of(name: str, source: str, gold=gold) -> str:
            path = gold.sources[source].path or source
            for key in (f"{name}/{source}", source, path, PurePath(path).name):
                if key in grouping:
                    used.add(key)
                    return f"{name}/{grouping[key]}"
            return f"{name}/{source}"

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
            listed = set() if whole_pages else {a.index for a in gold.sources[source].articles}
            unlisted = [a for a in group.articles if listed and a.index not in listed]
            if unlisted:
                left_out.append(len(unlisted))
            try:
                r, q = label_rows(side, gold, name, features, group=group_of, sources=[source],
                                  articles=lambda src, index, listed=listed: not listed or index in listed)
            except CalibrationError as exc:  # an article run (or resumed) without --keep-features
                raise CalibrationError(f"{exc} in {features_path(path)}: run `extract run … -o {path} --force "
                                       "--min-confidence 0 --keep-features` (answers come from the cache)") from None
            rows += r
            required.update(q)
        if left_out:
            warnings.append(f"{sum(left_out)} articles on {len(left_out)} pages of {gpath} are not in it (not "
                            "reviewed): their items are left out of the fit")
    if gold_paths and not rows and not required:
        raise CalibrationError(f"the runs share no page with the gold ({', '.join(map(str, gold_paths))}); "
                               "give the gold file for these pages")
    if unused := sorted(set(grouping) - used):
        warnings.append(f"{len(unused)} sources of the groups file are on no page of the gold "
                        f"({', '.join(unused[:3])}{', …' if len(unused) > 3 else ''})")
    sets = list(names)
    for tpath in table_paths:
        r, q = read_table(tpath)
        mine = list(dict.fromkeys([*map(_set_of, q), *(_set_of(x.page) for x in r)]))
        if clash := [s for s in mine if s in sets]:
            raise CalibrationError(f"table {tpath} holds set {clash[0]}, given already (a gold file's name or "
                                   "another table's set): give each set once")
        sets += mine
        rows += r
        required.update(q)
    files = ", ".join(map(str, run_paths))
    return Labelled(rows, required, sets, _one(models, "model", files), _one(prompts, "prompt version", files),
                    warnings)


def calibrate_files(runs: Iterable[str | os.PathLike[str]], golds: Iterable[str | os.PathLike[str]],
                    output: str | os.PathLike[str] | None = None,
                    report: Callable[[str], None] | None = None, *,
                    tables: Iterable[str | os.PathLike[str]] = (), groups: Groups = None,
                    pools: dict[str, Iterable[str]] | None = None, whole_pages: bool = False,
                    shipped: bool = False, model: str | None = None) -> Calibrated:
    """Fit a calibration on `runs` (each with its `<run>.features.jsonl`, from `extract run
    --keep-features --min-confidence 0`) labelled by `golds`, and the rows of `tables`, and write
    it to `output` (JSON) when given. `groups`, `whole_pages`: as `label_files`; `pools`: sets
    whose figures are also reported pooled (name → sets). `shipped`: the project's own fit
    (`prompts/calibration.json`, benchmarks/calibrate.py): every kind fitted however thin its
    gold (there is no fit to fall back to) and only the fields that file holds; `model`: the
    model's name where no run names one (rows from tables alone). Raises CalibrationError (one
    line) when the files cannot be used or no kind has the gold to be fitted."""
    out = Path(output) if output is not None else None
    runs, golds, tables = list(runs), list(golds), list(tables)
    if out is not None:
        if out.is_dir():
            raise CalibrationError(f"output {out} is a directory; give a file name, e.g. {out / 'my.calibration.json'}")
        for p in map(Path, [*runs, *golds, *tables, *([groups] if isinstance(groups, (str, os.PathLike)) else [])]):
            if out.exists() and p.exists() and os.path.samefile(out, p):
                raise CalibrationError(f"output {out} is one of the inputs; write the calibration to another file")
    done = label_files(runs, golds, tables, groups, whole_pages)
    rows, required = done.rows, done.required
    pools = {name: tuple(members) for name, members in (pools or {}).items()}
    for name, members in pools.items():
        if unknown := [m for m in members if m not in done.sets]:
            raise CalibrationError(f"pool {name} names set {unknown[0]}, not one fitted on "
                                   f"({', '.join(done.sets)})")

    counts = {kind: shortfall([r for r in rows if r.kind == kind]) for kind in KINDS}
    fallback = {} if shipped else {
        kind: f"{kind}: {c[0]} right and {c[1]} wrong items on {c[2]} pages; {NEEDS}: {kind} keeps the shipped fit"
        for kind, c in counts.items() if not _enough(c)}
    if len(fallback) == len(KINDS):
        said = "; ".join(f"{k} {c[0]} right, {c[1]} wrong on {c[2]} pages" for k, c in counts.items())
        raise CalibrationError(f"too little gold to fit any kind ({said}); {NEEDS}: curate more pages")
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if report is not None:
            report(line)

    kept = extra = None
    if not shipped:
        current = json.loads((PROMPTS_DIR / CALIBRATION_FILE).read_text(encoding="utf-8"))
        kept = {k: current["kinds"][k] for k in fallback if k in current.get("kinds", {})}
        extra = {"prompt_version": done.prompt_version, "fallback": sorted(fallback),
                 "shipped_version": current.get("version"),
                 "items": {k: {"right": c[0], "wrong": c[1], "pages": c[2]} for k, c in counts.items()}}
    result = fit_calibration(rows, required, done.sets, model=done.model or model or "",
                             prompts={k: kind_version(k) for k in KINDS}, report=say, kept=kept, extra=extra,
                             pools=pools or None)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return Calibrated(result, counts, fallback, lines, done.warnings, out, rows, required, done.prompt_version)
