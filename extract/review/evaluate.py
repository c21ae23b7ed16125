"""Spec §3 scoring of a run (or any side) against gold: P/R/F1, field agreement, grounding,
errors and segmentation. Matching itself lives in extract.review.match."""
from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from extract.review.match import (
    KINDS,
    Item,
    Pairing,
    Side,
    fold_key,
    fold_name,
    key_text,
    match_titles,
    normalize_unit,
    quote_overlap,
    pair_items,
    values_equal,
)


class Counts(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0
    # Run items matched to an optional gold item: neither credited nor penalised.
    optional_matched: int = 0

    @property
    def precision(self) -> float:
        # Nothing predicted makes no false claim (1.0); recall then carries the miss.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.optional_matched += other.optional_matched


class TypeScore(BaseModel):
    tp: int
    fp: int
    fn: int
    optional_matched: int
    precision: float
    recall: float
    f1: float
    # Share of credited (TP) pairs on which each field agrees; None when there are no pairs.
    fields: dict[str, float | None] = Field(default_factory=dict)


class SourceScore(BaseModel):
    source: str
    in_run: bool
    in_gold: bool
    counts: dict[str, Counts]
    gold_articles: int
    articles_found: int
    run_articles: int


class Report(BaseModel):
    run: str
    gold: str
    types: dict[str, TypeScore]
    grounded: float | None  # None when the run side has no offsets (a gold file)
    grounded_items: int
    ungrounded_items: int
    articles: int
    articles_with_errors: int
    segmentation_found: float | None  # gold articles found / gold articles, over all sources
    gold_articles: int = 0  # articles the gold covers (its `articles` lists), over all sources
    sources: list[SourceScore]
    missing_sources: list[str]  # gold sources with no run record: their items are all misses
    extra_sources: list[str]  # run sources not in gold: not scored
    # P/R/F1 per kind when only items with confidence ≥ the cut are kept (items without a
    # confidence are always kept): where the run's confidences would put the cut.
    cuts: dict[str, list["CutScore"]] = Field(default_factory=dict)


class CutScore(BaseModel):
    cut: float
    kept: int  # run items at or above the cut
    precision: float
    recall: float
    f1: float


Report.model_rebuild()

CUTS = (0.0, 0.3, 0.5, 0.7, 0.9)


def _kept(item: Item, cut: float) -> bool:
    c = item.data.get("confidence")
    return c is None or c >= cut


def scores_at_cuts(run_side: Side, gold_side: Side, cuts: tuple[float, ...] = CUTS) -> dict[str, list[CutScore]]:
    out: dict[str, list[CutScore]] = {k: [] for k in KINDS}
    for cut in cuts:
        for kind in KINDS:
            total, kept = Counts(), 0
            for name, gold in gold_side.sources.items():
                run = run_side.sources.get(name)
                items = [i for i in (run.items[kind] if run else []) if _kept(i, cut)]
                kept += len(items)
                total.add(score_pairing(pair_items(items, gold.items[kind], kind))[0])
            out[kind].append(CutScore(cut=cut, kept=kept, precision=total.precision, recall=total.recall, f1=total.f1))
    return out


def set_f1(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return 2 * inter / (len(a) + len(b))


def _norm(value: Any) -> Any:
    return fold_key(value) if isinstance(value, str) else value


def _agree(field: str) -> Callable[[dict, dict], float]:
    return lambda a, b: float(_norm(a.get(field)) == _norm(b.get(field)))


def _issuers(a: dict, b: dict) -> float:
    return set_f1({fold_key(x) for x in a.get("issuers") or []}, {fold_key(x) for x in b.get("issuers") or []})


def _attendees(a: dict, b: dict) -> float:
    names = lambda d: {fold_name(p.get("name")) for p in d.get("attendees") or [] if p.get("name")}
    return set_f1(names(a), names(b))


def _deadline(a: dict, b: dict) -> float:
    x, y = a.get("deadline_year"), b.get("deadline_year")
    return float(x == y if x is None or y is None else values_equal(x, y))


FIELD_CHECKS: dict[str, dict[str, Callable[[dict, dict], float]]] = {
    "targets": {"deadline_year": _deadline, "comparator": _agree("comparator"), "region": _agree("region")},
    "policies": {"issuers": _issuers},
    "meetings": {"date": _agree("date"), "attendees": _attendees},
}


def _grounded(item: Item, side: Side) -> bool | None:
    span = item.span
    if span is None:
        return None
    art = side.sources[item.source].article(item.article_id)
    return bool(art and art.text is not None and art.text[span[0] : span[1]] == item.quote)


def score_pairing(p: Pairing) -> tuple[Counts, list[tuple[Item, Item]]]:
    """Counts for one kind in one source: optional gold items neither credit nor penalise."""
    credited = [(a, b) for a, b, _ in p.pairs if not b.optional]
    counts = Counts(
        tp=len(credited),
        fp=len(p.a_only),
        fn=sum(1 for b in p.b_only if not b.optional),
        optional_matched=len(p.pairs) - len(credited),
    )
    return counts, credited


def evaluate(run_side: Side, gold_side: Side) -> Report:
    totals = {k: Counts() for k in KINDS}
    credited: dict[str, list[tuple[Item, Item]]] = {k: [] for k in KINDS}
    sources: list[SourceScore] = []
    gold_articles = found_articles = 0
    for name, gold in gold_side.sources.items():
        run = run_side.sources.get(name)
        per_kind = {}
        for kind in KINDS:
            pairing = pair_items(run.items[kind] if run else [], gold.items[kind], kind)
            counts, pairs = score_pairing(pairing)
            totals[kind].add(counts)
            credited[kind].extend(pairs)
            per_kind[kind] = counts
        found = match_titles([a.title for a in run.articles] if run else [], [a.title for a in gold.articles])
        gold_articles += len(gold.articles)
        found_articles += found
        sources.append(
            SourceScore(source=name, in_run=run is not None, in_gold=True, counts=per_kind,
                        gold_articles=len(gold.articles), articles_found=found,
                        run_articles=len(run.articles) if run else 0)
        )

    types = {}
    for kind in KINDS:
        c = totals[kind]
        fields = {
            f: (sum(check(a.data, b.data) for a, b in credited[kind]) / len(credited[kind])
                if credited[kind] else None)
            for f, check in FIELD_CHECKS[kind].items()
        }
        types[kind] = TypeScore(**c.model_dump(), precision=c.precision, recall=c.recall, f1=c.f1,
                                fields=fields)

    # Grounding and errors are properties of the run alone, over all its sources. An item
    # without offsets on a run side counts as ungrounded; a gold side has none to check.
    checks = [
        _grounded(item, run_side) is True
        for group in run_side.sources.values()
        for kind in KINDS
        for item in group.items[kind]
    ]
    grounded_n = sum(checks)
    articles = run_side.all_articles()
    return Report(
        run=run_side.path,
        gold=gold_side.path,
        types=types,
        grounded=None if run_side.is_gold else (grounded_n / len(checks) if checks else 1.0),
        grounded_items=0 if run_side.is_gold else grounded_n,
        ungrounded_items=0 if run_side.is_gold else len(checks) - grounded_n,
        articles=len(articles),
        articles_with_errors=sum(1 for a in articles if a.errors),
        segmentation_found=found_articles / gold_articles if gold_articles else None,
        gold_articles=gold_articles,
        sources=sources,
        missing_sources=[s.source for s in sources if not s.in_run],
        extra_sources=sorted(set(run_side.sources) - set(gold_side.sources)),
        cuts=scores_at_cuts(run_side, gold_side) if not run_side.is_gold else {},
    )


# ---------------------------------------------------------------- per-item error report


class ItemError(BaseModel):
    """One false positive, miss or field disagreement, with what is needed to see why."""

    source: str
    kind: str
    error: str  # "false positive", "miss" or "field: <name>"
    item: str  # a one-line summary of the item (run side for FPs, gold side otherwise)
    quote: str
    closest: str | None = None  # the nearest item on the other side and why it did not match
    detail: str | None = None  # for field errors: run value vs gold value


def summarize(item: Item) -> str:
    d = item.data
    if item.kind == "targets":
        return (f"{d.get('metric')} | {d.get('value')} {d.get('unit')} {d.get('comparator')} "
                f"| {d.get('deadline_year')} | {d.get('region')}")
    if item.kind == "policies":
        return f"{d.get('title')} | issuers {d.get('issuers')} | {d.get('region')}"
    names = [p.get("name") for p in d.get("attendees") or []]
    return f"{d.get('name')} | {d.get('date')} | attendees {names}"


def _closest(item: Item, others: list[Item]) -> str | None:
    """The other side's item nearest to `item` by quote overlap, then key text, with the reason
    it did not match (another value or unit, a low name score)."""
    if not others:
        return None
    def near(o: Item) -> float:
        return quote_overlap(item, o, False) * 100 + 0.01 * _ratio_key(item, o)
    best = max(others, key=near)
    if near(best) < 30:
        return None
    why = ""
    if item.kind == "targets":
        a, b = item.data, best.data
        if not values_equal(a.get("value"), b.get("value")):
            why = "value differs"
        elif normalize_unit(a.get("unit")) != normalize_unit(b.get("unit")):
            why = "unit differs"
        else:
            why = f"metric score {_ratio_key(item, best):.0f}"
    elif item.kind == "policies":
        why = f"title score {_ratio_key(item, best):.0f}"
    else:
        why = f"name score {_ratio_key(item, best):.0f}"
    opt = " (optional)" if best.optional else ""
    return f"{summarize(best)}{opt} — {why} — «{best.quote[:80]}»"


def _ratio_key(a: Item, b: Item) -> float:
    ka, kb = key_text(a), key_text(b)
    return fuzz.partial_ratio(ka, kb) if ka and kb else 0.0


def _field_value(kind: str, field_name: str, d: dict) -> Any:
    if field_name == "attendees":
        return sorted(p.get("name") for p in d.get("attendees") or [] if p.get("name"))
    return d.get(field_name)


def error_report(run_side: Side, gold_side: Side, kinds: tuple[str, ...] = KINDS) -> list[ItemError]:
    """Per source: false positives, misses (required gold items only) and disagreeing fields of
    credited pairs, each with its quote and the closest item on the other side."""
    out: list[ItemError] = []
    for name, gold in sorted(gold_side.sources.items()):
        run = run_side.sources.get(name)
        for kind in kinds:
            run_items = run.items[kind] if run else []
            pairing = pair_items(run_items, gold.items[kind], kind)
            for a in pairing.a_only:
                out.append(ItemError(source=name, kind=kind, error="false positive", item=summarize(a),
                                     quote=a.quote, closest=_closest(a, pairing.b_only + [b for _, b, _ in pairing.pairs])))
            for b in pairing.b_only:
                if not b.optional:
                    out.append(ItemError(source=name, kind=kind, error="miss", item=summarize(b),
                                         quote=b.quote, closest=_closest(b, run_items)))
            for a, b, _ in pairing.pairs:
                if b.optional:
                    continue
                for f, check in FIELD_CHECKS[kind].items():
                    if check(a.data, b.data) < 1.0:
                        out.append(ItemError(
                            source=name, kind=kind, error=f"field: {f}", item=summarize(b), quote=b.quote,
                            detail=f"run {_field_value(kind, f, a.data)!r} vs gold {_field_value(kind, f, b.data)!r}"))
    return out
