"""Spec §3 matching: load a run or gold file per source file, and pair items one to one.

This is the one implementation that `eval`, `diff` and `review` share, so that the three
never disagree on what counts as "the same item".
"""
from __future__ import annotations

import json
from collections import Counter
import math
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path, PurePath
from typing import Any, Iterable

from pydantic import ValidationError
from rapidfuzz import fuzz

from extract.text.folding import fold_key, fold_name, fold_title, normalize_unit
from extract.text.script import to_simplified_chars
from schemas import SCHEMA_VERSION, GoldFile, Record
from schemas.errors import describe
from schemas.record import MEASURE_GROUNDING

KINDS = ("policies", "targets", "meetings")

# Spec §3 thresholds.
TARGET_METRIC_MIN = 60
POLICY_TITLE_MIN = 70
MEETING_NAME_MIN = 60
MEETING_OVERLAP_MIN = 0.5
ARTICLE_TITLE_MIN = 80


# ---------------------------------------------------------------- loading


@dataclass
class ArticleInfo:
    id: str
    source: str  # basename of the source file
    index: int
    title: str | None = None
    text: str | None = None  # None on a gold side: gold holds titles only
    errors: list[dict[str, Any]] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the whole run record, for review


@dataclass
class Item:
    kind: str
    data: dict[str, Any]
    source: str
    pos: int  # position in its source's list of this kind (what match_items returns)
    article_id: str | None = None  # None for gold items: gold does not assign articles
    article_index: int | None = None
    number: int = 0  # position in its article's (or gold line's) list, for display

    @property
    def optional(self) -> bool:
        return bool(self.data.get("optional"))

    @property
    def quote(self) -> str:
        return ((self.data.get("evidence") or {}).get("quote")) or ""

    @property
    def span(self) -> tuple[int, int] | None:
        ev = self.data.get("evidence") or {}
        if isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            return ev["start"], ev["end"]
        return None


@dataclass
class SourceGroup:
    source: str  # the key: the fewest last parts of its path that keep it apart (align_sources)
    articles: list[ArticleInfo] = field(default_factory=list)
    items: dict[str, list[Item]] = field(default_factory=lambda: {k: [] for k in KINDS})

    path: str = ""  # the whole path as the file names it (the key before shortening)

    def article(self, article_id: str | None) -> ArticleInfo | None:
        return next((a for a in self.articles if a.id == article_id), None)


@dataclass
class Side:
    path: str
    is_gold: bool  # every line was a gold line
    sources: dict[str, SourceGroup] = field(default_factory=dict)
    superseded: int = 0  # earlier records of articles recorded again (the last one counts)

    def all_articles(self) -> list[ArticleInfo]:
        return [a for g in self.sources.values() for a in g.articles]


def _basename(source: str) -> str:
    return PurePath(source.replace("\\", "/")).name


def _source_key(source: str) -> str:
    """A source file as a key: its path (not its base name, so d1/index.txt and d2/index.txt
    stay apart); `align_sources` shortens keys for display and pairs them across two sides."""
    parts = _parts(source)
    return "/".join(parts) if parts else source


def _parts(key: str) -> tuple[str, ...]:
    return tuple(p for p in key.replace("\\", "/").split("/") if p not in ("", "."))


def _suffix(key: str, n: int) -> str:
    return "/".join(_parts(key)[-n:])


def _rename(side: Side, names: dict[str, str]) -> None:
    if all(names.get(k, k) == k for k in side.sources):
        return
    renamed: dict[str, SourceGroup] = {}
    for key, group in side.sources.items():
        new = names.get(key, key)
        group.source = new
        for a in group.articles:
            a.source = new
        for items in group.items.values():
            for it in items:
                it.source = new
        renamed[new] = group
    side.sources = renamed


def align_sources(a: Side, b: Side | None = None) -> None:
    """Key both sides' source files alike: a file of `b` is paired with the file of `a` with the
    same path, else with the same last path parts where those are unique on both sides (a gold
    line naming `index.txt` matches the run's `pages/d1/index.txt` when it is the only
    `index.txt`); then every key is shortened to the fewest last path parts that keep it apart
    from the others (the base name, when names are unique)."""
    sides = [a] if b is None else [a, b]
    for side in sides:  # from the whole paths, however they were shortened before
        _rename(side, {k: g.path or k for k, g in side.sources.items()})
    if b is not None:
        ua = [k for k in a.sources if k not in b.sources]
        ub = [k for k in b.sources if k not in a.sources]
        pairs: dict[str, str] = {}
        depth = max((len(_parts(k)) for k in ua + ub), default=0)
        for n in range(1, depth + 1):
            if not ua or not ub:
                break
            ca = Counter(_suffix(k, n) for k in ua)
            cb = Counter(_suffix(k, n) for k in ub)
            for ka in list(ua):
                s = _suffix(ka, n)
                if ca[s] == 1 and cb[s] == 1:
                    kb = next(k for k in ub if _suffix(k, n) == s)
                    pairs[kb] = ka
                    ua.remove(ka)
                    ub.remove(kb)
        _rename(b, pairs)
    keys = sorted({k for side in sides for k in side.sources})
    names: dict[str, str] = {}
    remaining, n = set(keys), 1
    while remaining:
        counts = Counter(_suffix(k, n) for k in keys)
        for key in list(remaining):
            s = _suffix(key, n)
            if counts[s] == 1 or n >= len(_parts(key)):
                names[key] = s if counts[s] == 1 else key
                remaining.discard(key)
        n += 1
    for side in sides:
        _rename(side, names)


def _group(side: Side, source: str) -> SourceGroup:
    return side.sources.setdefault(source, SourceGroup(source, path=source))


def _add_items(group: SourceGroup, line: dict, article: ArticleInfo | None) -> None:
    for kind in KINDS:
        for number, data in enumerate(line.get(kind) or []):
            group.items[kind].append(
                Item(
                    kind=kind,
                    data=data,
                    source=group.source,
                    pos=len(group.items[kind]),
                    article_id=article.id if article else None,
                    article_index=article.index if article else None,
                    number=number,
                )
            )


def _add_record(side: Side, rec: dict) -> None:
    art = rec["article"]
    source = _source_key(art.get("source") or art.get("id", "").split("#")[0])
    group = _group(side, source)
    index = int(art.get("index") or len(group.articles) + 1)
    info = ArticleInfo(
        id=art.get("id") or f"{PurePath(source).stem}#{index}",
        source=source,
        index=index,
        title=art.get("title"),
        text=art.get("text"),
        errors=list(rec.get("errors") or []),
        record=rec,
    )
    group.articles.append(info)
    _add_items(group, rec, info)


def _add_gold(side: Side, line: dict) -> None:
    source = _source_key(line["source"])
    group = _group(side, source)
    stem = PurePath(source).stem
    for art in line.get("articles") or []:
        group.articles.append(
            ArticleInfo(id=f"{stem}#{art['index']}", source=source, index=int(art["index"]),
                        title=art.get("title"))
        )
    _add_items(group, line, None)


class RunFileError(ValueError):
    """A run or gold file that cannot be read: the message names the file and the line."""


def _check(path, lineno: int, what: str, validate) -> None:
    try:
        validate()
    except ValidationError as exc:
        raise RunFileError(f"{path}:{lineno}: malformed {what} ({describe(exc)})") from None


def load_side(path: str | Path) -> Side:
    """Read a run file (one record per article) or a gold file (one line per source file).

    The format is detected per line: a line with `article` is a run record, a line with
    `source` and no `article` a gold line. A malformed line raises RunFileError naming the
    file and the line number.
    """
    side = Side(path=str(path), is_gold=True)
    seen = False
    lineno = 0
    # An article recorded again (a redone run, another prompt version or model appended to the
    # same output) counts by its last record, as a resumed run reads it (docs/errors.md).
    records: dict[object, dict] = {}
    try:
        with open(path, "rb") as fh:
            for lineno, data in enumerate(fh, 1):
                try:
                    raw = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise RunFileError(f"{path}:{lineno}: not UTF-8 (byte {exc.start + 1} of the line)") from None
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                except ValueError as exc:
                    raise RunFileError(f"{path}:{lineno}: not JSON ({exc.msg} at column {exc.colno})") from None
                if not isinstance(line, dict):
                    raise RunFileError(f"{path}:{lineno}: a JSON {type(line).__name__}, not a run record "
                                       "or a gold line")
                seen = True
                # Each line is checked by its schema before anything reads it: a field of the
                # wrong shape is one line naming it, never a traceback further on.
                if "article" in line:
                    _check(path, lineno, "record", lambda: Record.model_validate(line, context=MEASURE_GROUNDING))
                    if line.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
                        raise RunFileError(f"{path}:{lineno}: schema_version {line['schema_version']!r} is not "
                                           f"supported (expected {SCHEMA_VERSION!r})")
                    side.is_gold = False
                    art = line["article"]
                    key = (art.get("source") or art.get("id", "").split("#")[0], art.get("index") or art.get("id")) \
                        if (art.get("index") or art.get("id")) else lineno
                    if key in records:
                        side.superseded += 1
                        del records[key]  # the last record takes the place of the earlier one
                    records[key] = line
                elif "source" in line:
                    _check(path, lineno, "gold line", lambda: GoldFile.model_validate(line))
                    _add_gold(side, line)
                else:
                    raise RunFileError(f"{path}:{lineno}: neither a run record nor a gold line")
    except OSError as exc:
        raise RunFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    for line in records.values():
        _add_record(side, line)
    if not seen:
        side.is_gold = False  # an empty run is still a run
    align_sources(side)  # keyed by path, shown by base name where names are unique
    return side


# ---------------------------------------------------------------- normalisation

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def values_equal(a: Any, b: Any) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def _ratio(a: str, b: str) -> float:
    return fuzz.partial_ratio(a, b) if a and b else 0.0


# ---------------------------------------------------------------- similarity


def quote_overlap(a: Item, b: Item, texts_same: bool) -> float:
    """Overlap of the two evidence quotes as a share of the shorter one (0..1).

    With offsets into the same article text on both sides the spans are intersected; otherwise
    the longest common substring of the two quotes (script folded, spaces dropped) is used.
    """
    sa, sb = a.span, b.span
    if texts_same and sa and sb:
        shorter = min(sa[1] - sa[0], sb[1] - sb[0])
        inter = min(sa[1], sb[1]) - max(sa[0], sb[0])
        return max(0, inter) / shorter if shorter > 0 else 0.0
    qa = "".join(to_simplified_chars(a.quote).split())
    qb = "".join(to_simplified_chars(b.quote).split())
    if not qa or not qb:
        return 0.0
    m = SequenceMatcher(None, qa, qb, autojunk=False).find_longest_match(0, len(qa), 0, len(qb))
    return m.size / min(len(qa), len(qb))


def similarity(a: Item, b: Item, texts_same: bool = False) -> float | None:
    """Spec §3 similarity on a 0..100 scale, or None when the pair may not match."""
    if a.kind != b.kind:
        return None
    da, db = a.data, b.data
    if a.kind == "targets":
        if not values_equal(da.get("value"), db.get("value")):
            return None
        if normalize_unit(da.get("unit")) != normalize_unit(db.get("unit")):
            return None
        score = _ratio(fold_key(da.get("metric")), fold_key(db.get("metric")))
        return score if score >= TARGET_METRIC_MIN else None
    if a.kind == "policies":
        score = _ratio(fold_title(da.get("title")), fold_title(db.get("title")))
        return score if score >= POLICY_TITLE_MIN else None
    if a.kind == "meetings":
        name = _ratio(fold_name(da.get("name")), fold_name(db.get("name")))
        overlap = quote_overlap(a, b, texts_same)
        if name >= MEETING_NAME_MIN or overlap >= MEETING_OVERLAP_MIN:
            # Either criterion suffices, so the pair ranks by the stronger one.
            return max(name, 100.0 * overlap)
        return None
    raise ValueError(f"unknown item kind {a.kind!r}")


def edited_target_similarity(a: Item, b: Item, texts_same: bool = False) -> float | None:
    """Not spec §3: the same target with its value or unit edited. Used only by `diff` between
    two runs, on targets left unmatched, so that 100 → 101 reads as a change of `value`
    rather than one target removed and another added. Needs the metric (≥ 60) and the
    evidence quotes overlapping by half the shorter one."""
    if a.kind != "targets" or b.kind != "targets":
        return None
    score = _ratio(fold_key(a.data.get("metric")), fold_key(b.data.get("metric")))
    if score >= TARGET_METRIC_MIN and quote_overlap(a, b, texts_same) >= MEETING_OVERLAP_MIN:
        return score
    return None


def key_text(item: Item) -> str:
    d = item.data
    if item.kind == "targets":
        return fold_key(d.get("metric"))
    if item.kind == "policies":
        return fold_title(d.get("title"))
    return fold_name(d.get("name"))


def match_items(
    a_items: list[Item],
    b_items: list[Item],
    kind: str | None = None,
    same_text: Any = None,
    sim: Any = None,
) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching, best similarity first: [(i, j, score)] sorted by i.

    `same_text(a, b) -> bool` says whether the two items' offsets index the same article
    text (see `same_text_between`); without it quotes are compared as strings.
    partial_ratio scores a short string inside a long one 100 (企业 vs 百亿级企业), so ties
    break on evidence overlap, then on the full `fuzz.ratio`, then on list order: the
    closer pair wins and results are stable. Tie-breaks never make a pair match.
    `sim` replaces `similarity` (diff uses `edited_target_similarity` for a second pass).
    """
    sim = sim or similarity
    candidates = []
    for i, a in enumerate(a_items):
        if kind and a.kind != kind:
            continue
        for j, b in enumerate(b_items):
            same = bool(same_text(a, b)) if same_text else False
            score = sim(a, b, same)
            if score is not None:
                closeness = fuzz.ratio(key_text(a), key_text(b))
                candidates.append((-score, -quote_overlap(a, b, same), -closeness, i, j, score))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for *_, i, j, score in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j, score))
    return sorted(pairs)


def same_text_between(a_side: Side, b_side: Side):
    """A `same_text` predicate: both items come from articles with the same id and text."""

    def check(a: Item, b: Item) -> bool:
        if a.article_id is None or a.article_id != b.article_id:
            return False
        ga, gb = a_side.sources.get(a.source), b_side.sources.get(b.source)
        aa = ga.article(a.article_id) if ga else None
        ab = gb.article(b.article_id) if gb else None
        return bool(aa and ab and aa.text is not None and aa.text == ab.text)

    return check


def match_titles(run_titles: Iterable[str | None], gold_titles: Iterable[str | None]) -> int:
    """How many gold article titles a run article title matches (one to one, ratio ≥ 80)."""
    run = [fold_title(t) for t in run_titles]
    gold = [fold_title(t) for t in gold_titles]
    candidates = sorted(
        (-s, i, j)
        for i, r in enumerate(run)
        for j, g in enumerate(gold)
        if (s := _ratio(r, g)) >= ARTICLE_TITLE_MIN
    )
    used_r, used_g, found = set(), set(), 0
    for _, i, j in candidates:
        if i not in used_r and j not in used_g:
            used_r.add(i)
            used_g.add(j)
            found += 1
    return found


@dataclass
class Pairing:
    """The outcome of matching one kind of item within one scope (a source file or article)."""

    kind: str
    pairs: list[tuple[Item, Item, float]]
    a_only: list[Item]
    b_only: list[Item]


def pair_items(a_items: list[Item], b_items: list[Item], kind: str, same_text: Any = None,
               sim: Any = None) -> Pairing:
    a_items = [x for x in a_items if x.kind == kind]
    b_items = [x for x in b_items if x.kind == kind]
    pairs = match_items(a_items, b_items, kind, same_text, sim)
    ia = {i for i, _, _ in pairs}
    jb = {j for _, j, _ in pairs}
    return Pairing(
        kind=kind,
        pairs=[(a_items[i], b_items[j], s) for i, j, s in pairs],
        a_only=[x for i, x in enumerate(a_items) if i not in ia],
        b_only=[x for j, x in enumerate(b_items) if j not in jb],
    )
