"""Field normalisers: what code can derive from the wording, so the model does not have to.

All functions are pure. Input may be simplified or traditional script; regexes run on
`numbers.fold(text)` (simplified, half-width, same length), and every `time_text` returned is
the original wording, sliced from the input.
"""
from __future__ import annotations

import datetime as _dt
import re

from extract.text.lexicon import BODY_END, CHANNEL_SUFFIX, OFFICE_WORDS, OFFICES, SELF_REFERENCE_ALONE, UNDATED_TIME
from extract.text.numbers import RANGE_JOIN, Quantity, find_quantities, fold, parse_number
from extract.text.script import to_simplified
from extract.text.spans import sentences
from schemas.record import Comparator, Person

# --- comparator --------------------------------------------------------------------------------

# Words right after the quantity qualify it directly and win over a verb before it
# (达3400家左右 is "about"). Longest first so 不超过 is not read as 超过.
_AFTER = [
    ("及以上", "at_least"), ("或以上", "at_least"), ("以上", "at_least"),
    ("及以下", "at_most"), ("以下", "at_most"), ("以内", "at_most"), ("之内", "at_most"),
    ("左右", "about"), ("上下", "about"),
]
_BEFORE = [
    ("不超过", "at_most"), ("不高于", "at_most"), ("不多于", "at_most"), ("不大于", "at_most"),
    ("控制在", "at_most"), ("不到", "at_most"), ("不足", "at_most"), ("少于", "at_most"),
    ("低于", "at_most"), ("小于", "at_most"),
    ("不少于", "at_least"), ("不低于", "at_least"), ("不小于", "at_least"), ("至少", "at_least"),
    ("最少", "at_least"),
    ("超过", "exceed"), ("突破", "exceed"), ("超出", "exceed"), ("高于", "exceed"),
    ("多于", "exceed"), ("大于", "exceed"), ("逾", "exceed"), ("超", "exceed"),
    ("大约", "about"), ("约", "about"), ("接近", "about"), ("将近", "about"), ("近", "about"),
    ("达到", "reach"), ("实现", "reach"), ("达", "reach"), ("为", "reach"),
]
_BEFORE_LONGEST_FIRST = sorted(_BEFORE, key=lambda wc: -len(wc[0]))  # 不低于 before 低于
_CLAUSE = re.compile(r"[，。；;,、！？!?：:\n（(）)]")
_RANGE_BEFORE = re.compile(r"\d(?:\.\d+)?[%‰]?" + RANGE_JOIN.pattern + "$")


def comparator_of(quote: str, quantity: Quantity | None = None) -> Comparator:
    """reach | exceed | at_least | about | at_most for `quantity` in `quote` (spec §1 table).

    Only the words touching the quantity count: a qualifier right after it (以上, 以内, 左右),
    多/余 inside it (100多家 → exceed), else a verb right before it (突破, 超过, 不低于, 控制在,
    约; 了 may follow the verb), else reach. `quantity` should come from find_quantities(quote);
    if its span does not index `quote`, its text is looked up. None: the first quantity.
    """
    folded = fold(quote)
    if quantity is None:
        qs = find_quantities(quote)
        if not qs:
            return "reach"
        quantity = qs[0]
    start, end = quantity.start, quantity.end
    if quote[start:end] != quantity.text:
        pos = quote.find(quantity.text)
        if pos < 0:
            return "reach"
        start, end = pos, pos + len(quantity.text)
    # The bounds of a range (增长5-5.5%): the lower one is a floor, the upper one a ceiling.
    if (join := RANGE_JOIN.match(folded, end)) and re.match(r"\d", folded[join.end():join.end() + 1]):
        return "at_least"
    if _RANGE_BEFORE.search(folded[max(0, start - 12):start]):
        return "at_most"
    after = folded[end:end + 3]
    for word, comp in _AFTER:
        if after.startswith(word):
            return comp  # type: ignore[return-value]
    if re.search(r"[\d一二两三四五六七八九十百千万亿][多余]", fold(quantity.text)):
        return "exceed"
    before = folded[max(0, start - 6):start]
    before = _CLAUSE.split(before)[-1]
    before = re.sub(r"了$", "", before)
    for word, comp in _BEFORE_LONGEST_FIRST:
        if before.endswith(word):
            return comp  # type: ignore[return-value]
    return "reach"


# --- years and dates ---------------------------------------------------------------------------

_CN_D = "零〇○一二两三四五六七八九"
_YEAR = rf"(?:民国\d{{1,3}}|[12]\d{{3}}|[{_CN_D}]{{4}})"
_EXPLICIT_YEAR = re.compile(
    rf"(?P<pre>到|至|截至|截止到|截止|直至)?(?P<y>{_YEAR})年(?P<post>底前|末前|年底|底|末|前|以前|之前)?"
)
_COMPARED = re.compile(r"(比|较|同比|与|和)$")
_PLAN = re.compile(
    r"[“\"「『‘']?十(?P<k>[一二三四五六七八九])五[”\"」』’']?"
    r"(?P<post>规划期间|规划期|期间|时期|期末|末期|末|内)?(?![”\"」』’']?(?:以来|来))"
    # …“十三五”规划开局之年: the year in the plan the text speaks in (今年), not the plan's end.
    r"(?![”\"」』’']?(?:规划)?的?(?:开局|起步|实施|第[一二三四五])之?年)"
)
_REL_YEAR = {"今年": 0, "本年": 0, "当年": 0, "年内": 0, "全年": 0, "本年度": 0,
             "明年": 1, "来年": 1, "后年": 2, "去年": -1}
# 年内 after a number is a duration (3年内), not "this year".
_REL_YEAR_RE = re.compile(
    "|".join("(?<![\\d一二两三四五六七八九十])" + w if w.startswith("年") else w
             for w in sorted(_REL_YEAR, key=len, reverse=True))
)
_DURATION = re.compile(
    r"(?<![\d.])(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,2})年(?P<post>内|之内|时间|左右)?(?!来|以来|前|度|均|底|末)"
)
_MONTH_END = re.compile(r"(?:到|至)(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末|份)?")


def _year_value(y: str) -> int | None:
    if y.startswith("民国"):
        return 1911 + int(y[2:])  # ROC era: 民國105年 = 2016
    if y.isdigit():
        return int(y)
    v = parse_number(y)
    return int(v) if v is not None else None


def publication_year(published: str | None) -> int | None:
    """The year of an ISO publication date (2021-02-19, 2021-02, 2021), else None."""
    if published and re.match(r"^\d{4}", published):
        return int(published[:4])
    return None


# A year the text sets a plan for: 2027年，…将…; 2026年主要预期目标; 2027年度项目建设…目标; a year of
# its own (not 到2025年, the end of a span), with looking-ahead words after it in its sentence.
_PLAN_YEAR = re.compile(r"(?<![到至\-—–~～\d])(?P<y>20\d\d)\s*年度?"
                        r"(?=[^。；！？\n]{0,30}?(?:将|要|力争|确保|计划|目标|任务|工作安排|重点工作|预期))")


def plan_year(text: str) -> int | None:
    """The first year the text sets out a plan for, or None: for a text with no publication
    date, the year its 今年, 全年 and unstated deadlines mean."""
    m = _PLAN_YEAR.search(fold(text or ""))
    return int(m.group("y")) if m else None


def deadline_year(text: str, published: str | None = None) -> tuple[int | None, str | None]:
    """(year, time_text as written) by which a target is to hold.

    In order: an explicit year (到2025年, 2025年底前, 至二〇二五年, 民國105年 → 2016; one with
    到/至/底/末/前 wins over a bare one); a five-year plan (“十四五”期间/末/时期 → 2025,
    十三五 → 2020, 十五五 → 2030; not …以来); 今年/年内/全年 (publication year), 明年 (+1);
    a duration (3年内, 通过3年努力, 五年) → publication year + N − 1, because such plans count
    the current year (a 3-year plan issued in 2021 runs to 2023). Relative forms need `published`
    (any ISO form with a year); without it the year is None and time_text keeps the words.
    """
    f = fold(text)
    # A year after 比/较/同比/与 is the base of a comparison (比2019年全年增速高), no deadline.
    explicit = [m for m in _EXPLICIT_YEAR.finditer(f) if _year_value(m.group("y"))
                and not _COMPARED.search(f, max(0, m.start() - 3), m.start())]
    if explicit:
        marked = [m for m in explicit if m.group("pre") or m.group("post")]
        m = (marked or explicit)[0]
        return _year_value(m.group("y")), text[m.start():m.end()]
    m = _PLAN.search(f)
    if m:
        k = 10 + "一二三四五六七八九".index(m.group("k")) + 1
        return 1955 + 5 * k, text[m.start():m.end()]  # plan k (k ≥ 3) ends in 1955 + 5k
    pub = publication_year(published)
    m = _REL_YEAR_RE.search(f)
    if m:
        word = text[m.start():m.end()]
        return (pub + _REL_YEAR[m.group()] if pub else None), word
    m = _DURATION.search(f)
    if m:
        n = parse_number(m.group("n"))
        if n and 1 <= n <= 20:
            return (pub + int(n) - 1 if pub else None), text[m.start():m.end()]
    m = _MONTH_END.search(f)
    if m:
        return pub, text[m.start():m.end()]
    return None, None


_PART_OF_DAY = r"(?:上午|下午|中午|晚上|晚间|傍晚|早上|清晨|凌晨|夜间|晚)?"
_NUM12 = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_FULL_DATE = re.compile(
    rf"(?:(?P<rel>去年|今年|明年)|(?P<y>{_YEAR})年)?(?P<m>{_NUM12})月(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[日号]"
    + _PART_OF_DAY
)
_MONTH = re.compile(
    rf"(?:(?P<rel>去年|今年|明年)|(?P<y>{_YEAR})年)?(?P<m>{_NUM12})月(?:份)?(?P<part>上旬|中旬|下旬|初|底|末|中)?"
)
_YEAR_ONLY = re.compile(rf"(?P<y>{_YEAR})年(?:度)?")
_REL_DAY = {"今天": 0, "今日": 0, "当天": 0, "当日": 0, "昨天": -1, "昨日": -1,
            "前天": -2, "前日": -2, "日前": None, "近日": None, "连日来": None, "近期": None,
            "近来": None, "日来": None}
_REL_DAY_RE = re.compile(
    "(?P<w>" + "|".join(sorted(_REL_DAY, key=len, reverse=True)) + ")" + _PART_OF_DAY
)


_STATED_YEAR = re.compile(rf"(?P<y>{_YEAR})年(?!度)")


def stated_year(text: str | None) -> int | None:
    """The one year a gathering's name or sentence states for itself (2026年第3次常务会议 →
    2026); not a year under review (2025年度…总结会 is held after it), not two different years."""
    years = {_year_value(m.group("y")) for m in _STATED_YEAR.finditer(fold(text or ""))}
    years.discard(None)
    return years.pop() if len(years) == 1 else None


# A year a gathering names for itself is its own when an ordinal of the year follows it
# (2026年第3次常务会议); otherwise a gathering held late in a year often prepares the next one
# (an October–December 2025年…推进会 may be held in 2024), so its year is not known.
_ORDINAL_OF_YEAR = re.compile(rf"{_YEAR}年(?:度)?第[0-9{_CN_D}十]+(?:次|届|期)")
_LATE_MONTH = 10


def own_year(name: str | None, quote: str | None, month: int | None) -> int | None:
    """The year a meeting of `month` takes from its own name or sentence (stated_year), or None
    where the year may be the one it prepares."""
    year = stated_year(name) or stated_year(quote)
    if year is None:
        return None
    if month is not None and month >= _LATE_MONTH and not _ORDINAL_OF_YEAR.search(fold(name or "")):
        return None
    return year


# The text's own present: a bare year (no month, no deadline 到…年 / …年底, no range, outside
# a document's 《title》) that a clause plans for (2027年，全区将… / 部署2027年…工作 / 2027年主要
# 预期目标) or reviews (2026年是…的一年 / 2026年…完成情况), tied to 今年 or 去年 in the same text.
_BARE_YEAR = re.compile(rf"(?<![0-9{_CN_D}\-—–~至到])(?P<y>[12]\d{{3}})年(?!度|底|末|前|以前|之前|以来|[0-9{_CN_D}]+月|[-—–~至])")
_PLAN_BEFORE = re.compile(r"(?:部署|安排|谋划|做好|开启的|开启了)$")
_PLAN_AFTER = re.compile(r"^[^，,。；;：:]{0,6}?[，,]?[^。；;]{0,12}?(?:将|要|计划|力争|确保|预期目标|目标|总要求|任务)")
_REVIEW_AFTER = re.compile(r"^[^。；;]{0,40}?(?:是[^。；;]{0,30}一年|完成情况|总结|回顾|预计全年)")
_PRESENT = re.compile(r"今年|已经开启")
_PAST = re.compile(r"去年|过去一年")
_PLAN_MONTHS = range(1, _LATE_MONTH)   # a year's plan is told during that year
_REVIEW_MONTHS = range(1, 5)           # a year's review, early in the next


def text_year(text: str, month: int | None) -> int | None:
    """The year a text with no publication date speaks in, for an event of `month`: the one
    year it plans for when it also says 今年, or the year after the one it reviews when it also
    says 去年; None when there is no such year, or two."""
    if month is None:
        return None
    simple = re.sub(r"《[^》]*》", "", fold(to_simplified(text)))
    planned, reviewed = set(), set()
    for m in _BARE_YEAR.finditer(simple):
        before, after = simple[max(0, m.start() - 6): m.start()], simple[m.end():]
        if _PLAN_BEFORE.search(before) or _PLAN_AFTER.match(after):
            planned.add(int(m.group("y")))
        elif _REVIEW_AFTER.match(after):
            reviewed.add(int(m.group("y")))
    years = set()
    if _PRESENT.search(simple) and len(planned) == 1 and month in _PLAN_MONTHS:
        years |= planned
    if _PAST.search(simple) and len(reviewed) == 1 and month in _REVIEW_MONTHS:
        years |= {y + 1 for y in reviewed}
    return years.pop() if len(years) == 1 else None


def page_year(text: str) -> int | None:
    """The one year the dated events of a page state for themselves (9月24日，…2026年迎国庆篮球赛
    开赛: own_year of the sentence at its month), or None when none does or two disagree."""
    years = set()
    for sent in sentences(text):
        date, _ = parse_date(sent.text, None)
        if date and date.startswith("--"):
            year = own_year(None, sent.text, int(date[2:4]))
            if year is not None:
                years.add(year)
    return years.pop() if len(years) == 1 else None


def with_year(date: str | None, year: int | None) -> str | None:
    """--04-03 with a year known from elsewhere → 2026-04-03 (an impossible day stays yearless)."""
    if not date or not year or not date.startswith("--"):
        return date
    try:
        return _dt.date(year, int(date[2:4]), int(date[5:7])).isoformat()
    except ValueError:
        return date


def _full_pub(published: str | None) -> _dt.date | None:
    if published and re.match(r"^\d{4}-\d{2}-\d{2}$", published):
        try:
            return _dt.date.fromisoformat(published)
        except ValueError:
            return None
    return None


def _num(s: str) -> int | None:
    v = parse_number(s)
    return int(v) if v is not None else None


def parse_date(text: str, published: str | None = None) -> tuple[str | None, str | None]:
    """(ISO date with reduced precision, time_text as written) of the first date in `text`.

    2021年2月19日 → 2021-02-19; 2月19日 → --02-19, or 2021-02-19 when `published` has a year;
    去年3月23日 → year from `published` − 1, else --03-23; 2021年2月 / 2月上旬 (with a known
    year) → 2021-02 (上旬/中旬/下旬/初/底 give month precision); 2021年 → 2021. 昨天/今天/前天
    resolve only when `published` is a full date; 日前/近日/连日来 never resolve. A part of day
    (上午, 下午) stays in time_text: 11月13日下午 → ("--11-13", "11月13日下午").
    """
    f = fold(text)
    pub = publication_year(published)
    cands: list[tuple[int, int, str | None]] = []  # (start, -end, iso)

    def year_of(m: re.Match[str]) -> int | None:
        if m.group("y"):
            return _year_value(m.group("y"))
        if m.group("rel"):
            return pub + _REL_YEAR[m.group("rel")] if pub else None
        return pub

    for m in _FULL_DATE.finditer(f):
        mo, d, y = _num(m.group("m")), _num(m.group("d")), year_of(m)
        if not mo or not d or not (1 <= mo <= 12 and 1 <= d <= 31):
            continue
        if y:
            try:
                iso: str | None = _dt.date(y, mo, d).isoformat()
            except ValueError:
                continue
        else:
            iso = f"--{mo:02d}-{d:02d}"
        cands.append((m.start(), -m.end(), iso))
    for m in _MONTH.finditer(f):
        if _FULL_DATE.match(f, m.start()) or f[max(0, m.start() - 1):m.start()] == "第":
            continue
        mo, y = _num(m.group("m")), year_of(m)
        if not mo or not 1 <= mo <= 12:
            continue
        cands.append((m.start(), -m.end(), f"{y:04d}-{mo:02d}" if y else None))
    for m in _YEAR_ONLY.finditer(f):
        if _MONTH.match(f, m.start()):
            continue  # 2021年2月…: the month or full date is the better reading
        y = _year_value(m.group("y"))
        if y:
            cands.append((m.start(), -m.end(), f"{y:04d}"))
    pub_day = _full_pub(published)
    for m in _REL_DAY_RE.finditer(f):
        off = _REL_DAY[m.group("w")]
        iso = (pub_day + _dt.timedelta(days=off)).isoformat() if pub_day and off is not None else None
        cands.append((m.start(), -m.end(), iso))
    for m in _DAY_ONLY.finditer(f):
        cands.append((m.start(), -m.end(), _day_in_month_of(int(m.group("d")), pub_day)))
    if not cands:
        return None, None
    start, neg_end, iso = min(cands)
    return iso, text[start:-neg_end]


# A part of day with no day before it (林市长下午现勘…, 会议上午召开): the day the text was
# last dated, else the day of publication.
_PART_OF_DAY_ALONE = re.compile(r"(?<![日号天晚早])(?:上午|下午|中午|晚上|傍晚|凌晨)")


def _is_day(date: str | None) -> bool:
    return bool(date and re.fullmatch(r"(?:\d{4}|-)-\d{2}-\d{2}", date))  # 2021-03-02, --03-02


def _last_day(before: str, published: str | None, stop_at_undated: bool) -> str | None:
    """The last day `before` states, read back sentence by sentence; with `stop_at_undated`, None
    once a sentence after that day states a time that is no day (近日, 在…期间, 次日)."""
    for piece in reversed(sentences(before)):
        date, said = parse_date(piece.text, published)
        if _is_day(date):
            return date
        if stop_at_undated and (UNDATED_TIME.search(fold(piece.text)) or (said and date is None)):
            return None
    return None


def part_of_day_date(text: str, before: str, published: str | None) -> str | None:
    """The date a bare part of day in `text` falls on: the last day `before` states (…3月2日上午
    开幕。下午，…), else the publication date; None when `text` has no bare part of day or
    neither is known."""
    if not _PART_OF_DAY_ALONE.search(fold(text)):
        return None
    pub = _full_pub(published)
    return _last_day(before, published, stop_at_undated=False) or (pub.isoformat() if pub else None)


def carried_date(text: str, before: str, published: str | None) -> str | None:
    """The day a sentence that states no time of its own falls on, as news narrates: the last day
    stated `before` it (4月23日，…开工。…出席奠基仪式 → 4月23日). None when `text` or a sentence
    after that day states a time that is no day (在…期间, 近日, 次日), or no day is stated."""
    if UNDATED_TIME.search(fold(text)) or parse_date(text, published)[1]:
        return None
    return _last_day(before, published, stop_at_undated=True)


# "27日" alone, as wire copy dates an event: the publication month, or the month before when
# the day is later than the publication day. Unresolved without a full publication date.
_DAY_ONLY = re.compile(r"(?<![月\d〇零一二三四五六七八九十号])(?P<d>\d{1,2})日(?:上午|下午|晚上|凌晨|中午|早上|晚)?")


def _day_in_month_of(day: int, pub_day: _dt.date | None) -> str | None:
    if pub_day is None or not 1 <= day <= 31:
        return None
    year, month = pub_day.year, pub_day.month
    if day > pub_day.day:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# --- bodies and people -------------------------------------------------------------------------



# The parts of a gathering's name after the body that holds it: its term (十五届, 2022年), its
# number (第9次), its kind (常委会, 常务会议, 全体会议, 全会, 会议).
_GATHERING_PART = re.compile(r"[第]?[一二三四五六七八九十百\d]+届|20\d\d年|第?[一二三四五六七八九十百\d]+次|"
                             r"(?<=[委府协党])(?:常委|常务|全体|扩大|全会|党组会|会议|会)")


def body_of_gathering(name: str) -> str | None:
    """The body a gathering belongs to, by its name: 县政府常务会议 → 县政府, 十二届县委常委会第15次会议
    → 县委, 区政协七届九次常委会议 → 区政协, 市委全面深化改革委员会第八次会议 → 市委全面深化改革委员会,
    县人大常委会第五次会议 → 县人大常委会, 县第九届人民政府第12次常务会议 → 县人民政府;
    None when no body opens the name (全县经济工作会议)."""
    # The session's ordinal, before the body or inside its name (县第九届人民政府第12次常务会议).
    name = re.sub(r"第?[一二三四五六七八九十百\d]+届", "", to_simplified(name).strip())
    standing = re.match(r"[\u4e00-\u9fff]{0,12}?人大常委会", name)
    if standing:
        return standing.group()  # a people's congress standing committee is a body that meets
    m = _GATHERING_PART.search(name)
    body = name[: m.start()] if m else ""
    return body if len(body) >= 2 and BODY_END.search(body) and not re.search(r"[省市区县镇乡]$", body) else None


def split_bodies(s: str) -> list[str]:
    """'区委、区政府' → ['区委', '区政府']. Splits on 、，,;； and on 和/及/与/以及 when the part
    before ends like a body (委, 政府, 局, …); strips, drops empties, de-duplicates in order."""
    out: list[str] = []
    # Separators inside brackets belong to a name (青山新区（高新区、经开区）党政办公室).
    for part in re.split(r"[、，,;；/\n]+(?![^（(]*[）)])", s or ""):
        pieces = [part]
        while True:
            last = pieces[-1]
            m = next((m for m in re.finditer(r"以及|和|及|与", last)
                      if BODY_END.search(last[:m.start()].strip()) and last[m.end():].strip()), None)
            if not m:
                break
            pieces[-1:] = [last[:m.start()], last[m.end():]]
        for p in pieces:
            p = CHANNEL_SUFFIX.sub("", p.strip(" \t\u3000“”\"《》"))
            if p and p not in out:
                out.append(p)
    return out


_OFFICE_END = re.compile(OFFICE_WORDS)
_SURNAMES_2 = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
               "夏侯", "端木", "西门", "宇文", "长孙", "司徒", "澹台", "独孤", "南宫", "呼延")
_HAN = re.compile(r"^[\u4e00-\u9fff·]+$")
_HONORIFIC = re.compile(r"(?:同志|先生|女士|教授|博士)$")
# Generic descriptions of a group, not offices: 区领导周立 has no title.
_GENERIC = re.compile(r"^(?:[省市区县镇]|市四套班子|区四套班子)?(?:领导|领导同志|负责同志|嘉宾)$")
_GENERIC_PREFIX = re.compile(r"^(?:[省市区县镇]|市四套班子|区四套班子)?(?:领导同志|领导|负责同志|嘉宾)")


def _looks_like_name(s: str) -> bool:
    if not _HAN.match(s) or _OFFICE_END.fullmatch(s):
        return False
    if s.startswith(_SURNAMES_2):
        return 3 <= len(s) <= 4
    return 2 <= len(s) <= 3 or (len(s) == 4 and "·" not in s)


def _title_name(s: str) -> tuple[str | None, str | None]:
    """(title, name) of one person mention; name None when `s` is only a title."""
    s = _HONORIFIC.sub("", s.strip(" \t\u3000"))
    generic = _GENERIC_PREFIX.match(s)
    if generic and _looks_like_name(s[generic.end():]):
        return None, s[generic.end():]  # 区领导周立: a group, not an office
    m = re.match(r"^(?P<name>[^（(]+)[（(](?P<title>[^）)]+)[）)]$", s)  # 张明华（市委书记）
    if m and _looks_like_name(m.group("name").strip()):
        return m.group("title").strip(), m.group("name").strip()
    # 区长王红 is an office and a name, not a four-character name.
    if _looks_like_name(s) and not _OFFICE_END.search(s[-2:]) \
            and not (len(s) == 4 and _OFFICE_END.fullmatch(s[:2])):
        return None, s
    # The title ends after an office word that leaves a name-shaped remainder; prefer a
    # 3-character name, then 2, then 4 (市长王长江: the 长 inside the name leaves only 江).
    best: tuple[int, str, str] | None = None
    ends = sorted({m.end() for i in range(len(s)) for m in [_OFFICE_END.match(s, i)] if m})
    for e in ends:
        title, name = s[:e], s[e:]
        if not name:
            continue
        if _looks_like_name(name):
            rank = {3: 0, 2: 1, 4: 2}.get(len(name), 3)
            if best is None or rank < best[0]:
                best = (rank, title, name)
    if best:
        title = best[1]
        return (None if _GENERIC.match(title) else title), best[2]
    if s.endswith(tuple(OFFICES)) or _GENERIC.match(s):
        return s, None
    return None, s if _looks_like_name(s) else None


def split_person(s: str) -> Person:
    """'市委书记张明华' → Person(name='张明华', title='市委书记'); '周立' → title None;
    '张明华（市委书记）' and '张明华同志' work too; several offices joined by 、 stay one title.
    A string with no recognisable name comes back whole as the name; empty raises ValueError."""
    s = to_simplified((s or "").strip())
    if not s:
        raise ValueError("empty person string")
    title, name = _title_name(s)
    if name is None:
        return Person(name=s, title=None)
    return Person(name=name, title=title)


def split_people(s: str) -> list[Person]:
    """'区委常委、宣传部长周立、孙丽' → [周立 (区委常委、宣传部长), 孙丽 (…)].

    Title-only pieces (区委常委) join the next piece's title. A bare name right after a titled
    one shares its title, as in 副主任刘东升、王新辉、冯锁强 (the Chinese convention for a title
    over a list); a generic lead-in (区领导) is no title. Splits on 、，,;； and on 和/及/与
    between two names.
    """
    pieces: list[str] = []
    for part in re.split(r"[、，,;；\n]+", to_simplified(s or "")):
        part = part.strip()
        if not part:
            continue
        # 王新辉和李林: split on 和/及/与 only when both sides carry a name.
        m = re.fullmatch(r"(.+?)(?:和|及|与)(.+)", part)
        if m and _title_name(m.group(1))[1] and _title_name(m.group(2))[1]:
            pieces += [m.group(1), m.group(2)]
        else:
            pieces.append(part)
    people: list[Person] = []
    pending: list[str] = []
    shared: str | None = None
    for p in pieces:
        title, name = _title_name(p)
        if name is None:
            if title and not _GENERIC.match(title):
                pending.append(title)
            shared = None
            continue
        if pending:
            title = "、".join(pending + ([title] if title else []))
            pending = []
        if title:
            shared = title
        elif shared:
            title = shared
        people.append(Person(name=name, title=title))
    return people


# --- issuing and convening bodies ---------------------------------------------------------

# An office held by a person (自治区副主席, 区委书记) is no body.
_PERSON_OFFICE = re.compile(OFFICE_WORDS + "$")


def bodies(raw: list[str], region: str | None) -> list[str]:
    """Issuing or convening bodies, one each; 我区 means the region when that is known, and is
    dropped when the text also names the bodies themselves ("我区出台…，区委、区政府印发")."""
    named: list[str] = []
    selves: list[str] = []
    for s in raw:
        for b in split_bodies(to_simplified(s)):
            if _PERSON_OFFICE.search(b):
                continue
            if SELF_REFERENCE_ALONE.match(b):
                if region and region.endswith(b[-1]) and region not in selves:
                    selves.append(region)
            elif b not in named:
                named.append(b)
    return named or selves
