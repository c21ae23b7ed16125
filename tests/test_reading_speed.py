"""Reading is linear in the page's size (issue 25): headings are matched to lines through one
key per line, not one per (heading, line) pair. Made-up pages only."""
from __future__ import annotations

import time

import pytest

from benchmarks.reading_speed import make_page, read_seconds
from extract.ingest.clean import to_lines
from extract.ingest.read import Document
from extract.ingest.segment import _key, page_lines


def _old_levels(doc: Document) -> list[int | None]:
    """The quadratic matching it replaces, as the reference."""
    lines = to_lines(doc.text)
    pending = [(level, _key(text)) for level, text in doc.headings]
    for line in lines:
        for n, (level, key) in enumerate(pending):
            if key == _key(line.text):
                line.heading = level
                del pending[n]
                break
    return [line.heading for line in lines]


def _new_levels(doc: Document, monkeypatch) -> list[int | None]:
    import extract.ingest.segment as seg

    monkeypatch.setattr(seg, "drop_furniture", lambda lines: lines)
    return [line.heading for line in page_lines(doc)]


PAGES = [
    # (text, headings)
    ("甲标题\n正文一。\n乙标题\n正文二。", ((1, "甲标题"), (2, "乙标题"))),
    ("同名\n正文。\n同名\n正文。\n同名", ((2, "同名"), (1, "同名"))),  # repeated headings, in order
    ("標題一\n正文。", ((2, "标题一"),)),  # script folded on both sides
    ("标题，一\n正文。", ((2, "标题 一"),)),  # punctuation and spaces do not count
    ("正文。\n正文。", ((2, "没有这一行"),)),  # a heading no line holds
    ("", ()),
    ("一\n二\n三", ()),
]


@pytest.mark.parametrize("text,headings", PAGES)
def test_heading_levels_as_before(text, headings, monkeypatch):
    doc = Document(source="p.html", sha256="0", text=text, fmt="html", encoding="utf-8", headings=headings)
    assert _new_levels(doc, monkeypatch) == _old_levels(doc)


def test_reading_time_is_linear_in_page_size():
    read_seconds(make_page(0.05))  # warm up (lexicons, regexes)
    small = min(read_seconds(make_page(0.1))[0] for _ in range(2))
    big, articles = read_seconds(make_page(0.8))
    assert articles > 400
    # 8× the size: linear is about 8× the time; the old matching was about 64×.
    assert big < max(20 * small, 1.0), (small, big)


@pytest.mark.parametrize("command", ["read", "run"])
def test_ctrl_c_while_reading_a_big_page_ends_at_once(tmp_path, command):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    page = tmp_path / "big.html"
    page.write_bytes(make_page(40))  # about 30 s of reading: Ctrl-C must end it long before
    args = {"read": ["read", str(page), "-o", str(tmp_path / "a.jsonl")],
            "run": ["run", str(page), "-o", str(tmp_path / "r.jsonl"), "--base-url", "http://127.0.0.1:9/v1",
                    "--model", "m", "--no-cache"]}[command]
    env = {**os.environ, "PYTHONPATH": str(root)}
    # As from a terminal: Ctrl-C neither ignored nor blocked, whatever this test process carries
    # (a child inherits an ignored SIGINT and the signal mask; a library loaded by an earlier test
    # in the same pytest process may have set either).
    def as_from_a_terminal() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    p = subprocess.Popen([sys.executable, "-m", "extract.cli", *args], cwd=root, stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, text=True, env=env, preexec_fn=as_from_a_terminal)
    # Signal once the child is reading, not after a fixed sleep: on a loaded machine (or a fresh
    # checkout compiling every module) its imports alone can take seconds. Imports cost about
    # 1 s of CPU; past 3 s it is reading the page.
    deadline = time.monotonic() + 60
    while _cpu_seconds(p.pid) < 3.0 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    _, stderr = p.communicate(timeout=60)
    assert time.monotonic() - t0 < 10, "Ctrl-C took effect late"
    assert "Traceback" not in stderr and p.returncode in (130, 1), (p.returncode, stderr)
    assert "interrupted" in stderr
    if command == "run":
        assert not (tmp_path / "r.jsonl").exists()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc), 0 if unreadable."""
    import os
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
