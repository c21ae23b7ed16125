"""Resolve the jurisdiction of an item to a proper name (spec: 我区/全市 → 金坛区/常州市).

An item belongs to the article's jurisdiction unless its own clause names another division as
its subject ("其中，青山市计划投资…"). The article's jurisdiction is the outlet's division
(金坛时报 → 金坛区), else the division the article names most (headline counts double). A
self-reference in the clause (全省, 我市) resolves through it: to itself at the same level, or
to the province or city that contains it. Places come from the GB/T 2260 gazetteer
(extract.places.gazetteer); no per-page lists.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from extract.text.lexicon import SELF_REFERENCE
from extract.places.gazetteer import Division, by_code, county_short_mentions, lookup, mentions

_OUTLET_SUFFIX = re.compile(r"(时报|日报|晚报|新闻网|新闻|报|网|电视台|融媒体中心|发布)$")
# A division named as a modifier, not as the subject: 江苏省级示范区, 市内, 省外.
_MODIFIER_AFTER = re.compile(r"^(级|内|外|属|直)")
_NATIONAL = re.compile(r"全国|国家|我国|中央|国务院")


def outlet_base(outlet: str | None) -> str | None:
    if not outlet:
        return None
    base = _OUTLET_SUFFIX.sub("", outlet.strip())
    return base if 2 <= len(base) <= 8 else None


def outlet_division(outlet: str | None) -> Division | None:
    base = outlet_base(outlet)
    return lookup(base) if base else None


# An article establishes where it is about early on; reading further only costs time (a 10 MB
# page would be scanned once per item).
_SCOPE_CHARS = 20_000


@lru_cache(maxsize=64)
def _article_mentions(article_text: str) -> tuple:
    """Divisions an article names, computed once per article (items of one article share it)."""
    return tuple(mentions(article_text[:_SCOPE_CHARS]))


@lru_cache(maxsize=256)
def jurisdiction(article_text: str, outlet: str | None = None, page: str | None = None) -> Division | None:
    """The division the article is about: the outlet's, else the one it names most often
    (a mention in the first line, the headline, counts double), else the page's (`page`: the
    division its other articles speak of). The most specific division it speaks for wins: a
    city or province named right before a division inside it (常州市金坛区) only qualifies that
    division and counts for it, and a tie goes to the division inside the other, then to the
    first named."""
    own = outlet_division(outlet)
    if own is not None:
        return own
    head_end = article_text.find("\n")
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    found: dict[str, Division] = {}
    named = _article_mentions(article_text)
    for i, (start, end, d) in enumerate(named):
        after = named[i + 1][2] if i + 1 < len(named) and named[i + 1][0] == end else None
        if after is not None and _inside(after, d):
            continue  # 常州市金坛区: the city qualifies the district
        counts[d.code] += 2 if 0 <= start < head_end else 1
        first.setdefault(d.code, start)
        found[d.code] = d
    if not counts:
        return lookup(page) if page else None
    top = max(counts.values())
    tied = [found[c] for c in counts if counts[c] == top]
    inner = [d for d in tied if any(_inside(d, o) for o in tied if o is not d)]
    code = min((inner or tied), key=lambda d: first[d.code]).code
    return found[code]


def _inside(d: Division, outer: Division) -> bool:
    """`d` lies inside `outer` (a county in its city or province, a city in its province)."""
    return d.code != outer.code and outer.code in (d.city_code, d.province_code)


def _at_level(d: Division, level: str) -> Division | None:
    """The division containing `d` (or `d` itself) that a 我省/全市/本区 at `level` means."""
    if level == "省":
        return d if d.level == "province" else by_code(d.province_code)
    if level == "市":
        if d.name.endswith("市"):
            return d
        return by_code(d.city_code) if d.city_code else None
    if level in ("区", "县"):
        return d if d.level == "county" or d.name.endswith(("区", "县")) else None
    return None


# A division after these is an object or a destination (为常州培养人才, 赴上海招商), not the
# jurisdiction the clause is about.
_OBJECT_BEFORE = re.compile(r"(为|向|对|与|同|和|赴|到|来|去|从|往|帮|助|援|比)$")


def _clause_place(clause: str) -> Division | None:
    for start, end, d in mentions(clause):
        if not _MODIFIER_AFTER.match(clause[end:]) and not _OBJECT_BEFORE.search(clause[:start]):
            return d
    return None


def _county_named(article_text: str, level: str, home: Division | None) -> Division | None:
    """我区 in an article whose main division is a city or province: the district it names,
    by full name (武进区) or, failing that and within that division, by short name (金坛“十四五”)."""
    within = home.code.rstrip("0") if home else ""
    named = Counter(d for _, _, d in _article_mentions(article_text)
                    if d.level == "county" and d.name.endswith(level) and d.code.startswith(within))
    # A short name (金坛 for 金坛区) only within a division the article is known to speak for:
    # nationwide, short names are also towns and words (共同富裕 is no 富裕县).
    if not named and home is not None:
        named = Counter(county_short_mentions(article_text[:_SCOPE_CHARS], level, home.code))
    return named.most_common(1)[0][0] if named else None


@lru_cache(maxsize=64)
def _self_level(article_text: str) -> str | None:
    """The level of the article's most used self-reference (全区, 我市)."""
    levels = Counter(m.group(1) for m in SELF_REFERENCE.finditer(article_text[:_SCOPE_CHARS]))
    return levels.most_common(1)[0][0] if levels else None


def page_division(page_text: str) -> str | None:
    """The division a page without an outlet speaks of: what its most used self-reference
    (我区, 全市) resolves to over the whole page, else the division it names most."""
    level = _self_level(page_text)
    if level:
        return resolve_region(f"本{level}", page_text, None)
    home = jurisdiction(page_text)
    return home.name if home else None


def resolve_region(clause: str, article_text: str, outlet: str | None, page: str | None = None) -> str | None:
    """The region of an item stated in `clause` of an article (simplified script); `page` is
    the article's page_division."""
    own = _clause_place(clause)
    if own is not None:
        return own.name
    home = jurisdiction(article_text, outlet, page)
    m = SELF_REFERENCE.search(clause)
    level = m.group(1) if m else None
    if level and home is not None:
        at = _at_level(home, level)
        if at is not None:
            return at.name
    if level in ("区", "县"):
        county = _county_named(article_text, level, home)
        if county is not None:
            return county.name
    if home is not None:
        # An article that speaks for a district or county (全区, 我县) in a city it names more:
        # the district it names is the most specific division it speaks for.
        art_level = _self_level(article_text)
        if home.level != "county" and art_level in ("区", "县") and not level:
            county = _county_named(article_text, art_level, home)
            if county is not None:
                return county.name
        return home.name
    level = _self_level(article_text)
    if level in ("区", "县"):
        county = _county_named(article_text, level, None)
        if county is not None:
            return county.name
    # No local jurisdiction anywhere: a clause or an article that speaks of the state (国务院,
    # 全国, 国家级 plans) is national; an article that speaks for a county or city it never
    # names (全县, 我市) is that place's, which is unknown, whatever it says of the state.
    if _NATIONAL.search(clause) or (level is None and _NATIONAL.search(article_text[:_SCOPE_CHARS])):
        return "中国"
    return None
