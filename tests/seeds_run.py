"""The seed replay (benchmarks/replay.py: one cassette per page, shared by the replay test, the
recorder and the ablations, so all send exactly the same requests)."""
from __future__ import annotations

from benchmarks.replay import REPLAY_URL, ROOT, SEEDS, run_seeds, seed_files  # noqa: F401

if __name__ == "__main__":  # python -m tests.seeds_run: refresh tests/data/runs/seeds.jsonl
    target = ROOT / "tests" / "data" / "runs" / "seeds.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    s = run_seeds(target)
    print(f"{s.done} articles replayed into {target}")
