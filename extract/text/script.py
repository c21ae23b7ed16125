"""Script (繁/简) detection and conversion with OpenCC.

Two conversions: `to_simplified` converts whole phrases (for names and other non-quote fields);
`to_simplified_chars` converts character by character so the result has exactly the length of
the input, which lets offsets found in the converted text index the original text.
"""
from __future__ import annotations

from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")


# Variant characters OpenCC leaves alone that stand for a common one (巿 "fú" is typed for 市 on
# many Taiwanese pages: 陈某巿長).
_VARIANTS = {"巿": "市"}


@lru_cache(maxsize=65536)
def _char_t2s(ch: str) -> str:
    if ch in _VARIANTS:
        return _VARIANTS[ch]
    out = _T2S.convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """Phrase-level traditional → simplified (length may change)."""
    return _T2S.convert("".join(_VARIANTS.get(ch, ch) for ch in text))


def to_simplified_chars(text: str) -> str:
    """Character-level traditional → simplified; len(result) == len(text)."""
    return "".join(_char_t2s(ch) if ord(ch) > 0x2E7F else ch for ch in text)


def detect_script(text: str) -> str:
    """'hant' when a clear share of the Han characters change under t2s, else 'hans'."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "hans"
    sample = "".join(han[:4000])
    changed = sum(1 for a, b in zip(sample, to_simplified_chars(sample)) if a != b)
    # Simplified text has ~0% such characters; traditional text 15–30%.
    return "hant" if changed / len(sample) > 0.05 else "hans"
