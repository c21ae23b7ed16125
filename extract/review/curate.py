"""Curation: a review page's decisions (accept, reject, edit, add) become gold.

The page (extract/review/page.py with `curate=True`) exports one JSON line per decision:

    {"article": "000_x#1", "source": "seeds/000_x.txt", "text_sha256": "…",
     "source_sha256": "…", "kind": "targets", "key": "T-…" | null,
     "evidence": {"quote": "…", "start": 12, "end": 30},
     "decision": "accept" | "reject" | "edit" | "add", "item": {…the corrected item…}}

`build_gold` turns them into a gold file (spec §3) for the reviewed articles only (an article
with at least one decision); rejected items are written to a sidecar so that a later curation
page shows the same item (same kind, same quote at the same place in the same article text) as
already rejected.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extract.review.match import KINDS, RunFileError, Side
from extract.run.guard import write_whole
from schemas import Decision, GoldFile
from schemas.errors import describe

# What the page adds to an item and gold does not hold.
RUN_ONLY = ("confidence", "key", "place", "issuer_places", "measures_evidence", "topics_evidence", "optional")


class DecisionsError(RunFileError):
    """A decisions file that is malformed or belongs to another run: nothing is written."""


def text_sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def run_id(side: Side) -> str:
    """One id for a run's articles (ids and texts): the page's local-storage key."""
    h = hashlib.sha256()
    for art in sorted(side.all_articles(), key=lambda a: (a.source, a.index, a.id)):
        h.update(f"{art.id}\0{text_sha256(art.text) or ''}\n".encode("utf-8"))
    return h.hexdigest()[:16]


def _ident(kind: str, item: dict | None) -> tuple:
    """What keeps apart two items of one kind quoting the same words (targets: value and unit)."""
    if kind != "targets" or not isinstance(item, dict):
        return ()
    value = item.get("value")
    return (float(value) if isinstance(value, (int, float)) else value, item.get("unit"))


def rejection_key(kind: str, sha: str | None, evidence: dict | None, item: dict | None = None,
                  offsets: bool = True) -> tuple:
    """The same item in the same article text: kind, quote (and where it stands), and for a
    target its value and unit."""
    ev = evidence or {}
    where = (ev.get("start"), ev.get("end")) if offsets else ()
    return (kind, sha, ev.get("quote") or "", *where, *_ident(kind, item))


def load_rejections(path: str | Path) -> set[tuple]:
    """Rejected items from a gold sidecar (`gold.rejected.jsonl`) or a decisions file."""
    out: set[tuple] = set()
    for _, line in _decisions(path):
        if line["decision"] != "reject":
            continue
        ev = line.get("evidence") or {}
        # Without offsets, a rejection holds for the quote wherever it stands.
        has_offsets = isinstance(ev.get("start"), int)
        out.add(rejection_key(line["kind"], line.get("text_sha256"), ev, line["item"], offsets=has_offsets))
    return out


def _lines(path: str | Path):
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DecisionsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    for lineno, data in enumerate(raw.splitlines(), 1):
        if not data.strip():
            continue
        try:
            line = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DecisionsError(f"{path}:{lineno}: not a JSON line") from None
        if not isinstance(line, dict):
            raise DecisionsError(f"{path}:{lineno}: a JSON {type(line).__name__}, not a decision")
        yield lineno, line


def _decisions(path: str | Path):
    """Each line checked by the decision schema (its item one of its kind) before it is read."""
    for lineno, line in _lines(path):
        try:
            Decision.validate_python(line)
        except ValidationError as exc:
            raise DecisionsError(f"{path}:{lineno}: malformed decision ({describe(exc, tagged=True)}); "
                                 "nothing written") from None
        yield lineno, line


def read_decisions(path: str | Path, side: Side) -> list[dict[str, Any]]:
    """The decisions of `path`, checked against the run: every line names an article the run
    has, with the same text (sha256). The last decision on an item wins. A file without a
    single decision is refused: a gold built from it would hold nothing."""
    arts: dict[str, list] = {}
    for a in side.all_articles():  # files of one name in two folders share article ids
        arts.setdefault(a.id, []).append(a)
    latest: dict[tuple, dict] = {}
    for lineno, line in _decisions(path):
        where = f"{path}:{lineno}"
        decision, kind = line["decision"], line["kind"]
        sha = line.get("text_sha256")
        art = next((a for a in arts.get(line["article"], [])
                    if (text_sha256(a.text) == sha if sha is not None else
                        line.get("source_sha256") is not None
                        and line.get("source_sha256") == (a.record or {}).get("article", {}).get("source_sha256"))),
                   None)
        if art is None:
            raise DecisionsError(
                f"{where}: article {line.get('article')!r} (text sha256 {str(sha)[:12]}…) is not in "
                f"{side.path}: these decisions come from another run; nothing written")
        # A later decision on the same run item (its key and evidence) replaces an earlier one,
        # as when two exports are joined; items without a key collapse only when identical.
        if line.get("key") and decision != "add":
            key: tuple = (art.source, art.id, kind, line["key"], json.dumps(line.get("evidence"), sort_keys=True))
        else:
            key = (art.source, art.id, json.dumps(line, sort_keys=True, ensure_ascii=False))
        latest[key] = {**line, "_article": art}
    if not latest:
        raise DecisionsError(f"{path} holds no decision (export the decisions from the curation page after "
                             "accepting, rejecting, editing or adding items); nothing written")
    return list(latest.values())


def gold_item(item: dict) -> dict:
    out = {k: v for k, v in item.items() if k not in RUN_ONLY}
    out["evidence"] = {"quote": item["evidence"]["quote"]}
    return out


def build_gold(side: Side, decisions: list[dict]) -> tuple[list[dict], list[dict]]:
    """(gold lines, rejected lines): one gold line per source file with a reviewed article."""
    by_source: dict[str, dict] = {}
    rejected: list[dict] = []
    reviewed = {(d["_article"].source, d["_article"].id) for d in decisions}
    for group in side.sources.values():
        arts = [a for a in sorted(group.articles, key=lambda a: a.index) if (a.source, a.id) in reviewed]
        if not arts:
            continue
        source = group.path or group.source
        by_source[group.source] = {
            "source": source, "articles": [{"index": a.index, "title": a.title} for a in arts],
            **{k: [] for k in KINDS}}
    order = {id(a): n for n, a in enumerate(side.all_articles())}
    for d in sorted(decisions, key=lambda d: (order[id(d["_article"])],
                                              (d["item"]["evidence"].get("start") or 0))):
        art = d["_article"]
        if d["decision"] == "reject":
            rejected.append({k: v for k, v in d.items() if not k.startswith("_")})
            continue
        by_source[art.source][d["kind"]].append(gold_item(d["item"]))
    return list(by_source.values()), rejected


def rejected_path(gold: Path) -> Path:
    name = gold.name[:-6] if gold.name.endswith(".jsonl") else gold.name
    return gold.with_name(name + ".rejected.jsonl")


def check_gold(lines: list[dict], where: str) -> None:
    """The gold about to be written, checked by the gold schema (a bug, never the user's, if not)."""
    for n, line in enumerate(lines, 1):
        try:
            GoldFile.model_validate(line)
        except ValidationError as exc:
            raise DecisionsError(f"{where}: gold line {n} would be malformed ({describe(exc)}); nothing written") from None


def read_gold_lines(path: Path) -> list[dict]:
    """The gold lines an existing file holds (none when it is missing or not gold)."""
    try:
        raw = path.read_bytes() if path.is_file() else b""
    except OSError:
        return []
    lines = []
    for data in raw.splitlines():
        try:
            line = json.loads(data)
        except ValueError:
            continue
        if isinstance(line, dict) and isinstance(line.get("source"), str) and "article" not in line:
            lines.append(line)
    return lines


def gold_counts(lines: list[dict]) -> tuple[set[tuple[str, int]], dict[str, int]]:
    """(the (source, article index) pairs a gold covers, its items per kind)."""
    articles = {(g["source"], str(a.get("index"))) for g in lines for a in g.get("articles") or [] if isinstance(a, dict)}
    return articles, {k: sum(len(g.get(k) or []) for g in lines if isinstance(g.get(k), list)) for k in KINDS}


def shrinkage(old: list[dict], new: list[dict]) -> str | None:
    """What a gold `new` would lose against the existing gold `old` (articles it no longer
    covers, fewer items of a kind), or None when it loses nothing."""
    old_articles, old_items = gold_counts(old)
    new_articles, new_items = gold_counts(new)
    lost = [f"{len(old_articles - new_articles)} of its {len(old_articles)} articles"] if old_articles - new_articles else []
    lost += [f"{old_items[k] - new_items[k]} of its {old_items[k]} {k}" for k in KINDS if new_items[k] < old_items[k]]
    return ", ".join(lost) or None


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Written whole or not at all (a temporary file renamed over the old one)."""
    write_whole(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
