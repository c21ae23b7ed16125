"""Quantities in Chinese text: numerals (Arabic, Chinese, mixed) and the unit written after them.

Conventions (spec §1 "Target"):
- The value is the number as written; a magnitude word that precedes a currency or measure word
  stays in the unit: 3500亿元 → (3500, 亿元), 2.5万亿元 → (2.5, 万亿元), 十亿元 → (10, 亿元),
  5万人 → (5, 万人). After an Arabic number a bare magnitude is a unit too: 1.2万亿 → (1.2, 万亿).
- 百分之十五 → (15, %), 千分之三 → (3, ‰); other fractions (三分之一) give the plain value.
- Units are returned in simplified script (they are fields, not quotes); `text` and the span
  index the input as given, so traditional input works (to_simplified_chars keeps length).
- Years (2025年, 二〇三五年, 民國105年), dates (2月19日), ordinals (第一, 第47位) and numerals
  inside words (一批, 一体化, 一是, 统一, 十四五, 十百千) are NOT quantities: `find_quantities`
  skips them. A number with no recognised unit is not a quantity either; `find_numbers` returns
  those too (unit "") for callers that only need the number.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import cn2an

from extract.text.script import to_simplified_chars

# cn2an logs warnings for inputs it only half understands; we validate before calling it.
logging.getLogger("cn2an").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int
    end: int
    text: str


# --- character folding (length-preserving, so offsets stay valid) -----------------------------

def _fold_char(ch: str) -> str:
    o = ord(ch)
    # Full-width ASCII forms (０-９, ％, ／, ．). The full-width comma stays: in Chinese text it
    # separates clauses, so 100，200 is two numbers, never 100200.
    if 0xFF01 <= o <= 0xFF5E and o != 0xFF0C:
        return chr(o - 0xFEE0)
    return ch


def fold(text: str) -> str:
    """Simplified script and half-width forms, character by character (same length as input)."""
    return "".join(_fold_char(c) for c in to_simplified_chars(text))


# --- numeral parsing ---------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9,
           "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_DIGITS) + "".join(_SMALL) + "".join(_BIG)

_ARABIC = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ARABIC_M = re.compile(_ARABIC)


def _cn_section(s: str) -> int | None:
    """Integer below 万 (三千五百, 十二, 三千零五, colloquial 三千五); None if malformed."""
    if not s:
        return 0
    if all(c in _DIGITS for c in s):  # positional: 二〇三五
        return int("".join(str(_DIGITS[c]) for c in s))
    total, num, last_unit, pending_zero = 0, None, 10_000, False
    for c in s:
        if c in _DIGITS:
            if num is not None:
                return None  # two digits in a row after a unit (十四五)
            num = _DIGITS[c]
            if num == 0:
                pending_zero, num = True, None
        else:
            u = _SMALL[c] if c in _SMALL else None
            if u is None or u >= last_unit:
                return None  # units must fall (十百千 is not a number)
            if num is None and (total or pending_zero):
                return None
            total += (1 if num is None else num) * u
            last_unit, num, pending_zero = u, None, False
    if num is not None:
        # 三千五 = 3500: a trailing digit right after a unit counts in the next lower unit.
        total += num * (last_unit // 10 if last_unit < 10_000 and not pending_zero else 1)
    return total


def _cn_int(s: str) -> int | None:
    """Chinese integer with 万/亿 (一万亿, 三亿五千万, 一万五); None if malformed."""
    if not s or not any(c in _DIGITS or c in "十拾" for c in s):
        return None  # a bare 百/千/万 is a word (千家万户), not a number
    if "亿" in s:
        left, right = s.rsplit("亿", 1)
        lv = _cn_int(left) if left else None
        if lv is None:
            return None
        rv = _cn_tail(right, 10_000_000)
        return None if rv is None else lv * 100_000_000 + rv
    if "万" in s:
        left, right = s.split("万", 1)
        if "万" in right:
            return None
        lv = _cn_section(left) if left else None
        if lv is None or lv == 0:
            return None
        rv = _cn_tail(right, 1000)
        return None if rv is None else lv * 10_000 + rv
    return _cn_section(s)


def _cn_tail(s: str, unit: int) -> int | None:
    # 一万五 = 15000: a lone digit after 万/亿 counts in the next lower unit.
    if len(s) == 1 and s in _DIGITS:
        return _DIGITS[s] * unit
    return _cn_int(s) if s else 0


def _cn_number(s: str) -> float | None:
    """Chinese numeral, optionally with 点 decimals (零点五, 十二点三四)."""
    if "点" in s:
        ip, _, fp = s.partition("点")
        if not fp or any(c not in _DIGITS for c in fp):
            return None
        iv = 0 if ip in ("", "零", "〇") else _cn_int(ip)
        if iv is None:
            return None
        return float(f"{iv}." + "".join(str(_DIGITS[c]) for c in fp))
    v = _cn_int(s)
    if v is None:
        return None
    # Our parser validates (cn2an accepts 一二三 as 123); cn2an gives the value where it
    # understands the input, ours covers its gaps (2.5万亿, 万亿 stacking).
    try:
        return float(cn2an.cn2an(s, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return float(v)


def parse_number(s: str) -> float | None:
    """Numeric value of a numeral: 一百 → 100, 十亿 → 1e9, 两千 → 2000, 2.5万 → 25000,
    1,200 → 1200, 三分之一 → 0.333…, 零点五 → 0.5, 2.5万亿 → 2.5e12.

    百分之十五 → 15 and 千分之三 → 3: the count of percent / per mille, matching how
    find_quantities reports them (value 15, unit "%"). None if `s` is not a numeral.
    """
    s = fold(s.strip()).replace(" ", "")
    if not s:
        return None
    for prefix in ("百分之", "千分之"):
        if s.startswith(prefix):
            return parse_number(s[len(prefix):])
    if "分之" in s:
        den, _, num = s.partition("分之")
        d, n = parse_number(den), parse_number(num)
        return None if d in (None, 0) or n is None else n / d
    s = s.rstrip("%‰")
    m = re.match(rf"^({_ARABIC})(.*)$", s)
    if m:
        base = float(m.group(1).replace(",", ""))
        rest = m.group(2)
        mult = 1.0
        for c in rest:  # 2.5万, 4千, 2.5万亿
            if c in _SMALL:
                mult *= _SMALL[c]
            elif c in _BIG:
                mult *= _BIG[c]
            else:
                return None
        return base * mult
    return _cn_number(s)


# --- units -------------------------------------------------------------------------------------

_MAG = ["万亿", "千万", "百万", "亿", "万"]
_PERCENT = ["个百分点", "百分点", "%", "‰"]
_CURRENCY = ["美元", "欧元", "港元", "日元", "英镑", "元"]
_MEASURE = [
    "平方公里", "平方千米", "平方米", "平米", "立方米", "公里", "千米", "厘米", "毫米", "米",
    "公顷", "亩", "吨标准煤", "吨", "千克", "公斤", "克", "千瓦时", "千瓦", "兆瓦", "吉瓦",
    "千伏安", "千伏", "标准箱", "标箱", "升", "度",
]
# Classifiers. 批/期/届/部/级/大/门 are left out on purpose: 一批, 二期, 十九届, 三部门, 两级, 四大, 一门心思
# are words or ordinals far more often than counts.
_CLASSIFIER = [
    "人次", "户次", "架次", "家", "个月", "个", "项", "名", "人", "户", "座", "所", "条", "辆",
    "台套", "台", "套", "件", "次", "倍", "年", "天", "小时", "分钟", "周", "场", "张", "本",
    "篇", "份", "处", "栋", "幢", "间", "层", "床", "棵", "株", "位", "支", "类", "种", "款",
    "艘", "列", "宗", "例", "笔", "颗", "根", "只", "头", "匹", "枚",
]
_BASE = sorted(set(_CURRENCY + _MEASURE + _CLASSIFIER), key=len, reverse=True)


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_BASE_ALT = _alt(_BASE)
_MAG_ALT = _alt(_MAG)
# unit := percent | MAG? BASE (/ MAG? BASE)? ; 多/余/来 (approximate) may sit before the unit.
_UNIT_RE = re.compile(
    rf"(?P<approx>[多余来])?(?P<unit>{_alt(_PERCENT)}|(?:{_MAG_ALT})?(?:{_BASE_ALT})"
    rf"(?:/(?:{_MAG_ALT})?(?:{_BASE_ALT}))?)"
)
_BARE_MAG_RE = re.compile(rf"(?P<approx>[多余来])?(?P<unit>{_MAG_ALT})")
# Units written in Latin letters, SI-style (35μg/m3, 1.2kWh, 300MW): a letter and then no
# letter, so identifiers (5G, 4K, PM2.5) stay identifiers.
_LATIN_UNIT_RE = re.compile(r"(?P<unit>(?:[μµu]g|mg|kg|km|cm|mm|kWh|kW|MW|GW|TEU|m|t)(?:/(?:m3|m2|km2|km|h|d|L|m³|m²))?[23²³]?)"
                            r"(?![A-Za-z0-9])")
# After an Arabic number, one Han character that no list above knows and after which the clause
# ends (新打机井超过40眼, 新增机位12个 is listed): the word written after the number is its unit.
_OPEN_CLASSIFIER_RE = re.compile(r"(?P<unit>[\u4e00-\u9fff])(?=以上|以下|左右|以内|$|[，。；、,;）)\s])")
_NOT_A_UNIT = re.compile(r"[月日号时年后前里中内上下至到的和与及或等是为在了万亿千百十]")

_NUM_START = re.compile(rf"百分之|千分之|\d|[{_CN_CHARS}]")
_CN_RUN = re.compile(rf"[{_CN_CHARS}]+(?:点[{''.join(_DIGITS)}]+)?")
_DATE_AFTER = re.compile(r"[月日号时]")  # 2月, 19日, 3号, 8时: parts of dates and times
_YEAR_LIKE = re.compile(r"^(?:1[89]\d\d|2[01]\d\d)$")


def normalize_unit(unit: str | None) -> str:
    """Unit for comparison: simplified, half-width, and 亿元 = 亿 (spec §3); the same for the
    other magnitudes (万元 = 万, 万亿元 = 万亿). % and 个百分点 stay different."""
    u = fold(unit or "").strip()
    if u in ("百分点",):
        return "个百分点"
    for mag in _MAG:
        if u == mag + "元":
            return mag
    return u


@dataclass(frozen=True)
class _Num:
    value: float
    start: int
    end: int  # end of the numeral (before 多/余 and the unit)
    chinese: bool
    percent_word: str | None = None  # 百分之 / 千分之


def _year_or_date(folded: str, n: _Num, unit_start: int) -> bool:
    """True when the number is a year (2025年, 二〇三五年, 民国105年) or part of a date."""
    after = folded[unit_start:unit_start + 6]
    before = folded[max(0, n.start - 3):n.start]
    raw = folded[n.start:n.end]
    if after.startswith("年"):
        if _YEAR_LIKE.match(raw) or (n.chinese and len(raw) == 4 and all(c in _DIGITS for c in raw)):
            return True
        if before.endswith(("民国", "民國")):
            return True
    return bool(_DATE_AFTER.match(after))


def _numerals(folded: str) -> list[tuple[_Num, int]]:
    """Every numeral in `folded` with the index where its unit would start."""
    out: list[tuple[_Num, int]] = []
    i, n = 0, len(folded)
    while i < n:
        m = _NUM_START.search(folded, i)
        if not m:
            break
        s = m.start()
        prev = folded[s - 1] if s else ""
        if folded.startswith(("百分之", "千分之"), s):
            word = folded[s:s + 3]
            rm = _ARABIC_M.match(folded, s + 3) or _CN_RUN.match(folded, s + 3)
            if rm and (v := parse_number(rm.group())) is not None:
                out.append((_Num(v, s, rm.end(), True, word), rm.end()))
                i = rm.end()
                continue
            i = s + 3
            continue
        if folded[s].isdigit():
            am = _ARABIC_M.match(folded, s)
            e = am.end()
            # Identifiers and ordinals: PM2.5, 5G, 第47位, 1.2.3 — not quantities.
            # A hyphen after a figure joins a range (5-5.5%), after a letter an identifier (G-7).
            hyphen_range = prev == "-" and s >= 2 and (folded[s - 2].isdigit() or folded[s - 2] in "%‰")
            skip = (prev != "" and prev.isascii() and (prev.isalpha() or prev in "._-") and not hyphen_range) or prev == "第" \
                or (e < n and folded[e].isascii() and folded[e].isalpha() and folded[e] not in "%"
                    and not _LATIN_UNIT_RE.match(folded, e))
            if not skip:
                v = float(am.group().replace(",", ""))
                unit_at = e
                # 4千家 → 4000 家 (unless 千 starts a unit: 5千瓦, 1千万元)
                if e < n and folded[e] in "十百千" and not _UNIT_RE.match(folded, e):
                    v *= _SMALL[folded[e]]
                    unit_at = e + 1
                out.append((_Num(v, s, unit_at, False), unit_at))
            i = e
            continue
        # Chinese run
        rm = _CN_RUN.match(folded, s)
        run_end = rm.end()
        if prev == "第" or folded.startswith("分之", run_end):
            if folded.startswith("分之", run_end):  # 三分之一
                rm2 = _CN_RUN.match(folded, run_end + 2) or _ARABIC_M.match(folded, run_end + 2)
                if rm2 and (v := parse_number(folded[s:rm2.end()])) is not None:
                    out.append((_Num(v, s, rm2.end(), True), rm2.end()))
                    i = rm2.end()
                    continue
            i = run_end
            continue
        best = None
        # Shortest numeral whose remainder starts a unit: 十亿元 → 十 + 亿元; 三千五百万元 → 三千五百 + 万元.
        for k in range(s + 1, run_end + 1):
            num = folded[s:k]
            if "点" in folded[s:run_end] and k < run_end and "点" not in num:
                continue
            um = _UNIT_RE.match(folded, k)
            if not um:
                continue
            unit = um.group("unit")
            if unit.startswith(("千万", "百万")):
                continue  # 三千五百万/一百万 read as 3500 万/100 万; only 1千万 (Arabic) keeps 千万
            if k + (um.end() - k) < run_end:
                continue  # the unit must reach past the numeral run
            v = _cn_number(num)
            if v is not None:
                best = (_Num(v, s, k, True), k)
                break
        if best is None:
            v = _cn_number(folded[s:run_end])
            if v is not None:
                best = (_Num(v, s, run_end, True), run_end)
        if best:
            out.append(best)
        i = run_end
    return out


# Between the two bounds of a range (5-5.5%, 20～30亩, 3至5年): the lower bound's unit is the upper's.
RANGE_JOIN = re.compile(r"\s*(?:[-—–～~]|至|到)\s*")
# …and between the items of a list that writes the unit once, at its end.
_LISTED = re.compile(r"、[\u4e00-\u9fff]{0,12}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _unit_at(folded: str, num: _Num, unit_at: int) -> tuple[str, int] | None:
    """The unit written at `unit_at` after the numeral, and where it ends; None when none."""
    um = _UNIT_RE.match(folded, unit_at)
    if um or num.chinese:
        return (um.group("unit"), um.end()) if um else None
    if bare := _BARE_MAG_RE.match(folded, unit_at):  # 1.2万亿 (GDP 1.2万亿)
        # …and a word no list knows after it, where the clause ends (95亿斤以上): both are the unit.
        oc = _OPEN_CLASSIFIER_RE.match(folded, bare.end())
        return (folded[unit_at:oc.end()], oc.end()) if oc and not _NOT_A_UNIT.match(oc.group()) \
            else (bare.group("unit"), bare.end())
    if um := _LATIN_UNIT_RE.match(folded, unit_at):
        return um.group("unit"), um.end()
    oc = _OPEN_CLASSIFIER_RE.match(folded, unit_at)
    return (oc.group("unit"), oc.end()) if oc and not _NOT_A_UNIT.match(oc.group()) else None


def _shared_unit(folded: str, nums: list[tuple[_Num, int]], i: int) -> str | None:
    """The unit an Arabic figure with none of its own shares with the next figure: the upper
    bound of its range (5-5.5%), or the next item of a list that writes its unit once, at its end
    (核桃2300、花椒1800亩; not a list marker 1、…, which opens its line or sentence)."""
    (num, unit_at) = nums[i]
    if num.chinese or i + 1 >= len(nums):
        return None
    nxt, nxt_at = nums[i + 1]
    if nxt.percent_word or nxt.chinese or _year_or_date(folded, nxt, nxt_at):
        return None
    join = RANGE_JOIN.match(folded, unit_at)
    listed = _LISTED.match(folded, unit_at)
    if (join and join.end() == nxt.start) or (
            listed and listed.end() == nxt.start and num.start and _HAN.match(folded[num.start - 1])):
        unit = _unit_at(folded, nxt, nxt_at)
        return unit[0] if unit else None
    return None


def _scan(text: str, need_unit: bool) -> list[Quantity]:
    folded = fold(text)
    result: list[Quantity] = []
    nums = _numerals(folded)
    for i, (num, unit_at) in enumerate(nums):
        if num.percent_word:
            unit = "%" if num.percent_word == "百分之" else "‰"
            end = num.end
        else:
            if _year_or_date(folded, num, unit_at):
                continue
            um = _unit_at(folded, num, unit_at)
            shared = _shared_unit(folded, nums, i) if um is None else None
            if um:
                unit, end = um
            elif shared is not None:
                unit, end = shared, num.end  # the lower bound or list item: its text is the figure
            elif need_unit or num.chinese:
                continue  # a Chinese numeral without a unit is a word (统一, 一是, 十百千)
            else:
                unit, end = "", num.end
        if unit.startswith("百分点"):
            unit = "个" + unit
        result.append(Quantity(num.value, unit, num.start, end, text[num.start:end]))
    return result


def find_quantities(text: str) -> list[Quantity]:
    """Every number in `text` with the unit written after it, in text order.

    Years, dates, ordinals and numerals inside words are skipped (see module docstring); a number
    without a recognised unit is skipped. Units come back in simplified script.
    """
    return _scan(text, need_unit=True)


def find_numbers(text: str) -> list[Quantity]:
    """Like find_quantities, but numbers without a unit are kept (unit "")."""
    return _scan(text, need_unit=False)


def same_quantity(q: Quantity, value: float, unit: str | None) -> bool:
    """q has this value (to 1e-9 relative) and, unless unit is None, this unit (normalize_unit)."""
    if abs(q.value - value) > 1e-9 * max(1.0, abs(value)):
        return False
    return unit is None or normalize_unit(q.unit) == normalize_unit(unit)
