"""The hand-made seed records (benchmarks/load_records.py; the load benchmark derives from them)."""
from benchmarks.load_records import *  # noqa: F401,F403
