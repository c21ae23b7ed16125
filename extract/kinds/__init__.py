"""One module per kind of fact: how it is found, asked about, answered and built."""
from __future__ import annotations

from extract.text.spans import Span, simplified
from schemas import Evidence


def phrases(spans: list[Span], text: str, limit: int = 8) -> tuple[list[str], list[Evidence]]:
    """Short phrases (measures, topics) in the article's order, each once, with the evidence
    that grounds it in the article text (`spans` index the simplified copy, same offsets)."""
    seen: set[str] = set()
    values: list[str] = []
    evidence: list[Evidence] = []
    for sp in sorted(spans, key=lambda s: s.start):
        value = simplified(sp.text)
        if not value or value in seen or any(value in v for v in seen):
            continue
        seen.add(value)
        values.append(value)
        evidence.append(Evidence(quote=text[sp.start : sp.end], start=sp.start, end=sp.end))
        if len(values) == limit:
            break
    return values, evidence
