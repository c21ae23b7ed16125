"""Run and gold files (issue 25): a malformed line is one line naming the file and the line
number, exit 2, nothing written, for `eval`, `diff`, `review` and `load`; files are keyed by
their path, not their base name; `eval` refuses a gold sharing no source with the run.
Made-up pages and records only."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import extract
from extract.cli import app
from extract.review.match import RunFileError, align_sources, load_side
from tests.fake_llm import RICH_ARTICLE, extract_files


@pytest.fixture
def crawl(fake_llm, tmp_path) -> Path:
    """Three pages that share a file name (d1/index.txt …), as crawls often have, run once."""
    paths = []
    for n in (1, 2, 3):
        p = tmp_path / "crawl" / f"d{n}" / "index.txt"
        p.parent.mkdir(parents=True)
        p.write_text(RICH_ARTICLE.format(n=100 + n), encoding="utf-8")
        paths.append(p)
    out = tmp_path / "run.jsonl"
    summary, records = extract_files(fake_llm.base_url, paths, out)
    assert summary.done == 3 and all(not r["errors"] for r in records)
    return out


def _counts(records: list[dict]) -> dict[str, int]:
    return {k: sum(len(r[k]) for r in records) for k in ("policies", "targets", "meetings")}


def test_a_self_diff_of_same_named_files_counts_each_once(crawl):
    records = [json.loads(x) for x in crawl.read_text(encoding="utf-8").splitlines()]
    report = extract.diff_files(crawl, crawl)
    assert report.identical
    assert {k: report.summary[k].unchanged for k in ("policies", "targets", "meetings")} == _counts(records)
    assert sorted(s.key.split("#")[0] for s in report.scopes if s.key.endswith("#1")) == \
        ["d1/index", "d2/index", "d3/index"] or len(report.scopes) >= 3


def test_same_named_files_are_kept_apart(crawl):
    side = load_side(crawl)
    assert sorted(side.sources) == ["d1/index.txt", "d2/index.txt", "d3/index.txt"]


def test_self_eval_of_same_named_files(crawl):
    report = extract.evaluate_files(crawl, crawl)
    records = [json.loads(x) for x in crawl.read_text(encoding="utf-8").splitlines()]
    tp = {k: report.types[k].tp for k in ("policies", "targets", "meetings")}
    assert tp == _counts(records)


def _record(source: str, **article) -> dict:
    """A schema-valid record of a made-up one-line page."""
    return {"article": {"id": Path(source).stem + "#1", "source": source, "source_sha256": "0" * 64, "index": 1,
                        "text": "正文。", **article},
            "policies": [], "targets": [], "meetings": [], "run": {"engine": "e", "model": "m", "prompt_version": "v"},
            "errors": []}


GOOD_LINE = json.dumps(_record("a.txt")).encode()


def _side(tmp_path: Path, name: str, sources: list[str], gold: bool) -> Path:
    p = tmp_path / name
    lines = []
    for s in sources:
        if gold:
            lines.append({"source": s, "policies": [], "targets": [], "meetings": []})
        else:
            lines.append(_record(s))
    p.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return p


# run sources, gold sources → the pairs (run key, gold key) after alignment
ALIGN = [
    (["/tmp/x/pages/a.txt", "/tmp/x/pages/b.txt"], ["a.txt", "b.txt"], {"a.txt", "b.txt"}),
    (["crawl/d1/index.txt", "crawl/d2/index.txt"], ["index.txt"], set()),  # the name is not unique
    (["crawl/d1/index.txt", "crawl/d2/index.txt"], ["d1/index.txt"], {"d1/index.txt"}),
    (["crawl/d1/index.txt", "other/page.txt"], ["index.txt", "page.txt"], {"index.txt", "page.txt"}),
    (["C:\\crawl\\a.txt"], ["a.txt"], {"a.txt"}),
]


@pytest.mark.parametrize("run_sources,gold_sources,shared", ALIGN)
def test_gold_lines_match_by_name_where_the_name_is_unique(tmp_path, run_sources, gold_sources, shared):
    run = load_side(_side(tmp_path, "run.jsonl", run_sources, gold=False))
    gold = load_side(_side(tmp_path, "gold.jsonl", gold_sources, gold=True))
    align_sources(run, gold)
    assert set(run.sources) & set(gold.sources) == shared
    assert len(run.sources) == len(run_sources) and len(gold.sources) == len(gold_sources)


def test_eval_refuses_a_gold_sharing_no_source(tmp_path):
    run = _side(tmp_path, "run.jsonl", ["pages/a.txt"], gold=False)
    gold = _side(tmp_path, "gold.jsonl", ["zzz.txt"], gold=True)
    result = CliRunner().invoke(app, ["eval", str(run), str(gold)])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert str(gold) in line and str(run) in line and "shares no source" in line


def test_eval_refuses_an_empty_gold(tmp_path):
    run = _side(tmp_path, "run.jsonl", ["pages/a.txt"], gold=False)
    gold = tmp_path / "empty.jsonl"
    gold.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(run), str(gold)])
    assert result.exit_code == 2 and "shares no source" in result.stderr
    errors = CliRunner().invoke(app, ["eval", "--errors", str(run), str(gold)])
    assert errors.exit_code == 2


def test_eval_lists_sources_not_in_gold(tmp_path):
    run = _side(tmp_path, "run.jsonl", ["pages/a.txt", "pages/extra.txt"], gold=False)
    gold = _side(tmp_path, "gold.jsonl", ["a.txt"], gold=True)
    result = CliRunner().invoke(app, ["eval", str(run), str(gold)])
    assert result.exit_code == 0, result.output
    assert "not in gold" in result.stdout and "extra.txt" in result.stdout


# content → words of the line (after "<file>:<line>: ")
MALFORMED = [
    (GOOD_LINE + b'\n{oops\n', 2, "not JSON"),
    (b"[1, 2]\n", 1, "a JSON list"),
    (b'"text"\n', 1, "a JSON str"),
    (b'{"neither": 1}\n', 1, "neither a run record nor a gold line"),
    (b'\n\n{"source": "a.txt", "articles": [{"title": "x"}]}\n', 3, "malformed gold line"),
    (json.dumps(_record("a.txt", index="one")).encode() + b"\n", 1, "malformed record (field article.index"),
    (b'{"source": "a.txt"}\n\xff\xfe\n', 2, "not UTF-8"),
]


@pytest.mark.parametrize("content,lineno,words", MALFORMED)
@pytest.mark.parametrize("command", ["eval", "diff", "review", "eval --errors"])
def test_malformed_lines_are_one_line_exit_2(tmp_path, content, lineno, words, command):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    good = _side(tmp_path, "good.jsonl", ["a.txt"], gold=True)
    out = tmp_path / "review.html"
    args = {"eval": ["eval", str(bad), str(good)], "eval --errors": ["eval", "--errors", str(bad), str(good)],
            "diff": ["diff", str(good), str(bad)], "review": ["review", str(bad), "-o", str(out)]}[command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}:{lineno}: ") and words in line, line
    assert not out.exists()


def test_load_side_raises_run_file_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(RunFileError, match=r"bad.jsonl:1: not JSON"):
        load_side(bad)


def test_load_malformed_is_one_line_and_nothing_is_written(tmp_path, crawl):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": 1}\n', encoding="utf-8")
    db = tmp_path / "x.db"
    result = CliRunner().invoke(app, ["load", str(crawl), str(bad), "--db", str(db)])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}:1: ") and "nothing loaded" in line
    from extract.store import make_engine
    from sqlalchemy import inspect, text

    engine = make_engine(str(db))
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        assert "articles" not in tables or conn.execute(text("select count(*) from articles")).scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("command", ["review", "read"])
def test_an_output_that_is_a_directory_is_one_line(tmp_path, crawl, command):
    args = {"review": ["review", str(crawl), "-o", str(tmp_path)],
            "read": ["read", str(next((tmp_path / "crawl").rglob("index.txt"))), "-o", str(tmp_path)]}[command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_into_a_missing_folder_creates_it(tmp_path, crawl):
    page = next((tmp_path / "crawl").rglob("index.txt"))
    out = tmp_path / "new" / "folder" / "articles.jsonl"
    result = CliRunner().invoke(app, ["read", str(page), "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").count("\n") == 1


def test_read_into_its_own_input_is_refused(tmp_path, crawl):
    page = next((tmp_path / "crawl").rglob("index.txt"))
    before = page.read_bytes()
    result = CliRunner().invoke(app, ["read", str(page), "-o", str(page)])
    assert result.exit_code == 2 and "one of the inputs" in result.stderr and page.read_bytes() == before


def test_review_into_a_read_only_folder_is_one_line(tmp_path, crawl):
    import os

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("root writes into any folder")
        result = CliRunner().invoke(app, ["review", str(crawl), "-o", str(ro / "r.html")])
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    finally:
        ro.chmod(0o700)


def test_read_a_folder_with_nothing_to_read_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.csv").write_text("a,b\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["read", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "nothing to read" in result.stderr


@pytest.mark.parametrize("against", [False, True])
def test_review_keeps_same_named_files_apart(crawl, against):
    from extract.review.page import build_data

    side = load_side(crawl)
    other = load_side(crawl) if against else None
    if other is not None:
        align_sources(side, other)
    data = build_data(side, other)
    arts = data["articles"] if isinstance(data, dict) and "articles" in data else data
    by_source = {a["source"]: a for a in arts}
    assert sorted(by_source) == ["d1/index.txt", "d2/index.txt", "d3/index.txt"]
    records = {Path(json.loads(x)["article"]["source"]).parent.name + "/index.txt": json.loads(x)
               for x in crawl.read_text(encoding="utf-8").splitlines()}
    for source, art in by_source.items():
        counts = {k: sum(1 for e in art["items"] if e["kind"] == k) for k in ("policies", "targets", "meetings")}
        assert counts == _counts([records[source]]), source


def test_load_keeps_same_named_files_apart(tmp_path, crawl):
    db = tmp_path / "x.db"
    result = CliRunner().invoke(app, ["load", str(crawl), "--db", str(db)])
    assert result.exit_code == 0, result.output
    from sqlalchemy import text

    from extract.store import make_engine

    engine = make_engine(str(db))
    with engine.connect() as conn:
        sources = sorted(r[0] for r in conn.execute(text("select source from articles")))
    engine.dispose()
    assert len(sources) == 3 and len(set(sources)) == 3 and all(s.endswith("index.txt") for s in sources)


def test_eval_warns_when_the_two_files_look_swapped(tmp_path):
    """Issue 38: `eval GOLD RUN` scored without a word; the run goes first."""
    run = _side(tmp_path, "run.jsonl", ["pages/a.txt"], gold=False)
    gold = _side(tmp_path, "gold.jsonl", ["a.txt"], gold=True)
    for args in (["eval", str(gold), str(run)], ["eval", "--errors", str(gold), str(run)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        [line] = [x for x in result.stderr.splitlines() if x.strip()]
        assert line.startswith(f"warning: {gold} looks like gold and {run} like a run"), line
    for args in (["eval", str(run), str(gold)], ["eval", str(gold), str(gold)], ["eval", str(run), str(run)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0 and "warning" not in result.stderr, result.output


def test_eval_scores_an_article_recorded_twice_by_its_last_record_and_says_so(tmp_path):
    """A run redone into the same output under another prompt version keeps both records; each
    article counts once, by its last record, and eval says why."""
    old = _record("pages/a.txt", title="旧")
    old["run"]["prompt_version"] = "old"
    new = _record("pages/a.txt", title="新")
    other = _record("pages/b.txt")
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in (old, other, new)), encoding="utf-8")
    side = load_side(run)
    assert side.superseded == 1
    assert sorted((a.source, a.title) for a in side.all_articles()) == [("a.txt", "新"), ("b.txt", None)]
    gold = _side(tmp_path, "gold.jsonl", ["a.txt", "b.txt"], gold=True)
    result = CliRunner().invoke(app, ["eval", str(run), str(gold)])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.stderr.splitlines() if x.strip()]
    assert line.startswith(f"warning: {run} holds 1 earlier record(s) of articles recorded again"), line
    assert "articles with errors: 0 of 2" in result.stdout
