"""Turn the model's short answers into spec items: ground, normalise, derive in code.

The model says *which* clause is a target and names things; code fills value, unit,
comparator, deadline, dates, issuers, persons, region and script, and every evidence span.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from extract.candidates import PolicyCandidate, Span, TargetCandidate, clauses, sentences
from extract.lexicon import (BYLINE, DOC_WORDS, ISSUE_VERB, ISSUE_VERBS, OFFICE_WORDS, PRESENT_VERBS,
                             SELF_REFERENCE_WORDS)
from extract.lexicon import ATTEND_VERBS, CONVENE_VERBS, DEADLINE, GATHERING_END, GATHERING_KINDS, HELD_VERB, MEETING_WORDS
from extract.ground import GroundingError, ground
from extract.normalize import comparator_of, deadline_year, parse_date, split_bodies, split_people
from extract.people import is_person_name, officials
from extract.region import resolve_region
from extract.script import to_simplified, to_simplified_chars
from schemas import Article, Evidence, Meeting, Person, Policy, Target
from schemas.llm import MeetingAnswer, TargetAnswer

_SQUASH = re.compile(r"\s+")
_DOC_TYPE = re.compile("(" + DOC_WORDS[3:-1] + ")$")


def _squash(s: str) -> str:
    return _SQUASH.sub("", s)


def _simp(s: str | None) -> str | None:
    return to_simplified(s).strip() if s else s


# --- targets -------------------------------------------------------------------------------

_LEAD_WORDS = re.compile(r"^(力争|确保|争取|努力|全力|着力|重点|将|要|并|实现|其中|从而|同时|推动|使|打造|培育|搭建|建成)+")
_TIME_WORDS = re.compile(r"(到|至|在)?\s*(20\d\d|“?十[三四五六]五”?)\s*年?(底|末|期间|时期|内)?(前)?[，,]?")
_TRAIL_WORDS = re.compile(r"(突破|超过|超|达到|达|为|实现|不少于|不低于|约|控制在|稳定在|保持在|递增|增长)+$")


def code_metric(clause: str, q0: int, q1: int) -> str:
    """What the clause counts, by rule: the words before the number without time, lead-in and
    comparator words; or, when nothing is left, the words after it (打造30家以上…的“链主企业”)."""
    before = _TIME_WORDS.sub("", clause[:q0]).strip()
    before = _TRAIL_WORDS.sub("", _LEAD_WORDS.sub("", before)).strip()
    if len(before) >= 2:
        return before
    after = re.sub(r"^(以上|以下|左右|多|余)?的?", "", clause[q1:]).strip("“”\"' ")
    return after or clause


def _metric(answer: TargetAnswer, cand: TargetCandidate, simple: str) -> str:
    """The model's metric when the clause holds it; else the code's."""
    metric = answer.metric.strip()
    clause = simple[cand.clause.start : cand.clause.end]
    if metric and _squash(metric) in _squash(clause) and cand.quantity.text not in metric:
        return metric
    return code_metric(clause, cand.quantity.start - cand.clause.start, cand.quantity.end - cand.clause.start)


def _time_scopes(simple: str, cand: TargetCandidate):
    """Where a target's deadline is said, nearest first: its clause, the sentence before it,
    the paragraph before it, then earlier paragraphs ("力争到2023年…" opens a list of goals)."""
    yield simple[cand.clause.start : cand.clause.end]
    yield simple[cand.sentence.start : cand.clause.start]
    para_start = simple.rfind("\n", 0, cand.sentence.start) + 1
    yield simple[para_start : cand.sentence.start]
    for para in reversed(simple[:para_start].split("\n")):
        if DEADLINE.search(para):  # only a stated deadline carries over, not a report's year
            yield para


def build_target(answer: TargetAnswer, cand: TargetCandidate, article: Article, simple: str) -> Target:
    text = article.text
    clause_simple = simple[cand.clause.start : cand.clause.end]
    local_q = cand.quantity.__class__(
        cand.quantity.value, cand.quantity.unit, cand.quantity.start - cand.clause.start,
        cand.quantity.end - cand.clause.start, cand.quantity.text,
    )
    # The deadline usually opens the sentence or paragraph ("到2025年，…；…；…").
    year, time_text = None, None
    for scope in _time_scopes(simple, cand):
        year, time_text = deadline_year(scope, article.published)
        if year is not None or time_text is not None:
            break
    return Target(
        metric=_simp(_metric(answer, cand, simple)),
        value=cand.quantity.value,
        unit=cand.quantity.unit,
        comparator=comparator_of(clause_simple, local_q),
        deadline_year=year,
        time_text=_simp(time_text),
        region=resolve_region(clause_simple, simple, article.outlet),
        policy=None,
        evidence=Evidence(quote=text[cand.clause.start : cand.clause.end],
                          start=cand.clause.start, end=cand.clause.end),
    )


# --- policies ------------------------------------------------------------------------------

def _clause_around(text: str, span: Evidence) -> Evidence:
    """The clause of `text` that contains the span (the title), as evidence."""
    for sent in sentences(text):
        if sent.start <= span.start and span.end <= sent.end:
            for cl in clauses(sent):
                if cl.start <= span.start and span.end <= cl.end:
                    return Evidence(quote=cl.text, start=cl.start, end=cl.end)
            return Evidence(quote=sent.text, start=sent.start, end=sent.end)
    return span




def build_policy(c: PolicyCandidate, issuers: list[str], article: Article, simple: str) -> Policy:
    mention = Evidence(quote=article.text[c.mention.start : c.mention.end],
                       start=c.mention.start, end=c.mention.end)
    evidence = _clause_around(article.text, mention)
    clause = simple[evidence.start : evidence.end]
    doc = _DOC_TYPE.search(re.sub(r"[（(][^）)]*[）)]$", "", c.title))
    # The time expression, if any, sits before the issuing verb: "区委、区政府于日前印发了《…》".
    before = clause[: c.mention.start - evidence.start]
    verb = ISSUE_VERB.search(before)
    issued, time_text = parse_date(before[: verb.start()] if verb else before, article.published)
    region = resolve_region(clause, simple, article.outlet)
    if not issuers:
        lead = _ISSUER_LEAD.match(before)
        issuers = [lead.group(1)] if lead else []
    return Policy(
        title=_simp(c.title),
        doc_type=doc.group(1)[-2:] if doc else None,
        issuers=_bodies(issuers, region),
        region=region,
        issued=issued,
        time_text=_simp(time_text),
        measures=[],
        evidence=evidence,
    )


_ANNOUNCE = re.compile("(" + ISSUE_VERBS + "|" + PRESENT_VERBS + r")了?\s*$")


def announced(cands: list[PolicyCandidate], simple: str) -> bool:
    """The article says the document was issued or presented: a verb right before its name."""
    return any(_ANNOUNCE.search(simple[max(0, c.mention.start - 8) : c.mention.start]) for c in cands)


# "区委、区政府于日前印发了《…》": the bodies that open the clause issued it.
_ISSUER_LEAD = re.compile(
    r"^([^，。；]*?(?:委|政府|办公室|办公厅|人大|政协|局|厅|部|院))(?:联合|共同)?(?:于|在)?[^，。；委府]{0,8}?"
    "(?:" + ISSUE_VERBS + ")"
)
_SELF_BODY = re.compile("^" + SELF_REFERENCE_WORDS + "$")


# An office held by a person (自治区副主席, 区委书记) is no body.
_PERSON_OFFICE = re.compile(OFFICE_WORDS + "$")


def _bodies(raw: list[str], region: str | None) -> list[str]:
    """Issuing or convening bodies, one each; 我区 means the region when that is known, and is
    dropped when the text also names the bodies themselves ("我区出台…，区委、区政府印发")."""
    named: list[str] = []
    selves: list[str] = []
    for s in raw:
        for b in split_bodies(to_simplified(s)):
            if _PERSON_OFFICE.search(b):
                continue
            if _SELF_BODY.match(b):
                if region and region.endswith(b[-1]) and region not in selves:
                    selves.append(region)
            elif b not in named:
                named.append(b)
    return named or selves


# --- meetings ------------------------------------------------------------------------------

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
            out.append(Person(name=name, title=_simp(p.title) or known.get(name)))
    return out


def build_meeting(answer: MeetingAnswer, article: Article) -> Meeting:
    evidence = ground(article.text, answer.quote)
    skip = bylines(article.text)
    known = {p.name: p.title for p in officials(article.text)}
    chairs = _people(answer.chairs, skip, known)
    attendees = _people([*answer.chairs, *answer.attendees], skip, known)
    # Trust the model's time only where the article says it; else read it from the quote.
    said = answer.time_text if answer.time_text and _squash(to_simplified(answer.time_text)) in \
        _squash(to_simplified(article.text)) else None
    date, time_text = parse_date(said or evidence.quote, article.published)
    if not said and date is not None and len(date) == 4:
        date, time_text = None, None  # a bare year in the quote (到2023年…) is no meeting date
    return Meeting(
        name=_simp(answer.name.strip()),
        date=date,
        time_text=_simp(time_text or said),
        location=None if not answer.location or _SELF_PLACE.match(to_simplified(answer.location)) else _simp(answer.location),
        organizers=_bodies(answer.organizers, resolve_region(evidence.quote, article.text, article.outlet)),
        chairs=chairs,
        attendees=attendees,
        topics=[],
        evidence=evidence,
    )


_SELF_PLACE = _SELF_BODY  # 我区 as a place is the region, not a location
_HELD = re.compile("(?:" + CONVENE_VERBS + r")了?(?P<name>[^，。；]{2,40}?(?:" + GATHERING_KINDS + "))")


_SENTENCE_NAME = re.compile("(?:" + ATTEND_VERBS + "|" + CONVENE_VERBS + r")了?(?P<name>[^，。；、]{4,40}?(?:" + GATHERING_KINDS + "))$")


def named_from_text(meeting: Meeting, article: Article) -> Meeting:
    """A model name without meeting wording ("党报党刊征订发行工作") is replaced by the meeting
    the article says was held ("召开2020年度党报党刊征订发行工作会议") when the two agree; a whole
    sentence given as the name ("…赵双连出席重点项目开工奠基仪式") is cut to the meeting it names."""
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
    clause = _clause_around(article.text, Evidence(quote=article.text[m.start("name") : m.end("name")],
                                                   start=m.start("name"), end=m.end("name")))
    return meeting.model_copy(update={"name": to_simplified(m.group("name")), "evidence": clause})






def is_meeting_name(name: str, quote: str = "") -> bool:
    """A meeting or visit is named with meeting wording, or its one-sentence quote says it was
    held ("…正式签约，区领导…参加签约仪式"); '出台《…》' or a measure is not one."""
    simple = to_simplified(name).strip()
    if MEETING_WORDS.search(simple) or GATHERING_END.search(simple):
        return True
    q = to_simplified(quote)
    return len(q) <= 100 and bool(HELD_VERB.search(q))


def add_named_officials(meetings: list[Meeting], article: Article) -> None:
    """Complete attendees with officials the text names: from the whole article when it
    reports one meeting, else only from each meeting's own sentence."""
    skip = bylines(article.text)
    for m in meetings:
        scope = article.text if len(meetings) == 1 else _sentence_of(article.text, m.evidence)
        have = {p.name for p in m.attendees}
        for p in officials(scope):
            if p.name not in have and p.name not in skip:
                m.attendees.append(Person(name=p.name, title=_simp(p.title)))
                have.add(p.name)


def _sentence_of(text: str, ev: Evidence) -> str:
    for sent in sentences(text):
        if sent.start <= ev.start < sent.end:
            return text[sent.start : max(sent.end, ev.end)]
    return ev.quote


__all__ = ["build_target", "build_policy", "build_meeting", "add_named_officials", "named_from_text", "announced", "is_meeting_name", "bylines", "GroundingError", "Span"]
