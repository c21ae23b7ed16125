"""Where the time goes on the embedded engine: the pipeline's seconds per article against the
llama.cpp server's own compute time (its `timings`), tokens per article, and the share of the
prompt served from the server's prefix cache.

It reads a run recorded from the real server (the records' run.duration_s and usage) and the
cassettes of that run (each response's `timings`), so both sides come from the same requests:

    python -m tests.record_cassettes            # writes tests/data/runs/seeds.recorded.jsonl
    python benchmarks/embedded.py tests/data/runs/seeds.recorded.jsonl cassettes/seeds
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml


def server_timings(cassette_dir: Path) -> list[dict]:
    out = []
    for path in sorted(cassette_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for inter in data["interactions"]:
            body = inter["response"].get("body") or {}
            payload = body.get("json") if isinstance(body, dict) else None
            if isinstance(payload, dict) and payload.get("timings"):
                out.append(payload["timings"])
    return out


def main(run: Path, cassettes: Path) -> None:
    records = [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines() if line.strip()]
    timings = server_timings(cassettes)
    n = len(records)
    wall = sum(r["run"]["duration_s"] for r in records)
    requests = sum(r["run"]["requests"] for r in records)
    prompt = sum(r["run"]["usage"]["prompt_tokens"] for r in records)
    completion = sum(r["run"]["usage"]["completion_tokens"] for r in records)
    cached = sum(r["run"]["usage"]["cached_tokens"] for r in records)
    server_s = sum((t.get("prompt_ms", 0) + t.get("predicted_ms", 0)) for t in timings) / 1000
    pp = [t["prompt_per_second"] for t in timings if t.get("prompt_per_second")]
    tg = [t["predicted_per_second"] for t in timings if t.get("predicted_per_second")]
    print(f"articles: {n}, requests: {requests} ({requests / n:.2f} per article)")
    print(f"tokens per article: {prompt / n:.0f} prompt ({cached / n:.0f} from the prefix cache, "
          f"{cached / prompt:.0%}), {completion / n:.0f} completion")
    print(f"server throughput: prompt {sum(pp) / len(pp):.1f} tok/s, generation {sum(tg) / len(tg):.1f} tok/s "
          f"(mean over {len(timings)} responses)")
    print(f"seconds per article: {wall / n:.1f} in the pipeline, {server_s / n:.1f} computing in the server")
    print(f"pipeline overhead: {wall / server_s:.3f}x the server's own time "
          f"({(wall - server_s) / n:.2f} s per article outside the model)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
