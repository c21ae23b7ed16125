"""HTML read whole whatever its depth (issue 38): libxml2 builds no element deeper than 256 and
silently drops what lies below, so a page that reaches that depth is flattened and parsed again;
a page that still loses text says so on one line. Made-up pages only."""
from __future__ import annotations

import json
import re
import time

import pytest
from lxml import etree
from typer.testing import CliRunner

import extract.ingest.read as read
from extract.cli import app
from extract.ingest.read import ReadError, document_from_bytes, flatten_html
from extract.ingest.segment import segment
from tests.fake_llm import synthetic_page

ITEM = "本报讯 到2025年，全区规模以上工业企业力争达到{n}家。"


def nested_divs(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + ITEM.format(n=120) + "</div>" * depth + "</body></html>"


def unclosed_fonts(items: int) -> str:
    """As old government sites write lists: every item opens a <font> it never closes."""
    return "<html><body>" + "".join(f"<font color=red>第{i}条 {ITEM.format(n=i)}<br>" for i in range(items)) \
        + "</body></html>"


@pytest.mark.parametrize("depth", [100, 255, 300, 2000])
def test_text_below_the_parser_s_depth_is_read(depth):
    doc = document_from_bytes(nested_divs(depth).encode(), "deep.html")
    assert doc.text == ITEM.format(n=120) and doc.warnings == ()


@pytest.mark.parametrize("items", [100, 400, 3000])
def test_every_item_of_unclosed_fonts_is_read(items):
    doc = document_from_bytes(unclosed_fonts(items).encode(), "fonts.html")
    assert [int(n) for n in re.findall(r"第(\d+)条", doc.text)] == list(range(items))
    assert doc.warnings == ()
    assert sum(a.text.count("条") for a in segment(doc)) == items


def test_the_read_command_writes_every_item(tmp_path):
    page = tmp_path / "fonts.html"
    page.write_text(unclosed_fonts(400), encoding="utf-8")
    out = tmp_path / "articles.jsonl"
    result = CliRunner().invoke(app, ["read", str(page), "-o", str(out)])
    assert result.exit_code == 0 and not result.stderr.strip(), result.output
    articles = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert sum(a["text"].count("条 本报讯") for a in articles) == 400


def test_articles_under_300_nested_divs_are_cut_and_written(tmp_path):
    body = "".join(f"<p>{x}</p>" for x in synthetic_page(1, 2).splitlines() if x)
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 300 + body + "</div>" * 300 + "</body></html>", encoding="utf-8")
    result = CliRunner().invoke(app, ["read", str(page)])  # an older version: "no visible text", exit 1
    assert result.exit_code == 0 and not result.stderr.strip(), result.output
    assert [json.loads(x)["title"] for x in result.stdout.splitlines()] == ["第1号片区推进产业升级", "第2号片区推进产业升级"]


def test_a_page_that_still_loses_text_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "flatten_html", lambda markup: markup)  # as if flattening could not help
    page = tmp_path / "fonts.html"
    page.write_text(unclosed_fonts(400), encoding="utf-8")
    result = CliRunner().invoke(app, ["read", str(page), "-o", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0
    [line] = result.stderr.strip().splitlines()
    assert line == f"warning: {page}: HTML nested deeper than the parser reads (256 elements): text below " \
                   "that depth may be missing"
    with pytest.raises(ReadError, match="no visible text .HTML nested deeper"):
        document_from_bytes(nested_divs(300).encode(), "deep.html")


def _depth(markup: str) -> int:
    parser = etree.HTMLParser()
    parser.feed(markup)
    root = parser.close()
    depth = best = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        best = max(best, depth)
    return best


@pytest.mark.parametrize("markup", [nested_divs(400), unclosed_fonts(500),
                                    "<table>" + "<tr><td><p>段落<div>块</div>" * 400 + "</table>",
                                    "<ul>" + "<li><span>项" * 600 + "</ul>"])
def test_flattening_keeps_every_character_of_text_and_bounds_the_depth(markup):
    flat = flatten_html(markup)
    assert re.sub(r"<[^>]*>", "", flat) == re.sub(r"<[^>]*>", "", markup)
    assert _depth(flat) < 256


def test_flattening_leaves_text_only_elements_and_comments_alone():
    script = "<script>if (a<b) { x = '<div><div>'; }</script>"
    comment = "<!-- <div><div><div> -->"
    markup = "<div>" * 300 + script + comment + "正文" + "</div>" * 300
    flat = flatten_html(markup)
    assert script in flat and comment in flat and "正文" in flat


def test_flattening_is_linear():
    def seconds(n: int) -> float:
        markup = "<font>字" * n + "</b>" * n  # stray end tags: each must be found at once, not searched
        t0 = time.perf_counter()
        flatten_html(markup)
        return time.perf_counter() - t0

    small, big = seconds(20_000), seconds(160_000)
    assert big < max(20 * small, 1.0), (small, big)
