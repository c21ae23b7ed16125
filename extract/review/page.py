"""A self-contained HTML page to review a run (optionally against another run or gold).

Python decides what is shown (which items, where their quotes are, what changed, using
extract.review.diff); the page's inline script only draws it. Data goes in as JSON inside a
<script type="application/json"> block with <, > and & escaped, and the script builds the
DOM with textContent, so article text can never become markup.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from extract.review.curate import rejection_key, run_id, text_sha256
from extract.review.diff import FIELDS, ItemRef, also_reported, diff, label, ref
from extract.review.match import KINDS, ArticleInfo, Side
from extract.run.guard import write_whole
from extract.text.script import to_simplified_chars

TEMPLATES = Path(__file__).parent / "templates"


def locate(text: str | None, data: dict) -> list[int] | None:
    """[start, end] of an item's quote in `text`: its own offsets when they hold, else the
    first exact occurrence, else one found with script folded (length-preserving)."""
    ev = data.get("evidence") or {}
    quote = ev.get("quote") or ""
    if not text or not quote:
        return None
    start, end = ev.get("start"), ev.get("end")
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == quote:
        return [start, end]
    pos = text.find(quote)
    if pos < 0:
        pos = to_simplified_chars(text).find(to_simplified_chars(quote))
    return [pos, pos + len(quote)] if pos >= 0 else None


def phrase_spans(text: str | None, data: dict) -> list[list[int]]:
    """[start, end] of each measure (a policy) or topic (a meeting) whose offsets hold in `text`:
    what the page underlines."""
    out = []
    for ev in [*(data.get("measures_evidence") or []), *(data.get("topics_evidence") or [])]:
        start, end = ev.get("start"), ev.get("end")
        if text and isinstance(start, int) and isinstance(end, int) and text[start:end] == ev.get("quote"):
            out.append([start, end])
    return out


def _article_entries(side: Side, source: str, *, only_in_b: bool = False) -> list[dict[str, Any]]:
    # A gold line may list no articles; its items still need a place to be shown.
    arts = sorted(side.sources[source].articles, key=lambda x: x.index) or [
        ArticleInfo(id=source, source=source, index=1, title=source)]
    return [
        {"key": art.id, "source": art.source, "index": art.index, "title": art.title,
         "source_sha256": ((art.record or {}).get("article") or {}).get("source_sha256"),
         "text": art.text, "errors": art.errors, "only_in_b": only_in_b, "items": []}
        for art in arts
    ]


def _entry(kind: str, status: str, a: dict | None, b: dict | None, changes: dict | None = None,
           optional: bool = False, also_in: list[str] | None = None) -> dict[str, Any]:
    data = a if a is not None else b
    return {
        "kind": kind, "status": status, "label": label(kind, data), "a": a, "b": b,
        "changes": {f: list(v) for f, v in (changes or {}).items()}, "optional": optional,
        "also_in": also_in or [],
    }


def _find_article(articles: list[dict], ref: ItemRef) -> dict:
    """The article of A an item belongs to: its own article id if A has it, else the one of
    the same source whose text holds its quote, else the source's first article."""
    same_source = [a for a in articles if a["source"] == ref.source]
    for art in same_source:
        if art["key"] == ref.article_id:
            return art
    for art in same_source:
        if locate(art["text"], ref.item):
            return art
    return same_source[0]


def _confidence(entry: dict) -> float:
    data = entry["a"] if entry["a"] is not None else entry["b"]
    c = data.get("confidence") if data else None
    return c if isinstance(c, (int, float)) else 2.0  # no confidence: last


def build_data(a_side: Side, b_side: Side | None = None, *, curate: bool = False,
               rejected: set[tuple] | None = None) -> dict[str, Any]:
    """The page's data: articles of A (plus sources only B has), each with its items.

    `curate`: the curation view (accept, reject, edit, add), items ordered by confidence, lowest
    first, within and across articles; `rejected` (extract.review.curate.load_rejections) marks
    the items rejected before (same kind, same quote at the same place in the same text)."""
    articles: list[dict] = []
    for source in sorted(a_side.sources):
        articles.extend(_article_entries(a_side, source))
    if b_side is None:
        # By source and id: files that share a name (d1/index.txt, d2/index.txt) share ids too.
        by_key = {(a["source"], a["key"]): a for a in articles}
        elsewhere = also_reported(a_side)
        for group in a_side.sources.values():
            for kind in KINDS:
                for item in group.items[kind]:
                    r = ref(item, "a", elsewhere)
                    target = by_key.get((item.source, item.article_id)) or _find_article(articles, r)
                    target["items"].append(_entry(kind, "", item.data, None, optional=item.optional,
                                                  also_in=r.also_in))
    else:
        for source in sorted(set(b_side.sources) - set(a_side.sources)):
            articles.extend(_article_entries(b_side, source, only_in_b=True))
        report = diff(a_side, b_side)
        for scope in report.scopes:
            for pair in scope.unchanged + scope.changed:
                status = "changed" if pair.changes else "same"
                _find_article(articles, pair.a)["items"].append(
                    _entry(pair.kind, status, pair.a.item, pair.b.item, pair.changes,
                           optional=pair.a.optional or pair.b.optional, also_in=pair.b.also_in))
            for r in scope.removed:
                _find_article(articles, r)["items"].append(_entry(r.kind, "removed", r.item, None, also_in=r.also_in))
            for r in scope.added:
                _find_article(articles, r)["items"].append(_entry(r.kind, "added", None, r.item, also_in=r.also_in))
            for r in scope.optional_unmatched:
                in_a = r.side == "a"
                _find_article(articles, r)["items"].append(
                    _entry(r.kind, "removed" if in_a else "added", r.item if in_a else None,
                           None if in_a else r.item, optional=True))

    order = {k: i for i, k in enumerate(KINDS)}
    for art in articles:
        art["sha256"] = text_sha256(art["text"])
        for entry in art["items"]:
            data = entry["a"] if entry["a"] is not None else entry["b"]
            entry["span"] = locate(art["text"], data)
            entry["phrases"] = phrase_spans(art["text"], data)
            if curate:
                ev = dict(data.get("evidence") or {})
                if entry["span"]:
                    ev["start"], ev["end"] = entry["span"]
                keys = {rejection_key(entry["kind"], art["sha256"], ev, data),
                        rejection_key(entry["kind"], art["sha256"], ev, data, offsets=False)}
                entry["prior"] = "reject" if rejected and keys & rejected else None
        if curate:  # the least sure first
            art["items"].sort(key=lambda e: (_confidence(e), order[e["kind"]],
                                             e["span"][0] if e["span"] else 1 << 30))
        else:  # by type, then in text order; items without a place in the text go last
            art["items"].sort(key=lambda e: (order[e["kind"]], e["span"][0] if e["span"] else 1 << 30))
    if curate:  # articles by their least sure item; those without items last
        articles.sort(key=lambda a: min((_confidence(e) for e in a["items"]), default=3.0))
    for a_no, art in enumerate(articles):
        for n, entry in enumerate(art["items"]):
            entry["id"] = f"{a_no}-{n}"
        art["counts"] = {k: sum(1 for e in art["items"] if e["kind"] == k and e["status"] != "added")
                         for k in KINDS}
        art["changes"] = {s: sum(1 for e in art["items"] if e["status"] == s and not e["optional"])
                          for s in ("added", "removed", "changed")}
    out = {
        "a": a_side.path, "b": b_side.path if b_side else None,
        "b_is_gold": bool(b_side and b_side.is_gold), "fields": FIELDS, "articles": articles,
        "curate": curate,
    }
    if curate:
        out["run_id"] = run_id(a_side)
        # Every item, least sure first, across articles: what j / k walk through.
        queue = [(a_no, e) for a_no, art in enumerate(articles) for e in art["items"]]
        queue.sort(key=lambda x: (_confidence(x[1]), x[0]))
        out["queue"] = [[a_no, e["id"]] for a_no, e in queue]
    return out


def embed_json(data: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the block or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(data: dict[str, Any]) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    title = Path(data["a"]).name + (f" vs {Path(data['b']).name}" if data.get("b") else "")
    return env.get_template("review.html.j2").render(title=title, data_json=embed_json(data))


def write_review(a_side: Side, b_side: Side | None, out: Path, *, curate: bool = False,
                 rejected: set[tuple] | None = None) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, render_html(build_data(a_side, b_side, curate=curate, rejected=rejected)))
    return out
