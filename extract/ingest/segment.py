"""Cutting a page into articles.

A page is a list of lines (furniture already dropped). An article starts at
- a heading the markup marks at level 1–2 (`#`, `##`, `<h1>`, `<h2>`);
- a headline block (1–3 short lines without sentence-final punctuation) followed by a lead:
  本报讯, a byline (记者…/通讯员…), 本报评论员, or a date lead (2月19日，… / 昨天上午…);
- a two- or three-line headline block (title + subtitle) between body paragraphs;
- a "(上接第一版)" notice after another article's body: the rest of an article from another page.
Headline lines that follow a headline with no body in between are its subtitle (deck).

A digest (要闻简报, 简讯, 动态: short news items under one masthead or heading) is then cut into
its items, each an article. Within one article so found, an item starts at
- a line opening with an item marker (◆ ● ■ …), when at least two lines there open with the same
  marker (a headline with it heading another article of the page counts) and they are a digest's
  items, not a bullet list: none opens an enumeration (一是…, （二）…) and more than half of them
  are news items: 40 characters or more, with a lead of their own in the first sentence (本报讯,
  a time word that is no deadline, or a held event such as 召开 with nothing planned). A list
  item (short, or a plan's point with no who or when) is not;
- a line opening with 本报讯, when at least two lines there do;
- under a digest heading (要闻简报, 简讯, 工作动态), a headline line followed by its body of 40
  characters or more, when at least two are; there a marker item needs no lead of its own.
An item runs to the next item's start. Body text above the first item stays an article; headline
lines alone there are the digest's heading (a masthead, 要闻简报) and no part of any item.
An item's title is its title line (marker dropped), else its opening: the text after the marker
and dateline up to a short head (before a space or colon) or the first sentence end.
"""
from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from extract.ingest.clean import (
    Line,
    drop_furniture,
    find_outlet,
    is_continued_from,
    is_lead,
    is_terminated,
    join_broken,
    join_lines,
    to_lines,
)
from extract.ingest.read import STDIN_SOURCE, Document
from extract.places.region import page_division
from extract.text.normalize import page_year
from extract.text.lexicon import (DATELINE, DIGEST_HEADING, ENUMERATION, FUTURE, HELD_VERB, ITEM_MARKERS, NEWS_TIME,
                                  OWN_DATELINE)
from extract.text.script import to_simplified_chars, detect_script, to_simplified
from schemas import Article

MAX_HEADLINE = 60  # characters; longer lines are body text
MAX_RUN = 8  # headline-like lines considered together
MIN_ITEM = 40  # characters: a digest item is a news item of its own, not a bullet point


@dataclass
class _Draft:
    title: list[Line] = field(default_factory=list)
    body: list[Line] = field(default_factory=list)
    deck: list[Line] = field(default_factory=list)
    continued: str | None = None  # the "(上接…)" notice that opened it
    label: str | None = None  # a digest item's title: its title line without the marker, or its opening

    @property
    def empty(self) -> bool:
        return not self.title and not self.body and not self.deck and self.continued is None


def segment(doc: Document) -> list[Article]:
    """Cut a document into articles (one for a single-article page)."""
    lines = page_lines(doc)
    marked = any(level <= 2 for level, _ in doc.headings)
    order = {id(line): n for n, line in enumerate(lines)}
    cut = [d for d in _cut(lines) if d.body]
    # Items a headline + lead already made articles of (◆ 县政府签约 / 3月4日，…) count with the
    # marker lines of the other articles: the digest is the page's.
    headed = Counter(_marker(d.title[0].text) for d in cut if d.title and _marker(d.title[0].text))
    drafts = [item for d in cut for item in _digest_items(d, order, headed) if item.body]
    outlet = doc.outlet or find_outlet(doc.text)  # once per page: it scans the whole text
    # Without an outlet, the articles of one page still come from one paper: the division its
    # articles speak of is where an article that names none belongs (only pages of several).
    page = page_division(to_simplified_chars(doc.text)) if outlet is None and len(drafts) > 1 else None
    # A digest with no date of its own: the year one of its dated events states is its items'.
    year = page_year(to_simplified_chars(doc.text)) if doc.published is None and len(drafts) > 1 else None
    return [_article(doc, d, i, marked, outlet, page, year) for i, d in enumerate(drafts, start=1)]


def page_lines(doc: Document) -> list[Line]:
    """The page's lines with markup heading levels, the document title first, furniture dropped."""
    lines = to_lines(doc.text)
    # Each markup heading marks the first line with its key not marked yet: one key per line
    # and a dict, so a page with many headings stays linear (it was headings × lines).
    pending: dict[str, deque[int]] = {}
    for level, text in doc.headings:
        pending.setdefault(_key(text), deque()).append(level)
    if pending:
        for line in lines:
            levels = pending.get(_key(line.text))
            if levels:
                line.heading = levels.popleft()
    if doc.title:
        _place_title(lines, doc.title)
    return drop_furniture(lines)


def _place_title(lines: list[Line], title: str) -> None:
    # The document title (front matter, <h1>, <title>) heads the first article; it is added
    # when the page body does not already start with it.
    key = _key(title)
    for n, line in enumerate(lines[:5]):
        if n + 1 < len(lines) and not lines[n + 1].gap and _key(line.text + lines[n + 1].text) == key:
            # A headline broken over two lines (<br>): one line again.
            line.text += lines.pop(n + 1).text
        if _key(line.text) == key:
            line.heading = min(line.heading or 1, 1)
            return
    lines.insert(0, Line(title, gap=False, heading=1))
    if len(lines) > 1:
        lines[1].gap = True


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_simplified_chars(text))


# --------------------------------------------------------------------------- cutting


def is_headline(line: Line) -> bool:
    """Short, unterminated, no full stop inside: could be a headline or a subheading."""
    text = line.text
    if line.heading and line.heading <= 2:
        return True
    if not 2 <= len(text) <= MAX_HEADLINE or is_terminated(text) or "。" in text:
        return False
    if len(re.findall(r"[\u4e00-\u9fff]", to_simplified_chars(text))) < 2:
        return False
    return not is_lead(text) and not is_continued_from(text)


def _cut(lines: list[Line]) -> list[_Draft]:
    drafts = [_Draft()]
    i = 0
    while i < len(lines):
        line, cur = lines[i], drafts[-1]
        if is_continued_from(line.text):
            if cur.body:
                drafts.append(_Draft(continued=line.text))
            i += 1  # a notice right under its headline is just dropped
            continue
        if is_headline(line):
            j = i
            while j < len(lines) and j - i < MAX_RUN and is_headline(lines[j]):
                j += 1
            run, nxt = lines[i:j], lines[j] if j < len(lines) else None
            k = _title_start(run, nxt, cur, lines[i - 1] if i else None)
            if k is not None:
                _start(drafts, run, k)
            else:
                (cur.body if cur.body or cur.continued else cur.deck).extend(run)
            i = j
            continue
        cur.body.append(line)
        i += 1
    return drafts


def _title_start(run: list[Line], nxt: Line | None, cur: _Draft, prev: Line | None) -> int | None:
    """Index in `run` where a new article's title begins, or None when the run is body text."""
    if nxt is None:
        return None
    marked = [n for n, ln in enumerate(run) if ln.heading and ln.heading <= 2]
    if marked:
        return marked[0]
    k = _last_group(run)
    if is_lead(nxt.text):
        return k
    if cur.empty:
        return k  # the first lines of a page are its headline
    group = run[k:]
    subtitle = (
        2 <= len(group) <= 3
        and all(len(ln.text) >= 6 and not ln.heading for ln in group)
        and len(nxt.text) >= 40
        and (prev is None or is_terminated(prev.text))
    )
    return k if subtitle else None


def _last_group(run: list[Line]) -> int:
    """Start of the last blank-line-separated group of the run, at most 3 lines long."""
    k = max((n for n, ln in enumerate(run) if ln.gap), default=0)
    return max(k, len(run) - 3)


def _start(drafts: list[_Draft], run: list[Line], k: int) -> None:
    cur = drafts[-1]
    before, head = run[:k], run[k:]
    while before and before[-1].heading >= 3:
        before.pop()  # a column banner right above a headline
    if not cur.body and cur.continued is None and cur.title:
        cur.deck.extend(before + head)  # headline lines right under a headline: its subtitle
        return
    marked = head[0].heading and head[0].heading <= 2
    title, deck = (head[:1], head[1:]) if marked else (head, [])
    if cur.body or cur.continued is not None:
        cur.body.extend(before)
        drafts.append(_Draft(title=title, deck=deck))
    else:
        # Lines above the page's first headline (a document number, a kicker) follow it.
        drafts[-1] = _Draft(title=title, deck=cur.deck + before + deck)


# --------------------------------------------------------------------------- digests


def _digest_items(draft: _Draft, order: dict[int, int], headed: Counter[str]) -> list[_Draft]:
    """The draft itself, or its items when it is (part of) a digest (module docstring).

    `headed`: how many of the page's articles a headline with each item marker heads."""
    lines = sorted(draft.title + draft.deck + draft.body, key=lambda ln: order[id(ln)])
    heading = next((n for n, ln in enumerate(lines) if is_headline(ln) and DIGEST_HEADING.match(_key(ln.text))), None)
    others = headed.copy()
    if draft.title and _marker(draft.title[0].text):
        others[_marker(draft.title[0].text)] -= 1
    starts = sorted(set(_marker_starts(lines, heading, others)) | set(_dateline_starts(lines))
                    | set(_title_starts(lines, heading)))
    if not starts or starts == [0]:
        return [draft]  # no digest, or one item that is already an article
    items = []
    before = [ln for n, ln in enumerate(lines[: starts[0]]) if n != heading]
    title, deck, body = ({id(ln) for ln in part} for part in (draft.title, draft.deck, draft.body))
    if any(id(ln) in body for ln in before) or draft.continued is not None:
        # Body text above the first item: an article of its own (the digest's heading left out).
        items.append(_Draft(title=[ln for ln in before if id(ln) in title], deck=[ln for ln in before if id(ln) in deck],
                            body=[ln for ln in before if id(ln) in body], continued=draft.continued))
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        head, rest = lines[start], lines[start + 1 : end]
        if rest and is_headline(Line(_unmarked(head.text))):
            items.append(_Draft(title=[head], body=rest, label=_unmarked(head.text)))
        else:
            items.append(_Draft(body=[head] + rest, label=_item_title(head.text)))
    return items


def _marker(text: str) -> str:
    """The item marker a line opens with (◆ …), else ""."""
    first = text.lstrip("*# ")[:1]
    return first if first and first in ITEM_MARKERS else ""


def _strip_marker(text: str) -> str:
    text = text.strip("*# ")
    return text[1:].strip("*# ") if _marker(text) else text


def _unmarked(text: str) -> str:
    """A line without its item marker, bold marks and dateline (本报讯（记者…）)."""
    return DATELINE.sub("", _strip_marker(text), count=1).strip("*# ")


def _marker_starts(lines: list[Line], heading: int | None, others: Counter[str]) -> list[int]:
    by_marker: dict[str, list[int]] = {}
    for n, line in enumerate(lines):
        if _marker(line.text):
            by_marker.setdefault(_marker(line.text), []).append(n)
    starts: list[int] = []
    for marker, group in by_marker.items():
        if len(group) + others[marker] < 2:
            continue  # one bullet is no digest
        spans = [lines[s:e] for s, e in zip(group, group[1:] + [len(lines)])]
        if any(ENUMERATION.match(_unmarked(item[0].text)) for item in spans):
            continue  # 一是…, 二是…: a list of one article's points
        news = sum(_is_news_item(item, heading is not None and heading < group[0]) for item in spans)
        if 2 * news > len(spans):
            starts += group
    return starts


def _is_news_item(item: list[Line], under_heading: bool) -> bool:
    """A complete news item: long enough and, outside a digest heading, with a lead of its own."""
    head = _unmarked(item[0].text)
    if len(head) + sum(len(ln.text) for ln in item[1:]) < MIN_ITEM:
        return False
    if under_heading or OWN_DATELINE.match(_strip_marker(item[0].text)):
        return True
    opening = _unmarked(item[1].text) if len(item) > 1 and is_headline(Line(head)) else head
    sentence = re.split(r"[。！？!?]", opening, maxsplit=1)[0]
    if NEWS_TIME.search(sentence):  # not is_lead: its dates include deadlines (6月30日前，…)
        return True
    return bool(HELD_VERB.search(sentence)) and not FUTURE.search(sentence)  # held, not planned


def _dateline_starts(lines: list[Line]) -> list[int]:
    starts = [n for n, line in enumerate(lines) if OWN_DATELINE.match(line.text)]
    return starts if len(starts) >= 2 else []


def _title_starts(lines: list[Line], heading: int | None) -> list[int]:
    """Under a digest heading: headline lines each followed by a body of a news item's length."""
    if heading is None:
        return []
    starts = []
    for n in range(heading + 1, len(lines) - 1):
        line, nxt = lines[n], lines[n + 1]
        if (is_headline(line) and not is_headline(nxt) and len(nxt.text) >= MIN_ITEM
                and not ENUMERATION.match(line.text.strip("*# ")) and not _marker(line.text)):
            starts.append(n)
    return starts if len(starts) >= 2 else []


def _item_title(text: str) -> str:
    """A text item's title: a short head before a space or colon, else its opening clause."""
    text = _unmarked(text)
    sentence = re.split(r"[。！？!?]", text, maxsplit=1)[0]
    m = re.match(r"(\S{4,30}?)(?:\s+|[：:])(?=\S)", sentence)
    if m and is_headline(Line(m.group(1))):
        return m.group(1)
    return _opening(text)


# --------------------------------------------------------------------------- articles


def _article(doc: Document, draft: _Draft, index: int, marked: bool, outlet: str | None,
             page: str | None, year: int | None = None) -> Article:
    body = join_broken(draft.deck + draft.body, marked)
    if body:
        body[0] = Line(body[0].text, gap=bool(draft.title), heading=body[0].heading)
    title_lines = [Line(ln.text, gap=False) for ln in draft.title]
    text = join_lines(title_lines + body)
    return Article(
        id=f"{_stem(doc.source)}#{index}",
        source=doc.source,
        source_sha256=doc.sha256,
        index=index,
        title=_title(draft, body),
        outlet=outlet,
        published=doc.published,
        script=detect_script(text),
        text=text,
        page_division=page,
        page_year=year,
    )


def _title(draft: _Draft, body: list[Line]) -> str | None:
    if draft.label:
        return to_simplified(draft.label)
    if draft.title:
        return to_simplified(" ".join(_strip_marker(ln.text) for ln in draft.title))
    if draft.continued is not None and body:
        # No headline on this page: the notice and the opening clause name the article.
        return to_simplified(draft.continued.strip() + _opening(body[0].text))
    return None


def _opening(text: str, limit: int = 50) -> str:
    sentence = re.split(r"[。！？!?]", text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = max(sentence.rfind(p, 0, limit) for p in "，,；;")
    return sentence[: cut if cut > 0 else limit]


def _stem(source: str) -> str:
    return "stdin" if source == STDIN_SOURCE else Path(source).stem
