"""Reading real pages and bad inputs: encodings, markup removal, one-line errors."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.ingest.read import Document, ReadError, iter_paths, read_all, read_document
from extract.ingest.segment import segment
from tests.shared import CORPUS, needs

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "read"
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CORPUS_FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []

needs_corpus = needs(CORPUS)  # the corpus pages are read in ../shared (tests/shared.py)
# Where ../shared is absent, one case stands for the corpus pages and is skipped, naming it.
ABSENT = [] if CORPUS_FILES else [pytest.param(CORPUS, id="corpus-pages", marks=needs_corpus)]

MARKUP = re.compile(r"<[a-zA-Z/!][^>\n]*>|&nbsp;|&[a-z]{2,6};|&#\d+;")
SCRIPT = re.compile(r"function\s*\(|\bvar |document\.|window\.|\{\s*float:|javascript:")
MOJIBAKE = re.compile(r"[ÃÂâ]\S|â€|锟斤拷|\uFFFD|[\uE000-\uF8FF]|鎴|鐨|锛|銆")
NAVIGATION = ("返回首页", "网站地图", "版权所有", "字体：", "上一篇", "下一篇", "分享到", "APP下载")


def _corpus(name_start: str) -> Path:
    return next(CORPUS.glob(f"{name_start}*"))


def _assert_clean(text: str, where: str) -> None:
    assert text.strip(), f"{where}: empty text"
    for name, pattern in (("markup", MARKUP), ("script", SCRIPT), ("mojibake", MOJIBAKE)):
        m = pattern.search(text)
        assert m is None, f"{where}: {name} {m.group(0)!r} in …{text[max(0, m.start() - 30):m.end() + 30]}…"
    assert not _utf8_read_as_legacy(text), f"{where}: UTF-8 bytes decoded with a legacy codec"
    for word in NAVIGATION:
        assert word not in text, f"{where}: navigation {word!r}"


def _utf8_read_as_legacy(text: str) -> bool:
    # Mojibake of that kind turns back into valid UTF-8 when re-encoded; real Chinese never does.
    if text.isascii():
        return False
    for codec in ("gb18030", "big5"):
        try:
            text.encode(codec).decode("utf-8")
            return True
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return False


def test_mojibake_check_catches_mojibake() -> None:
    bad = "全市召开产业发展大会".encode().decode("gb18030")
    assert _utf8_read_as_legacy(bad) and not _utf8_read_as_legacy("全市召开产业发展大会")


# --------------------------------------------------------------------------- real pages


@pytest.mark.parametrize("path", SEEDS + CORPUS_FILES + ABSENT, ids=lambda p: p.name[:40])
def test_real_pages_read_into_clean_articles(path: Path) -> None:
    doc = read_document(path)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    articles = segment(doc)
    assert articles, f"{path.name}: no article"
    for article in articles:
        _assert_clean(article.text, article.id)
        assert article.source == str(path)


@needs_corpus
def test_corpus_pages_are_single_articles() -> None:
    counts = {p.name: len(segment(read_document(p))) for p in CORPUS_FILES}
    assert len(counts) == 37
    assert {name: n for name, n in counts.items() if n != 1} == {}


@needs_corpus
def test_gb2312_page_decodes_to_chinese() -> None:
    doc = read_document(_corpus("009_"))
    assert doc.encoding == "gb18030"
    assert "黄石" in doc.text and "产业投资推介会" in doc.text
    assert doc.title == "2021湖北武黄同城暨黄石（光谷）产业投资推介会在武汉举行！"
    assert doc.published == "2021-06-09"


@needs_corpus
def test_utf8_page_with_lying_gb2312_meta_stays_utf8() -> None:
    doc = read_document(_corpus("010_"))
    assert doc.encoding == "utf-8"
    assert "娲石集团" in doc.text and "网站地图" not in doc.text


@needs_corpus
def test_undeclared_gb18030_fragment_decodes_to_chinese() -> None:
    doc = read_document(_corpus("012_"))
    assert doc.encoding == "gb18030"
    assert "连云港" in doc.text and "民营企业" in doc.text
    assert doc.title == "董事长周才炳 参加“一带一路”建设推进会"


@needs_corpus
def test_traditional_page_is_hant() -> None:
    (article,) = segment(read_document(_corpus("011_")))
    assert article.script == "hant"
    assert "林智堅" in article.text  # text stays in its own script
    assert article.title and "林智坚" in article.title  # other fields are simplified
    assert "市長說" not in article.text  # the tab menu is navigation


@needs_corpus
@pytest.mark.parametrize("path", [p for p in CORPUS_FILES if p.suffix == ".md"] + ABSENT, ids=lambda p: p.name[:30])
def test_front_matter_date_is_published(path: Path) -> None:
    doc = read_document(path)
    assert doc.fmt == "md"
    assert doc.published and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.published)
    assert doc.title and not doc.text.startswith("---")


@needs_corpus
def test_front_matter_values() -> None:
    doc = read_document(_corpus("001_"))
    assert (doc.published, doc.title) == ("2022-04-12", "深圳如何实现GDP增长6%：稳住制造业基本盘")
    assert doc.outlet is None  # categories 金融/新浪财经 are site sections, not an outlet
    assert "海量资讯" not in doc.text  # the app QR-code box


def test_seed_front_matter_post() -> None:
    doc = read_document(REPO / "seeds" / "001_ad50afaed758b5d7.txt")
    assert (doc.published, doc.outlet) == ("2022-02-08", "常州日报")
    assert doc.title == "加快打造长三角产业中轴 奋力建设国际化智造名城"
    assert "返回常州日报新闻" not in doc.text and "http" not in doc.text


# --------------------------------------------------------------------------- fixtures


def test_gb2312_and_big5_files() -> None:
    gb = read_document(DATA / "gb2312.txt")
    big5 = read_document(DATA / "big5.txt")
    assert gb.encoding == "gb18030" and "全市经济工作会议" in gb.text
    assert big5.encoding == "big5" and "全市經濟工作會議" in big5.text


def test_markdown_post_markup_is_stripped() -> None:
    doc = read_document(DATA / "post.md")
    assert (doc.title, doc.published, doc.outlet) == ("全市召开产业发展大会", "2022-02-08", "常州日报")
    assert "全市产业发展大会" in doc.text and "到2025年，全市工业规模总量" in doc.text
    assert "链接文字" in doc.text  # link text kept, target dropped
    for junk in ("**", "##", "![", "](", "http", "document.", "返回首页", "<"):
        assert junk not in doc.text
    assert (2, "会议要求") in doc.headings


def test_page_chrome_around_the_article_is_dropped() -> None:
    doc = read_document(DATA / "chrome.html")
    assert (doc.title, doc.published) == ("县政府召开全县经济工作会议", "2021-12-20")
    assert doc.text.startswith("县政府召开全县经济工作会议\n\n12月18日上午")
    assert doc.text.endswith("以优异成绩迎接党的二十大胜利召开。")
    for chrome in ("欢迎访问", "政务公开", "县长信箱", "首页", "主办单位", "联系电话", "备案"):
        assert chrome not in doc.text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty file"),
        ("binary.txt", "binary file"),
        ("undecodable.txt", "undecodable"),
        ("missing.txt", "no such file"),
    ],
)
def test_bad_input_is_one_line_error_and_others_are_read(name: str, message: str) -> None:
    bad = DATA / name
    with pytest.raises(ReadError) as info:
        read_document(bad)
    error = info.value
    assert str(error) == f"{bad}: {error.message}"
    assert "\n" not in str(error) and message in error.message and error.path == str(bad)

    results = list(read_all([DATA / "gb2312.txt", bad, DATA / "big5.txt"]))
    assert [type(r) for r in results] == [Document, ReadError, Document]
    assert str(bad) in str(results[1])


def test_control_characters_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(1, 32)) * 20)
    with pytest.raises(ReadError, match="binary"):
        read_document(path)


def test_corrupt_utf8_is_an_error_not_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.txt"
    path.write_bytes("全市召开产业发展大会，部署明年重点工作。".encode() * 3 + b"\xff" + "结束。".encode())
    with pytest.raises(ReadError, match="UTF-8"):
        read_document(path)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (DATA / "gb2312.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    (doc,) = list(read_all(["-"]))
    assert doc.source == "<stdin>" and "经济工作会议" in doc.text
    assert segment(doc)[0].id == "stdin#1"


# --------------------------------------------------------------------------- paths


def test_directories_are_walked_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.md", "a.txt", "b/1.html", "skip.json", "c.htm"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert names == ["a.txt", "c.htm", "b/1.html", "b/2.md"]


def test_symlink_loop_is_survived(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "page.txt").write_text("本报讯 测试。", encoding="utf-8")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d", target_is_directory=True)
    paths = [p for p in iter_paths([tmp_path]) if not isinstance(p, ReadError)]
    assert [p.name for p in paths] == ["page.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any directory")
def test_unreadable_directory_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (tmp_path / "ok.txt").write_text("本报讯 测试。", encoding="utf-8")
    locked.chmod(0)
    try:
        results = list(read_all([tmp_path]))
    finally:
        locked.chmod(0o755)
    assert any(isinstance(r, ReadError) and "locked" in str(r) for r in results)
    assert any(isinstance(r, Document) for r in results)


def test_directory_that_cannot_be_listed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Works as root too: listing the directory fails the way an unreadable one does.
    locked = tmp_path / "locked"
    locked.mkdir()
    (tmp_path / "ok.txt").write_text("本报讯 测试。", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    results = list(read_all([tmp_path]))
    errors = [r for r in results if isinstance(r, ReadError)]
    assert len(errors) == 1 and str(errors[0]) == f"{locked}: Permission denied"
    assert [r.source for r in results if isinstance(r, Document)] == [str(tmp_path / "ok.txt")]


# --------------------------------------------------------------------------- command


def test_read_command_writes_articles_and_reports_failures(tmp_path: Path) -> None:
    from extract.cli import app

    out = tmp_path / "articles.jsonl"
    missing = tmp_path / "missing.txt"
    seed = REPO / "seeds" / "004_dcb35c77580a043b.txt"
    result = CliRunner().invoke(app, ["read", str(seed), str(missing), str(DATA / "empty.txt"), "-o", str(out)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in lines] == [f"004_dcb35c77580a043b#{i}" for i in (1, 2, 3)]
    assert set(lines[0]) == {"id", "source", "source_sha256", "index", "title", "outlet", "published", "script", "text",
                             "page_division", "page_year"}
    assert lines[0]["page_division"] == "常州市"  # no masthead: the division its articles speak of
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and str(missing) in errors[0] and "empty.txt" in errors[1]


def test_read_command_prints_to_stdout() -> None:
    from extract.cli import app

    result = CliRunner().invoke(app, ["read", str(DATA / "gb2312.txt")])
    assert result.exit_code == 0
    (article,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert article["title"] == "市政府召开全市经济工作会议" and article["index"] == 1
