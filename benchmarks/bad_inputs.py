"""Each mistake a new user makes, and each hostile input, tried as they would: the exit code, the
line printed, and whether the user's files are byte-identical afterwards (sha256 before and after).

Runs the real `extract` command in a subprocess (so a traceback would show) against the fake
server (benchmarks/fake_llm.py) scripted to answer 401, 404, 503 …, and against made-up files.
Every request that is not for the fake server on loopback goes to a proxy on a closed port, so a
case that would contact a third party (api.openai.com …) fails visibly instead. Prints a Markdown
table (the ones in benchmarks/RESULTS.md, "Mistakes" and "Nothing a user made is lost"):

    python -m benchmarks.bad_inputs [--before CHECKOUT]

`--before`: the same cases run a second time with the `extract` of another checkout (e.g. a
`git worktree` of an earlier commit); its exit code, line and the user's files go in three more
columns. A file a case changed is put back before the next case, so each meets them as made.
"""
from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.fake_llm import FakeLLM, synthetic_page

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-made-up-0123456789abcdef"
COMMAND = "python -m benchmarks.bad_inputs"


def _env(code: Path = ROOT) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(code), "COLUMNS": "200"}
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACT_MODEL"):
        env.pop(name, None)
    # No third party: anything but loopback goes to a proxy that is not there.
    dead = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, ALL_PROXY=dead, NO_PROXY="127.0.0.1,localhost",
               http_proxy=dead, https_proxy=dead, all_proxy=dead, no_proxy="127.0.0.1,localhost")
    return env


def _extract(args: list[str], cwd: Path, code: Path = ROOT) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=cwd, capture_output=True, text=True,
                       env=_env(code), timeout=180)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith(("error:", "warning:", "stopped:", "Traceback")) or "Error" in x[:30]]
    shown = errors[0] if errors else (lines[-1] if lines else (p.stdout.strip().splitlines()[-1:] or [""])[0])
    if "Traceback" in p.stderr:
        shown = "TRACEBACK: " + lines[-1]
    return p.returncode, shown.replace(str(cwd) + "/", "")


def _hashes(folder: Path, names: list[str]) -> dict[str, str | None]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() if (folder / n).is_file() else None
            for n in names}


def _record(text: str, source: str) -> dict:
    """A schema-valid record of a made-up page with one target."""
    quote = "测试企业达到500家"
    start = text.index(quote)
    return {"article": {"id": Path(source).stem + "#1", "source": source,
                        "source_sha256": hashlib.sha256(text.encode()).hexdigest(), "index": 1, "title": "测试页面",
                        "text": text},
            "targets": [{"metric": "测试企业", "value": 500, "unit": "家", "deadline_year": 2025,
                         "evidence": {"quote": quote, "start": start, "end": start + len(quote)}},
                        {"metric": "测试园区", "value": 10, "unit": "个", "deadline_year": 2025,
                         "evidence": {"quote": "测试园区10个", "start": text.index("测试园区10个"),
                                      "end": text.index("测试园区10个") + 7}}],
            "policies": [], "meetings": [{"name": "测试推进会", "attendees": [{"name": "张三", "title": "区长"}],
                                          "evidence": {"quote": "区政府召开测试推进会", "start": 0, "end": 10}}],
            "run": {"engine": "made-up", "model": "fake", "prompt_version": "0"}, "errors": []}


def _decision(rec: dict, item: dict, **changes) -> dict:
    text = rec["article"]["text"]
    line = {"article": rec["article"]["id"], "source": rec["article"]["source"],
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "kind": "targets", "key": None,
            "evidence": dict(item["evidence"]), "decision": "accept", "item": json.loads(json.dumps(item))}
    line.update(changes)
    return line


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def trial(code: Path = ROOT) -> tuple[list[tuple[str, str, int, str, str]], bool, str]:
    """Every case with the `extract` of checkout `code`: rows of (item, what, exit, line, the
    user's files), whether notes.txt survived, and the fake server's URL (shown as PORT)."""
    rows: list[tuple[str, str, int, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, FakeLLM().start() as fake:
        d = Path(tmp)
        # -- the user's files -------------------------------------------------------------------
        (d / "page.txt").write_text(synthetic_page(1, 4), encoding="utf-8")
        (d / "notes.txt").write_text("my notes\nthe last line", encoding="utf-8")
        (d / "bad.jsonl").write_text('{"source": "a.txt"}\n{oops\n', encoding="utf-8")
        (d / "gold.jsonl").write_text('{"source": "zzz.txt", "policies": []}\n', encoding="utf-8")
        (d / "empty").mkdir()
        (d / "pages").mkdir()
        (d / "pages" / "004_x.txt").write_text(synthetic_page(11, 2), encoding="utf-8")
        text = "区政府召开测试推进会，区长张三出席。到2025年，测试企业达到500家，测试园区10个。"
        rec = _record(text, "900_made_up.txt")
        _jsonl(d / "made_up_run.jsonl", [rec])
        _jsonl(d / "other_run.jsonl", [rec])
        _jsonl(d / "decisions.jsonl", [_decision(rec, t) for t in rec["targets"]])
        _jsonl(d / "fewer_decisions.jsonl", [_decision(rec, rec["targets"][0])])
        (d / "empty_decisions.jsonl").write_text("", encoding="utf-8")
        _jsonl(d / "key_list_decisions.jsonl", [_decision(rec, rec["targets"][0], key=["T-1"])])
        quote_number = _decision(rec, rec["targets"][0])
        quote_number["item"]["evidence"]["quote"] = 123
        _jsonl(d / "quote_number_decisions.jsonl", [quote_number])
        build = [sys.executable, "-m", "extract.cli", "gold", "build", "made_up_run.jsonl", "decisions.jsonl",
                 "-o", "curated_gold.jsonl"]
        subprocess.run(build, cwd=d, env=_env(), check=True, capture_output=True)
        _jsonl(d / "attendees_str.jsonl", [{**rec, "meetings": [{**rec["meetings"][0], "attendees": "张三"}]}])
        _jsonl(d / "targets_str.jsonl", [{**rec, "targets": "abc"}])
        _jsonl(d / "batch_output.jsonl", [{"custom_id": "r1", "response": "x"}])
        body = "".join(f"<p>{x}</p>" for x in synthetic_page(21, 2).splitlines() if x)  # two articles
        (d / "deep.html").write_text("<html><body>" + "<div>" * 300 + body + "</div>" * 300 + "</body></html>",
                                     encoding="utf-8")
        (d / "fonts.html").write_text("<html><body>" + "".join(
            f"<font color=red>第{i}条 本报讯 到2025年，全区规模以上工业企业力争达到{i}家。<br>" for i in range(400))
            + "</body></html>", encoding="utf-8")
        users = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
        pristine = {n: (d / n).read_bytes() for n in users}

        url = fake.base_url
        base = ["run", "page.txt", "--no-cache", "--timeout", "5"]
        run = [*base, "--base-url", url, "--model", "fake", "-o", "out.jsonl"]

        def case(item: str, what: str, args: list[str], note=None) -> None:
            before = _hashes(d, users)
            exit_code, line = _extract(args, d, code)
            after = _hashes(d, users)
            changed = [n for n in users if before[n] != after[n]]
            for n in changed:  # each case meets the user's files as they were made
                (d / n).write_bytes(pristine[n])
            if note is not None:
                line = f"{line} ({note()})" if line else f"({note()})"
            rows.append((item, what, exit_code, line, "changed: " + ", ".join(changed) if changed else "unchanged"))

        def server(fault, what, extra=()):
            fake.always(fault)
            case("25", what, [*run, "--api-key", KEY, *extra])
            fake.always(None)

        # -- issue 25: the endpoint refuses the configuration -------------------------------------
        server("401", "bad API key (401; its body echoes the key)")
        server("403", "key without access (403)")
        server("404", "unknown model at the chat route (404)")
        server("400:model", "400 naming the model")
        server("400:param", "400 for an unsupported parameter")
        fake.models = ["qwen2.5:7b", "llama3:8b"]
        case("25", "`--model gpt-4o` not among the served models",
             [*base, "--base-url", url, "--model", "gpt-4o", "-o", "out.jsonl"])
        case("25", "`--base-url` and no `--model`, two models served", [*base, "--base-url", url, "-o", "out.jsonl"])
        fake.models = ["fake"]
        case("25", "after the fix: the same command", run)
        for what, args in [
            ("`--base-url 'http://[::1/v1'`", [*base, "--base-url", "http://[::1/v1"]),
            ("`--base-url localhost:8080/v1` (no scheme)", [*base, "--base-url", "localhost:8080/v1"]),
            ("`--base-url ftp://example.invalid/v1`", [*base, "--base-url", "ftp://example.invalid/v1"]),
            ("`--timeout 0`", [*base, "--base-url", url, "--timeout", "0"]),
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
            case("25", what, args)
        if importlib.util.find_spec("ray") is None:
            case("25", "`--engine ray` without Ray", [*base, "--base-url", url, "--engine", "ray"])

        # -- issue 38 -----------------------------------------------------------------------------
        gb = ["gold", "build", "made_up_run.jsonl"]
        case("1", "`gold build RUN fewer_decisions.jsonl -o curated_gold.jsonl` (would drop a target)",
             [*gb, "fewer_decisions.jsonl", "-o", "curated_gold.jsonl"])
        case("1", "`gold build RUN empty_decisions.jsonl -o curated_gold.jsonl` (an empty export)",
             [*gb, "empty_decisions.jsonl", "-o", "curated_gold.jsonl"])
        case("1", "`gold build RUN decisions.jsonl -o notes.txt`", [*gb, "decisions.jsonl", "-o", "notes.txt"])
        case("1", "`gold build RUN decisions.jsonl -o other_run.jsonl`",
             [*gb, "decisions.jsonl", "-o", "other_run.jsonl"])
        case("1", "`gold build RUN decisions.jsonl -o curated_gold.jsonl` again (nothing lost)",
             [*gb, "decisions.jsonl", "-o", "curated_gold.jsonl"])
        case("2", "`read pages/ -o pages/004_x.txt` (a page of the input folder)",
             ["read", "pages", "-o", "pages/004_x.txt"])
        case("2", "`read pages/ -o pages/articles.txt` (a new file in the input folder)",
             ["read", "pages", "-o", "pages/articles.txt"],
             note=lambda: f"pages/articles.txt exists: {(d / 'pages' / 'articles.txt').exists()}")
        case("2", "`read page.txt -o notes.txt`", ["read", "page.txt", "-o", "notes.txt"])
        for target in ("notes.txt", "curated_gold.jsonl", "page.txt"):
            case("3", f"`review out.jsonl -o {target}`", ["review", "out.jsonl", "-o", target])
        case("guard", "`load out.jsonl --db notes.txt`", ["load", "out.jsonl", "--db", "notes.txt"])
        case("guard", "`load out.jsonl --db out.jsonl` (the input)", ["load", "out.jsonl", "--db", "out.jsonl"])
        case("guard", "`batch submit page.txt -o notes.txt`",
             ["batch", "submit", "page.txt", "-o", "notes.txt", "--base-url", url, "--model", "fake"])

        def items_read(name: str, n: int):
            def note() -> str:
                data = (d / name).read_text("utf-8") if (d / name).exists() else ""
                found = sum(json.loads(x)["text"].count("本报讯") for x in data.splitlines())
                return f"{found} of {n} items' text read"
            return note

        case("4", "`read deep.html` (two articles under 300 nested `<div>`)", ["read", "deep.html", "-o", "deep.jsonl"],
             note=items_read("deep.jsonl", 2))
        case("4", "`read fonts.html` (400 unclosed `<font>…<br>` items)", ["read", "fonts.html", "-o", "fonts.jsonl"],
             note=items_read("fonts.jsonl", 400))
        for what, key in [("a no-break space (U+00A0)", KEY[:8] + "\u00a0" + KEY[8:]),
                          ("a zero-width space (U+200B)", KEY + "\u200b"),
                          ("a trailing CR/LF", KEY + "\r\n")]:
            fake.reset_counts()
            case("5", f"API key with {what}", [*run[:-2], "-o", "key.jsonl", "--api-key", key],
                 note=lambda: f"requests sent: {fake.requests['total']}; key.jsonl exists: "
                              f"{(d / 'key.jsonl').exists()}")
        case("5", "`--timeout inf`", [*base, "--base-url", url, "--timeout", "inf"])
        case("5", "`--timeout 1e300`", [*base, "--base-url", url, "--timeout", "1e300"])
        case("6", '`--base-url "" --api-key KEY` (an unset variable)', [*base, "--base-url", "", "--api-key", KEY])
        for cmd in (["eval", "attendees_str.jsonl", "made_up_run.jsonl"], ["eval", "made_up_run.jsonl", "targets_str.jsonl"],
                    ["diff", "made_up_run.jsonl", "attendees_str.jsonl"], ["review", "targets_str.jsonl", "-o", "r.html"]):
            what = "`attendees: \"张三\"`" if "attendees" in " ".join(cmd) else "`targets: \"abc\"`"
            case("7", f"`{' '.join(cmd[:1])}` on a line with {what}", cmd)
        case("7", 'a decision with `"key": [...]`', [*gb, "key_list_decisions.jsonl", "-o", "g1.jsonl"])
        case("7", "a decision whose quote is a number", [*gb, "quote_number_decisions.jsonl", "-o", "g2.jsonl"])
        case("7", '`batch collect --from-file` a line with `"response": "x"`',
             ["batch", "collect", "page.txt", "-o", "batch.jsonl", "--from-file", "batch_output.jsonl",
              "--base-url", url, "--model", "fake"])
        case("7", "`load --db 'postgresql://u:p@h:abc/db'`", ["load", "out.jsonl", "--db", "postgresql://u:p@h:abc/db"])

        def records(name: str):
            def note() -> str:
                recs = [json.loads(x) for x in (d / name).read_text("utf-8").splitlines()] if (d / name).exists() else []
                return f"{name}: {len(recs)} records, {len({r['article']['id'] for r in recs})} articles"
            return note

        fake.models_fault, fake.models = "503", ["fake"]
        fake.always("503")
        outage = [*base, "--base-url", url, "-o", "outage.jsonl"]
        case("8", "no `--model`, the endpoint down at the start", outage, note=records("outage.jsonl"))
        fake.models_fault = None
        fake.always(None)
        case("8", "the same command once the endpoint is back", outage, note=records("outage.jsonl"))
        case("9", "`run pages/ -o pages/run.txt` (output in the input folder), first time",
             ["run", "pages", "--base-url", url, "--model", "fake", "--no-cache", "-o", "pages/run.txt"])
        lines = (d / "out.jsonl").read_text("utf-8").splitlines(keepends=True)
        (d / "out.jsonl").write_text(lines[0] + "a stray line\n" + "".join(lines[1:]), encoding="utf-8")
        case("9", "a stray line 2 in out.jsonl; `run … --force` compacts it", [*run, "--force"])
        case("9", "then the same command again", run,
             note=lambda: f"first line a record: {(d / 'out.jsonl').read_text('utf-8').startswith('{')}")
        case("9", "`eval curated_gold.jsonl made_up_run.jsonl` (swapped)", ["eval", "curated_gold.jsonl",
                                                                             "made_up_run.jsonl"])
        fake.always("401")
        case("9", "a failed start (401) on a new output", [*run[:-2], "-o", "fresh.jsonl", "--api-key", KEY],
             note=lambda: f"fresh.jsonl exists: {(d / 'fresh.jsonl').exists()}")
        fake.always(None)
        case("9", "`--base-url http:/127.0.0.1:8080/v1`", [*base, "--base-url", "http:/127.0.0.1:8080/v1"])
        notes_kept = (d / "notes.txt").read_text(encoding="utf-8") == "my notes\nthe last line"
    return rows, notes_kept, url


def _commit(code: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=code, capture_output=True,
                          text=True).stdout.strip() or "?"


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="another checkout whose extract runs the same cases")
    args = ap.parse_args(argv)
    rows, notes_kept, url = trial(ROOT)
    before = trial(args.before.resolve()) if args.before else None
    old = _commit(args.before) if args.before else None
    print(f"`{COMMAND}" + (" --before <a worktree of the earlier commit>" if old else "") + "`, "
          f"{datetime.date.today().isoformat()}, commit {_commit(ROOT)}" + (f", before: {old}" if old else "") + "\n")
    extra = f" {old}: exit | {old}: the line | {old}: the user's files |" if old else ""
    print("| issue item | bad input | exit | the line printed | the user's files |" + extra)
    print("|---|---|---|---|---|" + ("---|---|---|" if old else ""))
    for n, (item, what, code, line, files) in enumerate(rows):
        shown = line.replace("|", "/").replace(url, "http://127.0.0.1:PORT/v1")
        then = ""
        if before is not None:
            b = before[0][n]
            assert b[:2] == (item, what), (b[:2], item, what)
            then = f" {b[2]} | {b[3].replace('|', '/').replace(before[2], 'http://127.0.0.1:PORT/v1')[:160]} | {b[4]} |"
        print(f"| {item} | {what} | {code} | {shown} | {files} |{then}")
    tracebacks = sum("TRACEBACK" in line for *_, line, _ in rows)
    print(f"\n{len(rows)} cases; tracebacks: {tracebacks}; notes.txt unchanged: {notes_kept}; "
          f"the key appears in no line: {all(KEY not in line for *_, line, _ in rows)}")
    if before is not None:
        print(f"With {old}: tracebacks {sum('TRACEBACK' in r[3] for r in before[0])}, cases that changed a "
              f"user's file {sum(r[4] != 'unchanged' for r in before[0])}.")


if __name__ == "__main__":
    main()
