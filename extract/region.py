"""Resolve the jurisdiction of an item to a proper name (spec: 我区/全市 → 金坛区/常州市).

Order: a place named in the item's own sentence; else 我区/全区/本市… resolved through the
outlet's name (金坛时报 → 金坛, so 我区 → 金坛区); else the place the article names most often
at that level; else None. General rules on Chinese place names, no per-page lists.
"""
from __future__ import annotations

import re
from collections import Counter

_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?)(省|市|区|县)(?![委政长级域内外属直])")
# Words that end in 区/市/县 but are not jurisdictions, or prefixes that are not names.
_NOT_NAME = re.compile(
    r"(开发|园|高新|新|景|社|小|城|街|片|功能|示范|产业|保护|试验|度假|风景|商|校|厂|矿|辖|本|我|全|该|各|城|地|"
    r"两|多|一|都|郊|山|农|老)$"
)
_NOT_START = re.compile(r"^(我|全|本|该|各|在|于|对|和|与|及|是|为|到|由|从|向|将|把|被|等|省|市|区|县)")
_SELF = re.compile(r"(我|全|本)(省|市|区|县)")
_OUTLET_SUFFIX = re.compile(r"(时报|日报|晚报|新闻|报|网|电视台|融媒体中心)$")


# Words that end in 市/区/县 without naming a place (上市 listing, 城市 city, 社区 community).
_COMMON_WORDS = {"上市", "城市", "超市", "股市", "门市", "夜市", "都市", "集市", "楼市", "车市", "城区", "社区",
                 "小区", "园区", "景区", "片区", "山区", "郊区", "辖区", "市区", "营区", "专区", "展区", "街区"}
_FUNCTION_CHARS = re.compile(r"[和与及的了在是为同志领导等将把被对向从由也都并又或]")


def places(text: str) -> list[str]:
    out = []
    for m in _PLACE.finditer(text):
        name, level = m.group(1), m.group(2)
        # Shorten from the left until the name is plausible: "领导同志和区" is no place.
        while len(name) > 2 and (_FUNCTION_CHARS.search(name) or _NOT_START.match(name)):
            name = name[1:]
        if _NOT_NAME.search(name) or _NOT_START.match(name) or _FUNCTION_CHARS.search(name) \
                or name[-1] + level in _COMMON_WORDS:
            continue
        out.append(name + level)
    return out


def outlet_base(outlet: str | None) -> str | None:
    if not outlet:
        return None
    base = _OUTLET_SUFFIX.sub("", outlet.strip())
    return base if 2 <= len(base) <= 4 else None


def resolve_region(sentence: str, article_text: str, outlet: str | None) -> str | None:
    own = places(sentence)
    if own:
        return own[0]
    m = _SELF.search(sentence) or _SELF.search(article_text)
    base = outlet_base(outlet)
    if m:
        level = m.group(2)
        if base:
            return base + level
        same_level = [p for p in places(article_text) if p.endswith(level)]
        if same_level:
            return Counter(same_level).most_common(1)[0][0]
    found = places(article_text)
    return Counter(found).most_common(1)[0][0] if found else None
