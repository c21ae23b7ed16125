"""Where the pages and gold that are not the project's own are read: ../shared beside the
checkout, or the folder EXTRACT_SHARED names. The corpus pages (real pages from other public
repositories) and their gold live only there, never in this repository; CI clones the project
with a copy of shared/ beside it. Paths only: importing this costs nothing."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ["EXTRACT_SHARED"]).expanduser().resolve() if os.environ.get("EXTRACT_SHARED") \
    else ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "articles"  # the 37 corpus pages
CORPUS_GOLD = SHARED / "gold" / "corpus.jsonl"  # their hand-checked answers
SEED_GOLD = SHARED / "gold" / "seeds.jsonl"  # the source of tests/data/gold/seeds.jsonl
REPORTS = SHARED / "reports" / "files"  # 12 city government work reports
REPORTS_GOLD = SHARED / "reports" / "gold.jsonl"  # their main targets and review sections (score.py)
SPEC = SHARED / "spec" / "extraction-spec.md"  # the source of docs/extraction-spec.md
