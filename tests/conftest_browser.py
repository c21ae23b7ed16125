"""Shared helpers for the eval/diff/review tests (imported by them; not a pytest conftest).

- the gold file and a run file: tests/data/runs/seeds.jsonl when a real seeds run has been
  committed, else a run built from gold (one article per source file, offsets by str.find);
- a system Chromium for the browser test.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from extract.review.match import normalize_unit
from schemas import Record
from tests.shared import SEED_GOLD, require

ROOT = Path(__file__).resolve().parents[1]
GOLD = Path(os.environ.get("GOLD_PATH", SEED_GOLD))  # in ../shared (tests/shared.py)
SEEDS = ROOT / "seeds"
REAL_RUN = ROOT / "tests" / "data" / "runs" / "seeds.jsonl"
KINDS = ("policies", "targets", "meetings")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def gold_path() -> Path:
    require(GOLD)
    return GOLD


def record_for(source: str, text: str, items: dict[str, list[dict]], *, index: int = 1,
               title: str | None = None, errors: list[dict] | None = None) -> dict:
    """A schema-valid run record whose items get offsets by finding their quotes in `text`."""
    stem = Path(source).stem
    rec = {
        "schema_version": "1",
        "article": {
            "id": f"{stem}#{index}", "source": f"seeds/{source}",
            "source_sha256": hashlib.sha256(text.encode()).hexdigest(), "index": index,
            "title": title, "outlet": None, "published": None, "script": "hans", "text": text,
        },
        "run": {"engine": "test", "model": "gold", "prompt_version": "0"},
        "errors": errors or [],
    }
    for kind in KINDS:
        out = []
        for item in items.get(kind, []):
            item = {k: v for k, v in copy.deepcopy(item).items() if k != "optional"}
            quote = item["evidence"]["quote"]
            start = text.find(quote)
            assert start >= 0, f"gold quote not in {source}: {quote!r}"
            item["evidence"] = {"quote": quote, "start": start, "end": start + len(quote)}
            out.append(item)
        rec[kind] = out
    return Record.model_validate(rec).model_dump(mode="json")


def run_from_gold(gold: Path, seeds: Path = SEEDS, *, split: bool = False) -> list[dict]:
    """Run records built from gold: every gold item (optional ones too, unflagged) with
    offsets found by str.find of its verbatim quote.

    One article per source file holding the whole page; with `split`, the page is cut at
    blank lines into as many articles as gold lists (near equal lengths, gold titles), so
    the fixture has the 21 articles a real seeds run has. Gold quotes never span a blank line.
    """
    rows = []
    for line in read_jsonl(gold):
        text = (seeds / line["source"]).read_text(encoding="utf-8")
        titles = [a.get("title") for a in line.get("articles") or []] or [None]
        pieces = _cut(text, len(titles)) if split else [text]
        # Each item goes to the first piece that holds its quote.
        home = {(k, n): next((i for i, p in enumerate(pieces) if x["evidence"]["quote"] in p), None)
                for k in KINDS for n, x in enumerate(line.get(k, []))}
        assert None not in home.values(), f"a quote spans a cut in {line['source']}"
        for index, (piece, title) in enumerate(zip(pieces, titles), 1):
            items = {k: [x for n, x in enumerate(line.get(k, [])) if home[k, n] == index - 1] for k in KINDS}
            rows.append(record_for(line["source"], piece, items, index=index, title=title))
    return rows


def _cut(text: str, n: int) -> list[str]:
    """Cut at the paragraph breaks nearest to n equal parts (line breaks where a page has none)."""
    for sep in ("\n\n", "\n"):
        breaks = [i + len(sep) for i in range(len(text)) if text.startswith(sep, i)]
        cuts = sorted({min(breaks, key=lambda b: abs(b - len(text) * k // n)) for k in range(1, n)}) \
            if breaks else []
        if len(cuts) == n - 1:
            break
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def run_path(tmp_path: Path, *, split: bool = False) -> Path:
    """The real seeds run when present, else the gold-derived one written under tmp_path."""
    if REAL_RUN.exists():
        return REAL_RUN
    return write_jsonl(tmp_path / "run_from_gold.jsonl", run_from_gold(gold_path(), split=split))


def edit(rows: list[dict]) -> tuple[list[dict], dict]:
    """A copy with three known edits: a policy removed, a target's value changed, an attendee
    added to a meeting. Returns the rows and what the diff must report."""
    rows = copy.deepcopy(rows)
    rec_p = next(r for r in rows if r["policies"])
    removed = rec_p["policies"].pop(0)

    def unique_value(rec, t):  # no other target of the article shares the value and unit
        return sum(1 for u in rec["targets"] if u["value"] == t["value"]
                   and normalize_unit(u["unit"]) == normalize_unit(t["unit"])) == 1

    rec_t, target = next((r, t) for r in rows for t in r["targets"] if unique_value(r, t))
    old_value = target["value"]
    target["value"] = old_value + 1000
    rec_m = next(r for r in rows if r["meetings"])
    meeting = rec_m["meetings"][0]
    meeting["attendees"] = meeting["attendees"] + [{"name": "测试新增人", "title": "区长"}]
    return rows, {"removed": removed, "target": (rec_t["article"]["id"], old_value),
                  "meeting": rec_m["article"]["id"]}


def find_chromium() -> str:
    """A Chromium binary, or skip (fail under CI=true, where it must be installed)."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (path := shutil.which(candidate) or (os.path.isfile(candidate) and candidate)):
            return path
    message = "no Chromium: install the 'chromium' Debian package"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def cli_app():
    """A Typer app with the eval/diff/review commands, registered as extract.cli does, but
    without importing the other commands (their heavy or unfinished modules are not tested here)."""
    import typer

    from extract.commands.diff import diff_cmd
    from extract.commands.eval import eval_cmd
    from extract.commands.review import review_cmd

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.callback()(lambda: None)
    for name, func in (("eval", eval_cmd), ("diff", diff_cmd), ("review", review_cmd)):
        app.command(name)(func)
    return app
