"""Grounding: find a model's quote in the article text and return the exact source span.

Both sides are normalised the same way (whitespace removed, script folded to simplified
character by character, full-width forms and curly quotes folded, case folded), keeping a map
from each normalised index to its original index, so the span returned is exact in the original.
"""
from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from extract.text.numbers import find_numbers, same_quantity
from extract.text.script import to_simplified_chars
from schemas.record import Evidence

# Fuzzy alignment is a fallback for small copying slips (a dropped or changed character).
# 90 on fuzz.partial_ratio allows about one edit in ten characters; lower lets a quote ground
# in a different sentence that merely shares most words.
FUZZY_THRESHOLD = 90.0
# Below this length a quote is too unspecific for fuzzy matching (and often repeats).
MIN_FUZZY_LEN = 4

_QUOTES = {c: '"' for c in "“”„‟〝〞〟＂「」『』﹁﹂﹃﹄"} | {c: "'" for c in "‘’‚‛′＇"}
_DASHES = {c: "-" for c in "‐‑‒–—―－﹣"}
_OTHER = {"｡": "。", "､": "、", "・": "·", "•": "·", "．": "."}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}


class GroundingError(ValueError):
    """A quote that cannot be found; the message is meant to go back to the model."""


def _norm_char(ch: str) -> str:
    ch = _QUOTES.get(ch) or _DASHES.get(ch) or _OTHER.get(ch) or ch
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII forms: （）→(), ，→, ０-９→0-9, ％→%
        ch = chr(o - 0xFEE0)
    return ch.lower()


def normalize(text: str) -> tuple[str, list[int]]:
    """(normalised text, map) where map[i] is the index in `text` of normalised char i.

    Whitespace and zero-width characters are dropped, so a line or page break anywhere
    does not matter; every other character maps to exactly one character.
    """
    simp = to_simplified_chars(text)
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(simp):
        if ch.isspace() or ch in _ZERO_WIDTH:
            continue
        out.append(_norm_char(ch))
        idx.append(i)
    return "".join(out), idx


@lru_cache(maxsize=32)
def _normalized(text: str) -> tuple[str, tuple[int, ...]]:
    # The same article is grounded once per item: cache its normalised copy.
    n, idx = normalize(text)
    return n, tuple(idx)


def _short(q: str, n: int = 40) -> str:
    return q if len(q) <= n else q[: n - 1] + "…"


def _span(text: str, idx: tuple[int, ...], a: int, b: int) -> Evidence:
    start, end = idx[a], idx[b - 1] + 1
    return Evidence(quote=text[start:end], start=start, end=end)


def ground(text: str, quote: str, near: int | None = None) -> Evidence:
    """Evidence for `quote` in `text`, with evidence.quote == text[start:end].

    Exact match after normalisation first; when the quote occurs more than once, the occurrence
    whose start is nearest `near` (else the first). Otherwise, for quotes of MIN_FUZZY_LEN+
    normalised characters, the best rapidfuzz partial_ratio alignment if it scores at least
    FUZZY_THRESHOLD (searched near `near` first), returned as the exact source substring of the
    aligned region. Raises GroundingError with a message for the model otherwise.
    """
    if not quote or not quote.strip():
        raise GroundingError("the quote is empty; copy the clause that states the item verbatim "
                             "from the article")
    ntext, idx = _normalized(text)
    nquote, _ = normalize(quote)
    if not nquote:
        raise GroundingError(f"quote {quote!r} has no text; copy the clause verbatim")
    hits = []
    pos = ntext.find(nquote)
    while pos >= 0:
        hits.append(pos)
        pos = ntext.find(nquote, pos + 1)
    if hits:
        best = min(hits, key=lambda p: abs(idx[p] - near)) if near is not None else hits[0]
        return _span(text, idx, best, best + len(nquote))
    if len(nquote) < MIN_FUZZY_LEN:
        raise GroundingError(
            f"quote {quote!r} does not occur in the article text, and a quote this short must "
            "match exactly; copy the whole clause verbatim")
    found = _fuzzy(ntext, nquote, idx, near)
    if found is not None:
        return _span(text, idx, *found)
    closest = fuzz.partial_ratio_alignment(nquote, ntext)
    hint = ""
    if closest is not None and closest.score >= 60:
        a, b = closest.dest_start, closest.dest_end
        passage = text[idx[a]:idx[b - 1] + 1]
        hint = (f" (the closest passage, {passage!r}, states different numbers)"
                if closest.score >= FUZZY_THRESHOLD else
                f" (the closest passage, {passage!r}, matches only {closest.score:.0f}%)")
    raise GroundingError(
        f"quote {_short(quote)!r} does not occur in the article text{hint}; copy a sentence "
        "verbatim from the article, without paraphrasing, shortening or joining sentences")


def _fuzzy(ntext: str, nquote: str, idx: tuple[int, ...], near: int | None) -> tuple[int, int] | None:
    windows = []
    if near is not None:
        # Search a window around `near` first so a repeated passage resolves to the nearer one.
        centre = min(range(len(idx)), key=lambda i: abs(idx[i] - near)) if idx else 0
        pad = len(nquote) // 2 + 2
        windows.append((max(0, centre - pad), min(len(ntext), centre + len(nquote) + pad)))
    windows.append((0, len(ntext)))
    for lo, hi in windows:
        res = fuzz.partial_ratio_alignment(nquote, ntext[lo:hi], score_cutoff=FUZZY_THRESHOLD)
        if res is None or res.dest_end <= res.dest_start:
            continue
        a, b = _refine(ntext, nquote, lo + res.dest_start, lo + res.dest_end)
        # Alignment windows often take in a neighbouring comma; keep the quote's own ends.
        while b - a > 1 and _is_punct(ntext[b - 1]) and not _is_punct(nquote[-1]):
            b -= 1
        while b - a > 1 and _is_punct(ntext[a]) and not _is_punct(nquote[0]):
            a += 1
        # The aligned region must be about as long as the quote, not a fragment of it.
        if (b - a) < 0.8 * len(nquote):
            continue
        # A slip may change wording, never a number: 企业500家 must not ground in 企业100家.
        if _values(ntext[a:b]) != _values(nquote):
            continue
        return a, b
    return None


def _refine(ntext: str, nquote: str, a: int, b: int) -> tuple[int, int]:
    """Move the aligned ends by up to 2 characters to best fit the quote: partial_ratio aligns a
    window of the quote's length, which cuts a character off when the quote dropped one."""
    best = (fuzz.ratio(nquote, ntext[a:b]), b - a, a, b)
    for da in range(-2, 3):
        for db in range(-2, 3):
            x, y = a + da, b + db
            if 0 <= x < y <= len(ntext):
                cand = (fuzz.ratio(nquote, ntext[x:y]), y - x, x, y)
                best = max(best, cand)
    return best[2], best[3]


def _is_punct(ch: str) -> bool:
    return not (ch.isalnum() or "\u4e00" <= ch <= "\u9fff")


def _values(s: str) -> list[float]:
    return sorted(q.value for q in find_numbers(s))


def quote_contains_number(quote: str, value: float, unit: str | None) -> bool:
    """True when `quote` states `value` (with `unit` as written, compared by
    numbers.normalize_unit, e.g. 亿 = 亿元; unit None: any unit or none)."""
    return any(same_quantity(q, value, unit) for q in find_numbers(quote))
