"""The text each request carries: only the sentences worth asking about, with 【k】 marks
before each candidate (targets, document mentions), or meeting paragraphs in chunks that fit
a small model's attention.
"""
from __future__ import annotations

from extract import candidates as cand

MAX_CHARS_PER_REQUEST = 1500


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def marked_request(simple: str, marks: list[tuple[object, cand.Span]],
                   at=lambda item: item[0].mention.start) -> tuple[str, dict[int, object]]:
    """The sentences holding the marked things, with 【k】 inserted before each."""
    ids = {k: item for k, (item, _) in enumerate(marks, start=1)}
    by_sentence: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k, (item, sent) in enumerate(marks, start=1):
        by_sentence.setdefault((sent.start, sent.end), []).append((at(item), k))
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


def target_request(simple: str, group: list[cand.TargetCandidate]) -> tuple[str, dict[int, cand.TargetCandidate]]:
    return marked_request(simple, [(c, c.sentence) for c in group], at=lambda c: c.clause.start)


def by_mention(cands: list[cand.PolicyCandidate]) -> list[list[cand.PolicyCandidate]]:
    """Documents named by one phrase (关于A、B等两方面意见) share one mark."""
    groups: dict[tuple[int, int], list[cand.PolicyCandidate]] = {}
    for c in cands:
        groups.setdefault((c.mention.start, c.mention.end), []).append(c)
    return list(groups.values())


def span_chunks(spans: list[cand.Span]) -> list[list[cand.Span]]:
    """Paragraphs grouped in order into requests of at most MAX_CHARS_PER_REQUEST characters."""
    out: list[list[cand.Span]] = []
    current: list[cand.Span] = []
    size = 0
    for sp in spans:
        if current and size + len(sp.text) > MAX_CHARS_PER_REQUEST:
            out.append(current)
            current, size = [], 0
        current.append(sp)
        size += len(sp.text)
    if current:
        out.append(current)
    return out
