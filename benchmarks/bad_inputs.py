"""Each mistake a new user makes, tried as they would: the exit code and the line printed.

Runs the real `extract` command in a subprocess (so a traceback would show) against the fake
server (benchmarks/fake_llm.py) scripted to answer 401, 404 …, and against made-up files.
Prints a Markdown table (the one in benchmarks/RESULTS.md, "Mistakes"):

    python -m benchmarks.bad_inputs
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.fake_llm import FakeLLM, synthetic_page

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-made-up-0123456789abcdef"


def _extract(args: list[str], cwd: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACT_MODEL"):
        env.pop(name, None)
    p = subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=cwd, capture_output=True, text=True,
                       env=env, timeout=120)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith(("error:", "Traceback")) or "Error" in x[:30]]
    shown = errors[0] if errors else (lines[-1] if lines else p.stdout.strip().splitlines()[-1:] or [""])
    if "Traceback" in p.stderr:
        shown = "TRACEBACK: " + lines[-1]
    return p.returncode, (shown if isinstance(shown, str) else shown[0]).replace(str(cwd) + "/", "")


def main() -> None:
    rows: list[tuple[str, int, str]] = []
    with tempfile.TemporaryDirectory() as tmp, FakeLLM().start() as fake:
        d = Path(tmp)
        (d / "page.txt").write_text(synthetic_page(1, 4), encoding="utf-8")
        (d / "notes.txt").write_text("my notes\nthe last line", encoding="utf-8")
        (d / "bad.jsonl").write_text('{"source": "a.txt"}\n{oops\n', encoding="utf-8")
        (d / "gold.jsonl").write_text('{"source": "zzz.txt", "policies": []}\n', encoding="utf-8")
        (d / "empty").mkdir()
        url = fake.base_url
        base = ["run", "page.txt", "--no-cache", "--timeout", "5"]
        run = [*base, "--base-url", url, "--model", "fake", "-o", "out.jsonl"]

        def server(fault, what, extra=()):
            fake.always(fault)
            rows.append((what, *_extract([*run, "--api-key", KEY, *extra], d)))
            fake.always(None)

        server("401", "bad API key (401; its body echoes the key)")
        server("403", "key without access (403)")
        server("404", "unknown model at the chat route (404)")
        server("400:model", "400 naming the model")
        server("400:param", "400 for an unsupported parameter")
        fake.models = ["qwen2.5:7b", "llama3:8b"]
        rows.append(("`--model gpt-4o` not among the served models",
                     *_extract([*base, "--base-url", url, "--model", "gpt-4o", "-o", "out.jsonl"], d)))
        rows.append(("`--base-url` and no `--model`, two models served",
                     *_extract([*base, "--base-url", url, "-o", "out.jsonl"], d)))
        fake.models = ["fake"]
        rows.append(("after the fix: the same command", *_extract(run, d)))
        for what, args in [
            ("`--base-url 'http://[::1/v1'`", [*base, "--base-url", "http://[::1/v1"]),
            ("`--base-url localhost:8080/v1` (no scheme)", [*base, "--base-url", "localhost:8080/v1"]),
            ("`--base-url ftp://example.invalid/v1`", [*base, "--base-url", "ftp://example.invalid/v1"]),
            ("`--timeout 0`", [*base, "--base-url", url, "--timeout", "0"]),
            ("`--engine ray` without Ray", [*base, "--base-url", url, "--engine", "ray"]),
            ("`-o notes.txt` (a file that is not a run file)", [*base, "--base-url", url, "-o", "notes.txt"]),
            ("`-o page.txt` (the input)", [*base, "--base-url", url, "-o", "page.txt"]),
            ("`-o .` (a directory)", [*base, "--base-url", url, "-o", "."]),
            ("a folder with nothing to read", ["run", "empty", "--base-url", url]),
            ("`read page.txt -o .`", ["read", "page.txt", "-o", "."]),
            ("`review out.jsonl -o .`", ["review", "out.jsonl", "-o", "."]),
            ("`eval bad.jsonl gold.jsonl` (line 2 is not JSON)", ["eval", "bad.jsonl", "gold.jsonl"]),
            ("`diff out.jsonl bad.jsonl`", ["diff", "out.jsonl", "bad.jsonl"]),
            ("`review bad.jsonl`", ["review", "bad.jsonl", "-o", "r.html"]),
            ("`load bad.jsonl`", ["load", "bad.jsonl", "--db", "x.db"]),
            ("`eval out.jsonl gold.jsonl` (no source in common)", ["eval", "out.jsonl", "gold.jsonl"]),
            ("`load out.jsonl --db mysql://u:pw@h/db`", ["load", "out.jsonl", "--db", "mysql://u:pw@h/db"]),
        ]:
            rows.append((what, *_extract(args, d)))
        notes_kept = (d / "notes.txt").read_text(encoding="utf-8") == "my notes\nthe last line"
    print("| bad input | exit | the line printed |")
    print("|---|---|---|")
    for what, code, line in rows:
        print(f"| {what} | {code} | {line.replace('|', '/').replace(url, 'http://127.0.0.1:PORT/v1')} |")
    print(f"\nnotes.txt unchanged after the refused `-o notes.txt`: {notes_kept}; "
          f"the key appears in no line: {all(KEY not in line for _, _, line in rows)}")


if __name__ == "__main__":
    main()
