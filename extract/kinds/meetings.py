"""Meetings: gatherings and official visits that took place (spec §1, §2), found, asked and
built here.

Code sends the paragraphs with meeting or visit wording; the model names each meeting with a
verbatim sentence and the people it lists; code grounds the sentence, dates it, drops bylines
and non-meetings, splits meetings described one per leader, and completes attendees with the
officials the text names.
"""
from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from extract.ground import GroundingError, ground
from extract.kinds import phrases
from extract.lexicon import (ATTEND_VERBS, BYLINE, CONVENE_VERBS, EXHORTATION, GATHERING_END, GATHERING_KINDS,
                             HELD_EVENT, MEETING_WORDS, SELF_REFERENCE_ALONE, TOPIC_EMPTY, TOPIC_LEADS, VISIT_VERBS)
from extract.normalize import bodies, parse_date, split_people
from extract.people import is_person_name, officials
from extract.region import resolve_region
from extract.request_text import MAX_CHARS_PER_REQUEST
from extract.script import to_simplified, to_simplified_chars
from extract.spans import Span, clause_around, paragraphs, sentence_of, sentences, simplified, squash
from schemas import Article, ErrorInfo, Evidence, Meeting, Person
from schemas.llm import AnswerContext, MeetingAnswer

if TYPE_CHECKING:
    from extract.pipeline import ArticleExtractor, Extraction

# --- candidates --------------------------------------------------------------------------------


def meeting_paragraphs(text: str) -> list[Span]:
    return [p for p in paragraphs(text) if MEETING_WORDS.search(p.text)]


def span_chunks(spans: list[Span]) -> list[list[Span]]:
    """Paragraphs grouped in order into requests of at most MAX_CHARS_PER_REQUEST characters."""
    out: list[list[Span]] = []
    current: list[Span] = []
    size = 0
    for sp in spans:
        if current and size + len(sp.text) > MAX_CHARS_PER_REQUEST:
            out.append(current)
            current, size = [], 0
        current.append(sp)
        size += len(sp.text)
    if current:
        out.append(current)
    return out


def _smaller_spans(part: list[Span]) -> list[list[Span]]:
    """Paragraphs one by one; a single paragraph in two halves of its sentences."""
    if len(part) > 1:
        return [[sp] for sp in part]
    sents = sentences(part[0].text)
    shifted = [Span(part[0].start + x.start, part[0].start + x.end, x.text) for x in sents]
    return [[*shifted[: len(shifted) // 2]], [*shifted[len(shifted) // 2 :]]] if len(shifted) > 1 else []


# --- answers to items --------------------------------------------------------------------------

def bylines(text: str) -> set[str]:
    return {m.group(2) for m in BYLINE.finditer(to_simplified(text))}


_GENERIC_PERSON = re.compile(r"(领导|负责人|代表|同志|干部|成员|委员会|班子|群众|记者)$")


def _people(raw: list[str], skip: set[str], known: dict[str, str | None]) -> list[Person]:
    out: list[Person] = []
    seen: set[str] = set()
    for s in raw:
        for p in split_people(to_simplified(s)):
            name = p.name.strip()
            if not is_person_name(name) or _GENERIC_PERSON.search(name) or name in skip or name in seen:
                continue
            if p.title is None and name not in known:
                continue  # no office in the answer nor in the text: a company (华为) or a place

            seen.add(name)
            out.append(Person(name=name, title=simplified(p.title) or known.get(name)))
    return out


def build_meeting(answer: MeetingAnswer, article: Article) -> Meeting:
    evidence = ground(article.text, answer.quote)
    skip = bylines(article.text)
    known = {p.name: p.title for p in officials(article.text)}
    chairs = _people(answer.chairs, skip, known)
    attendees = _people([*answer.chairs, *answer.attendees], skip, known)
    # Trust the model's time only where the article says it; else read it from the quote.
    said = answer.time_text if answer.time_text and squash(to_simplified(answer.time_text)) in \
        squash(to_simplified(article.text)) else None
    date, time_text = parse_date(said or evidence.quote, article.published)
    if not said and date is not None and len(date) == 4:
        date, time_text = None, None  # a bare year in the quote (到2023年…) is no meeting date
    return Meeting(
        name=simplified(answer.name.strip()),
        date=date,
        time_text=simplified(time_text or said),
        location=None if not answer.location or SELF_REFERENCE_ALONE.match(to_simplified(answer.location)) else simplified(answer.location),
        organizers=bodies(answer.organizers, resolve_region(evidence.quote, article.text, article.outlet, article.page_division)),
        chairs=chairs,
        attendees=attendees,
        topics=[],
        evidence=evidence,
    )


_HELD = re.compile("(?:" + CONVENE_VERBS + r")了?(?P<name>[^，。；]{2,40}?(?:" + GATHERING_KINDS + "))")


_SENTENCE_NAME = re.compile("(?:" + ATTEND_VERBS + "|" + CONVENE_VERBS + r")了?(?P<name>[^，。；、]{4,40}?(?:" + GATHERING_KINDS + "))$")


def named_from_text(meeting: Meeting, article: Article) -> Meeting:
    """A model name without meeting wording ("安全生产检查工作") is replaced by the meeting
    the article says was held ("召开全县安全生产检查工作会议") when the two agree; a whole
    sentence given as the name ("…赵强出席重点项目开工仪式") is cut to the meeting it names."""
    if len(meeting.name) > 30:
        cut = _SENTENCE_NAME.search(meeting.name)
        if cut:
            meeting = meeting.model_copy(update={"name": cut.group("name")})
    if is_meeting_name(meeting.name, meeting.evidence.quote):
        return meeting
    simple = to_simplified_chars(article.text)
    best = None
    for m in _HELD.finditer(simple):
        score = fuzz.partial_ratio(meeting.name, m.group("name"))
        if score >= 60 and (best is None or score > best[0]):
            best = (score, m)
    if best is None:
        return meeting
    m = best[1]
    around = clause_around(article.text, m.start("name"), m.end("name"))
    clause = Evidence(quote=around.text, start=around.start, end=around.end)
    return meeting.model_copy(update={"name": to_simplified(m.group("name")), "evidence": clause})


# What a gathering has or is about, not a gathering: 会议议程, 会议精神, 会议的主要议题.
_ABOUT_A_MEETING = re.compile(r"(议程|内容|任务|精神|要求|情况|主题|安排)$")


def is_meeting_name(name: str, quote: str = "") -> bool:
    """A meeting or visit is named as a gathering (…大会, …仪式, …活动) or with a visit or meeting
    verb (调研, 会见), or its short quote says it took place ("…校企合作正式签约"). A plan (新签约
    的项目), an exhortation (要抓紧项目签约), '出台《…》' or what a meeting had (会议议程) is not."""
    simple = to_simplified(name).strip()
    if GATHERING_END.search(simple):
        return True
    if _ABOUT_A_MEETING.search(simple):
        return False
    q = to_simplified(quote).strip()
    if EXHORTATION.match(q):
        return False
    if VISIT_VERBS.search(simple):
        return True
    return len(q) <= 100 and bool(HELD_EVENT.search(q))


def add_named_officials(meetings: list[Meeting], article: Article) -> None:
    """Complete attendees with officials the text names: from the whole article when it
    reports one meeting, else from each meeting's own part of it (its sentence up to the next
    meeting's)."""
    skip = bylines(article.text)
    parts = {id(m): (start, end) for m, start, end in _scopes(meetings, to_simplified_chars(article.text))}
    for m in meetings:
        start, end = parts[id(m)]
        scope = article.text if len(meetings) == 1 else article.text[start:end]
        have = {p.name for p in m.attendees}
        for p in officials(scope):
            if p.name not in have and p.name not in skip:
                m.attendees.append(Person(name=p.name, title=simplified(p.title)))
                have.add(p.name)


# --- meetings described one per leader ---------------------------------------------------------

_ATTENDS = re.compile(
    r"^(?P<who>[^，。；]{2,40}?)(?:参加了|出席了|参加|出席|主持召开了|主持召开|召开了)"
    r"(?P<name>[^，。；]{4,50}?(?:" + GATHERING_KINDS + "))"
)


def separate_meetings(article: Article) -> list[Meeting]:
    """Meetings each attended by one named official, when the article lists two or more."""
    simple = to_simplified_chars(article.text)
    found: list[Meeting] = []
    for sent in sentences(simple):
        m = _ATTENDS.match(sent.text)
        if not m:
            continue
        people = officials(m.group("who") + "，")
        if len(people) != 1:
            continue
        start, end = sent.start, sent.start + m.end()
        found.append(Meeting(
            name=to_simplified(m.group("name")),
            attendees=[Person(name=people[0].name, title=people[0].title)],
            evidence=Evidence(quote=article.text[start:end], start=start, end=end),
        ))
    return found if len(found) >= 2 else []


_UMBRELLA_TIME = re.compile(r"(连日来|近日|日前|近期|昨天|昨日|今天|上周|本周)[，,]?[^。]{0,8}?分别")


def merge(model_meetings: list[Meeting], separate: list[Meeting], text: str = "") -> list[Meeting]:
    """Replace the model's umbrella meeting(s) by the separately described ones; they share the
    umbrella's time ("近日，县领导分别参加…")."""
    if not separate:
        return model_meetings
    m = _UMBRELLA_TIME.search(to_simplified(text))
    umbrella_time = m.group(1) if m else None
    time_text = next((m.time_text for m in model_meetings if m.time_text), None)
    for s in separate:
        s.time_text = s.time_text or time_text or umbrella_time

    kept = [m for m in model_meetings
            if not any(fuzz.partial_ratio(m.name, s.name) >= 60 for s in separate)]
    return kept + separate


# --- the step ----------------------------------------------------------------------------------

def extract_meetings(ex: "ArticleExtractor", article: Article, simple: str, out: "Extraction") -> None:
    spans = meeting_paragraphs(simple)
    if not spans:
        return
    title = simple.split("\n", 1)[0] if article.title else None
    if title and spans and spans[0].start == 0:
        title = None  # the headline is already the first paragraph sent
    names: set[str] = set()
    people = tuple(sorted(bylines(article.text)))

    def build(part: list[Span]) -> tuple[str, AnswerContext]:
        text = "\n".join(([title] if title else []) + [sp.text for sp in part])
        # Quotes are checked against the article itself: the request joins the headline and
        # paragraphs that are apart in the article, and a quote across such a join must be
        # re-asked here, not fail when the meeting is built.
        return text, AnswerContext(text=text, locate=partial(ground, article.text), bylines=people)

    for whole in span_chunks(spans):
        for _, items in ex._ask_in_parts(out, "meetings", whole, build, _smaller_spans):
            for a in items:
                try:
                    m = named_from_text(build_meeting(a, article), article)
                except GroundingError as exc:
                    out.errors.append(ErrorInfo(stage="ground:meeting", message=str(exc)))
                    continue
                if ex.options.drop_non_meetings and not is_meeting_name(m.name, m.evidence.quote):
                    continue  # the model's non-meetings (a document issued, a measure)
                if m.name not in names:
                    names.add(m.name)
                    out.meetings.append(m)
    if ex.options.split_meetings:
        out.meetings = merge(out.meetings, separate_meetings(article), article.text)
    if ex.options.complete_attendees:
        add_named_officials(out.meetings, article)
    add_topics(out.meetings, simple, article.text)


# --- topics ------------------------------------------------------------------------------------

# The theme a meeting's name gives: 全省能源工作会议 → 全省能源工作.
_THEME_END = re.compile(r"(?<=工作)(?:会议|大会|座谈会|动员会|推进会|会)$")
_NAMES_A_GATHERING = re.compile("(?:" + GATHERING_KINDS + r")$")


def _scopes(meetings: list[Meeting], simple: str) -> list[tuple[Meeting, int, int]]:
    """Each meeting's part of the article: from its sentence to the next meeting's."""
    ordered = sorted(meetings, key=lambda m: m.evidence.start)
    out = []
    for i, m in enumerate(ordered):
        start = next((s.start for s in sentences(simple) if s.start <= m.evidence.start < s.end), m.evidence.start)
        end = ordered[i + 1].evidence.start if i + 1 < len(ordered) else len(simple)
        out.append((m, start, max(end, m.evidence.end)))
    return out


def add_topics(meetings: list[Meeting], simple: str, text: str) -> None:
    """What each meeting was about, as its part of the article says it (围绕…, 听取…汇报, 审议…,
    部署…, 调研…), else the theme its name gives (…工作会议 → …工作), each grounded."""
    for m, start, end in _scopes(meetings, simple):
        found: list[Span] = []
        for lead in TOPIC_LEADS.finditer(simple, start, end):
            group = next(g for g in TOPIC_LEADS.groupindex if lead.group(g))
            sp = Span(lead.start(group), lead.end(group), lead.group(group).strip())
            # An object that is itself a gathering (讨论交流总结会议) names the meeting, not a topic.
            if not (TOPIC_EMPTY.match(sp.text) or EXHORTATION.match(sp.text) or _NAMES_A_GATHERING.search(sp.text)):
                found.append(sp)
        if not found:
            theme = _THEME_END.sub("", m.name)
            at = simple.find(theme, start)
            at = at if at >= 0 else simple.find(theme)
            if 2 <= len(theme) <= 40 and at >= 0:
                found.append(Span(at, at + len(theme), theme))
        m.topics, m.topics_evidence = phrases(found, text, limit=6)
