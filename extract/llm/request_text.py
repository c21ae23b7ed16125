"""The text of marked requests: only the sentences worth asking about, with 【k】 before each
candidate (target clauses, document mentions), in chunks that fit a small model's attention.
"""
from __future__ import annotations

import re

from extract.text.spans import Span, squash
from schemas import Article

MAX_CHARS_PER_REQUEST = 1500  # meeting paragraphs per listing request ("point", "quote")
MAX_MARKS_PER_REQUEST = 12  # marked clauses, documents or meeting sentences per request


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def halves(items: list) -> list[list]:
    """A request's marks in two halves (an answer cut at max_tokens is asked again so)."""
    return [items[: len(items) // 2], items[len(items) // 2 :]] if len(items) > 1 else []


def marked_request(simple: str, marks: list[tuple[object, Span]],
                   at=lambda item: item[0].mention.start,
                   context: list[Span] = ()) -> tuple[str, dict[int, object]]:
    """The sentences holding the marked things, with 【k】 inserted before each, and in text
    order among them the `context` spans, unmarked."""
    ids = {k: item for k, (item, _) in enumerate(marks, start=1)}
    by_sentence: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k, (item, sent) in enumerate(marks, start=1):
        by_sentence.setdefault((sent.start, sent.end), []).append((at(item), k))
    for span in context:
        if not any(s0 <= span.start < s1 or span.start <= s0 < span.end for s0, s1 in by_sentence):
            by_sentence[(span.start, span.end)] = []
    lines = []
    for (s0, s1), points in sorted(by_sentence.items()):
        out, pos = [], s0
        for p, k in sorted(points):
            out.append(simple[pos:p])
            out.append(f"【{k}】")
            pos = p
        out.append(simple[pos:s1])
        lines.append("".join(out))
    return "\n".join(lines), ids


# A sentence end inside a line (not at its end): the line holds body text.
_SENTENCE_INSIDE = re.compile(r"[。；;！？!?](?=.)")


def headline(article: Article, simple: str) -> Span | None:
    """The article's headline line: its first line when that line is the title. A digest item
    or a page with no headline line has its title cut from the first sentence; that sentence
    is body text (本报讯 9月23日，县里召开…会。…) and is read as such."""
    if not article.title:
        return None
    line, _, body = simple.partition("\n")
    if not body.strip():
        return None  # the article is its headline alone (a one-line digest item): that line is its text
    if squash(line).strip("◆●■▲★◎□○*#") != squash(article.title) and _SENTENCE_INSIDE.search(line.strip()):
        return None
    return Span(0, len(line), line)


def headline_end(article: Article, simple: str) -> int:
    """Where the headline line ends, -1 when there is none."""
    head = headline(article, simple)
    return head.end if head else -1


def request_header(article: Article, simple: str) -> str:
    """What every question about the article shares, after the fixed prompt: the headline and
    the publication date (a year's goal and a year's result read alike without it)."""
    head = headline(article, simple)
    title = head.text if head else ""
    return f"标题：{title}\n发布日期：{article.published or '未知'}"
