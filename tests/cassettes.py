"""The cassettes' vcrpy set-up lives in benchmarks/replay.py (the ablations replay them too)."""
from benchmarks.replay import CASSETTES, ROOT, body_matcher, cassette_path, make_vcr  # noqa: F401
