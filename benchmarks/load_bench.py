"""How fast `extract load` fills SQLite: 10,000 synthetic records into a temporary file.

    .venv/bin/python benchmarks/load_bench.py [--records N] [--batch N] [--keep PATH]

The records derive from the hand-made seed records the tests use (benchmarks/load_records.py):
the same texts and items with new article ids, sha256 and varied values/names. Not a test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from benchmarks import load_records  # noqa: E402
from extract.store import load_files, make_engine  # noqa: E402
from extract.store import tables as T  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000, help="records per bulk write")
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temp dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        records = load_records.synthetic_records(args.records)
        run = load_records.write_jsonl(Path(tmp) / "run.jsonl", records)
        db = args.keep or Path(tmp) / "bench.db"
        db.unlink(missing_ok=True)

        start = time.perf_counter()
        report = load_files(str(db), [run], batch=args.batch)
        elapsed = time.perf_counter() - start
        assert report.ok and report.inserted == args.records, report

        engine = make_engine(str(db))
        with engine.connect() as conn:
            rows = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in T.metadata.sorted_tables}
        engine.dispose()
        total = sum(rows.values())
        size_mb = db.stat().st_size / 1e6
        print(f"loaded {args.records} records ({run.stat().st_size / 1e6:.1f} MB JSONL) into SQLite "
              f"({size_mb:.1f} MB) in {elapsed:.2f} s")
        print(f"{args.records / elapsed:,.0f} records/s, {total / elapsed:,.0f} rows/s ({total:,} rows)")
        for name, count in rows.items():
            print(f"  {name:20} {count:>9,}")

        start = time.perf_counter()
        report = load_files(str(db), [run], batch=args.batch)
        print(f"reload (all unchanged: {report.unchanged}) in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
