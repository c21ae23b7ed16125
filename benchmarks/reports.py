"""Government work reports: the year's main targets found, last year's results left out, and the
time each report takes against its physical floor.

    python -m benchmarks.reports [--record] [--stems STEM ...]

The 12 city reports of `../shared/reports/` (development data, like the corpus) run through the
pipeline: by default replayed from `cassettes/reports/`; with `--record` on the embedded server,
one report at a time with nothing else running, each report's cassette re-recorded as it runs.
Per report it prints the requests, the prompt tokens the server had to read (new: not served from
its prompt cache), the seconds the server itself reported reading them and generating (its
`timings`, kept in the cassette), and with `--record` the wall seconds and the floor: new tokens
÷ the prompt speed measured on the same server on a short fresh prompt, the time no grouping of
requests can beat on that machine. New tokens read after a long cached prefix go slower than on
a short prompt, so the ratio is also given at the speed the server reported for the report's
own requests.

Scored by `../shared/reports/score.py` (main-targets recall, deadline agreement, review false
targets). That scorer places each gold item at the first occurrence of its first 12 characters,
which for a metric named in both the review and the targets paragraph
is the review's: `located` gives recall with each gold item placed at the occurrence nearest
its offset, the figure a correct run can reach.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from benchmarks.replay import CASSETTES, ROOT, cassette_path, page_files, run_pages
from benchmarks.shared import REPORTS, REPORTS_GOLD

RUN = ROOT / "runs" / "reports.recorded.jsonl"


def prompt_speed(base_url: str) -> float:
    """Prompt tokens per second of the server, read from its own timings on a prompt it has
    never seen (nothing served from the cache), answered with one token."""
    words = " ".join(f"{uuid.uuid4().hex[:6]}" for _ in range(300))
    body = json.dumps({"messages": [{"role": "user", "content": words}], "max_tokens": 1}).encode()
    req = urllib.request.Request(f"{base_url}/chat/completions", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as resp:
        timings = json.load(resp)["timings"]
    return float(timings["prompt_per_second"])


def server_time(stem: str) -> dict:
    """What the server itself reported for a report's recorded requests (llama.cpp's `timings`
    in each response): prompt tokens read and the seconds it took, and the seconds generating."""
    import yaml

    path = CASSETTES / cassette_path(stem, "reports")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    read = prompt_ms = gen_ms = 0.0
    for inter in data["interactions"]:
        body = inter["response"]["body"]
        timings = (body.get("json") or {}).get("timings") if isinstance(body, dict) else None
        if timings:
            read += timings.get("prompt_n", 0)
            prompt_ms += timings.get("prompt_ms", 0.0)
            gen_ms += timings.get("predicted_ms", 0.0)
    return {"server_prompt_s": round(prompt_ms / 1000, 1), "server_gen_s": round(gen_ms / 1000, 1),
            "server_speed": round(read / (prompt_ms / 1000), 1) if prompt_ms else None}


def run(stems: list[str], record: bool, output: Path) -> list[dict]:
    files = [p for p in page_files("reports") if not stems or p.stem in stems]
    rows = []
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    part = output.with_suffix(".part")
    server = speed = None
    if record:
        from extract.llm.engine import EmbeddedServer

        server = EmbeddedServer().__enter__()
        speed = prompt_speed(server.base_url)
        print(f"prompt speed {speed:.1f} tokens/s", flush=True)
    try:
        for p in files:
            if record:
                (CASSETTES / cassette_path(p.stem, "reports")).unlink(missing_ok=True)
            t0 = time.monotonic()
            s = (run_pages("reports", part, base_url=server.base_url, record_mode="once", files=[p]) if record
                 else run_pages("reports", part, files=[p]))
            seconds = time.monotonic() - t0
            new = s.prompt_tokens - s.cached_tokens
            row = {"report": p.name, "requests": s.requests, "prompt_tokens": s.prompt_tokens, "new_tokens": new,
                   "errors": s.article_errors}
            if (CASSETTES / cassette_path(p.stem, "reports")).is_file():
                row |= server_time(p.stem)
            if record:
                row |= {"seconds": round(seconds, 1), "floor": round(new / speed, 1),
                        "ratio": round(seconds / (new / speed), 2) if new else None}
                if row.get("server_speed"):
                    # The same tokens at the speed the server itself read them (a long cached
                    # prefix in attention makes each new token slower than on a short prompt).
                    row["ratio_at_server_speed"] = round(seconds / (new / row["server_speed"]), 2)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            with output.open("a", encoding="utf-8") as out:
                out.write(part.read_text(encoding="utf-8"))
    finally:
        part.unlink(missing_ok=True)
        if server is not None:
            server.__exit__(None, None, None)
    return rows


def located_recall(run_file: Path) -> tuple[int, int, int]:
    """(found, gold, deadline agreeing): score.py's rule, each gold item placed at the occurrence
    of its opening characters nearest its offset in the file."""
    gold = [json.loads(line) for line in REPORTS_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs: dict[str, list[dict]] = {}
    for line in run_file.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        runs.setdefault(Path(r["article"]["source"]).name, []).append(r)
    found = total = deadline = 0
    for g in gold:
        raw = (REPORTS / g["source"]).read_text(encoding="utf-8")
        for item in g["main_targets"]:
            total += 1
            hit = None
            for r in runs.get(g["source"], []):
                text = r["article"]["text"]
                piece = raw[item["start"]: min(item["end"], item["start"] + 12)].replace("*", "").strip()
                want = item["start"] * len(text) / max(1, len(raw))
                at = [i for i in range(len(text)) if text.startswith(piece, i)] if piece else []
                if not at:
                    continue
                a = min(at, key=lambda i: abs(i - want))
                span = (a, a + item["end"] - item["start"])
                hit = next((t for t in r["targets"]
                            if abs(float(t["value"]) - float(item["value"])) < 1e-6
                            and (t["unit"] or "").replace("％", "%") == (item["unit"] or "").replace("％", "%")
                            and t["evidence"]["start"] < span[1] and span[0] < t["evidence"]["end"]), None)
                if hit:
                    break
            if hit:
                found += 1
                deadline += hit.get("deadline_year") == item["deadline_year"]
    return found, total, deadline


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--record", action="store_true", help="run on the embedded server, re-recording each report's cassette")
    ap.add_argument("--stems", nargs="*", default=[])
    ap.add_argument("-o", "--output", type=Path, default=RUN)
    args = ap.parse_args(argv)
    if not REPORTS.is_dir():
        raise SystemExit(f"{REPORTS} not found: the reports are read in ../shared beside the checkout")
    rows = run(args.stems, args.record, args.output)
    total = {k: sum(r[k] for r in rows) for k in ("requests", "prompt_tokens", "new_tokens")}
    print(f"\n{len(rows)} reports: {total['requests']} requests, {total['prompt_tokens']} prompt tokens, "
          f"{total['new_tokens']} new")
    if args.record:
        print(f"seconds {sum(r['seconds'] for r in rows):.0f} against a floor of {sum(r['floor'] for r in rows):.0f}")
    subprocess.run([sys.executable, str(REPORTS_GOLD.parent / "score.py"), str(REPORTS_GOLD), str(args.output),
                    "--per-report"], check=True)
    found, total_gold, deadline = located_recall(args.output)
    print(f"located: main-targets recall {found / total_gold:.3f} ({found}/{total_gold}), "
          f"deadline {deadline / max(1, found):.3f}")


if __name__ == "__main__":
    main()
