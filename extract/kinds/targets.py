"""Targets: quantitative goals set for the future (spec §1, §2), found, asked and built here.

Code finds the candidates (every clause holding a quantity, less what it rules out exactly),
the model is asked one question per clause (is its number a goal set for the future? 是/否, one
token, its probability read), the calibrated confidence combines that probability with what code
knows of the clause, and code fills metric, value, unit, comparator, deadline, region and the
evidence span, and keeps one target per goal.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from extract.kinds.base import Extraction, Extractor
from extract.kinds.judgement import model_features
from extract.text.lexicon import (CHANGE_VERB, COUNT_VERB_END, DATELINE, DEADLINE, ENDED_PERIOD_LEAD, ENUMERATION, FIVE_YEAR_PLAN, FUTURE, GOAL_FRAME, LIST_END, PAST,
                             PAST_LEAD, PAST_SENTENCE, PLAN_HEADING, PROVISION_BEFORE, SECTION_NUMBER, SECTION_PLAN, SECTION_REVIEW, STATES_AMOUNT, STATES_AMOUNT_LEAD, THERE_ARE_END, QUOTED, RELATIVE_TIME_LEAD)
from extract.text.normalize import comparator_of, deadline_year, plan_year, publication_year
from extract.text.numbers import RANGE_JOIN, Quantity, find_numbers, find_quantities, fold, normalize_unit
from extract.places.region import resolve_region
from extract.llm.prompting import prompt_set
from extract.llm.request_text import MAX_MARKS_PER_REQUEST, chunks, marked_request, request_header
from extract.llm.request_text import headline_end as headline_end_of
from extract.text.spans import Span, _append, clauses, sentence_of, sentences, simplified
from schemas import Article, Evidence, Target

# --- candidates --------------------------------------------------------------------------------

def _mask_quoted(text: str) -> str:
    """The text with quoted names blanked (same length): a programme called “腾飞计划” is no
    plan of the sentence, and 《…规划》 is a title. A quoted period (“十四五”期间) stays."""
    return QUOTED.sub(lambda m: m.group(0) if _TIME_IN_QUOTES.search(m.group(0)) else "＿" * len(m.group(0)), text)


_TIME_IN_QUOTES = re.compile(FIVE_YEAR_PLAN + r"|20\d\d")


@dataclass(frozen=True)
class TargetCandidate:
    clause: Span
    sentence: Span
    quantity: Quantity  # offsets relative to the article text
    # What code knows about the clause, as evidence for the calibrated decision (not a gate).
    features: dict = field(default_factory=dict, compare=False, hash=False)


def target_candidates(text: str, published: str | None = None, headline_end: int = -1) -> list[TargetCandidate]:
    """Every clause whose head quantity may state a goal, for recall: code leaves out only what
    it rules out exactly (years and dates, a number inside quotes or a document's name, a
    quantity that only describes a noun, idiomatic small counts). Whether the sentence looks
    ahead (a future marker, a plan set up by its paragraph) or reports (已, 同比, 前三季度 …) is
    recorded as the candidate's features, which the calibrated decision weighs with the
    model's probability (extract/kinds/judgement.py). A long document's structure rules out the
    clauses of a numbered section that reviews the past, unless the clause itself looks ahead.
    """
    out: list[TargetCandidate] = []
    pub_year = publication_year(published)
    # What the current paragraph has set up so far, kept as we go so that a long paragraph is
    # not rescanned for every sentence.
    carried, para_start, outcome_paragraph = False, -1, False
    # The last sentence that said which way it looks (+1 ahead, -1 a report): a sentence that
    # says neither continues it, across paragraphs too (深圳还将… / 同时，新增…500家).
    facing = 0
    newlines = [m.start() for m in re.finditer("\n", text)]
    headings = _plan_headings(text)
    sections = _sections(text, pub_year)
    for sent in sentences(text):
        before = bisect.bisect_left(newlines, sent.start)
        start = newlines[before - 1] + 1 if before else 0
        plain = _mask_quoted(sent.text)
        ahead = bool(FUTURE.search(plain)) or _year_end_ahead(plain, pub_year)
        body = DATELINE.match(plain).end()  # what the sentence says starts after 本报讯（记者…）
        # Once per sentence: the clauses after it are reports (截至10月底，… / 前三季度，…).
        lead = PAST_LEAD.search(plain[body:])
        lead_end = None if lead is None else body + lead.end()
        opening = start != para_start
        if opening:  # the paragraph's opening sentence: its plan governs the rest
            para_start = start
            paragraph_end = text.find("\n", start)
            # A completion stated in the paragraph (…投资完成率108%): its plan figures are a
            # finished plan's (当年计划投资…).
            outcome_paragraph = bool(PAST_SENTENCE.search(
                _mask_quoted(text[start : paragraph_end if paragraph_end >= 0 else len(text)])))
            # …unless it opens on a report (一季度全市实现…，与计划目标持平): what follows reports too.
            first = clauses(sent)[0] if clauses(sent) else sent
            carried = (ahead and lead is None
                       and not _reported(plain[: first.end - sent.start], pub_year))
        inherited = carried and not opening
        carried = carried or bool(DEADLINE.search(plain))
        past_sentence = bool(PAST_SENTENCE.search(plain))
        # A sentence that opens on a period already over reports, whatever plan words follow.
        ended = bool(ENDED_PERIOD_LEAD.match(plain[body:]))
        own = -1 if ended else 1 if ahead else -1 if (past_sentence or lead or _reported(plain, pub_year)) else 0
        continues_plan = own == 0 and facing == 1 and sent.start > headline_end
        # …and one that says neither goes on with a report told before it (…完成产值56亿元，增长7%；…).
        continues_report = own == 0 and facing == -1 and sent.start > headline_end
        facing = own or facing
        reviewed = in_review_section(sections, sent.start, headline_end + 1)
        for parent, cl in ((c, piece) for c in clauses(sent) for piece in _split_lists(c)):
            q = head_quantity(cl.text) or _unit_written_later(parent, cl)
            if q is None or (not q.unit and _RATIO.match(text, cl.start + q.end)):
                continue  # 三次产业比例达到12：40：48 is a ratio, not a level
            cl_plain = plain[cl.start - sent.start : cl.end - sent.start]
            if reviewed and not FUTURE.search(cl_plain):
                continue  # a numbered section that reviews the past (一、2024年工作回顾) reports results
            # … but one that opens on a plan of its own (…已完成3亿元，今年将完成4亿元) is a plan.
            own_plan = bool(_OWN_PLAN.match(cl_plain))
            governed = lead_end is not None and lead_end <= cl.start - sent.start and not own_plan
            years = [int(y) for y in _YEAR.findall(cl_plain)]
            features = {
                "future_sentence": ahead, "future_clause": bool(FUTURE.search(cl_plain)) or own_plan,
                "plan_paragraph": inherited, "deadline_stated": bool(DEADLINE.search(plain)),
                "reported_clause": _reported(cl_plain, pub_year), "report_lead": governed,
                "past_sentence": past_sentence,
                "provision": bool(PROVISION_BEFORE.search(cl.text[: q.start])),
                "past_year": bool(years) and pub_year is not None and max(years) < pub_year,
                "in_headline": cl.start <= headline_end,
                "percent": q.unit in ("%", "个百分点"),
                # A heading before it sets out a plan (2026年主要预期目标): its list's lines need
                # no future word of their own.
                "plan_heading": bool(headings) and headings[0] < sent.start,
                "continues_plan": continues_plan,
                "continues_report": continues_report,
                "outcome_paragraph": outcome_paragraph,
                # The section it stands in looks back (…年工作回顾) or ahead (…年工作安排).
                "review_section": _section_at(sections, sent.start) < 0,
                "plan_section": _section_at(sections, sent.start) > 0,
                "states_amount": bool(STATES_AMOUNT.search(cl.text[: q.start].rstrip())
                                      or STATES_AMOUNT_LEAD.match(cl_plain)),
            }
            # A listed project's size (…项目，总投资5亿元，当年计划投资2亿元): the amount describes
            # the project, a goal only where the text sets it as one.
            features["project_amount"] = bool(_PROJECT_AMOUNT.search(cl_plain[: q.start]) and _PROJECT.search(plain))
            # What the candidate rules used to gate on, as one feature: the clause looks ahead
            # (its sentence or paragraph) and nothing in it reports or sets a provision.
            features["code_goal"] = bool((ahead or inherited) and not (
                features["reported_clause"] or governed or past_sentence or features["provision"]))
            out.append(TargetCandidate(cl, sent, _shift(q, cl.start), {k: float(v) for k, v in features.items()}))
    # A headline's amount the body states again (…将开建20个… over …将开工建设20个…): the body's
    # statement is the goal (spec §2), the headline's a restatement, whatever verb it shortens to.
    said_below = {(c.quantity.value, normalize_unit(c.quantity.unit)) for c in out if c.clause.start > headline_end}
    for c in out:
        c.features["restated_below"] = float(c.clause.start <= headline_end
                                             and (c.quantity.value, normalize_unit(c.quantity.unit)) in said_below)
    return out


class _Heading(NamedTuple):
    start: int
    way: int    # +1 its section looks ahead, −1 back, 0 neither
    level: int  # 1: 一、 / 第一部分, 2: （一）, 3: a short line with no sentence end
    year: int | None  # the one year it names
    dated: bool = False  # names its one year and says which way it looks: 2024年工作回顾, 做好2025年工作


@lru_cache(maxsize=64)
def _sections(text: str, pub_year: int | None) -> tuple[_Heading, ...]:
    """The heading lines. A heading's past year (2024年… on a 2025 page) looks back, a year not
    yet over ahead; else its words do (回顾, 成绩 / 安排, 目标). Heading lines in a row with no
    text between are one heading and its subtitles: the first that says which way it looks
    decides for all of them (回顾2024年工作 / 我们锚定目标… is a review, whatever words the
    subtitle uses)."""
    out, pos = [], 0
    block_way, in_block = 0, False
    for line in text.split("\n"):
        bare = line.strip()
        if bare and len(bare) <= MAX_HEADING_CHARS and (SECTION_NUMBER.match(bare) or not _ENDS_A_SENTENCE.search(bare)):
            years = {int(y) for y in _YEAR.findall(bare)}
            words = -1 if SECTION_REVIEW.search(bare) else 1 if SECTION_PLAN.search(bare) else 0
            way = words
            if years and pub_year is not None:
                way = -1 if max(years) < pub_year else way or 1
            number = SECTION_NUMBER.match(bare)
            level = 3 if number is None else 2 if number.group(0).lstrip().startswith(("（", "(")) else 1
            year = next(iter(years)) if len(years) == 1 else None
            dated = year is not None and pub_year is not None and (
                (year < pub_year and words < 0) or (year >= pub_year and way > 0))
            if in_block and block_way and level == 3 and not dated:
                way = block_way  # a subtitle of the heading above
            elif not in_block or not block_way:
                block_way = way
            in_block = True
            out.append(_Heading(pos, way, level, year, dated))
        elif bare:
            in_block, block_way = False, 0
        pos += len(line) + 1
    return tuple(out)


def _section_at(sections: tuple[_Heading, ...], pos: int) -> int:
    """The orientation of the nearest oriented heading above `pos`, 0 when none."""
    before = [h.way for h in sections if h.start < pos and h.way]
    return before[-1] if before else 0


def _section_year(simple: str, pos: int, pub_year: int | None) -> int | None:
    """The year the headings over `pos` set out work for (二、2031年工作安排 → 2031): the
    innermost that names one year not yet over, for a clause that states none."""
    chain: dict[int, int | None] = {}
    numbered = False
    for h in _sections(simple, pub_year):
        if h.start >= pos:
            break
        if h.level == 3 and not numbered:
            # The lines above the first numbered heading are the document's title (…2031年重点
            #工作方案): its year holds under every section, and a title line naming none keeps it.
            chain[0] = h.year or chain.get(0)
            continue
        numbered = True
        chain = {k: v for k, v in chain.items() if k < h.level}
        chain[h.level] = h.year
    return next((y for _, y in sorted(chain.items(), reverse=True)
                 if y is not None and (pub_year is None or y >= pub_year)), None)


def in_review_section(sections: tuple[_Heading, ...], pos: int, body_start: int = 0) -> bool:
    """`pos` lies in a section that reviews the past by the document's own structure: a
    numbered top-level section that looks back (一、2024年工作回顾), or, at any level, the text
    after a dated review heading (2024年工作回顾, 回顾2024年工作) up to the next dated heading
    or numbered top-level heading that looks ahead. The headline (before `body_start`) is no
    section heading."""
    top = [h.way for h in sections if h.level == 1 and h.start < pos]
    if top and top[-1] < 0:
        return True
    bounds = [h.way for h in sections if body_start <= h.start < pos
              and ((h.dated and h.level == 3) or (h.level == 1 and h.way > 0))]
    return bool(bounds) and bounds[-1] < 0


def _plan_headings(text: str) -> list[int]:
    """Where the lines that set out a plan (a short heading or lead ending so) start."""
    out, pos = [], 0
    for line in text.split("\n"):
        if len(line.strip()) <= 30 and PLAN_HEADING.search(line.strip()):
            out.append(pos)
        pos += len(line) + 1
    return out


_YEAR = re.compile(r"(20\d\d)\s*年")
_PROJECT_AMOUNT = re.compile(r"(?:总投资|计划投资|概算投资|估算投资|概算|年度投资|当年投资)(?:约|为|达)?$")
_PROJECT = re.compile(r"项目|工程")
# 计划 alone opens a report's figures too (计划总投资…): only after a time word does it plan.
_OWN_PLAN = re.compile(r"(?:今年|明年|年内|下一步)?(?:还|也)?(?:将|要|力争|确保|争取|拟)|(?:今年|明年|年内)计划")
_YEAR_END = re.compile(r"(20\d\d)\s*年(?:底|末|内)")


def _year_end_ahead(sentence: str, pub_year: int | None) -> bool:
    """"2011年底，…达60%以上" on a page of 2011: the end of a year not yet over is a deadline."""
    return pub_year is not None and any(int(y) >= pub_year for y in _YEAR_END.findall(sentence))


def _reported(clause: str, pub_year: int | None = None) -> bool:
    """A clause reporting a result: a past word not preceded, in the clause, by a future one
    (计划完成 and 要实现 state goals; 已完成 and 同比增长 report). A bare 完成 before what is to
    be done (完成危桥改造30座) is a task; before an amount (完成60%) or in a past year, a result."""
    past = PAST.search(clause)
    if past is None:
        return False
    if past.group(0) == "完成率":
        return True
    if FUTURE.search(clause, 0, past.start()):
        return False
    if past.group(0) == "完成":
        # 完成60%, 完成了: an amount done. 2019年完成产值… on a 2022 page: a year's result.
        # Otherwise, in a sentence that looks ahead, 完成 names a task (完成危桥改造30座).
        if _AMOUNT_AFTER.match(clause, past.end()) and not _COUNTED_TASK.match(clause, past.end()):
            return True
        years = [int(y) for y in _YEAR.findall(clause[: past.start()])]
        return bool(years) and pub_year is not None and min(years) < pub_year
    return True


# Classifiers that count things (家, 个, 座 …): "N家企业" counts the firms, whereas an amount or a
# measure before a noun (十亿元企业, 3000平方米厂房) describes it.
COUNT_CLASSIFIERS = "个家条座套所名项批只台辆户处栋艘位支场件"
_AMOUNT_AFTER = re.compile(r"[\d一二三四五六七八九十两百千万]|了|率")
# 完成127个畜禽养殖治污工程: a count of things to be done, a task (完成60% is an amount done).
_COUNTED_TASK = re.compile(r"[\d.]+\s*[" + COUNT_CLASSIFIERS + r"][\u4e00-\u9fff]{2}")


def _split_lists(clause: Span) -> list[Span]:
    """Split "人才300人、从业人员800人以上" at a 、 that directly follows a quantity,
    "建成3个产业园、5个孵化器" at a 、 between two counts (N个A、M个B: each counts its own
    things), and "完成5个灌区项目和6个示范项目" at a 和/及 that joins two counted things (a
    number follows it)."""
    qs = find_quantities(clause.text)
    # 、 right after the quantity or its qualifier (增速保持在4%以上、总量达到50亿元).
    ends = [q.end + (m.end() if (m := _NOT_MOD.match(clause.text[q.end:])) else 0) for q in qs]
    cuts = [(e, e + 1) for e in ends if clause.text[e:e + 1] == "、"]
    counts = [q for q in qs if _COUNT_UNIT.search(q.unit or "")]
    cuts += [(q.start - 1, q.start) for q in counts if clause.text[q.start - 1:q.start] == "、"
             and any(c.end < q.start - 1 for c in counts)]
    cuts += [m.span() for m in _JOIN_BEFORE_NUMBER.finditer(clause.text)
             if any(q.end <= m.start() for q in qs) and any(q.start == m.end() for q in qs)]
    if not cuts:
        return [clause]
    out, start = [], 0
    for cut, after in sorted(set(cuts)):
        _append(out, clause.text, start, cut, base=clause.start)
        start = after
    _append(out, clause.text, start, len(clause.text), base=clause.start)
    return out


_JOIN_BEFORE_NUMBER = re.compile(r"(?:和|及|以及)(?=[\d一二三四五六七八九十两])")


def head_quantity(clause: str) -> Quantity | None:
    """The quantity a clause counts: the last one not used as a modifier (十亿元企业60家 → 100家)."""
    qs = [q for q in find_quantities(clause) if not _is_year_or_date(clause, q) and not _is_idiom(q)
          and not _in_quotes(clause, q) and q.unit != "强"]  # 世界500强, 百强县: a ranking's name
    if not qs:
        return _bare_level(clause)
    heads = [q for q in qs if not _is_modifier(clause, q)]
    return heads[-1] if heads else None  # only modifiers (总投资60亿元的项目): nothing counted


# A figure with no unit is a level only where the clause sets it as one: a verb that holds or
# reaches it before, or a bound after (价格指数控制在102.5左右).
_LEVEL_BEFORE = re.compile(r"(?:控制在|保持在|稳定在|达到|不低于|不高于|不超过|低于|高于)$")
_LEVEL_AFTER = re.compile(r"^(?:左右|以上|以下|以内)")
_RATIO = re.compile(r"\s*[:：∶]\s*\d")


def _shift(q: Quantity, by: int) -> Quantity:
    """The same quantity, its span moved by `by` (from a clause's coordinates to the text's)."""
    return Quantity(q.value, q.unit, q.start + by, q.end + by, q.text)


def _unit_written_later(parent: Span, piece: Span) -> Quantity | None:
    """A list item whose unit the list writes once, at its end (核桃2300、花椒1800亩): its
    figure, read with the whole clause, relative to the item."""
    if piece is parent or find_numbers(piece.text) == [] or find_quantities(piece.text):
        return None  # the item has no figure, or its own unit (then head_quantity has judged it)
    base = piece.start - parent.start
    inside = [q for q in find_quantities(parent.text) if base <= q.start and q.end <= base + len(piece.text)]
    if not inside or _is_modifier(parent.text, inside[-1]):
        return None
    return _shift(inside[-1], -base)


def _bare_level(clause: str) -> Quantity | None:
    for q in reversed(find_numbers(clause)):
        if q.unit or not q.text[:1].isdigit() or _in_quotes(clause, q) or _RATIO.match(clause, q.end):
            continue
        rest = clause[q.end :]
        if rest[:1] and "\u4e00" <= rest[0] <= "\u9fff" and not _LEVEL_AFTER.match(rest):
            continue  # a word after it is a unit no list knows (达到200岁): not a bare level
        if _LEVEL_BEFORE.search(clause[: q.start].rstrip()) or _LEVEL_AFTER.match(rest):
            return q
    return None


def _in_quotes(clause: str, q: Quantity) -> bool:
    """A number inside quotation marks belongs to a name or slogan (“9个城市是1个城市”, “532”
    战略), not to a goal."""
    before = clause[: q.start]
    return before.count("“") > before.count("”")


def _is_idiom(q: Quantity) -> bool:
    """一门心思/两个加快/三个节点/五个示范: small counts written in words are phrasing; news
    states goals in Arabic figures or with a magnitude (十亿元)."""
    return q.value < 10 and not any(ch.isdigit() for ch in q.text)


def _is_year_or_date(clause: str, q: Quantity) -> bool:
    return q.unit in {"年", "月", "日", "号"} and q.value >= 1


# Nouns that frame the amount before them as the level to reach: no modifier, the goal itself.
_GOAL_FRAME = re.compile(r"^(?:以上|以下|左右|以内)?的?(?:" + GOAL_FRAME + ")")
_MOD_FOLLOW = re.compile(r"[\u4e00-\u9fff（(“]")
_NOT_MOD = re.compile(r"^(以上|以下|以内|左右|上下|多|余|之内)")


def _is_modifier(clause: str, q: Quantity) -> bool:
    """A quantity directly followed by a noun modifies it (超200亿元的企业, 十亿元产业) unless it
    counts that noun (12家龙头企业); so does a threshold (占地30亩以上的项目) or a figure in
    parentheses (收益（8%以上）)."""
    rest = clause[q.end:]
    if _GOAL_FRAME.match(rest):
        return False  # the amount is the level to be reached (8亿元以上的目标, 迈上500亿元台阶)
    if clause.rfind("（", 0, q.start) > clause.rfind("）", 0, q.start) or \
            clause.rfind("(", 0, q.start) > clause.rfind(")", 0, q.start):
        return True
    if rest.startswith("等"):
        return False  # 治理1100平方公里等: "and so on" ends a list, it does not describe
    qualifier = _NOT_MOD.match(rest)
    if qualifier:
        return rest[qualifier.end():].startswith("的")
    if not rest:
        return False
    if rest.startswith("的"):
        return True
    if _COUNT_UNIT.search(q.unit or "") or COUNT_VERB_END.search(clause[: q.start]):
        # A count before what it counts (培育12家龙头企业, 开工建设12个项目), or an amount a verb
        # puts before its object (新建改造12公里绿道): the head.
        return False
    return bool(_MOD_FOLLOW.match(rest)) and not re.match(r"^[，。；、]", rest)


_COUNT_UNIT = re.compile("[" + COUNT_CLASSIFIERS + "]$")


# --- request -----------------------------------------------------------------------------------

def target_request(simple: str, group: list[TargetCandidate], header: str = "",
                   body_start: int = 0) -> tuple[str, dict[int, TargetCandidate]]:
    """The marked sentences with what frames them: each one's paragraph's opening sentence
    (…还将全力推动… before the goals listed after it) and the heading line just above its
    paragraph (2026年主要预期目标), both unmarked; none before `body_start` (the headline, which
    the header gives)."""
    context = [span for c in group for span in frame(simple, c.sentence) if span.start >= body_start]
    text, ids = marked_request(simple, [(c, c.sentence) for c in group], at=lambda c: c.clause.start,
                               context=context)
    return (f"{header}\n{text}" if header else text), ids


MAX_HEADING_CHARS = 40  # a longer line without a sentence end is body text, not a heading


def frame(simple: str, sentence: Span) -> list[Span]:
    """The opening sentence of the sentence's paragraph, the heading line above that paragraph
    (a short line with no sentence end), and the numbered section headings it lies under (一、
    2031年工作安排 / （二）…), where they are other than the sentence: a long text's section says
    whether its numbers look back or ahead."""
    para_start = simple.rfind("\n", 0, sentence.start) + 1
    out = _enclosing_headings(simple, para_start)
    if para_start > 0:
        above = simple[: para_start].rstrip("\n")
        line_start = above.rfind("\n") + 1
        line = above[line_start:].strip()
        if line and len(line) <= MAX_HEADING_CHARS and _in_heading(simple, line_start):
            start = line_start + above[line_start:].find(line)
            if all(o.start != start for o in out):
                out.append(Span(start, start + len(line), line))
    lead = next(iter(sentences(simple[para_start : sentence.start])), None)
    if lead is not None:
        out.append(Span(para_start + lead.start, para_start + lead.end, lead.text))
    return out


def _enclosing_headings(simple: str, pos: int) -> list[Span]:
    """The numbered headings (levels 1 and 2) whose sections hold `pos`, without a sentence end."""
    chain: dict[int, _Heading] = {}
    for h in _sections(simple, None):
        if h.start >= pos:
            break
        chain = {k: v for k, v in chain.items() if k < h.level}
        chain[h.level] = h
    out = []
    for level in (1, 2):
        h = chain.get(level)
        if h is None:
            continue
        end = simple.find("\n", h.start)
        line = simple[h.start : end if end >= 0 else len(simple)].strip()
        if line and not _ENDS_A_SENTENCE.search(line):
            start = simple.index(line, h.start)
            out.append(Span(start, start + len(line), line))
    return out


# --- answers to items --------------------------------------------------------------------------

_LEAD_WORDS = re.compile(r"^(力争|确保|争取|努力|全力|着力|重点|将|要|并|实现|其中|从而|同时|推动|使|打造|培育|搭建|建成)+")
# A deadline, a year or a span of years before the number, with what follows it (到2025年底前，
# 2022年度, 2021—2025年, “十四五”时期). A bare 20xx is a year only after 到/至 and before a break (至2030，…);
# elsewhere (安排了2000万元以上的…) it is an amount and stays.
_TIME_WORDS = re.compile(r"(?:(?:到|至)\s*20\d\d(?=\s*年|[，,、\s]|$)(?:\s*年)?|(?:在|从)?\s*(?:20\d\d\s*年?\s*[-—–~]\s*)?20\d\d\s*年|"
                         r"(?:到|至|在)?\s*[“\"]?" + FIVE_YEAR_PLAN + r"[”\"]?)"
                         r"(?:度|底|末|期间|时期|内)?(?:前)?[，,]?")
# Comparators before the number (达到, 突破 …) and the modal words before them (将超, 力争达到).
_TRAIL_WORDS = re.compile(r"(?:将|要|力争|确保|争取)?(突破|超过|超|达到|达|为|实现|不少于|不低于|约|控制在|稳定在|保持在|递增|增长)+$")


def code_metric(clause: str, q0: int, q1: int) -> str:
    """What the clause counts, by rule: the words before the number without time, lead-in and
    comparator words; or, when nothing is left, the words after it (打造30家以上…的“链主企业”)."""
    before = _TIME_WORDS.sub("", clause[:q0]).strip()
    if (item := ENUMERATION.match(before)):  # 二是…, （三）…: a list item's marker, not its metric
        before = before[item.end():]
    before = _TRAIL_WORDS.sub("", _LEAD_WORDS.sub("", before)).strip()
    if len(before) >= 2:
        return before
    after = re.sub(r"^(以上|以下|左右|多|余)?的?", "", clause[q1:]).strip("“”\"' ")
    return after or clause


def _metric(cand: TargetCandidate, simple: str) -> str:
    """What the clause counts, chosen by code (the model only decides): the words before the
    number; a metric that ends in a verb whose counted object follows the number gets that
    object (开工建设 + 20个 + 中型骨干水源工程项目); a clause that only says how much something
    changes takes its subject from the clause before (投资规模为550亿元、增长10.0%)."""
    clause = simple[cand.clause.start : cand.clause.end]
    q0, q1 = cand.quantity.start - cand.clause.start, cand.quantity.end - cand.clause.start
    change = clause[:q0].strip()
    if CHANGE_VERB.match(change) and (subject := _subject_before(simple, cand)):
        return subject + change
    metric = RELATIVE_TIME_LEAD.sub("", code_metric(clause, q0, q1)) or clause
    counted = _COUNTED_AFTER.match(clause, q1)
    if counted and metric.endswith("的") and _COUNT_UNIT.search(cand.quantity.unit or ""):
        return counted.group(1)  # 实施总投资12亿元的 + 45项 + 水利工程: the words before describe the noun
    if counted and counted.group(1) not in metric and (_COUNT_UNIT.search(cand.quantity.unit or "")
                                                       or COUNT_VERB_END.search(metric)):
        if COUNT_VERB_END.search(metric):
            return metric + counted.group(1)
        # 今年将有 + 86个 + 投资亿元以上项目, A、B等 + 20个 + 重点片区: the noun is counted
        if THERE_ARE_END.search(metric) or LIST_END.search(metric):
            return counted.group(1)
    return metric


def _subject_before(simple: str, cand: TargetCandidate) -> str:
    """The metric of the clause before the candidate's in its sentence, when that clause states
    an amount of its own (…规模为550亿元、增长10.0%), else ""."""
    before = re.split(r"[，,、；;]", simple[cand.sentence.start : cand.clause.start].rstrip("，,、；; "))[-1]
    qs = [q for q in find_quantities(before) if not _is_year_or_date(before, q)]
    if not qs:
        return ""
    subject = RELATIVE_TIME_LEAD.sub("", code_metric(before, qs[0].start, qs[0].end))
    return subject if 2 <= len(subject) < len(before) else ""


# The noun a classifier counts, right after the number (个中型骨干水源工程项目 → 中型骨干水源工程项目).
_COUNTED_AFTER = re.compile(r"(?:以上|以下|左右|多|余)?的?([\u4e00-\u9fff“”]{2,20})$")



def _time_scopes(simple: str, cand: TargetCandidate):
    """Where a target's deadline is said, nearest first: its clause, the sentence before it,
    the paragraph before it, then earlier paragraphs ("力争到2023年…" opens a list of goals)."""
    yield simple[cand.clause.start : cand.clause.end]
    yield simple[cand.sentence.start : cand.clause.start]
    para_start = simple.rfind("\n", 0, cand.sentence.start) + 1
    yield simple[para_start : cand.sentence.start]
    continues = bool(cand.features.get("continues_plan"))
    for para in reversed(simple[:para_start].split("\n")):
        # Only a stated deadline or a plan's heading (2026年主要预期目标) carries over, not a
        # report's year; a clause that goes on with a plan also takes the time of the nearest
        # paragraph that looks ahead (…将…，全年工业投资增长9% / 同时，新增…500家).
        if DEADLINE.search(para) or PLAN_HEADING.search(para.strip()):
            yield para
        elif continues and FUTURE.search(_mask_quoted(para)):
            continues = False
            yield para
        elif _dated_heading(para):
            return  # 二、2026年工作安排: the section's own year (_section_year), not one stated above it


def _dated_heading(line: str) -> bool:
    bare = line.strip()
    return bool(bare) and len(bare) <= MAX_HEADING_CHARS and not _ENDS_A_SENTENCE.search(bare) \
        and _YEAR.search(bare) is not None


def _later_in_sentence(simple: str, cand: TargetCandidate, published: str | None) -> tuple[int | None, str | None]:
    """With no time before it, a clause shares the frame a later clause of its sentence states
    (开工建设5个…项目，…，全年工业投资增长12%以上), but only one still ahead at publication:
    比去年增长 compares, it sets no deadline."""
    year, said = deadline_year(simple[cand.clause.end : cand.sentence.end], published)
    pub = publication_year(published)
    return (year, said) if year is not None and (pub is None or year >= pub) else (None, None)


_CLAUSE_BREAK = re.compile(r"[，,。；;\n]")


def respectively(simple: str, cand: TargetCandidate) -> list[tuple[str, Quantity]]:
    """常住人口和户籍人口分别达到12万、9万 / 两项指标分别提高到150家和15家: one goal per value, each
    with its own subject (or the one subject they share). The (metric, quantity) pairs whose
    quantity lies in the candidate's clause; [] when the clause states no such list."""
    lo = max(simple.rfind(ch, 0, cand.clause.start) for ch in "，,。；;\n") + 1
    hi = _CLAUSE_BREAK.search(simple, cand.clause.start)
    phrase = simple[lo : hi.start() if hi else len(simple)]
    k = phrase.find("分别")
    if k < 0:
        return []
    subject = RELATIVE_TIME_LEAD.sub("", _LEAD_WORDS.sub("", _TIME_WORDS.sub("", phrase[:k]).strip()))
    names = [n.strip() for n in re.split(r"[和与及、]", subject) if n.strip()]
    rest = phrase[k:]
    qs = [q for q in find_quantities(rest) if not _is_year_or_date(rest, q) and not _in_quotes(rest, q)]
    if not names or len(qs) < 2 or len(names) not in (1, len(qs)):
        return []
    names = names * len(qs) if len(names) == 1 else names
    base = lo + k
    return [(name, Quantity(q.value, q.unit, base + q.start, base + q.end, q.text))
            for name, q in zip(names, qs) if cand.clause.start <= base + q.start < cand.clause.end]


def range_bounds(simple: str, cand: TargetCandidate) -> list[tuple[None, Quantity]]:
    """增长5-5.5%: a range states two goals, its floor and its ceiling (comparator_of reads
    which is which); [] when the candidate's quantity is no range's upper bound."""
    q = cand.quantity
    base = cand.clause.start
    # Read up to the upper bound's end: the lower bound takes its unit (5-5.5%).
    qs = find_quantities(simple[base : q.end])
    if len(qs) < 2 or qs[-1].start != q.start - base or normalize_unit(qs[-2].unit) != normalize_unit(q.unit):
        return []
    if not RANGE_JOIN.fullmatch(simple[base + qs[-2].end : q.start]):
        return []
    return [(None, _shift(qs[-2], base)), (None, q)]


def adjacent(simple: str, cand: TargetCandidate) -> list[tuple[None, Quantity]]:
    """新修乡村公路3条12.5公里: amounts written side by side state one goal each (how many, how
    long); [] when no quantity ends where the candidate's begins."""
    q = cand.quantity
    clause = simple[cand.clause.start : q.start]
    before = [x for x in find_quantities(clause) if x.end == len(clause) and not _is_year_or_date(clause, x)]
    if not before:
        return []
    return [(None, _shift(before[-1], cand.clause.start)), (None, q)]


def build_target(cand: TargetCandidate, article: Article, simple: str, confidence: float | None = None,
                 metric: str | None = None) -> Target:
    text = article.text
    clause_simple = simple[cand.clause.start : cand.clause.end]
    local_q = cand.quantity.__class__(
        cand.quantity.value, cand.quantity.unit, cand.quantity.start - cand.clause.start,
        cand.quantity.end - cand.clause.start, cand.quantity.text,
    )
    # The deadline usually opens the sentence or paragraph ("到2025年，…；…；…"). With no
    # publication date, 今年 and an unstated deadline mean the year the text plans for
    # (2027年，…将…: its goals listed after hold for 2027).
    planned = plan_year(simple) if publication_year(article.published) is None else None
    reference = article.published or (str(planned) if planned else None)
    year, time_text = None, None
    for scope in _time_scopes(simple, cand):
        year, time_text = deadline_year(scope, reference)
        if year is not None or time_text is not None:
            break
    else:
        year, time_text = _later_in_sentence(simple, cand, reference)
    if year is None and planned is not None:
        year = planned
    if year is None and time_text is None:
        year = _section_year(simple, cand.sentence.start, publication_year(article.published))
    return Target(
        metric=simplified(metric or _metric(cand, simple)),
        value=cand.quantity.value,
        unit=cand.quantity.unit,
        comparator=comparator_of(clause_simple, local_q),
        deadline_year=year,
        time_text=simplified(time_text),
        region=resolve_region(clause_simple, simple, article.outlet, article.page_division),
        policy=None,
        evidence=Evidence(quote=text[cand.clause.start : cand.clause.end],
                          start=cand.clause.start, end=cand.clause.end),
        confidence=confidence,
    )


# --- the step ----------------------------------------------------------------------------------

def target_question(prefix: str, simple: str, k: int, cand: TargetCandidate) -> str:
    """The request text of one clause's question: the shared prefix (headline, date, the marked
    sentences), then the question about clause 【k】 (prompts/targets.question.md)."""
    question = prompt_set("targets").question.format(
        k=k, clause=simple[cand.clause.start : cand.clause.end],
        quantity=simple[cand.quantity.start : cand.quantity.end])
    return f"{prefix}\n\n{question}"


def extract_targets(ex: Extractor, article: Article, simple: str, out: Extraction) -> None:
    """One question per candidate clause, each after the same prefix (the server's prompt cache
    reads that once per chunk): the model's answer is one token, 是 or 否, and its probability."""
    seen: set[tuple] = set()
    headline_end = headline_end_of(article, simple)
    header = request_header(article, simple)
    candidates = target_candidates(simple, article.published, headline_end)
    for group in chunks(candidates, MAX_MARKS_PER_REQUEST):
        prefix, ids = target_request(simple, group, header, headline_end + 1)
        verdicts = {k: ex._ask_verdict(out, "targets", target_question(prefix, simple, k, c)) for k, c in ids.items()}
        _add_targets(ex, out, article, simple, ids, verdicts, seen)
    out.targets = _one_per_goal(out.targets, simple, headline_end)


def _add_targets(ex: Extractor, out: Extraction, article: Article, simple: str, ids: dict,
                 verdicts: dict, seen: set[tuple]) -> None:
    for k, c in ids.items():
        v = verdicts.get(k)
        if v is None:
            continue  # the question failed (recorded in errors): nothing to judge
        features = {**c.features, **model_features(v.p, v.yes)}
        conf = ex.confidence("targets", features)
        # Two values in one clause (…分别达到12万、9万) are two goals sharing one decision.
        for metric, q in (respectively(simple, c) or range_bounds(simple, c) or adjacent(simple, c)
                          or [(None, c.quantity)]):
            key = (c.clause.start, q.start)  # ids restart in every chunk
            if key in seen:
                continue
            seen.add(key)
            one = c if q is c.quantity else TargetCandidate(c.clause, c.sentence, q, c.features)
            target = build_target(one, article, simple, conf, metric)
            if _passed(target, article.published):
                continue  # a deadline already over when the article appeared: a result, not a goal
            ex.judged(article, "targets", target, features)
            if target.confidence >= ex.cut("targets", features):
                out.targets.append(target)


def _passed(target: Target, published: str | None) -> bool:
    pub = publication_year(published)
    return pub is not None and target.deadline_year is not None and target.deadline_year < pub


def _one_per_goal(targets: list[Target], text: str, headline_end: int) -> list[Target]:
    """One goal stated several times (headline, subheads, lead, body, a summary box) is one
    target (spec §2): same value and unit, in different sentences, and metrics alike, or a
    heading's metric read, in order, in the other statement's sentence (a heading abbreviates:
    大城市新增保障房占比 for 人口净流入的大城市新增保障性租赁住房供应套数占…比例). The body's first
    statement is kept over the headline's, and a sentence's over a heading's."""
    def heading(t: Target) -> bool:
        return t.evidence.start <= headline_end or _in_heading(text, t.evidence.start)

    def same(a: Target, b: Target) -> bool:
        lo, hi = sorted((a.evidence, b.evidence), key=lambda e: e.start)
        if None not in (a.deadline_year, b.deadline_year) and a.deadline_year != b.deadline_year:
            return False  # the same amount for this year and for the next: two goals
        if not (a.value == b.value and normalize_unit(a.unit) == normalize_unit(b.unit)
                and _SENTENCE_BREAK.search(text, lo.end, max(lo.end, hi.start)) is not None):
            return False
        if _same_metric(fold(a.metric), fold(b.metric)):
            return True
        return any(heading(h) and not heading(o) and _abbreviates(fold(h.metric), fold(sentence_of(text, o.evidence.start, o.evidence.start)))
                   for h, o in ((a, b), (b, a)))
    ordered = sorted(targets, key=lambda t: (t.evidence.start <= headline_end, t.evidence.start))
    kept: list[Target] = []
    for t in ordered:
        k = next((i for i, k in enumerate(kept) if same(t, k)), None)
        if k is None:
            kept.append(t)
        elif heading(kept[k]) and not heading(t):
            kept[k] = t
    return sorted(kept, key=lambda t: t.evidence.start)


def _in_heading(text: str, pos: int) -> bool:
    """The line at `pos` has no sentence end: a headline, subhead or list line."""
    start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    return _ENDS_A_SENTENCE.search(text, start, end if end >= 0 else len(text)) is None


def _abbreviates(short: str, sentence: str) -> bool:
    """All but a tenth of `short`'s characters appear, in order, in `sentence`."""
    return len(short) >= 4 and LCSseq.similarity(short, sentence) >= 0.9 * len(short)


def _same_metric(a: str, b: str) -> bool:
    """One metric said twice (引进外资 / 累计引进外资), not two alike (超10亿元项目 /
    超5亿元项目 share most characters but count different things)."""
    return a in b or b in a or fuzz.ratio(a, b) >= 85


_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")
_ENDS_A_SENTENCE = re.compile(r"[。！？!?；;]")  # a line holding none is a heading or list line
