"""Nothing a user made is overwritten (issue 38): every command that writes a file (`run`, `read`,
`review`, `gold build`, `load`'s SQLite file, `batch`) refuses an input, a file inside an input
folder and an existing file it did not write (recognised by content; `--force` where the command
replaces its file), and writes whole (a failure leaves the old file as it was). A refusal is one
line, exit 2, and every file stays byte-identical.

Made-up pages, runs and decisions; the endpoint is the fake server on loopback."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from tests.fake_llm import synthetic_page

sys.path.insert(0, str(Path(__file__).parent))
from conftest_browser import record_for  # noqa: E402

NOTES = b"my notes\nthe last line"  # a user's file: last line without a newline


pytestmark = pytest.mark.usefixtures("fast_backoff")


def cli(*args) -> "CliRunner":
    return CliRunner().invoke(app, [str(a) for a in args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(result, *words: str) -> None:
    """Exit 2 with one `error:` line holding `words`, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert all(w in lines[0] for w in words), lines[0]


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """A pages folder, a run of it, a user's notes, a curated gold and its decisions."""
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "004_x.txt"
    page.write_text(synthetic_page(1, 2), encoding="utf-8")
    text = "区政府提出，到2025年测试企业达到500家，测试园区10个。"
    items = {"targets": [
        {"metric": "测试企业", "value": 500, "unit": "家", "deadline_year": 2025, "evidence": {"quote": "测试企业达到500家"}},
        {"metric": "测试园区", "value": 10, "unit": "个", "deadline_year": 2025, "evidence": {"quote": "测试园区10个"}}]}
    rec = record_for("900_made_up.txt", text, items, title="测试页面")
    run = tmp_path / "run.jsonl"
    run.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(NOTES)
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text("".join(json.dumps(_decision(rec, t, "accept"), ensure_ascii=False) + "\n"
                                 for t in rec["targets"]), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    assert cli("gold", "build", run, decisions, "-o", gold).exit_code == 0
    return {"pages": pages, "page": page, "run": run, "notes": notes, "decisions": decisions, "gold": gold,
            "record": rec}


def _decision(rec: dict, item: dict, decision: str) -> dict:
    text = rec["article"]["text"]
    return {"article": rec["article"]["id"], "source": rec["article"]["source"],
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "kind": "targets", "key": item.get("key"),
            "evidence": item["evidence"], "decision": decision, "item": item}


# -- gold build ---------------------------------------------------------------------------------


def test_gold_build_never_shrinks_a_curated_gold(files, tmp_path):
    rec = files["record"]
    fewer = tmp_path / "fewer.jsonl"
    fewer.write_text(json.dumps(_decision(rec, rec["targets"][0], "accept"), ensure_ascii=False) + "\n", "utf-8")
    before = sha(files["gold"])
    result = cli("gold", "build", files["run"], fewer, "-o", files["gold"])
    refused(result, "would lose 1 of its 2 targets", "--force")
    assert sha(files["gold"]) == before
    # The default output is gold.jsonl in the working folder: the same guard.
    forced = cli("gold", "build", files["run"], fewer, "-o", files["gold"], "--force")
    assert forced.exit_code == 0 and len(json.loads(files["gold"].read_text("utf-8"))["targets"]) == 1


def test_gold_build_may_grow_its_own_gold(files):
    # The same decisions again: nothing lost, so the gold is rewritten without --force.
    result = cli("gold", "build", files["run"], files["decisions"], "-o", files["gold"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n"])
def test_gold_build_refuses_an_empty_decisions_file(files, tmp_path, content):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(content)
    before = sha(files["gold"])
    refused(cli("gold", "build", files["run"], empty, "-o", files["gold"]), "holds no decision")
    assert sha(files["gold"]) == before


def test_gold_build_refuses_an_undecided_line(files, tmp_path):
    undecided = tmp_path / "undecided.jsonl"
    line = _decision(files["record"], files["record"]["targets"][0], "accept")
    line["decision"] = None
    undecided.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    refused(cli("gold", "build", files["run"], undecided, "-o", files["gold"]),
            f"{undecided}:1:", "field decision")


@pytest.mark.parametrize("target", ["notes", "run"])
def test_gold_build_refuses_a_file_that_is_not_gold(files, tmp_path, target):
    other = files[target] if target == "notes" else tmp_path / "other_run.jsonl"
    if target == "run":
        other.write_bytes(files["run"].read_bytes())
    before = sha(other)
    refused(cli("gold", "build", files["run"], files["decisions"], "-o", other), "not a gold file", "--force")
    assert sha(other) == before
    assert cli("gold", "build", files["run"], files["decisions"], "-o", other, "--force").exit_code == 0


def test_gold_build_refuses_a_foreign_rejected_sidecar(files, tmp_path):
    sidecar = tmp_path / "g.rejected.jsonl"
    sidecar.write_bytes(NOTES)
    refused(cli("gold", "build", files["run"], files["decisions"], "-o", tmp_path / "g.jsonl"), "g.rejected.jsonl")
    assert sidecar.read_bytes() == NOTES and not (tmp_path / "g.jsonl").exists()


# -- read ---------------------------------------------------------------------------------------


def test_read_into_its_input_folder_is_refused(files):
    before = sha(files["page"])
    refused(cli("read", files["pages"], "-o", files["page"]), "inside the input folder")
    assert sha(files["page"]) == before
    # A new file there too: the next read would take it as an input.
    refused(cli("read", files["pages"], "-o", files["pages"] / "articles.txt"), "inside the input folder")
    assert sorted(p.name for p in files["pages"].iterdir()) == ["004_x.txt"]


def test_read_over_a_foreign_file_is_refused_unless_forced(files):
    refused(cli("read", files["page"], "-o", files["notes"]), "not an articles file", "--force")
    assert files["notes"].read_bytes() == NOTES
    assert cli("read", files["page"], "-o", files["notes"], "--force").exit_code == 0


def test_read_rewrites_its_own_output(files, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert cli("read", files["page"], "-o", out).exit_code == 0
    assert cli("read", files["page"], "-o", out).exit_code == 0
    assert len(out.read_text("utf-8").splitlines()) == 2


def test_read_that_fails_leaves_the_old_output_whole(files, tmp_path, monkeypatch):
    out = tmp_path / "articles.jsonl"
    assert cli("read", files["page"], "-o", out).exit_code == 0
    before = sha(out)
    import extract.api

    real = extract.api.iter_articles

    def breaks(*args, **kwargs):
        for n, article in enumerate(real(*args, **kwargs)):
            if n == 1:
                raise OSError(28, "No space left on device")
            yield article

    monkeypatch.setattr(extract.api, "iter_articles", breaks)
    result = cli("read", files["page"], "-o", out)
    assert result.exit_code == 2 and "No space left" in result.stderr
    assert sha(out) == before and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_read_with_nothing_read_leaves_the_output_untouched(files, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert cli("read", files["page"], "-o", out).exit_code == 0
    before = sha(out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("read", empty, "-o", out).exit_code == 1
    assert sha(out) == before


# -- review -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["notes", "gold", "page"])
def test_review_over_a_foreign_file_is_refused(files, target):
    before = sha(files[target])
    refused(cli("review", files["run"], "-o", files[target]), "not a review page", "--force")
    assert sha(files[target]) == before


def test_review_rewrites_its_own_page_and_one_of_an_earlier_version(files, tmp_path):
    out = tmp_path / "review.html"
    assert cli("review", files["run"], "-o", out).exit_code == 0
    assert cli("review", files["run"], "-o", out).exit_code == 0
    from extract.run.guard import REVIEW_MARK

    out.write_text(out.read_text("utf-8").replace(REVIEW_MARK + "\n", ""), encoding="utf-8")  # as before the mark
    assert cli("review", files["run"], "-o", out).exit_code == 0


def test_review_that_fails_leaves_the_old_page_whole(files, tmp_path, monkeypatch):
    out = tmp_path / "review.html"
    assert cli("review", files["run"], "-o", out).exit_code == 0
    before = sha(out)
    import extract
    import extract.review.page as page

    # A page that cannot be encoded fails while it is being written (an older version had
    # truncated the old page by then).
    monkeypatch.setattr(page, "render_html", lambda data: "<html>" + "x" * 100_000 + "\ud800</html>")
    with pytest.raises(UnicodeEncodeError):
        extract.review_files(files["run"], out)
    assert sha(out) == before and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- load ---------------------------------------------------------------------------------------


def test_load_into_a_foreign_file_is_refused(files):
    refused(cli("load", files["run"], "--db", files["notes"]), "not a SQLite database of this tool", "--force")
    assert files["notes"].read_bytes() == NOTES


def test_load_into_its_input_is_refused(files):
    before = sha(files["run"])
    refused(cli("load", files["run"], "--db", files["run"]), "one of the inputs")
    assert sha(files["run"]) == before


def test_load_into_another_program_s_database_needs_force(files, tmp_path):
    import sqlite3

    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("create table contacts (name text)")
    conn.commit()
    conn.close()
    before = sha(db)
    refused(cli("load", files["run"], "--db", db), "holds tables of another program")
    assert sha(db) == before
    assert cli("load", files["run"], "--db", db, "--force").exit_code == 0


def test_a_failed_load_leaves_no_new_database(files, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": 1}\n', encoding="utf-8")
    db = tmp_path / "new.db"
    assert cli("load", files["run"], bad, "--db", db).exit_code == 2
    assert not db.exists()


# -- run and batch ------------------------------------------------------------------------------


def test_run_into_its_input_folder_is_refused_from_the_first_time(files, fake_llm):
    for _ in range(2):
        result = cli("run", files["pages"], "-o", files["pages"] / "run.txt", "--base-url", fake_llm.base_url,
                     "--model", "fake", "--no-cache")
        refused(result, "inside the input folder")
    assert fake_llm.requests["total"] == 0 and sorted(p.name for p in files["pages"].iterdir()) == ["004_x.txt"]


def test_a_failed_start_leaves_no_empty_output(files, fake_llm, tmp_path):
    out = tmp_path / "out.jsonl"
    fake_llm.always("401")
    result = cli("run", files["page"], "-o", out, "--base-url", fake_llm.base_url, "--model", "fake", "--no-cache")
    assert result.exit_code == 5 and not out.exists()


def test_a_failed_start_keeps_an_existing_empty_output(files, fake_llm, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")  # the user's: not ours to remove
    fake_llm.always("401")
    cli("run", files["page"], "-o", out, "--base-url", fake_llm.base_url, "--model", "fake", "--no-cache")
    assert out.exists()


@pytest.mark.parametrize("command", ["submit", "collect"])
def test_batch_over_a_foreign_file_is_refused_untouched(files, fake_llm, command):
    refused(cli("batch", command, files["page"], "-o", files["notes"], "--base-url", fake_llm.base_url,
                "--model", "fake"), "not a run file")
    assert files["notes"].read_bytes() == NOTES  # an older version cut its torn last line


def test_batch_request_files_never_replace_foreign_files(files, fake_llm, tmp_path):
    folder = tmp_path / "requests"
    folder.mkdir()
    (folder / "requests-001.jsonl").write_bytes(NOTES)
    result = cli("batch", "submit", files["page"], "-o", tmp_path / "out.jsonl", "--requests-only", folder,
                 "--base-url", fake_llm.base_url, "--model", "fake")
    refused(result, "not a batch request file")
    assert (folder / "requests-001.jsonl").read_bytes() == NOTES


def test_special_files_and_links_are_written_through(files, tmp_path):
    """/dev/stdout and /dev/null take the output in place (nothing to rename over them); a link
    to a file of ours stays a link, its target replaced."""
    result = cli("read", files["page"], "-o", "/dev/null")
    assert result.exit_code == 0 and Path("/dev/null").exists() and not Path("/dev/null").is_file()
    target = tmp_path / "articles.jsonl"
    assert cli("read", files["page"], "-o", target).exit_code == 0
    link = tmp_path / "link.jsonl"
    link.symlink_to(target.name)
    assert cli("read", files["pages"], "-o", link).exit_code == 0
    assert link.is_symlink() and len(target.read_text("utf-8").splitlines()) == 2
