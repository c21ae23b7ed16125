"""Spans of an article's text with their offsets: sentences, clauses, paragraphs.

Every span keeps its offsets into the text it was cut from; the model sees the
simplified-script copy (same length), so offsets found there index the article text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.text.script import to_simplified


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")
_CLAUSE_END = re.compile(r"[，,；;：:]")


def sentences(text: str) -> list[Span]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        _append(out, text, start, m.end())
        start = m.end()
    _append(out, text, start, len(text))
    return out


def clauses(sentence: Span) -> list[Span]:
    out, start = [], 0
    for m in _CLAUSE_END.finditer(sentence.text):
        _append(out, sentence.text, start, m.start(), base=sentence.start)
        start = m.end()
    _append(out, sentence.text, start, len(sentence.text), base=sentence.start)
    return out


def _append(out: list[Span], text: str, start: int, end: int, base: int = 0) -> None:
    # Trim whitespace and trailing sentence punctuation so spans are clean quotes.
    while start < end and (text[start].isspace()):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "。！？!?"):
        end -= 1
    if end > start:
        out.append(Span(base + start, base + end, text[start:end]))


def paragraphs(text: str) -> list[Span]:
    out, start = [], 0
    for m in re.finditer(r"\n+", text):
        _append(out, text, start, m.start())
        start = m.end()
    _append(out, text, start, len(text))
    return out


def clause_around(text: str, start: int, end: int) -> Span:
    """The clause of `text` that holds [start, end) (a title, a name), else its sentence."""
    for sent in sentences(text):
        if sent.start <= start and end <= sent.end:
            for cl in clauses(sent):
                if cl.start <= start and end <= cl.end:
                    return cl
            return sent
    return Span(start, end, text[start:end])


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence that holds `start`, extended to `end`."""
    for sent in sentences(text):
        if sent.start <= start < sent.end:
            return text[sent.start : max(sent.end, end)]
    return text[start:end]


# Where a short phrase ends: its clause, or a sub-item's marker (…管理创新（一）进一步…).
_PHRASE_END = re.compile(r"[，,；;。！？!?：:\n]|[（(][一二三四五六七八九十\d]{1,3}[）)]")


def phrase_at(text: str, start: int, max_len: int = 40) -> Span | None:
    """The phrase that begins at `start` and runs to the end of its clause: a short item of a
    list (一是把准产业发展方向。) or the object after a verb. None when longer than `max_len`."""
    m = _PHRASE_END.search(text, start)
    end = m.start() if m else len(text)
    out: list[Span] = []
    _append(out, text, start, end)
    if not out or len(out[0].text) > max_len:
        return None
    return out[0]


_SPACE = re.compile(r"\s+")


def squash(s: str) -> str:
    """Without whitespace: how quotes and names are compared with the text."""
    return _SPACE.sub("", s)


def simplified(s: str | None) -> str | None:
    """A non-quote field in simplified script, stripped (spec: one spelling per name)."""
    return to_simplified(s).strip() if s else s
