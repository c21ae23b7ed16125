"""Item-level diff of two sides (runs or gold), with spec §3 matching from extract.review.match.

Scopes: between two runs, items are compared per article when both runs cut the source file
into the same articles (same indices and titles), else per source file, so a changed
segmentation does not show up as every item removed and re-added; with gold on either side
always per source file, the way `eval` pools them. Misses and extras against gold are then
exactly eval's FN and FP. Between two runs only, a target whose value or unit was edited
(same metric, overlapping quote) is paired as changed rather than removed and added.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from extract.review.match import (
    KINDS,
    Item,
    Pairing,
    Side,
    edited_target_similarity,
    fold_title,
    pair_items,
    same_text_between,
    values_equal,
)

# The spec §1 fields compared per kind; evidence is compared by quote only.
FIELDS: dict[str, tuple[str, ...]] = {
    "policies": ("title", "doc_type", "issuers", "region", "issued", "time_text", "measures", "evidence"),
    "targets": ("metric", "value", "unit", "comparator", "deadline_year", "time_text", "region", "policy",
                "evidence"),
    "meetings": ("name", "date", "time_text", "location", "organizers", "chairs", "attendees", "topics",
                 "evidence"),
}
# Sets in meaning: their order carries nothing, so reordering is not a change.
UNORDERED = {"issuers", "organizers", "chairs", "attendees"}


class ItemRef(BaseModel):
    kind: str
    source: str
    article_id: str | None  # None for gold items
    number: int  # position in the article's (gold: the gold line's) list of this kind
    label: str
    optional: bool = False
    side: str  # "a" or "b": which file the item is from
    item: dict[str, Any]
    also_in: list[str] = Field(default_factory=list)  # other articles reporting the same entity (key)


class Pair(BaseModel):
    kind: str
    a: ItemRef
    b: ItemRef
    changes: dict[str, tuple[Any, Any]] = Field(default_factory=dict)  # field: (old, new)


class ScopeDiff(BaseModel):
    key: str  # article id, or source basename when compared per source file
    source: str
    per_article: bool
    added: list[ItemRef] = Field(default_factory=list)  # only in B
    removed: list[ItemRef] = Field(default_factory=list)  # only in A
    changed: list[Pair] = Field(default_factory=list)
    unchanged: list[Pair] = Field(default_factory=list)
    optional_unmatched: list[ItemRef] = Field(default_factory=list)  # optional and unmatched: no diff

    @property
    def different(self) -> bool:
        # An unmatched optional item is not a miss, but the two sides are still not identical.
        return bool(self.added or self.removed or self.changed or self.optional_unmatched)


class TypeSummary(BaseModel):
    unchanged: int = 0
    changed: int = 0
    added: int = 0
    removed: int = 0
    optional_unmatched: int = 0


class DiffReport(BaseModel):
    a: str
    b: str
    a_is_gold: bool
    b_is_gold: bool
    scopes: list[ScopeDiff]
    summary: dict[str, TypeSummary]
    fields: dict[str, int]  # "targets.value": how many matched pairs differ in that field
    identical: bool


def label(kind: str, data: dict) -> str:
    if kind == "policies":
        return str(data.get("title") or "")
    if kind == "targets":
        value = data.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"{data.get('metric') or ''} {value}{data.get('unit') or ''}"
    return str(data.get("name") or "")


def _canon(field: str, value: Any) -> Any:
    if field == "evidence":
        return (value or {}).get("quote")
    if field in UNORDERED and isinstance(value, list):
        return sorted(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in value)
    if value == [] or value == "":
        return None  # an empty list or string says no more than a missing field
    return value


def field_changes(kind: str, a: dict, b: dict) -> dict[str, tuple[Any, Any]]:
    out = {}
    for f in FIELDS[kind]:
        x, y = _canon(f, a.get(f)), _canon(f, b.get(f))
        # Numbers compare as numbers: 100 and 100.0 are the same value.
        same = values_equal(x, y) if f in ("value", "deadline_year") and None not in (x, y) else x == y
        if not same:
            out[f] = (x, y) if f == "evidence" else (a.get(f), b.get(f))
    return out


def also_reported(*sides: Side) -> dict[str, list[str]]:
    """Entity key → the articles (of these runs) whose items carry it: one document, meeting or
    goal reported by several articles (reprints, follow-ups)."""
    out: dict[str, set[str]] = {}
    for side in sides:
        for group in side.sources.values():
            for kind in KINDS:
                for item in group.items[kind]:
                    key = item.data.get("key")
                    if key and item.article_id:
                        out.setdefault(key, set()).add(item.article_id)
    return {k: sorted(v) for k, v in out.items() if len(v) > 1}


def ref(item: Item, side: str, elsewhere: dict[str, list[str]] | None = None) -> ItemRef:
    key = item.data.get("key")
    also = [a for a in (elsewhere or {}).get(key, []) if a != item.article_id] if key else []
    return ItemRef(kind=item.kind, source=item.source, article_id=item.article_id, number=item.number,
                   label=label(item.kind, item.data), optional=item.optional, side=side, item=item.data,
                   also_in=also)


def _segmentation(side: Side, source: str) -> list[tuple[int, str]]:
    group = side.sources.get(source)
    return [(a.index, fold_title(a.title)) for a in group.articles] if group else []


def _scopes(a: Side, b: Side) -> list[tuple[str, str, bool, list[Item], list[Item]]]:
    """(key, source, per_article, A items, B items) for every scope, sources in sorted order."""
    out = []
    for source in sorted(set(a.sources) | set(b.sources)):
        ga, gb = a.sources.get(source), b.sources.get(source)
        items_a = [x for k in KINDS for x in (ga.items[k] if ga else [])]
        items_b = [x for k in KINDS for x in (gb.items[k] if gb else [])]
        per_article = (
            not a.is_gold and not b.is_gold and ga is not None and gb is not None
            and _segmentation(a, source) == _segmentation(b, source)
        )
        if not per_article:
            out.append((source, source, False, items_a, items_b))
            continue
        for art in ga.articles:
            out.append((art.id, source, True,
                        [x for x in items_a if x.article_id == art.id],
                        [x for x in items_b if x.article_id == art.id]))
    return out


def _pair(items_a: list[Item], items_b: list[Item], kind: str, same_text, runs: bool) -> Pairing:
    pairing = pair_items(items_a, items_b, kind, same_text)
    if kind == "targets" and runs and pairing.a_only and pairing.b_only:
        # Between two runs, a target whose value or unit was edited is one changed item.
        # Against gold this pass is skipped, so misses and extras stay eval's FN and FP.
        edited = pair_items(pairing.a_only, pairing.b_only, kind, same_text, edited_target_similarity)
        pairing = Pairing(kind, pairing.pairs + edited.pairs, edited.a_only, edited.b_only)
    return pairing


def diff(a_side: Side, b_side: Side) -> DiffReport:
    """What changed from A to B: B-only items are added, A-only items removed."""
    same_text = same_text_between(a_side, b_side)
    runs = not a_side.is_gold and not b_side.is_gold
    summary = {k: TypeSummary() for k in KINDS}
    fields: dict[str, int] = {f"{k}.{f}": 0 for k in KINDS for f in FIELDS[k]}
    scopes = []
    elsewhere = also_reported(a_side, b_side)
    for key, source, per_article, items_a, items_b in _scopes(a_side, b_side):
        scope = ScopeDiff(key=key, source=source, per_article=per_article)
        for kind in KINDS:
            pairing = _pair(items_a, items_b, kind, same_text, runs)
            s = summary[kind]
            for x, y, _ in pairing.pairs:
                changes = field_changes(kind, x.data, y.data)
                pair = Pair(kind=kind, a=ref(x, "a", elsewhere), b=ref(y, "b", elsewhere), changes=changes)
                (scope.changed if changes else scope.unchanged).append(pair)
                for f in changes:
                    fields[f"{kind}.{f}"] += 1
            for x in pairing.a_only:
                (scope.optional_unmatched if x.optional else scope.removed).append(ref(x, "a", elsewhere))
            for y in pairing.b_only:
                (scope.optional_unmatched if y.optional else scope.added).append(ref(y, "b", elsewhere))
            s.unchanged += sum(1 for p in scope.unchanged if p.kind == kind)
            s.changed += sum(1 for p in scope.changed if p.kind == kind)
            s.added += sum(1 for r in scope.added if r.kind == kind)
            s.removed += sum(1 for r in scope.removed if r.kind == kind)
            s.optional_unmatched += sum(1 for r in scope.optional_unmatched if r.kind == kind)
        scopes.append(scope)
    return DiffReport(
        a=a_side.path, b=b_side.path, a_is_gold=a_side.is_gold, b_is_gold=b_side.is_gold,
        scopes=scopes, summary=summary, fields=fields,
        identical=not any(sc.different for sc in scopes),
    )
