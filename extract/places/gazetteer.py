"""Administrative divisions of China (GB/T 2260), from the dataset the `cpca` package ships.

The gazetteer lets code recognise a place the way an article writes it: the full name (浙江省,
深圳市, 金坛区) or, for provinces and prefecture-level cities, the short name (浙江, 深圳, 滨州).
County-level short names (金坛, 武进) are too often parts of other words to be read from running
text; they are resolved only where the outlet's name gives them (金坛时报 → 金坛区).

A name counts only as a word of its sentence: the run of text around it is segmented (jieba,
with the dictionary it ships) and a match that starts inside a word is none (新增城区 is 新增 /
城区: no 增城区; 真金白银: no 白银). One that ends inside a word counts only where that word is
the division's body (哈尔滨市委, 金坛 / 区委书记) or goes on with a suffix or another name
(海西州, 山西太原), not an institution's or a thing's (大连理工大学). A name that is also a
common noun (城区 "urban area", 郊区) names a division only right after the city that holds it
(阳泉市城区).
"""
from __future__ import annotations

import bisect
import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick  # installed with cpca: one pass over the text for all 3,500 names

from extract.text.words import tokenizer

LEVELS = ("province", "city", "county")


@dataclass(frozen=True)
class Division:
    code: str  # six-digit GB/T 2260 code
    name: str  # full name: 浙江省, 深圳市, 金坛区
    level: str  # province | city | county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        return None if self.level == "province" else self.code[:4] + "00"


# Longest first: 维吾尔自治区 before 自治区, 自治县 before 县.
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "自治旗",
             "林区", "地区", "省", "市", "区", "县", "盟", "旗")
# Names that are generic words once their suffix is gone (市辖区 → 市辖, 矿区 → 矿).
_NOT_SHORT = {"市辖", "郊", "矿", "城", "新", "高新", "开发", "经济开发", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Short names that are everyday words (来宾 "guests", 开封 "to unseal", 黄山 and 白山 the mountains):
# in running text only their full names (来宾市) name the city.
_WORD_NOT_PLACE = {"来宾", "开封", "黄山", "白山"}


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            short = name[: -len(suffix)]
            # 内蒙古自治区 → 内蒙古; 延边朝鲜族自治州 → 延边 (the ethnic name is no part of it).
            stripped = re.sub(r"(蒙古族|朝鲜族|藏族|彝族|苗族|土家族|哈萨克|回族|壮族|布依族|侗族|傣族|白族|哈尼族|"
                           r"傈僳族|景颇族|羌族|黎族|满族|各族)+$", "", short)
            short = stripped if len(stripped) >= 2 else short
            return None if short in _NOT_SHORT or len(short) < 2 else short
    return None


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    # Found without importing cpca itself: its __init__ pulls in pandas and pkg_resources,
    # and only its table is needed.
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer needs the cpca package: pip install cpca")
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"
    out = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = row["name"].strip(), row["adcode"][:6]
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
            out.append(Division(code=code, name=name, level=level))
    return tuple(out)


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[Division]], dict[str, list[Division]], ahocorasick.Automaton]:
    """Full names; short names; an automaton over full names and the short names of provinces
    and cities (the names read from running text)."""
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    for d in divisions():
        full.setdefault(d.name, []).append(d)
        s = _short(d.name)
        if s:
            short.setdefault(s, []).append(d)
    # Counties and county-level cities made districts since the table was drawn (撤县设区:
    # 某某县 → 某某区): the district's name reads as the county, under its code.
    for d in divisions():
        if d.level == "county" and re.fullmatch(r"[\u4e00-\u9fff]{2,}(?<!自治)[县市]", d.name):
            renamed = d.name[:-1] + "区"
            if renamed not in full:
                full[renamed] = [Division(code=d.code, name=renamed, level="county")]
    text_names = set(full) | {s for s, ds in short.items()
                              if any(d.level != "county" for d in ds) and s not in _WORD_NOT_PLACE}
    return full, short, _automaton(text_names)


def _automaton(names: set[str]) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for name in names:
        auto.add_word(name, name)
    auto.make_automaton()
    return auto


def _longest_matches(auto: ahocorasick.Automaton, text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping matches that are words of the text, leftmost first and longest at each
    start (江苏省 over 江苏); a match that is no word leaves its place to a shorter one."""
    found = sorted(((end - len(name) + 1, end + 1, name) for end, name in auto.iter(text)),
                   key=lambda m: (m[0], -(m[1] - m[0])))
    out, pos = [], 0
    for start, end, name in found:
        if start >= pos and _is_word(text, start, end):
            out.append((start, end, name))
            pos = end
    return out


# -- names as words of their sentence ----------------------------------------------------

# jieba segments each run of these characters on its own (its re_han_default), so a name's
# words depend on its run only: that run is segmented, never the page, and a run longer than
# _WINDOW characters either side of the name (a page without punctuation) is cut there.
_RUN_BEFORE = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]*\Z")
_RUN_AFTER = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]*")
_WINDOW = 16
# What a short name may go on with inside one word and still be the place: a suffix (海西州,
# 海东地区); anything else makes another word (大连理工大学, 同心圆).
_SHORT_GOES_ON = re.compile(r"(省|市|区|县|州|盟|旗|地区)")


@lru_cache(maxsize=8192)
def _cuts(run: str) -> tuple[int, ...]:
    """Where the words of `run` start, and its end. Without jieba's HMM guesses: only a word of
    its dictionary can hide a name."""
    out, pos = [0], 0
    for word in tokenizer().cut(run, HMM=False):
        pos += len(word)
        out.append(pos)
    return tuple(out)


def _suffix_len(name: str) -> int:
    """The length of the suffix a full name ends in (区, 自治县), which the word after it may
    share: 金坛 / 区委书记, 北川羌族 / 自治县委."""
    return next((len(s) for s in _SUFFIXES if name.endswith(s)), 0)


def _is_word(text: str, start: int, end: int) -> bool:
    """The name at text[start:end] is a word of its sentence, not part of another word. It
    starts where a word starts, or right after a name the word begins with (山西太原). It ends
    where a word ends, or inside a word that goes on as a division's name does: a full name
    with its body (哈尔滨市委; 金坛 / 区委书记, its suffix shared), a short name with a suffix or
    another name (海西州, 山西太原)."""
    full, short, _ = _index()
    lo = start - len(_RUN_BEFORE.search(text, max(0, start - _WINDOW), start).group())
    hi = end + len(_RUN_AFTER.match(text, end, end + _WINDOW).group())
    cuts = _cuts(text[lo:hi])
    a, b = start - lo, end - lo
    first = lo + cuts[bisect.bisect_right(cuts, a) - 1]  # where the word holding the name's start starts
    if first != start and text[first:start] not in full and text[first:start] not in short:
        return False
    i = bisect.bisect_left(cuts, b)
    if cuts[i] == b:
        return True
    last, word_end = lo + cuts[i - 1], lo + cuts[i]  # the word holding the name's end
    name = text[start:end]
    if name in full:
        return last <= start or last >= end - _suffix_len(name)
    rest = text[end:word_end]
    return last <= start and (_SHORT_GOES_ON.match(rest) is not None or rest in full or rest in short)


@lru_cache(maxsize=1)
def _county_short_automaton() -> ahocorasick.Automaton:
    _, short, _ = _index()
    return _automaton({s for s, ds in short.items() if any(d.level == "county" for d in ds)})


def county_short_mentions(text: str, suffix: str, within: str | None = None) -> list[Division]:
    """County-level divisions named by their short name (金坛 → 金坛区) whose full name ends in
    `suffix`, inside the division coded `within` if given. Only for resolving 我区/全县: in
    running text such short names are too often parts of other words to be trusted alone."""
    _, short, _ = _index()
    prefix = within.rstrip("0") if within else ""
    out = []
    for _, end, name in _longest_matches(_county_short_automaton(), text):
        if _AFTER_SHORT_NOT_PLACE.match(text[end:]):
            continue
        for d in short.get(name, []):
            if d.level == "county" and d.name.endswith(suffix) and d.code.startswith(prefix):
                out.append(d)
    return out


def by_code(code: str) -> Division | None:
    return _by_code().get(code)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


def lookup(name: str, within: str | None = None, county_short: bool = True) -> Division | None:
    """The division a name stands for (full or short), preferring one inside the division whose
    code is `within` when the name is ambiguous (鼓楼区 is in several cities)."""
    full, short, _ = _index()
    cands = full.get(name) or [d for d in short.get(name, []) if county_short or d.level != "county"]
    if not cands:
        return None
    if within and len(cands) > 1:
        prefix = within.rstrip("0")
        inside = [d for d in cands if d.code.startswith(prefix)]
        cands = inside or cands
    # A province or city named the same as a county (吉林) means the larger one.
    return min(cands, key=lambda d: LEVELS.index(d.level))


# A short name inside a longer word is no place: 中山路, 长安街, 江西路 (street names), 海南岛.
_AFTER_SHORT_NOT_PLACE = re.compile(r"^(路|街|大道|巷|桥|岛|湾|大学|公园|广场|号|站)")


# Division names that are also common nouns (城区 "urban area", 郊区 "suburbs", 矿区 "mining
# area", 东区/西区 "east/west part", 新城区/老城区 "new/old town"): a division only right after
# the city that holds it (阳泉市城区, 攀枝花市东区).
_COMMON_NOUNS = frozenset({"城区", "郊区", "矿区", "东区", "西区", "新城区", "老城区"})


def mentions(text: str) -> list[tuple[int, int, Division]]:
    """Divisions named in the text (full names anywhere; province and city short names where
    they are not part of a street or institution name), as words of the text (see _is_word),
    with their offsets, in order."""
    full, _, auto = _index()
    out: list[tuple[int, int, Division]] = []
    for start, end, name in _longest_matches(auto, text):
        if name in _COMMON_NOUNS:
            city = out[-1][2] if out and out[-1][1] == start else None
            d = lookup(name, within=city.code) if city is not None else None
            if d is None or not d.code.startswith(city.code.rstrip("0")):
                continue
        elif name not in full:
            if _AFTER_SHORT_NOT_PLACE.match(text[end:]):
                continue
            d = lookup(name, county_short=False)
        else:
            d = lookup(name)
        if d is not None:
            out.append((start, end, d))
    return out
