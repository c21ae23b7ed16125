"""Cleaning page text: page furniture out, whitespace normalised, page-break splits joined.

The rules are about Chinese newspaper and portal pages in general (mastheads, 主办 lines,
版面 notices, index lines, column banners, metadata lines), never about one page. Patterns are
matched on a character-by-character simplified copy of each line, so traditional pages are
cleaned by the same rules without changing their text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extract.text.lexicon import NEWS_TIME_WORDS
from extract.text.script import to_simplified, to_simplified_chars

# Sentence-final punctuation: a paragraph ending otherwise was cut by a page break (or is a heading).
TERMINAL = "。！？；：…!?;:”」』’\"）)】》"
SOFT_END = "，、,—-－（(“「《"

_NEWSPAPER = r"[\u4e00-\u9fff]{2,8}?(?:日报|时报|晚报|早报|商报|周报|导报|快报|信息报|法制报|青年报)"
_MASTHEAD = re.compile(rf"^{_NEWSPAPER}$")
_APP_LINE = re.compile(
    r"^.{0,10}?(数字微报|微信公众号|公众号|APP下载|客户端下载|客户端|手机台|手机报|电子版|数字报|官方微博)$", re.I
)
_SITE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}网$")
_PUBLISHER = re.compile(r"^(主办|主管|出版|编辑出版|主管部门|主办单位)\s*[:：]")
_EDITOR = re.compile(
    r"^[（(\[【]?\s*(责任编辑|责编|编辑|版面编辑|美术编辑|美编|校对|审核|审校|值班编辑|组版|版式|排版|版面|编审)\s*[:：]"
)
_META_KEY = r"(原标题|发稿时间|发布时间|发布日期|更新时间|发表时间|信息来源|文章来源|稿件来源|来源|作者|发布人|发布者|点击数|点击|浏览次数|阅读次数|字号|字体)"
_METADATA = re.compile(rf"^[（(\[【]?\s*{_META_KEY}\s*[:：]")
_META_ANYWHERE = re.compile(rf"{_META_KEY}\s*[:：]")
_FONT_WIDGET = re.compile(r"[【\[]\s*字[体号]\s*[:：][^】\]]*[】\]]")
_DATE_LINE = re.compile(r"^\d{2,4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?(\s+\S{1,20})?$")
_URL_LINE = re.compile(r"^(https?:)?//\S+$|^www\.\S+$", re.I)
_COPYRIGHT = re.compile(r"^(copyright|版权所有|©)", re.I)
_COLUMN = re.compile(
    r"^.{0,6}(新闻|评论|解读|报道|快讯|专题|专栏|要闻|时评|观察|聚焦|视点|速递|特稿|时讯|纵横|一线)$"
)
_NUM = r"[一二三四五六七八九十\d]{1,3}"
_CONT_NOTICE = rf"[（(]\s*(?:上接|接上|下转|转下|转|接)\s*(?:第\s*)?{_NUM}\s*版(?:[^）)]{{0,10}})?\s*[）)]"
_NOTICE_LINE = re.compile(rf"^{_CONT_NOTICE}$")
_NOTICE_ANY = re.compile(_CONT_NOTICE)
_CONTINUED_FROM = re.compile(rf"^[（(]\s*(?:上接|接上|接)\s*(?:第\s*)?{_NUM}\s*版")
_INDEX = re.compile(rf"^[▶►>→●◆■]?\s*[（(]?\s*(?:详见|见|详|转)\s*(?:第\s*)?{_NUM}\s*版\s*[）)]?$")
_LEAD = re.compile(
    r"^[*\s]*(?:[（(【]?\s*(?:本报讯|本报记者|本报评论员|本报通讯员|本报特约评论员|特约评论员|新华社|人民网|中新网|央视网)"
    r"|(?:记者|通讯员)\s*[\u4e00-\u9fff]{2,4}(?:\s|$|[）)、，,])"
    rf"|[\u4e00-\u9fff]{{0,8}}?(?:{NEWS_TIME_WORDS})[，,上下中晚早]?)"
)
_CREDIT_END = re.compile(r"(摄|供图|图/\S{2,4}|/图|/文|/摄|报道)$")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})(?!\d)")
_DATE_HINT = re.compile(r"时间|日期|发布|发稿|更新|来源|发表")


@dataclass
class Line:
    """One non-empty line of a page; `gap` is True when a blank line precedes it."""

    text: str
    gap: bool = False
    heading: int = 0  # markup heading level (1–6), 0 when the markup marks none


# --------------------------------------------------------------------------- whitespace


def normalize(text: str) -> str:
    """Unify line endings and spaces; at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\xa0", " ").replace("\u3000", " ").replace("\ufeff", "")
    text = re.sub(r"[\u200b-\u200d\u2060]", "", text)
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def to_lines(text: str) -> list[Line]:
    out: list[Line] = []
    gap = False
    for raw in normalize(text).split("\n"):
        if not raw:
            gap = True
            continue
        out.append(Line(raw, gap=gap and bool(out)))
        gap = False
    return out


def join_lines(lines: list[Line]) -> str:
    parts: list[str] = []
    for i, line in enumerate(lines):
        if i:
            parts.append("\n\n" if line.gap else "\n")
        parts.append(line.text)
    return "".join(parts)


# --------------------------------------------------------------------------- classification


def is_terminated(text: str) -> bool:
    return bool(text) and text[-1] in TERMINAL


def is_lead(text: str) -> bool:
    """A line that opens a news article: 本报讯, a byline, or a date/time lead."""
    return bool(_LEAD.match(to_simplified_chars(text)))


def is_continued_from(text: str) -> bool:
    """A "(上接第一版)" notice: the rest of an article that began on another page."""
    return bool(_CONTINUED_FROM.match(to_simplified_chars(text)))


def is_notice(text: str) -> bool:
    return bool(_NOTICE_LINE.match(to_simplified_chars(text)))


def is_furniture(text: str, header: bool = False) -> bool:
    """Page furniture that is never article text; `header` adds rules for the page top."""
    s = to_simplified_chars(text).strip("*# ")
    if not re.search(r"[\w\u4e00-\u9fff]", s):
        return True  # separators and stray punctuation
    if _MASTHEAD.match(s) or _APP_LINE.match(s) or (header and _SITE_NAME.match(s)):
        return True
    if _PUBLISHER.match(s) or ("主办" in s and "主管" in s and len(s) < 120):
        return True
    if _EDITOR.match(s) and len(s) <= 50:
        return True
    if _is_metadata(s) or _URL_LINE.match(s) or _COPYRIGHT.match(s):
        return True
    if _INDEX.match(s) or (_COLUMN.match(s) and len(s) <= 8):
        return True
    return bool(_NOTICE_LINE.match(s)) and not _CONTINUED_FROM.match(s)


def _is_metadata(s: str) -> bool:
    if _METADATA.match(s) and len(s) <= 80 and "。" not in s:
        return True
    if _DATE_LINE.match(s):
        return True
    # "2011年09月26来源：www.x.com": a short date/source line without a sentence.
    return len(s) <= 60 and "。" not in s and bool(_META_ANYWHERE.search(s)) and bool(_DATE.search(s))


# --------------------------------------------------------------------------- furniture


def drop_furniture(lines: list[Line]) -> list[Line]:
    """Remove page furniture lines; keep "(上接…)" notices, which mark articles."""
    kept: list[Line] = []
    header = True
    pending_gap = False
    for line in lines:
        text = _strip_inline_folded(line.text)
        if header and (len(text) >= 30 or is_lead(text)):
            header = False
        if not text or is_furniture(text, header=header):
            pending_gap = pending_gap or line.gap
            if _INDEX.match(to_simplified_chars(text).strip("*# ")):
                pending_gap = _drop_index_entry(kept) or pending_gap
            continue
        kept.append(Line(text, gap=line.gap or (pending_gap and bool(kept)), heading=line.heading))
        pending_gap = False
    return kept


def _strip_inline_folded(text: str) -> str:
    # Match on the simplified copy, cut the same spans out of the original.
    folded = to_simplified_chars(text)
    spans = [m.span() for m in _FONT_WIDGET.finditer(folded)]
    m = re.search(rf"\s*(?:[（(]\s*(?:下转|转下|转至|转)\s*(?:第\s*)?{_NUM}\s*版[^）)]{{0,10}}[）)])\s*$", folded)
    if m and m.start() > 0:
        spans.append(m.span())
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text.strip()


def _drop_index_entry(kept: list[Line]) -> bool:
    """An index line ("▶ 详见二版") ends an entry: drop its headline and column lines."""
    dropped_gap = False
    for _ in range(3):
        if not kept or kept[-1].text[-1] in "。！？；!?;" or len(kept[-1].text) > 40:
            break
        dropped_gap = kept.pop().gap
    return dropped_gap


# --------------------------------------------------------------------------- page breaks


def join_broken(lines: list[Line], marked: bool = False) -> list[Line]:
    """Join paragraphs that a page break (or a hard line wrap) split mid-sentence.

    `marked`: the page marks its headings with markup, so an unmarked short line is body
    text, not a subheading.
    """
    out: list[Line] = []
    widths = Counter(len(ln.text) for ln in lines)
    for line in lines:
        if out and _is_split(out[-1], line, marked, widths):
            prev = out[-1]
            sep = " " if re.match(r"[A-Za-z0-9]", line.text) and re.search(r"[A-Za-z0-9]$", prev.text) else ""
            out[-1] = Line(prev.text + sep + line.text, gap=prev.gap, heading=prev.heading)
        else:
            out.append(line)
    return out


_CLAUSE_BREAK = re.compile(r"[，。；：,;:！？]")
# A paragraph this long that stops without a sentence end was cut by a page break.
BROKEN_PARAGRAPH_CHARS = 60


def _is_split(prev: Line, nxt: Line, marked: bool, widths: Counter | None = None) -> bool:
    if prev.heading or nxt.heading or is_terminated(prev.text) or _CREDIT_END.search(prev.text):
        return False
    if is_lead(nxt.text) or is_continued_from(nxt.text) or is_furniture(nxt.text):
        return False
    if prev.text[-1] in SOFT_END or nxt.text[0] in "，。、；：？！,.;:)）”」":
        return True
    if marked:
        return len(nxt.text) >= 20
    if len(prev.text) < 25 or not (len(nxt.text) >= 10 or is_terminated(nxt.text)):
        return False
    # A hard wrap cuts lines at one width, so several lines share it; a paragraph cut by a page
    # break is prose (its clauses run on: ，。；) or long. A short unterminated line of its own
    # width with no clause break is a list item or a heading (新增上市企业5家以上 /
    # 新建城市绿道12公里): complete, not cut.
    shared = sum((widths or Counter()).get(len(prev.text) + d, 0) for d in (-1, 0, 1))
    return (widths is None or len(prev.text) >= BROKEN_PARAGRAPH_CHARS or shared >= 3
            or bool(_CLAUSE_BREAK.search(prev.text)))


def clean_text(text: str, marked: bool = False) -> str:
    """The whole cleaning of one article's text."""
    lines = [ln for ln in drop_furniture(to_lines(text)) if not is_notice(ln.text)]
    return join_lines(join_broken(lines, marked))


# --------------------------------------------------------------------------- page facts


def find_outlet(text: str, anywhere: bool = False) -> str | None:
    """The newspaper named by a masthead line at the page top, or a 来源 line; simplified."""
    lines = [ln.strip("*# （()）") for ln in text.split("\n") if ln.strip()]
    for line in lines if anywhere else lines[:15]:
        s = to_simplified_chars(line)
        m = _MASTHEAD.match(s) if not anywhere else re.search(_NEWSPAPER, s)
        if m:
            return to_simplified(m.group(0))
    for line in lines:
        m = re.match(rf"^(?:文章来源|稿件来源|来源)\s*[:：]\s*({_NEWSPAPER})", to_simplified_chars(line))
        if m:
            return to_simplified(m.group(1))
    return None


# A date in the Republic of China calendar (Taiwanese pages): 104.11.26, 民國104年11月26日.
_ROC_DATE = re.compile(r"^(?:中華民國|中华民国|民國|民国)?\s*(\d{2,3})\s*[./年]\s*(\d{1,2})\s*[./月]\s*(\d{1,2})\s*日?$")


_DATE_ALONE = re.compile(_DATE.pattern + r"\s*日?")


def page_date(text: str) -> str | None:
    """The publication date a page prints: a date/source line near the top (发布时间：…), a
    date alone on a line there (also in the ROC calendar, 104.11.26 = 2015-11-26), or a
    document's signature date (落款) alone on a line at the end. Never from a URL."""
    lines = _without_dated_lists([ln.strip() for ln in text.split("\n") if ln.strip()])
    found = parse_date_text("\n".join(lines[:30]), metadata_only=True)
    if found:
        return found
    for line in lines[:15]:
        if _SPEECH_DATELINE.match(line):
            return parse_date_text(line)
    for line in lines[:30]:
        m = _ROC_DATE.match(to_simplified_chars(line))
        if m:
            year, month, day = (int(g) for g in m.groups())
            if 1 <= year <= 200 and 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year + 1911:04d}-{month:02d}-{day:02d}"
    for line in reversed(lines[-8:]):
        if _DATE_ALONE.fullmatch(line.strip("（()）")):
            return parse_date_text(line)
    return None


# A speech's or report's dateline under its title: ——2031年1月6日在某市第九届人民代表大会第二次会议上.
_SPEECH_DATELINE = re.compile(r"^[—－\-]{1,2}\s*" + _DATE.pattern + r"\s*日?\s*在[^。]{2,60}?(?:会议|大会|会)上")


def _without_dated_lists(lines: list[str]) -> list[str]:
    """The lines less each run of three or more short dated lines with different dates: a list
    of other pages' links (…2015-09-24 14:00阅读 / …2015-09-23 20:05阅读), not this page's date."""
    dated = [len(ln) <= 80 and _DATE.search(ln) is not None for ln in lines]
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and dated[j]:
            j += 1
        if j - i >= 3 and len({_DATE.search(ln).group(0) for ln in lines[i:j]}) > 1:
            keep[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    return [ln for ln, k in zip(lines, keep) if k]


def parse_date_text(text: str, metadata_only: bool = False) -> str | None:
    """The first full date (2021年6月9日, 2021/6/9, 2021-06-09) as ISO, else None.

    `metadata_only`: only in short lines that look like date/source metadata.
    """
    for line in text.split("\n") if metadata_only else [text]:
        if metadata_only and (len(line) > 80 or not (_DATE_HINT.search(line) or _DATE.match(line.strip()))):
            continue
        for m in _DATE.finditer(line):
            year, month, day = (int(g) for g in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None
