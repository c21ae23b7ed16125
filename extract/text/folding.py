"""Text folded for comparison: what two items must share to be the same (spec §3) and what an
item's key across articles is built from. Script, width, punctuation and spacing folded."""
from __future__ import annotations

import unicodedata

from extract.text.numbers import normalize_unit as numbers_normalize_unit
from extract.text.script import to_simplified

_QUOTES = set("《》〈〉“”‘’\"'「」『』")


def _strip_punct(text: str) -> str:
    # Unicode categories P* (punctuation), S* (symbols) and Z*/C* (spaces, controls) go.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def fold_key(text: str | None) -> str:
    """Script folded (traditional → simplified), width folded, punctuation and spaces stripped."""
    if not text:
        return ""
    return _strip_punct(to_simplified(unicodedata.normalize("NFKC", text)))


def fold_title(text: str | None) -> str:
    """Policy/article titles: 《》 and quotation marks stripped, script folded (spec §3)."""
    if not text:
        return ""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in text if ch not in _QUOTES and not ch.isspace())


def fold_name(text: str | None) -> str:
    """Names of meetings and people: script and width folded, spaces stripped."""
    if not text:
        return ""
    return "".join(ch for ch in to_simplified(unicodedata.normalize("NFKC", text)) if not ch.isspace())


def normalize_unit(unit: str | None) -> str:
    """Units compared for target matching (spec §3: 亿元 = 亿; % and 个百分点 differ): the
    pipeline's own normalisation (extract.text.numbers), spaces dropped."""
    return "".join(numbers_normalize_unit(unit).split())
