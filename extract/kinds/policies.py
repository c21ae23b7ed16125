"""Policies: documents the article reports as issued (spec §1, §2), found, asked and built here.

Code finds every mention of a document (a 《》 title ending in a document type, 关于…的意见,
关于A、B等两方面意见); the model says which are reported as issued and by whom; code takes the
title, type, time, region and evidence from the text, one record per document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from extract.kinds import phrases
from extract.kinds.base import Extraction, Extractor
from extract.kinds.judgement import model_features
from extract.text.lexicon import (BODY_END, DOC_CONTENT_VERBS, DOC_WORDS, ENUMERATION, ISSUE_VERB, ISSUE_VERBS, PRESENT_VERBS,
                             SELF_REFERENCE_ALONE)
from extract.text.normalize import bodies, body_of_gathering, parse_date, split_person
from extract.text.numbers import parse_number
from extract.text.people import is_person_name, is_speech, officials
from extract.places.gazetteer import mentions
from extract.text.script import to_simplified
from extract.places.region import resolve_region
from extract.llm.request_text import MAX_MARKS_PER_REQUEST, chunks, halves, marked_request
from extract.llm.request_text import headline_end as headline_end_of
from extract.text.spans import Span, clause_around, paragraphs, phrase_at, sentences, simplified, squash
from schemas import Article, Evidence, Meeting, Policy
from schemas.llm import AnswerContext

# --- candidates --------------------------------------------------------------------------------

_TITLED = re.compile(r"《([^《》]{4,80}?)》")
_DOC_END = re.compile(DOC_WORDS + r"(（[^）]*）|\([^)]*\))?$")
# "关于A、B、C等三方面实施意见": one document per listed subject.
_LISTED = re.compile(r"关于([^，。；《》]{2,120}?)等[一二三四五六七八九十两\d]+(?:方面|项|个|份)的?(" + DOC_WORDS + r")")
_UNTITLED = re.compile(r"关于[^，。；《》、]{2,40}?的" + DOC_WORDS)
# What a verb does to a document: issues or adopts it, approves it at a meeting, studies it,
# presents or enforces it. A title it governs is a document whatever its last word (工作要点,
# 议事规则); a noun phrase it governs that ends in a document word is one without 《》
# (制定了…三年方案（2022-2024年）, 审议并同意关于…实施方案的汇报).
_DOC_VERBS = ISSUE_VERBS + "|" + PRESENT_VERBS + r"|审议|研究|同意|批准|学习"
_GOVERNED_BEFORE = re.compile(r"(?:" + _DOC_VERBS + r")(?:[了并和及、]|通过|同意)*(?:《[^《》]*》[及和、与]?)*$")
_GOVERNED_AFTER = re.compile(r"^(?:[（(][^）)]*[）)])?(?:[及和、与]?《[^《》]*》)*(?:等[^，。；]{0,6}?)?"
                             r"(?:已(?:经)?[^，。；]{0,40}?(?:通过|同意|批准|审定)|(?:现予|予以|正式)?(?:印发|发布|施行|实施))")
# Without 《》 a name must end in a formal document's word (…三年方案, …实施意见, …工作要点): a bare
# 意见, 政策 or 措施 (落实有关政策, 听取意见) is what is done, not a document.
_FORMAL_DOC = r"(?:方案|实施意见|指导意见|若干意见|若干政策|政策措施|政策举措|规划|行动计划|工作计划|发展计划|办法|条例|细则|纲要|工作要点)"
_VERB_OBJECT = re.compile(r"(?:" + _DOC_VERBS + r")(?:了|并通过了?|并同意了?|通过了?|同意了?)?"
                          r"(?P<title>(?:关于)?[^，。；《》、“”,;:：]{4,40}?" + _FORMAL_DOC + r"(?:（[^）]*）|\([^)]*\))?)")
# A title that names the theme of a talk or a piece (以《…》为题作报告, 以《…》为主题): a subject
# spoken on, not a document issued.
_THEME = re.compile(r"以\s*$")
_THEME_AFTER = re.compile(r"^\s*为(?:主)?题")
# A notice that prints a document (关于印发《…》的通知) wraps it: the document is the policy.
_WRAPPER = re.compile(r"^关于(?:印发|转发|发布)")


@dataclass(frozen=True)
class PolicyCandidate:
    title: str  # in the article's wording, simplified script
    mention: Span  # where the article names it (the 《》 title or the phrase)
    sentence: Span


def policy_candidates(text: str) -> list[PolicyCandidate]:
    out: list[PolicyCandidate] = []
    for sent in sentences(text):
        taken: list[tuple[int, int]] = []
        for m in _TITLED.finditer(sent.text):
            title = m.group(1).strip()
            if _THEME.search(sent.text, 0, m.start()) and _THEME_AFTER.match(sent.text[m.end():]):
                continue
            if _DOC_END.search(title) or _GOVERNED_BEFORE.search(sent.text, 0, m.start()) or \
                    _GOVERNED_AFTER.match(sent.text[m.end():]):
                out.append(PolicyCandidate(title, Span(sent.start + m.start(), sent.start + m.end(), m.group(0)), sent))
                taken.append(m.span())
        for m in _LISTED.finditer(sent.text):
            for subject in re.split(r"[、，]", m.group(1)):
                subject = subject.strip()
                if subject:
                    title = f"关于{subject}的{m.group(2)}"
                    out.append(PolicyCandidate(title, Span(sent.start + m.start(), sent.start + m.end(), m.group(0)), sent))
            taken.append(m.span())
        for m in _UNTITLED.finditer(sent.text):
            if any(a <= m.start() < b for a, b in taken) or _WRAPPER.match(m.group(0)):
                continue
            out.append(PolicyCandidate(m.group(0), Span(sent.start + m.start(), sent.start + m.end(), m.group(0)), sent))
            taken.append(m.span())
        for m in _VERB_OBJECT.finditer(sent.text):
            a, b = m.span("title")
            if any(x < b and a < y for x, y in taken) or _WRAPPER.match(m.group("title")):
                continue
            out.append(PolicyCandidate(m.group("title"), Span(sent.start + a, sent.start + b, m.group("title")), sent))
            taken.append((a, b))
    return out


def by_mention(cands: list[PolicyCandidate]) -> list[list[PolicyCandidate]]:
    """Documents named by one phrase (关于A、B等两方面意见) share one mark."""
    groups: dict[tuple[int, int], list[PolicyCandidate]] = {}
    for c in cands:
        groups.setdefault((c.mention.start, c.mention.end), []).append(c)
    return list(groups.values())


# --- answers to items --------------------------------------------------------------------------

_DOC_TYPE = re.compile("(" + DOC_WORDS[3:-1] + ")$")
_BRACKETED_END = re.compile(r"[（(][^）)]*[）)]$")  # 《…意见（征求意见稿）》


def build_policy(c: PolicyCandidate, issuers: list[str], article: Article, simple: str) -> Policy:
    around = clause_around(article.text, c.mention.start, c.mention.end)
    evidence = Evidence(quote=around.text, start=around.start, end=around.end)
    clause = simple[evidence.start : evidence.end]
    doc = _DOC_TYPE.search(_BRACKETED_END.sub("", c.title))
    # The time expression, if any, sits before the issuing verb: "县委、县政府近日印发了《…》".
    before = clause[: c.mention.start - evidence.start]
    verb = ISSUE_VERB.search(before)
    issued, time_text = parse_date(before[: verb.start()] if verb else before, article.published)
    region = resolve_region(clause, simple, article.outlet, article.page_division)
    # The model's issuers without the people it may list among them; else the bodies that open
    # the clause ("县委、县政府近日印发了《…》"); else a place that is the subject (我区发布《…》).
    # What the page's structure says exactly comes first (the notice that prints it, the body
    # its title opens with, the body whose meeting approved it); then the model's issuers
    # without the people it may list among them; then the clause's subject.
    issuers = structural_issuers(c, before, simple) or [
        i for i in issuers if not _a_person(to_simplified(i).strip()) and _named_outside(i, c)]
    if not issuers:
        issuers = issuers_by_code(before)
    return Policy(
        title=simplified(c.title),
        doc_type=doc.group(1)[-2:] if doc else None,
        issuers=bodies(issuers, region),
        region=region,
        issued=issued,
        time_text=simplified(time_text),
        measures=[],
        evidence=evidence,
    )


# A document's own name and number (《金坛区关于…》, 金政发〔2023〕5号) say nothing of who issued it.
_OWN_NAME = re.compile(r"《[^《》]*》|[\u4e00-\u9fff]{0,8}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号|关于[^，。；《》]*?的" + DOC_WORDS)


def _a_person(issuer: str) -> bool:
    """A person the model listed as an issuer, bare (王强) or with an office (县长王强)."""
    p = split_person(issuer)
    return is_person_name(issuer) or (p.title is not None and is_person_name(p.name))


def _named_outside(issuer: str, c: PolicyCandidate) -> bool:
    """The model's issuer is named in the sentence outside any document's name and number (the
    model copies the place that opens a title, 《金坛区关于…》, as its issuer); 我区 and the like
    stand for the region and are resolved later."""
    name = to_simplified(issuer).strip()
    if SELF_REFERENCE_ALONE.match(name):
        return True
    return name in _OWN_NAME.sub("", c.sentence.text)


# "印发了《…》", and "…局发布的《…》" (the document a body issued, named as the source of what follows).
_ANNOUNCE = re.compile("(" + ISSUE_VERBS + "|" + PRESENT_VERBS + r")[了的]?\s*$")


def announced(cands: list[PolicyCandidate], simple: str) -> bool:
    """The article says the document was issued or presented: a verb right before its name."""
    return any(_ANNOUNCE.search(simple[max(0, c.mention.start - 8) : c.mention.start]) for c in cands)


# "县委、县政府近日印发了《…》": the bodies that open the clause issued it.
_ISSUER_LEAD = re.compile(
    r"^([^，。；]*?(?:委|政府|办公室|办公厅|人大|政协|局|厅|部|院))(?!会[^议])(?:联合|共同)?(?:于|在)?[^，。；委府]{0,8}?"
    "(?:" + ISSUE_VERBS + ")"
)


# --- measures ----------------------------------------------------------------------------------

def _references(p: Policy, simple: str) -> list[str]:
    """How the article refers back to a document: its title, the short name it gives it
    (以下简称《方案》), its type alone (《通知》, 该意见)."""
    refs = [p.title]
    alias = _alias(p, simple)
    if alias:
        refs.append(alias)
    if p.doc_type:
        refs.append(p.doc_type)
    return refs


def _alias(p: Policy, simple: str) -> str | None:
    """The short name the article gives a document right after naming it (以下简称《方案》)."""
    named = simple.find("》", p.evidence.start, p.evidence.end + 1)
    after = named + 1 if named >= 0 else p.evidence.end
    m = re.match(r"[（(]?(?:以下|下文)?(?:简称|下称|称)[《“]([^》”]{1,20})[》”]", simple[after : after + 30])
    return m.group(1) if m else None


def _lead(refs: list[str]) -> re.Pattern:
    names = "|".join(re.escape(r) for r in sorted(set(refs), key=len, reverse=True))
    # 本意见 is the document speaking of itself (the article is the document).
    return re.compile(r"(?:制定|出台|印发)本(?:" + names + r")[^。\n]*[。\n]|(?:根据|按照|依据)(?:《(?:" + names + r")》|(?:该|这一?|此|本)?(?:" + names + r"))[，,]|"
                      r"(?:《(?:" + names + r")》|(?:该|这一?|此|本)(?:" + names + r"))(?:还|也|则|中)?(?:"
                      + DOC_CONTENT_VERBS + r")了?(?P<what>[^，。；：:\n]{0,12}[，：:])?")


def _enumerated(simple: str, start: int, stop: int) -> list[Span]:
    """The items of a list that begins right after `start` (in the same sentence or at the next
    paragraph): 一是…，二是… in order, until the numbering stops or `stop`."""
    items: list[Span] = []
    expected, style = 1, None
    pos = start
    for m in ENUMERATION.finditer(simple, start, stop):
        gap = simple[pos : m.start()]
        if items and not re.search(r"[。；;\n]", gap):
            continue  # a marker inside an item's sentence is no new item
        if not items and (re.search(r"[。！？]", gap) or gap.count("\n") > 1 and len(gap) > 4):
            break  # the list must follow the lead
        kind = next(i for i, g in enumerate(m.groups()) if g)
        if style is not None and kind != style:
            continue  # a sub-list (一、… （一）… （二）… 二、…) is part of the item above
        number = parse_number(m.group(kind + 1))
        if number != expected:
            break
        style = kind
        item = phrase_at(simple, m.end())
        if item is not None:
            items.append(item)
        expected += 1
        pos = m.end()
    return items


# After "下发了《…》，": what the document does, unless the clause only sets a scene (为…, 据…);
# a scene that names a field (在激活民间资本投资方面，) is passed over for what follows it.
_WHAT_IT_DOES = re.compile(r"^》?\s*[，,](?:在[^，。；]{1,24}?(?:方面|领域)[，,])?(?!在|为|从|以|是|这|其|并|同时|此外|据|根据|按照|日前|近日)")


# A phrase that only says when (2022年，…; “十四五”期间，…) is no measure: the next one is.
_ONLY_WHEN = re.compile(r"^(\d{4}年(?:[初底末]|以来|前)?|今年|明年|近期|目前|当前|“?十[一二三四五六]五”?(?:期间|时期)?)$"
                        # …or only says on what ground (根据安排，; 据介绍，)
                        r"|^(?:根据|按照|依据|据)[^，。；]{0,8}$")


def _first_phrase(simple: str, start: int, max_len: int = 40) -> Span | None:
    for _ in range(3):
        sp = phrase_at(simple, start, max_len)
        if sp is None or not _ONLY_WHEN.match(sp.text):
            return sp
        start = sp.end + 1
    return None


def _what_it_does(p: Policy, simple: str) -> Span | None:
    """The clause right after the only document named in its sentence (…下发了《通知》，对…作出了
    明确规定): the sentence goes on to say what the document does."""
    sentence = next((s for s in sentences(simple) if s.start <= p.evidence.start < s.end), None)
    if sentence is None or len(_TITLED.findall(sentence.text)) != 1:
        return None
    end = simple.find("》", p.evidence.start, sentence.end)
    if end < 0:
        return None
    m = _WHAT_IT_DOES.match(simple[end:])
    return _first_phrase(simple, end + m.end()) if m else None


_SUBJECT = re.compile(r"^关于|(?:的)?" + DOC_WORDS + r"$")


def _subject(title: str) -> str:
    """What a document is about: 关于推进智造名城主引擎建设的实施意见 → 推进智造名城主引擎建设."""
    return _SUBJECT.sub("", _SUBJECT.sub("", title))


def _by_subject(p: Policy, simple: str) -> list[Span]:
    """A paragraph after the document that opens with its subject ("推进智造名城主引擎建设，
    武进将重点培育…" for 《关于推进智造名城主引擎建设的实施意见》): what follows the opening
    clause is what the document sets out. Documents issued together are each described so."""
    subject = _subject(p.title)
    if len(subject) < 5:
        return []
    out = []
    for para in paragraphs(simple[p.evidence.end :]):
        first = re.split(r"[，,：:]", para.text, maxsplit=1)[0]
        common = SequenceMatcher(None, subject, first).find_longest_match(0, len(subject), 0, len(first))
        if common.size >= max(5, len(first) // 2) and len(first) < len(para.text):
            item = _first_phrase(simple, p.evidence.end + para.start + len(first) + 1)
            if item is not None:
                out.append(item)
    return out[:1]


def add_measures(policies: list[Policy], simple: str, text: str) -> None:
    """Each document's main measures, where the article sets them out after a reference to it
    (《方案》制定了落实举措：一是…二是…; 《通知》要求，…): the listed items, else the clause after
    the reference. A reference goes to the nearest document named before it that it can mean."""
    leads: list[tuple[int, int, Policy]] = []
    for p in policies:
        for m in _lead(_references(p, simple)).finditer(simple):
            if "目标" not in (m.group("what") or ""):  # goals are targets, not measures
                leads.append((m.start(), m.end(), p))
    owner: dict[int, tuple[int, int, Policy]] = {}
    for start, end, p in leads:
        # Several documents of one type: the reference means the last one named before it.
        if start not in owner or owner[start][2].evidence.start < p.evidence.start <= start:
            owner[start] = (start, end, p)
    found: dict[int, list[Span]] = {}
    for p in policies:
        follow = _what_it_does(p, simple)
        if follow is not None:
            found.setdefault(id(p), []).append(follow)
    ordered = sorted(owner.values(), key=lambda x: x[0])
    for i, (start, end, p) in enumerate(ordered):
        stop = ordered[i + 1][0] if i + 1 < len(ordered) else len(simple)
        items = _enumerated(simple, end, stop) or [x for x in [_first_phrase(simple, end)] if x is not None]
        found.setdefault(id(p), []).extend(items)
    for p in policies:
        spans = found.get(id(p)) or _by_subject(p, simple)
        if spans:
            p.measures, p.measures_evidence = phrases(spans, text)


# --- measures the model is asked for -----------------------------------------------------------

MEASURE_READING = 400  # characters after a document's sentence read for its measures
MAX_MEASURE_LEN = 50  # a longer "phrase" is a sentence, not a measure
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class MeasureQuestion:
    candidate: PolicyCandidate
    units: tuple[Span, ...]  # what the model may point at: the rest of the name's sentence, then
    # each following sentence within MEASURE_READING characters


def measure_questions(article: Article, simple: str, cands: list[PolicyCandidate]) -> list[MeasureQuestion]:
    """The documents the model is asked measures for: those code sees issued (a verb right
    before the name, or a headline that is the name: the article is the document) whose
    measures code cannot list. Decided from the text alone, not from the model's policy
    answers, so a batch submits these with the first requests."""
    headline_end = headline_end_of(article, simple)
    issued: list[tuple[PolicyCandidate, Policy]] = []
    for group in by_mention(cands):
        c0 = group[0]
        is_headline = c0.mention.end <= headline_end and len(c0.mention.text) * 5 >= headline_end * 3
        if announced(group, simple) or is_headline:
            issued += [(c, build_policy(c, [], article, simple)) for c in group]
    add_measures([p for _, p in issued], simple, article.text)
    listed = {p.title for _, p in issued if p.measures}
    firsts: dict[str, Policy] = {}
    for _, p in sorted(issued, key=lambda x: x[1].evidence.start):
        firsts.setdefault(p.title, p)
    following = sentences(simple)
    out, seen = [], set()
    for c, p in issued:
        if p.title in listed or p.title in seen or _refers_back(p, list(firsts.values()), simple):
            continue
        seen.add(p.title)
        # The rest of the name's sentence, when a new clause follows the name (…《目录》，企业将获得…),
        # not when the name's own phrase goes on (…《规划》的有关情况, 以《…》为契机).
        after = _CLAUSE_AFTER_NAME.match(simple, c.mention.end, c.sentence.end)
        units = [Span(after.end(), c.sentence.end, simple[after.end() : c.sentence.end])] \
            if after and len(_HAN.findall(simple, after.end(), c.sentence.end)) >= 6 else []
        # The reading ends where the next issued document is named: what follows is about that one.
        stop = min([d.sentence.start for d, _ in issued if d.sentence.start >= c.sentence.end] + [len(simple)])
        units = _reading(simple, units, [x for x in following if c.sentence.end <= x.start < stop])
        if units:
            out.append(MeasureQuestion(c, tuple(units)))
    return out


_CLAUSE_AFTER_NAME = re.compile(r"》?\s*[，,：:；;]\s*")
LIST_LINE = 16  # a line this short is an entry of a list (组 长：李文钢), not a sentence


def _reading(simple: str, units: list[Span], after: list[Span]) -> list[Span]:
    """The units the model may point at: a run of short list lines (a notice's member list) is
    one unit and counts as one line, so the sentence after the list is still read; the reading
    stops after MEASURE_READING characters of sentences or MAX_MARKS_PER_REQUEST units."""
    read, own = sum(len(u.text) for u in units), len(units)  # the rest of the name's sentence is its own unit
    for x in after:
        if len(units) >= MAX_MARKS_PER_REQUEST or read >= MEASURE_READING:
            break
        short = len(squash(x.text)) <= LIST_LINE
        if short and len(units) > own and len(squash(units[-1].text.split("\n")[-1])) <= LIST_LINE:
            units[-1] = Span(units[-1].start, x.end, simple[units[-1].start : x.end])
            continue
        units.append(x)
        read += 0 if short else len(x.text)
    return units


def measures_request(simple: str, q: MeasureQuestion) -> tuple[str, dict[int, Span]]:
    """The document's name, then its sentence with 【k】 before each unit the model may point at."""
    ids = {k: u for k, u in enumerate(q.units, start=1)}
    lines = [f"文件：{q.candidate.title}", simple[q.candidate.sentence.start : q.units[0].start].strip()]
    lines += [f"【{k}】{u.text.strip()}" for k, u in ids.items()]
    return "\n".join(x for x in lines if x), ids


def ask_measures(ex: Extractor, article: Article, simple: str, cands: list[PolicyCandidate],
                 out: Extraction) -> dict[str, list[Span]]:
    """For each document asked about, by title: the first phrase of each sentence the model
    points at as setting out what the document does (never a document's name, see _is_measure)."""
    found: dict[str, list[Span]] = {}

    def build(q: MeasureQuestion) -> tuple[str, AnswerContext]:
        text, ids = measures_request(simple, q)
        return text, AnswerContext(ids=frozenset(ids), text=text)

    names = [c.mention for c in cands]
    for q in measure_questions(article, simple, cands):
        for _, items in ex._ask_in_parts(out, "measures", q, build, lambda q: []):
            ids = measures_request(simple, q)[1]
            picked = [ids[a.id] for a in items if not _says_no_measure(ids[a.id].text)]
            others = [_subject(c.title) for c in cands if c.title != q.candidate.title]
            for unit in picked:
                phrase = _first_phrase(simple, unit.start, MAX_MEASURE_LEN)
                # A sentence that opens on another document's subject sets out that document.
                if phrase is not None and _is_measure(phrase, names) and not any(
                        len(o) >= 4 and o in phrase.text for o in others):
                    found.setdefault(simplified(q.candidate.title), []).append(phrase)
    return {title: spans[:3] for title, spans in found.items()}


def _says_no_measure(unit: str) -> bool:
    """A sentence a small model points at that cannot set out a document's measures: a speech
    (李林表示，…), a quotation, a document number (临政办函[2013]89号), a signature or a photo
    caption naming one official."""
    first = squash(unit.split("\n")[0])
    return (is_speech(unit) or unit.startswith(("“", "\"")) or bool(_DOC_NUMBER.search(unit))
            or bool(_SIGNATURE.match(first))
            or (len(first) <= LIST_LINE and any(first.endswith(p.name) for p in officials(first + "，"))))


# A line that is only a body's name: the signature under a notice (临安市人民政府办公室).
_SIGNATURE = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:委员会|人民政府|政府|办公室|办公厅|局|厅|委|部|院)$")


_DOC_NUMBER = re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*第?\s*\d+\s*号")


def _is_measure(sp: Span, names: list[Span]) -> bool:
    """A phrase that says what a document does: not a document's name or part of one (a small
    model copies the names it was shown), not a bare amount (2.5亿元), not a whole sentence."""
    return (len(squash(sp.text)) <= MAX_MEASURE_LEN and len(_HAN.findall(sp.text)) >= 4
            and not sp.text.startswith(("《", "关于")) and not any(sp.start < n.end and n.start < sp.end for n in names))


# "我区发布《…》", "武进区日前出台《…》": a place is the subject and no body is named, so the
# region itself issued it (its 我区 resolves through the region).
_PLACE_LEAD = re.compile(r"^((?:我|本)(?:省|市|区|县)|[\u4e00-\u9fff]{2,10}?(?:省|市|区|县))"
                         r"(?:近日|日前|近期|今年|正式|先后|再次|又|还|于[^，。；]{0,10}?)?(?:" + ISSUE_VERBS + ")")


def issuers_by_code(before: str) -> list[str]:
    """Who issued the document where neither the page's structure nor the model says: the bodies
    that open the clause (县委、县政府近日印发了《…》), a body that opens the document's name
    (…人民政府办公室关于…的通知), a place that is the subject (我区发布《…》)."""
    lead = _ISSUER_LEAD.match(_TIME_LEAD.sub("", before))
    if lead and _A_BODY.match(lead.group(1)):
        return [lead.group(1)]
    if _A_BODY.match(before.strip()) and BODY_END.search(before.strip()):
        return [before.strip()]
    return [b for b in _place_issuer(before) if _A_BODY.match(b)]


def structural_issuers(c: PolicyCandidate, before: str, simple: str) -> list[str]:
    """Issuers the page's structure states: the notice that prints the document, a body that
    opens its title, the body whose meeting approved it (when no subject issues it)."""
    notice = _notice_issuers(simple, c)
    if notice:
        return notice
    own = _TITLE_BODY.match(to_simplified(c.title))
    if own:
        return [own.group("body") or own.group("whole")]
    if ISSUE_VERB.search(before) and _ISSUER_LEAD.match(_TIME_LEAD.sub("", before)):
        return []
    return [b for b in _meeting_body(simple, c) if _A_BODY.match(b)]


# What can be a body's name: Han characters (with a bracketed part), none of a meeting's verbs.
_A_BODY = re.compile(r"^(?!.*(?:会议|审议|通过|会上|召开|举行))[\u4e00-\u9fff（）()、]{2,40}$")


_TIME_LEAD = re.compile(r"^(?:去年|今年|前年|近日|日前|近期|\d{1,2}月\d{1,2}日)[，,]?")
# A body that opens a title (市科技委员会2026年工作要点, 某区政协关于…): the title names its issuer.
_TITLE_BODY = re.compile(r"^(?:[第]?[一二三四五六七八九十\d]+届)?(?P<body>[\u4e00-\u9fff]{1,20}?(?:人民政府办公室|政府办公室|"
                         r"人民政府|政府|委员会|政协|人大常委会|党委|党组|委|局|厅))"
                         r"(?=关于|20\d\d年|[（(])|^(?P<whole>[\u4e00-\u9fff]{1,12}?(?:人民政府|政协|人大常委会))")
# The notice a page is (…人民政府办公室关于印发《…》的通知; two bodies of a joint notice are apart).
_NOTICE = re.compile(r"(?P<bodies>[^《》，。；|]{2,80}?)(?:关于(?:印发|发布|转发)|(?:印发|发布)关于)")


def _notice_issuers(simple: str, c: PolicyCandidate) -> list[str]:
    """The issuers of the notice that prints the document: a line near the top names them before
    关于印发 and names the document (or the document's name holds that line's remainder)."""
    name = re.sub(r"[《》〈〉“”\s]", "", to_simplified(c.title))
    for line in to_simplified(simple[: c.mention.start]).split("\n")[:12]:
        m = _NOTICE.search(line)
        if not m:
            continue
        rest = re.sub(r"[《》〈〉“”\s]", "", line[m.end():])
        if name and (name[:8] in rest or rest[:8] in name):
            # A document number may open the line (某政发〔2026〕7号…): bodies are the Han runs.
            runs = re.findall(r"[\u4e00-\u9fff（）()、]{2,}", re.sub(r"^.*?〔\d{4}〕\s*\d+\s*号", "", m.group("bodies")))
            found = [b for b in runs if BODY_END.search(b)]
            if found:
                return found
    return []


# The gathering that approved it: named in its sentence (已经市政府常务会议审议通过), else the one
# the article reports first (县委书记…主持召开十二届县委常委会第3次会议).
_APPROVED_AT = re.compile(r"(?:已经|经|在)(?:20\d\d年\d{1,2}月\d{1,2}日召开的)?(?P<name>[^，。；《》]{2,40}?(?:会议|常委会|常务会|全会))")
# …or the subject of the approving verb (县人大常委会第五次会议表决通过了《…》).
_APPROVING_SUBJECT = re.compile(r"(?P<name>[^，。；《》]{2,40}?(?:会议|常委会|常务会|全会))上?(?:还|正式|同时|一致)?"
                                r"(?:审议|研究|讨论|表决)?并?(?:原则)?(?:通过|同意|批准)")
_APPROVES = re.compile(r"审议|通过|同意|批准|研究")
_APPROVED_NEAR = re.compile(r"审议|通过|同意|批准")


def _meeting_body(simple: str, c: PolicyCandidate) -> list[str]:
    sentence = to_simplified(c.sentence.text)
    if not _APPROVES.search(sentence):
        return []
    named = _APPROVED_AT.search(sentence) or _APPROVING_SUBJECT.match(_TIME_LEAD.sub("", sentence))
    if named and (body := body_of_gathering(named.group("name"))):
        return [body]
    # The gathering the article reports: its name's body (召开县政府常务会议 → 县政府), else the
    # body that convened it (市委常委会日前召开会议, 区政府召开常务会议).
    for m in _CONVENING.finditer(to_simplified(simple[: c.sentence.end])):
        who = m.group("who") or ""
        body = body_of_gathering(m.group("name") or "") or body_of_gathering(who) or (who if BODY_END.search(who) else None)
        if body:
            return [body]
    return []


_CONVENING = re.compile(r"(?P<who>[\u4e00-\u9fff]{1,16}?(?:委|政府|政协|人大|常委会|党组))?(?:近日|日前|今天|昨天|上午|下午)?"
                        r"(?:主持)?(?:召开|举行)了?(?P<name>[^，。；《》\n]{0,60}?(?:会议|常委会|常务会|全会))")


def _place_issuer(before: str) -> list[str]:
    m = _PLACE_LEAD.match(before)
    if not m:
        return []
    name = m.group(1)
    return [name] if SELF_REFERENCE_ALONE.match(name) or mentions(name) else []


# "大会出台了《…》", "会议审议通过了《…》": the gathering is the subject, so its conveners issued it.
_MEETING_SUBJECT = re.compile(r"^(?:大会|会议|会上|会议上|全会|常委会会议)(?:上)?(?:还|正式|同时)?(?:" + ISSUE_VERBS + ")")


def issuers_from_meetings(policies: list[Policy], meetings: list[Meeting], simple: str) -> None:
    """A document issued by a meeting (大会出台了《…》) without a named issuer gets the
    conveners of the meeting the article reports before it."""
    for p in policies:
        if p.issuers:
            continue
        before = simple[p.evidence.start : p.evidence.end].split("《")[0]
        if not _MEETING_SUBJECT.match(before):
            continue
        earlier = [m for m in meetings if m.evidence.start <= p.evidence.start and m.organizers]
        if earlier:
            p.issuers = list(max(earlier, key=lambda m: m.evidence.start).organizers)


# --- the step ----------------------------------------------------------------------------------

def extract_policies(ex: Extractor, article: Article, simple: str, out: Extraction) -> None:
    by_title: dict[str, list[tuple[bool, Policy]]] = {}
    headline_end = headline_end_of(article, simple)

    def build(group: list) -> tuple[str, AnswerContext]:
        text, ids = marked_request(simple, [(m, m[0].sentence) for m in group])
        return text, AnswerContext(ids=frozenset(ids), text=text)

    cands = policy_candidates(simple)
    for whole in chunks(by_mention(cands), MAX_MARKS_PER_REQUEST):
        for group, items in ex._ask_in_parts(out, "policies", whole, build, halves):
            _add_policies(ex, article, simple, marked_request(simple, [(m, m[0].sentence) for m in group])[1],
                          items, headline_end, by_title)
    # One record per document: the body's mention that says it was issued (县委、县政府近日
    # 印发了《…》) over the headline or a later reference; else the first mention.
    firsts = [min((q for _, q in said), key=lambda q: q.evidence.start) for said in by_title.values()]
    for said in by_title.values():
        # The document over the notice that prints it (…若干政策 over …若干政策的通知).
        said = [x for x in said if not x[1].title.endswith("的通知")] or said
        chosen = next((p for best, p in said if best), said[0][1])
        if not _refers_back(chosen, firsts, simple):
            out.policies.append(chosen)
    add_measures(out.policies, simple, article.text)
    asked = ask_measures(ex, article, simple, cands, out)
    for p in out.policies:
        if not p.measures and asked.get(p.title):
            p.measures, p.measures_evidence = phrases(asked[p.title], article.text)
    # A target in an article that reports a single document is set by that document.
    if len(out.policies) == 1:
        for t in out.targets:
            t.policy = out.policies[0].title


_EDITION = re.compile(r"（[^）]*）|\([^)]*\)")  # (2031年版), （试行）, (2031—2035年)


def _document_key(title: str) -> str:
    """A title as the name of one document: without spaces, 的, its edition in brackets, or the
    notice that prints it (印发…的通知)."""
    key = _EDITION.sub("", re.sub(r"\s+", "", title)).replace("的", "")
    key = _WRAPPER.sub("", key)
    return re.sub(r"通知$", "", key) if key != "通知" else key


def _same_document(known: str, title: str, c: PolicyCandidate, simple: str) -> bool:
    """Whether `title` (named at `c`) is the document already known as `known`: the same name
    written otherwise (a line break inside it, 的, the wrapping notice), or a reading of the
    name cut short at a document word the text goes on after (…若干政策 in …若干政策举措的通知)."""
    a, b = _document_key(known), _document_key(title)
    if a == b:
        return True
    if not a.startswith(b) or len(b) < 6:
        return False
    rest = a[len(b):]
    after = _document_key(simple[c.mention.end : c.mention.end + len(rest) + 12])
    return after.startswith(rest)


def _refers_back(p: Policy, firsts: list[Policy], simple: str) -> bool:
    """《指导意见》 after 《关于…的指导意见》（下称“指导意见”）: a short name for a document the
    article named before (`firsts`: each document's first mention), not another document."""
    return any(q.title != p.title and q.evidence.start < p.evidence.start
               and (_BRACKETED_END.sub("", q.title).endswith(p.title) or p.title == _alias(q, simple))
               for q in firsts)


def _add_policies(ex: Extractor, article: Article, simple: str, ids: dict, items: list,
                  headline_end: int, by_title: dict) -> None:
    answered = {a.id: a for a in items}
    logprobs = any(a.p is not None for a in items)
    for k, group in ids.items():
        a = answered.get(k)
        verb = announced(group, simple)
        # A mark the model skipped is an even chance from the model; the verb and the rest decide.
        p = (a.p if a is not None else 0.5) if logprobs else None
        features = {
            **model_features(p, a is not None and a.is_policy),
            "issue_verb": float(verb), "unanswered": float(a is None),
            "titled": float(any(c.mention.text.startswith("《") for c in group)),
            "in_headline": float(all(c.mention.start <= headline_end for c in group)),
            "listed": float(len(group) > 1),
            # What the page's structure says of it: approved at a meeting (审议通过, 已经…通过), or
            # issued by a body the page names as such (the notice that prints it, a body opening
            # its title, the body that met).
            "approved": float(any(_APPROVED_NEAR.search(simple, max(c.sentence.start, c.mention.start - 12), c.mention.start)
                                  or _GOVERNED_AFTER.match(simple[c.mention.end:c.sentence.end]) for c in group)),
            "structural_issuer": float(any(structural_issuers(c, simple[c.sentence.start:c.mention.start], simple)
                                           for c in group)),
        }
        conf = ex.confidence("policies", features)
        for c in group:
            p_ = build_policy(c, a.issuers if a is not None else [], article, simple)
            p_.confidence = conf
            ex.judged(article, "policies", p_, features)
            if conf < ex.cut("policies", features):
                continue
            in_body = c.mention.start > headline_end
            key = next((k for k in by_title if _same_document(k, p_.title, c, simple)), p_.title)
            by_title.setdefault(key, []).append((verb and in_body, p_))
