"""Meetings: gatherings and official visits that took place (spec §1, §2), found, asked and
built here.

Code marks the sentences with meeting or visit wording 【n】 and reads in each the gathering it
names (`code_name`); the model is asked one question per sentence, after the same prefix: does
it report that gathering as held? (是/否, one token, its probability the evidence.) Code takes
the sentence as the evidence, dates it, reads its place and conveners, finds who presided and
who attended in the meeting's part of the text, drops non-meetings and splits meetings described
one per leader. (`Options(meeting_answers="point")`, where the model lists the meetings and
names them, and `"quote"`, where it also copies the sentence and every person, are kept so the
formats can be measured side by side.)
"""
from __future__ import annotations

import re
from functools import partial

from rapidfuzz import fuzz

from extract.kinds import phrases
from extract.kinds.base import Extraction, Extractor
from extract.kinds.judgement import model_features
from extract.text.ground import GroundingError, ground
from extract.text.lexicon import (AT_THE_GATHERING, ATTEND_VERBS, BYLINE, CONVENE_VERBS, DATELINE, ENUMERATION, EXHORTATION, FUTURE, GATHERING_END,
                             GATHERING_KINDS, HELD_VERBS, HOLD_VERBS, THIS_GATHERING,
                             HELD_EVENT, MEETING_WORDS, PLANNED_GATHERING, REFERS_BACK, SELF_REFERENCE_ALONE, TO_THE_PRESS, TOPIC_EMPTY, TRIP_OR_SIGNING,
                             SPIRIT_OF, TOOK_PART_ONLY, TOPIC_LEADS, VISIT_VERBS)
from extract.text.normalize import (bodies, carried_date, parse_date, part_of_day_date, publication_year, split_people, own_year,
                                    text_year, with_year)
from extract.text.people import is_person_name, is_speech, listed_names, name_at, officials
from extract.places.region import resolve_region
from extract.llm.prompting import prompt_set
from extract.llm.request_text import MAX_CHARS_PER_REQUEST, MAX_MARKS_PER_REQUEST, chunks, halves, headline, marked_request, request_header
from extract.text.script import to_simplified, to_simplified_chars
from extract.text.spans import Span, clause_around, clauses, paragraphs, sentences, simplified, squash
from schemas import Article, ErrorInfo, Evidence, Meeting, Person
from schemas.llm import AnswerContext, MeetingAnswer, QuotedMeetingAnswer, Verdict

# --- candidates --------------------------------------------------------------------------------


def meeting_paragraphs(text: str) -> list[Span]:
    return [p for p in paragraphs(text) if MEETING_WORDS.search(p.text)]


_CONVENED = re.compile(CONVENE_VERBS)


def meeting_sentences(text: str, skip_to: int = 0) -> list[Span]:
    """The sentences with meeting or visit wording, from `skip_to` on (after the headline), that
    may say a gathering was held. A speech (张三强调，…) and, after the first, a sentence that only
    adds to the gathering before it (who took part, 会议表彰了…, unless it says one was convened)
    are not sent: code reads their people from the meeting's part of the text, and a small
    model lists such sentences as meetings of their own."""
    out = []
    for p in meeting_paragraphs(text):
        for s in sentences(p.text):
            # A gathering inside a document's title (《关于召开…会议的建议》) is the document's name.
            if p.start + s.start < skip_to or not MEETING_WORDS.search(_TITLES.sub("", s.text)):
                continue
            body = _TITLES.sub("《》", s.text[DATELINE.match(s.text).end():].rstrip("。！？!? "))
            if EXHORTATION.match(body):
                continue  # what should be done (要…): nothing held
            if is_speech(body) or (out and not _CONVENED.search(body) and (
                    REFERS_BACK.match(body) or _adds_people_only(body))):
                continue
            out.append(Span(p.start + s.start, p.start + s.end, s.text))
    return out


_TITLES = re.compile(r"《[^《》]*》")


def _adds_people_only(body: str) -> bool:
    """Every clause with meeting wording only says who took part in, presided over or spoke at
    an unnamed gathering (张光荣出席会议并发表讲话，程丽华主持会议，徐珑在会上作主题报告): the
    sentence adds people to the gathering before it and names none of its own."""
    said = [c for c in _body_clauses(body) if MEETING_WORDS.search(c)]
    return bool(said) and all(TOOK_PART_ONLY.search(c) or AT_THE_GATHERING.search(c) for c in said)


def _body_clauses(sentence: str) -> list[str]:
    """The sentence's clauses after its dateline (本报讯 …), stripped."""
    body = sentence[DATELINE.match(sentence).end():].rstrip("。！？!? ")
    return [c.text.strip() for c in clauses(Span(0, len(body), body))]


def span_chunks(spans: list[Span]) -> list[list[Span]]:
    """Paragraphs (or sentences) grouped in order into requests of at most MAX_CHARS_PER_REQUEST
    characters."""
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


def interviewees(text: str) -> set[str]:
    """The people the article has speak to the press (…副会长金心异对记者表示): named for what they
    told a reporter, not as attendees of the gathering it reports."""
    out: set[str] = set()
    for s in sentences(to_simplified(text)):
        m = TO_THE_PRESS.search(s.text)
        if m:
            out.update(p.name for p in officials(s.text[: m.start()] + "，"))
    return out


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


# --- names ------------------------------------------------------------------------------------

# A gathering named after the verb that holds or attends it (召开全区…大会, 参加了…民主生活会,
# 召开的…会议上): greedy to the clause's last gathering word, so …动员大会暨…建设大会 is one name.
# The name holds no verb of its own: the nearest verb governs it (主持召开…会议, 组织…开展…活动).
_NAMED_BY_VERB = re.compile("(?:" + HOLD_VERBS + "|" + ATTEND_VERBS + r")(?:了|的)?(?P<name>(?:(?!" + HOLD_VERBS + "|"
                            + ATTEND_VERBS + r")[^，,。；;：:]){2,60}(?:" + GATHERING_KINDS + "))")
# A gathering named first and then held (…对接会在哈尔滨市举行, …人大二次会议开幕).
# Also one announced (…第三次会议将于3月9日至11日在县城召开).
_NAMED_THEN_HELD = re.compile(r"^(?P<name>[^，,。；;：:]{2,60}?(?:" + GATHERING_KINDS + r"))(?:(?:将|拟|定)?[在于][^，,。；;：:]{1,30}?)?"
                              r"(?:隆重|正式|顺利)?(?:召开|举行|举办|开幕|闭幕|启动|开班)")
_REFERRED_BACK = re.compile(r"^(?:本次|此次|这次|该次|本届|此)[\u4e00-\u9fff]{0,2}$")
# When, said by a gathering or by what came before (会上，…; 开幕式前，…; 随后，…): the clause
# after it says what happened.
_AT_A_GATHERING = re.compile(r"^[\u4e00-\u9fff]{0,5}(?:前|后|上|期间)$")
MAX_NAME_CHARS = 60


def code_name(sentence: str) -> str:
    """The meeting or activity a sentence reports, in its words: the gathering after the verb
    that holds or attends it, or named first and then held (…论坛发布了… too); else (a visit,
    talks, a signing) the first clause that says what was done, its leading time left out."""
    body = sentence[DATELINE.match(sentence).end():].rstrip("。！？!? ")
    visit = _VISIT_THEN_TALKS.match(_after_time(body))
    if visit is None and (later := _VISIT_THEN_LATER_TALKS.match(_after_time(body))) is not None:
        visit = later if officials(later.group("who") + "，") else None
    if visit:
        return _visit_name(visit.group("who"), visit.group("visit"))
    parts = [_after_time(cl) for cl in _body_clauses(body)]
    parts = [p for p in parts if p and not _AT_A_GATHERING.match(p)] or [body]
    for part in parts:
        m = _SETTING.match(part)
        if m:  # 在…第二次会议上，县长…作报告: the setting is the gathering
            return m.group("name")
    back = None  # 出席本次会议的代表…: a gathering referred back to, named elsewhere if at all
    for part in parts:
        m = _NAMED_BY_VERB.search(part)
        if m and _REFERRED_BACK.match(m.group("name")):
            back = back or m.group("name")
        elif m:
            return m.group("name")
    for part in parts:
        m = _NAMED_THEN_HELD.match(part) or _GATHERING_THEN_ACT.match(part)
        if m:
            return m.group("name")
    if back:
        return back
    said = next((p for p in parts if MEETING_WORDS.search(p)), parts[0])
    return said[:MAX_NAME_CHARS]


# A visit, then the talks held during it (…调研A和B并召开座谈会): the visit is the event, the
# 座谈会 a part of it. Also told over several clauses (…率队来到园区，走访B，了解…，并现场召开
# 座谈会，听取…) where the visitors are named: a clause that only goes on with a visit told
# before (实地察看了…，并召开座谈会) names nobody, and its 座谈会 is one of its own.
_VISIT_THEN_TALKS = re.compile(r"^(?P<who>[^。；;]{2,60}?)(?P<visit>(?:调研|考察|视察|走访|督导|察看)[^，,。；;]{2,40}?)"
                               r"并(?:主持)?(?:召开|举行|组织召开)[^，,。；;]{0,12}?(?:座谈会|汇报会|会议)$")
_VISIT_THEN_LATER_TALKS = re.compile(
    r"^(?P<who>[^。；;]{2,60}?)(?P<visit>(?:调研|考察|视察|走访|督导|察看)[^，,。；;]{2,40}?)[，,][^。；;]*?"
    r"并(?:在?现场)?(?:主持)?(?:召开|举行|组织召开)[^，,。；;]{0,12}?(?:座谈会|汇报会|会议)(?:[，,][^。；;]*)?$")
# A gathering told as the setting of what was said or done there (在…会议上，…作报告).
_SETTING = re.compile(r"^在(?P<name>[^，,。；;：:]{2,60}?(?:" + GATHERING_KINDS + r"))(?:上|期间)$")


def _visit_name(who: str, visit: str) -> str:
    """The visitors by name (their titles left out) and what they visited."""
    names = [p.name for p in officials(who + "，")]
    return ("、".join(names) if names else who.strip("，, ")) + visit


def _after_time(clause: str) -> str:
    """The clause without the time expression it opens with (11月8日下午, 昨天, 连日来): when is
    no part of a name."""
    _, said = parse_date(clause, None)
    return clause[len(said):].strip() if said and clause.startswith(said) else clause.strip()


def build_meeting(answer: MeetingAnswer, sentence: Span, article: Article) -> Meeting:
    """A pointed answer: the marked sentence is the evidence; the people are the officials it
    names (the meeting's chairs and the rest of its part are added by `add_people`)."""
    start = sentence.start + DATELINE.match(sentence.text).end()
    start = start if start < sentence.end else sentence.start
    evidence = Evidence(quote=article.text[start : sentence.end], start=start, end=sentence.end)
    skip = bylines(article.text)
    people = [Person(name=p.name, title=simplified(p.title)) for p in officials(sentence.text) if p.name not in skip]
    return _meeting(answer, evidence, [], people, article)


def build_quoted_meeting(answer: QuotedMeetingAnswer, article: Article) -> Meeting:
    """A quoted answer (the previous format): the quote grounded, the people as the model listed them."""
    evidence = ground(article.text, answer.quote)
    skip = bylines(article.text)
    known = {p.name: p.title for p in officials(article.text)}
    chairs = _people(answer.chairs, skip, known)
    attendees = _people([*answer.chairs, *answer.attendees], skip, known)
    return _meeting(answer, evidence, chairs, attendees, article)


# Who convened it, as the sentence says: 市委、市政府召开…, 我区组织召开…, 由…主办的….
_CONVENER = re.compile(r"(?:^|[，,])(?P<who>[^，,。；;]{2,30}?)(?:在[^，,。；;]{1,20}?)?(?:组织|隆重|正式)?(?:召开|举行|举办)"
                       r"|由(?P<host>[^，,。；;]{2,30}?)(?:主办|承办|召开|举办)")
_BODY_END = re.compile(r"(?:委|政府|省|市|区|县|镇|乡|街道|局|厅|部|办|院|会|团|组|中心|集团|公司|协会|学院|大学|所)$")


def conveners(quote: str, published: str | None) -> list[str]:
    """The bodies the sentence says convened the gathering, time expressions and people left out."""
    for m in _CONVENER.finditer(to_simplified(quote)):
        who = (m.group("who") or m.group("host")).strip()
        _, said = parse_date(who, published)
        if said:
            who = who.replace(said, "").strip("，, ")
        # …对接会在哈尔滨举行: the subject is the gathering itself, not who convened it.
        # A standing committee (…人大常委会) is a body that meets, not a gathering.
        if _BODY_END.search(who) and (who.endswith("常委会") or not _NAMES_A_GATHERING.search(who)) and not officials(who + "，"):
            return [who]
    return []


# Where it was held, as the sentence says: 在西宁市召开, 来临江调研, 赴和县考察, 来…进行专题调研.
_PLACE_HELD = re.compile(r"(?:在|于)(?P<at>[^，,。；;在于]{2,20}?)(?:组织|隆重|正式)?(?:召开|举行|举办|开幕)"
                         r"|(?:来|赴|到|前往)(?P<to>[^，,。；;来赴到]{1,15}?)(?:进行|开展)?(?:专题|实地)?"
                         r"(?:调研|考察|视察|检查|走访)")


def place_held(quote: str) -> str | None:
    """The place the sentence names, or None: a span holding a time (于4月3日召开) or a verb of
    its own (在京出席…论坛开幕式) is no place."""
    simple = to_simplified(quote)
    for m in _PLACE_HELD.finditer(simple):
        place = (m.group("at") or m.group("to")).strip()
        if not (parse_date(place, None)[1] or _ACTIVITY_VERB.search(place)):
            return place
    return None


def meeting_date(quote: str, published: str | None) -> tuple[str | None, str | None]:
    """The date the sentence gives for the gathering: its first day or month; a year alone (为做好
    2020年度…工作) is passed over for a later date (11月14日上午), and is no meeting date by itself."""
    rest = quote
    for _ in range(3):
        date, said = parse_date(rest, published)
        if date is None or len(date) != 4 or not said or said not in rest:
            return date, said
        rest = rest[rest.index(said) + len(said):]
    return None, None


def _meeting(answer: MeetingAnswer | QuotedMeetingAnswer, evidence: Evidence, chairs: list[Person],
             attendees: list[Person], article: Article) -> Meeting:
    # The model's time is trusted only where the article says it and it is a time; else the
    # date is read from the sentence.
    said = answer.time_text
    said = said if said and squash(to_simplified(said)) in squash(to_simplified(article.text)) else None
    date, time_text = parse_date(said, article.published) if said else (None, None)
    if time_text is None:
        date, time_text = meeting_date(evidence.quote, article.published)
    if date is None:
        date = part_of_day_date(time_text or evidence.quote, article.text[: evidence.start], article.published)
    if publication_year(article.published) is None:
        # With no publication date the meeting's own name may say its year (2026年第3次常务会议),
        # or the text the year it speaks in (今年 beside 2026年将…).
        month = int(date[2:4]) if date and date.startswith("--") else None
        date = with_year(date, own_year(answer.name, evidence.quote, month) or text_year(article.text, month)
                         or article.page_year)
    location = answer.location or place_held(evidence.quote)
    region = resolve_region(evidence.quote, article.text, article.outlet, article.page_division)
    return Meeting(
        name=simplified(answer.name.strip()),
        date=date,
        time_text=simplified(time_text),
        location=None if not location or SELF_REFERENCE_ALONE.match(to_simplified(location)) else simplified(location),
        organizers=bodies(conveners(evidence.quote, article.published) or answer.organizers, region),
        chairs=chairs,
        attendees=attendees,
        topics=[],
        evidence=evidence,
    )


_HELD = re.compile("(?:" + CONVENE_VERBS + r")了?(?P<name>[^，。；]{2,40}?(?:" + GATHERING_KINDS + "))")


_SENTENCE_NAME = re.compile("(?:" + ATTEND_VERBS + "|" + CONVENE_VERBS + r")了?(?P<name>[^，。；、]{4,40}?(?:" + GATHERING_KINDS + "))$")


# A gathering named first, then what happened at it: 某某论坛发布了《…》, 某某大会表彰了….
_GATHERING_THEN_ACT = re.compile(r"^(?P<name>[^，。；]{2,40}?(?:" + GATHERING_KINDS + r"))(?:上|期间)?"
                                 r"(?:发布|通过|审议|表彰|宣读|签署|出台|开幕|闭幕)")


def named_from_text(meeting: Meeting, article: Article) -> Meeting:
    """A model name without meeting wording ("安全生产检查工作") is replaced by the meeting
    the article says was held ("召开全县安全生产检查工作会议") when the two agree; a whole
    sentence given as the name ("…赵强出席重点项目开工仪式", "…论坛发布了《…》") is cut to the
    meeting it names."""
    cut = _SENTENCE_NAME.search(meeting.name) if len(meeting.name) > 30 else None
    cut = cut or _GATHERING_THEN_ACT.match(meeting.name)
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
    q = to_simplified(quote).strip()
    if EXHORTATION.match(q) or is_speech(simple):
        return False
    if VISIT_VERBS.search(simple) or TRIP_OR_SIGNING.search(simple):
        return True  # a visit's name may end on what it saw: 视察…活动开展情况
    if _ABOUT_A_MEETING.search(simple):
        return False
    return len(q) <= 100 and bool(HELD_EVENT.search(q))


_PRESIDED = re.compile(r"主持(?!人)")


def presiding(text: str) -> list[Person]:
    """Who presided, as the text says it: the officials named before 主持 in its clause
    (区长王红主持会议, 会议由区长王红主持, 王红主持召开…)."""
    out: list[Person] = []
    for sent in sentences(to_simplified(text)):
        for cl in clauses(sent):
            at = [m.start() for m in _PRESIDED.finditer(cl.text)]
            if at:
                before = cl.text[: at[-1]]
                found = officials(before + "，")
                bare = before.strip()
                if not found and 2 <= len(bare) <= 3 and name_at(bare, 0) == bare:
                    found = [Person(name=bare, title=None)]  # 王红主持召开…: a name the article titled elsewhere
                out.extend(p for p in found if p.name not in {x.name for x in out})
    return out


def add_people(meetings: list[Meeting], article: Article, complete: bool = True) -> None:
    """Chairs, where the answer gave none, and (with `complete`) attendees: the officials each
    meeting's part of the text names: the whole article when it reports one meeting, else the
    meeting's sentence up to the next meeting's. Chairs are attendees too (spec §1)."""
    skip = bylines(article.text)
    press = interviewees(article.text)
    simple = to_simplified_chars(article.text)
    parts = {id(m): (start, end) for m, start, end in _scopes(meetings, simple)}
    # Officials the article names with their office anywhere (自治区党委书记胡春华…); in a
    # meeting's part they may appear by name alone (胡春华一行参加了…签约仪式).
    named = officials(article.text) if len(meetings) > 1 else []
    for m in meetings:
        start, end = parts[id(m)]
        scope = article.text if len(meetings) == 1 else article.text[start:end]
        have = {p.name for p in m.attendees}
        if not m.chairs:
            m.chairs = [Person(name=p.name, title=simplified(p.title)) for p in presiding(scope) if p.name not in skip]
        by_name = [p for p in named if p.name in simple[start:end]]
        found = [*m.chairs, *(officials(scope) + by_name + listed_names(scope) if complete else [])]
        own = to_simplified(m.evidence.quote) if m.evidence else ""
        for p in found:
            if p.name not in have and p.name not in skip and (p.name not in press or p.name in own):
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
        if any(f.name == to_simplified(m.group("name")) and f.attendees[0].name == people[0].name for f in found):
            continue  # a heading that the lead repeats: one person at one gathering, told twice
        found.append(Meeting(
            name=to_simplified(m.group("name")),
            attendees=[Person(name=people[0].name, title=people[0].title)],
            evidence=Evidence(quote=article.text[start:end], start=start, end=end),
        ))
    return found if len(found) >= 2 else []


_UMBRELLA_TIME = re.compile(r"(连日来|近日|日前|近期|昨天|昨日|今天|上周|本周)[，,]?[^。]{0,8}?分别")


def merge(model_meetings: list[Meeting], separate: list[Meeting], text: str = "",
          published: str | None = None) -> list[Meeting]:
    """Replace the model's umbrella meeting(s) by the separately described ones; they share the
    umbrella's time ("近日，县领导分别参加…"), dated against the publication date."""
    if not separate:
        return model_meetings
    m = _UMBRELLA_TIME.search(to_simplified(text))
    umbrella_time = m.group(1) if m else None
    time_text = next((m.time_text for m in model_meetings if m.time_text), None)
    for s in separate:
        s.time_text = s.time_text or time_text or umbrella_time
        if s.date is None and s.time_text:
            s.date = parse_date(s.time_text, published)[0]

    kept = [m for m in model_meetings
            if not any(fuzz.partial_ratio(m.name, s.name) >= 60 for s in separate)]
    return kept + separate


# --- the step ----------------------------------------------------------------------------------

def _dated(m: Meeting) -> bool:
    return m.date is not None or m.time_text is not None


def extract_meetings(ex: Extractor, article: Article, simple: str, out: Extraction) -> None:
    mode = ex.options.meeting_answers
    found = {"ask": _asked_verdicts, "point": _asked_pointed, "quote": _asked_quoted}[mode](ex, article, simple, out)
    logprobs = any(v.p is not None for _, v in found)
    verdicts: dict[int, Verdict] = {}
    by_name: dict[str, Meeting] = {}
    # The answer given on each sentence, kept before the dedupe: a meeting split out of the
    # sentence later (one per leader of a 分别 report) is judged by it.
    said = [(m.evidence.start, m.evidence.end, v) for m, v in found]
    for m, v in found:
        m = named_from_text(m, article)
        if ex.options.drop_non_meetings and not is_meeting_name(m.name, m.evidence.quote):
            continue  # the model's non-meetings (a document issued, a measure)
        if ex.options.drop_non_meetings and m.date is None and m.time_text is None and \
                PLANNED_GATHERING.search(to_simplified(m.evidence.quote)):
            continue  # one still to be held, with no date: nothing happened yet
        if ex.options.drop_non_meetings and _only_its_spirit(m):
            continue  # a gathering whose spirit is carried out: its source, not what is reported
        if by_name and TOOK_PART_ONLY.search(m.name):
            continue  # who took part in the meeting before: its people, no meeting of its own
        # Two sentences naming one gathering are one meeting: the one the model is surer of.
        # A sentence that says when (5月9日，…现场推进会) is the evidence over a heading that does not.
        if len(m.name) <= 4 and any(name != m.name and name.endswith(m.name) for name in by_name):
            continue  # …主持揭牌仪式 after …举行产业园揭牌仪式: its kind alone refers back to it
        seen = by_name.get(m.name)
        if seen is not None and (_dated(seen), _sureness(verdicts[id(seen)])) >= (_dated(m), _sureness(v)):
            continue
        by_name[m.name] = m
        verdicts[id(m)] = v
    out.meetings = sorted(by_name.values(), key=lambda m: m.evidence.start)
    if ex.options.split_meetings:
        split = separate_meetings(article)
        for m in split:
            v = next((v for start, end, v in said if start <= m.evidence.start < end
                      or m.evidence.start <= start < m.evidence.end), None)
            if v is not None:
                verdicts[id(m)] = v
        out.meetings = merge(out.meetings, split, article.text, article.published)
    own_people = {id(m): ([*m.chairs], [*m.attendees]) for m in out.meetings}
    add_people(out.meetings, article, complete=ex.options.complete_attendees)
    add_topics(out.meetings, simple, article.text)
    kept = []
    verbs_before: set[str] = set()
    for m in sorted(out.meetings, key=lambda m: m.evidence.start):
        v = verdicts.get(id(m))
        # A meeting split out of a sentence nobody asked about has no answer of its own.
        p = (v.p if v is not None else 0.5) if logprobs else None
        features = {**model_features(p, v.yes if v is not None else False),
                    **meeting_features(m, v is not None, verbs_before)}
        verbs_before |= set(_ACTIVITY_VERB.findall(to_simplified(m.evidence.quote)))
        m.confidence = ex.confidence("meetings", features)
        ex.judged(article, "meetings", m, features)
        if m.confidence >= ex.cut("meetings", features):
            kept.append(m)
    if len(kept) < len(out.meetings):
        # People and topics again, over the kept meetings only: one left out must not cut the
        # part of the text the meeting before it reads its people from.
        for m in kept:
            m.chairs, m.attendees = [*own_people[id(m)][0]], [*own_people[id(m)][1]]
        add_people(kept, article, complete=ex.options.complete_attendees)
        add_topics(kept, simple, article.text)
    for m in kept:
        # After the confidence: a day carried from the narration is no evidence of a meeting.
        if m.date is None and m.time_text is None:
            m.date = carried_date(m.evidence.quote, article.text[: m.evidence.start], article.published)
    out.meetings = kept


def _only_its_spirit(m: Meeting) -> bool:
    return any(m.name in said.group(0) for said in SPIRIT_OF.finditer(to_simplified(m.evidence.quote)))


def _sureness(v: Verdict) -> float:
    return v.p if v.p is not None else float(v.yes)


def meeting_features(m: Meeting, asked: bool, verbs_before: set[str] = frozenset()) -> dict[str, float]:
    """What code knows of a meeting, as evidence for its confidence. `verbs_before`: the held or
    visit verbs of the article's meetings before it (a sentence that repeats one, with no time
    and nothing convened, tends to go on about the same visit: 双方经过深入洽谈…)."""
    quote = to_simplified(m.evidence.quote)
    convened = bool(_CONVENED.search(quote))
    timed = m.time_text is not None
    opening = _body_clauses(quote)
    return {"from_rules": float(not asked), "dated": float(m.date is not None),
            "time_said": float(timed), "convened": float(convened),
            "gathering_kind": float(bool(_NAMES_A_GATHERING.search(m.name))),
            "people": float(min(len(m.attendees), 5)) / 5,
            # Words of a plan or a task list (要…, 将…, 三是…): what is to be done, not done.
            "future_word": float(bool(FUTURE.search(quote))),
            "listed": float(bool(ENUMERATION.match(quote))),
            "this_gathering": float(bool(THIS_GATHERING.search(quote))),
            # Its time told by the gathering reported (会前，…; 开幕式前，…; 在兴安盟期间，…): an
            # event beside it, with no date of its own.
            "beside_gathering": float(bool(opening) and bool(_AT_A_GATHERING.match(opening[0]))),
            "repeats_verb": float(not timed and not convened and bool(set(_ACTIVITY_VERB.findall(quote)) & verbs_before))}


_ACTIVITY_VERB = re.compile(HELD_VERBS + "|" + VISIT_VERBS.pattern)


def _asked_verdicts(ex: Extractor, article: Article, simple: str, out: Extraction) -> list[tuple[Meeting, Verdict]]:
    """One question per sentence with meeting or visit wording, after the same prefix (the
    headline, the publication date and the marked sentences: the prompt cache reads it once per
    chunk): does it report the gathering code names in it as held? The answer is one token, 是
    or 否, and its probability; the name, time, place and conveners are read by code."""
    head = headline(article, simple)
    marks = meeting_sentences(simple, skip_to=head.end if head else 0)
    header = request_header(article, simple)
    template = prompt_set("meeting_held").question
    found: list[tuple[Meeting, Verdict]] = []
    for group in chunks(marks, MAX_MARKS_PER_REQUEST):
        text, ids = marked_request(simple, [(sp, sp) for sp in group], at=lambda sp: sp.start)
        prefix = f"{header}\n{text}"
        for k, sp in ids.items():
            name = code_name(sp.text)
            v = ex._ask_verdict(out, "meeting_held", f"{prefix}\n\n{template.format(k=k, name=name)}")
            if v is not None:  # a failed question is recorded in errors: nothing to judge
                found.append((build_meeting(MeetingAnswer(id=k, name=name), sp, article), v))
    return found


def _asked_pointed(ex: Extractor, article: Article, simple: str, out: Extraction) -> list[tuple[Meeting, Verdict]]:
    """Meetings the model points at among the marked sentences; the headline goes first,
    unmarked, as context (a meeting is established by the body's sentence)."""
    head = headline(article, simple)
    marks = meeting_sentences(simple, skip_to=head.end if head else 0)
    if not marks:
        return []

    def build(part: list[Span]) -> tuple[str, AnswerContext]:
        text, ids = marked_request(simple, [(sp, sp) for sp in part], at=lambda sp: sp.start)
        return (f"{head.text}\n{text}" if head else text), AnswerContext(ids=frozenset(ids))

    found: list[tuple[Meeting, Verdict]] = []
    for whole in span_chunks(marks):
        for part, items in ex._ask_in_parts(out, "meetings", whole, build, halves):
            for a in items:
                # Listed is the model's yes; the probability is that of the sentence pointed at.
                found.append((build_meeting(a, part[a.id - 1], article), Verdict(yes=True, p=a.p)))
    return found


def _asked_quoted(ex: Extractor, article: Article, simple: str, out: Extraction) -> list[tuple[Meeting, Verdict]]:
    """The previous format: whole paragraphs sent, the model copies the sentence and the people."""
    spans = meeting_paragraphs(simple)
    if not spans:
        return []
    title = head.text if (head := headline(article, simple)) else None
    if title and spans and spans[0].start == 0:
        title = None  # the headline is already the first paragraph sent
    people = tuple(sorted(bylines(article.text)))

    def build(part: list[Span]) -> tuple[str, AnswerContext]:
        text = "\n".join(([title] if title else []) + [sp.text for sp in part])
        # Quotes are checked against the article itself: the request joins the headline and
        # paragraphs that are apart in the article, and a quote across such a join must be
        # re-asked here, not fail when the meeting is built.
        return text, AnswerContext(text=text, locate=partial(ground, article.text), bylines=people)

    found: list[tuple[Meeting, Verdict]] = []
    for whole in span_chunks(spans):
        for _, items in ex._ask_in_parts(out, "quoted_meetings", whole, build, _smaller_spans):
            for a in items:
                try:
                    found.append((build_quoted_meeting(a, article), Verdict(yes=True)))
                except GroundingError as exc:
                    out.errors.append(ErrorInfo(stage="ground:meeting", message=str(exc)))
    return found


# --- topics ------------------------------------------------------------------------------------

# The theme a meeting's name gives: 全省能源工作会议 → 全省能源工作.
_THEME_END = re.compile(r"(?<=工作)(?:会议|大会|座谈会|动员会|推进会|会)$")
_NAMES_A_GATHERING = re.compile("(?:" + GATHERING_KINDS + r")$")


# A gathering announced for later (…将于1月15日召开, 拟定于4月3日召开): nobody has attended it yet.
_TO_BE_HELD = re.compile(r"(?:将|拟|拟定|定)于[^。；]{0,40}?(?:召开|举行|举办)")


def _to_be_held(m: Meeting) -> bool:
    quote = to_simplified(m.evidence.quote)
    return bool(_TO_BE_HELD.search(quote) or PLANNED_GATHERING.search(quote))


def _scopes(meetings: list[Meeting], simple: str) -> list[tuple[Meeting, int, int]]:
    """Each meeting's part of the article: from its sentence to the next meeting's. A gathering
    announced for later is told inside the part of the one reported (会议决定，…将于…召开；…出席
    会议): its part is its own sentence, and the part before it runs on."""
    ordered = sorted(meetings, key=lambda m: m.evidence.start)
    out = []
    for i, m in enumerate(ordered):
        start = next((s.start for s in sentences(simple) if s.start <= m.evidence.start < s.end), m.evidence.start)
        if _to_be_held(m):
            end = next((s.end for s in sentences(simple) if s.start <= m.evidence.start < s.end), m.evidence.end)
        else:
            end = next((o.evidence.start for o in ordered[i + 1:] if not _to_be_held(o)), len(simple))
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
