"""Reading forgives small mistakes (issue 25), with made-up pages: a stray byte in a GB18030
page is replaced and reported at its real offset; in a .txt page a '<' is markup only where it
makes a whole tag (a <script> or <svg> is dropped only when it is closed)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.ingest.read import ReadError, document_from_bytes

GB_TEXT = "全区召开产业发展大会，部署明年重点工作。到2025年，规模以上工业企业力争达到120家。" * 3


def _gb_with_stray(at: int, n: int = 1) -> tuple[bytes, int]:
    data = bytearray(GB_TEXT.encode("gb18030"))
    # A lone 0xFF is never valid in GB18030 (nor a Big5 lead byte), whatever follows it.
    for k in range(n):
        data[at + 2 * k: at + 2 * k] = b"\xff"
    return bytes(data), at


@pytest.mark.parametrize("at", [0, 10, 101])
def test_a_stray_byte_in_a_gb18030_page_is_replaced_and_reported(at):
    data, offset = _gb_with_stray(at)
    doc = document_from_bytes(data, "page.txt")
    assert doc.encoding == "gb18030" and "力争达到120家" in doc.text and "\ufffd" in doc.text
    assert doc.warnings == (f"1 undecodable byte replaced with U+FFFD (gb18030), the first at offset {offset}",)


def test_many_bad_bytes_still_reject_the_page_at_the_real_offset():
    data, offset = _gb_with_stray(20, n=12)
    with pytest.raises(ReadError, match=f"at offset {offset}$"):
        document_from_bytes(data, "page.txt")


def test_a_clean_page_has_no_warning():
    assert document_from_bytes(GB_TEXT.encode("gb18030"), "page.txt").warnings == ()


def test_read_prints_the_warning(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(_gb_with_stray(10)[0])
    result = CliRunner().invoke(app, ["read", str(page)])
    assert result.exit_code == 0
    assert f"warning: {page}: 1 undecodable byte replaced" in result.stderr and "offset 10" in result.stderr


# .txt page → what its text must hold, what it must not
TXT = [
    ("说明：页面中的<script>标签会被过滤。\n\n到2025年达到120家。", ["<script>标签会被过滤", "120家"], []),
    ("图标 <svg width=\"10\"> 后面的正文不能丢。\n\n尾段。", ["后面的正文不能丢", "尾段"], []),
    ("<!-- 未闭合的注释 后面的也不能丢。\n\n尾段。", ["后面的也不能丢", "尾段"], []),
    ("公式 a<b 且 c>d 成立。", ["a<b 且 c>d 成立"], []),
    ("价格<100元，数量>5件。", ["价格<100元"], []),
    ("正文。<script>var x = 1;</script>后文。", ["正文", "后文"], ["var x"]),  # closed: markup, dropped
    ("正文。<svg><path d=\"M0\"/></svg>后文。", ["正文", "后文"], ["path"]),
    ("正文<br>第二行。\n\n<p>段落</p>", ["正文\n第二行", "段落"], ["<br>", "<p>"]),
    ("见 <https://example.invalid/a> 原文。", ["原文"], ["https://"]),
]


@pytest.mark.parametrize("text,kept,dropped", TXT)
def test_txt_markup_is_stripped_only_where_it_is_markup(text, kept, dropped):
    doc = document_from_bytes(text.encode("utf-8"), "page.txt")
    for k in kept:
        assert k in doc.text, (k, doc.text)
    for d in dropped:
        assert d not in doc.text, (d, doc.text)
    assert "\ue0ff" not in doc.text


def test_an_html_page_is_parsed_as_before():
    html = "<html><body><p>正文。</p><script>var x = 1;</script><p>后文。</p></body></html>"
    doc = document_from_bytes(html.encode("utf-8"), "page.html")
    assert "正文" in doc.text and "后文" in doc.text and "var x" not in doc.text
