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

from schemas import Record

ROOT = Path(__file__).resolve().parents[1]
GOLD = Path(os.environ.get("GOLD_PATH", ROOT.parent / "shared" / "gold" / "seeds.jsonl"))
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
    if not GOLD.exists():
        pytest.skip(f"no gold file at {GOLD}")
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


def run_from_gold(gold: Path, seeds: Path = SEEDS) -> list[dict]:
    """One record per gold source file: the whole page as one article, every gold item
    (optional ones too, unflagged) with offsets found by str.find of its verbatim quote."""
    rows = []
    for line in read_jsonl(gold):
        text = (seeds / line["source"]).read_text(encoding="utf-8")
        title = line["articles"][0]["title"] if line.get("articles") else None
        rows.append(record_for(line["source"], text, line, title=title))
    return rows


def run_path(tmp_path: Path) -> Path:
    """The real seeds run when present, else the gold-derived one written under tmp_path."""
    if REAL_RUN.exists():
        return REAL_RUN
    return write_jsonl(tmp_path / "run_from_gold.jsonl", run_from_gold(gold_path()))


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
