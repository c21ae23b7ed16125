"""Find, in code, the parts of an article worth asking the model about.

A small model does best with short requests about relevant text. Targets: clauses holding a
quantity inside a sentence with a future marker. Policies: sentences naming a document.
Meetings: paragraphs with meeting or visit wording. Everything keeps its offsets into the
article text; the model sees the simplified-script copy (same length, so offsets carry over).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extract.lexicon import DOC_WORDS, DEADLINE, FUTURE, MEETING_WORDS, PAST, PAST_LEAD, PAST_SENTENCE, PROVISION_BEFORE, QUOTED
from extract.numbers import Quantity, find_quantities


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")
_CLAUSE_END = re.compile(r"[，,；;：:]")


def sentences(text: str) -> list[Span]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        _append(out, text, start, m.end())
        start = m.end()
    _append(out, text, start, len(text))
    return out


def clauses(sentence: Span) -> list[Span]:
    out, start = [], 0
    for m in _CLAUSE_END.finditer(sentence.text):
        _append(out, sentence.text, start, m.start(), base=sentence.start)
        start = m.end()
    _append(out, sentence.text, start, len(sentence.text), base=sentence.start)
    return out


def _append(out: list[Span], text: str, start: int, end: int, base: int = 0) -> None:
    # Trim whitespace and trailing sentence punctuation so spans are clean quotes.
    while start < end and (text[start].isspace()):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "。！？!?"):
        end -= 1
    if end > start:
        out.append(Span(base + start, base + end, text[start:end]))


def _mask_quoted(text: str) -> str:
    """The text with quoted names blanked (same length): a programme called “倍增计划” is no
    plan of the sentence, and 《…规划》 is a title."""
    return QUOTED.sub(lambda m: "＿" * len(m.group(0)), text)


@dataclass(frozen=True)
class TargetCandidate:
    clause: Span
    sentence: Span
    quantity: Quantity  # offsets relative to the article text


def target_candidates(text: str) -> list[TargetCandidate]:
    out: list[TargetCandidate] = []
    # Whether a deadline has appeared earlier in the current paragraph, kept as we go so that
    # a long paragraph is not rescanned for every sentence.
    deadline_seen, para_start = False, -1
    newlines = [m.start() for m in re.finditer("\n", text)]
    for sent in sentences(text):
        before = bisect.bisect_left(newlines, sent.start)
        start = newlines[before - 1] + 1 if before else 0
        if start != para_start:
            deadline_seen, para_start = False, start
        plain = _mask_quoted(sent.text)
        inherited = deadline_seen
        deadline_seen = deadline_seen or bool(DEADLINE.search(plain))
        if not (FUTURE.search(plain) or inherited) or PAST_SENTENCE.search(plain):
            continue
        lead = PAST_LEAD.search(plain)  # once per sentence: clauses after it are reports
        for cl in (piece for c in clauses(sent) for piece in _split_lists(c)):
            cl_plain = plain[cl.start - sent.start : cl.end - sent.start]
            if _reported(cl_plain) or (lead is not None and lead.end() <= cl.start - sent.start):
                continue
            q = head_quantity(cl.text)
            if q is None or PROVISION_BEFORE.search(cl.text[: q.start]):
                continue
            shifted = Quantity(q.value, q.unit, cl.start + q.start, cl.start + q.end, q.text)
            out.append(TargetCandidate(cl, sent, shifted))
    return out


def _reported(clause: str) -> bool:
    """A clause reporting a result: a past word not preceded, in the clause, by a future one
    (计划完成 and 要实现 state goals; 已完成 and 同比增长 report)."""
    past = PAST.search(clause)
    if past is None:
        return False
    future = FUTURE.search(clause, 0, past.start())
    return future is None


def _split_lists(clause: Span) -> list[Span]:
    """Split "人才500人、从业人员1500人以上" at a 、 that directly follows a quantity."""
    cuts = [q.end for q in find_quantities(clause.text)
            if clause.text[q.end:q.end + 1] == "、"]
    if not cuts:
        return [clause]
    out, start = [], 0
    for cut in cuts:
        _append(out, clause.text, start, cut, base=clause.start)
        start = cut + 1
    _append(out, clause.text, start, len(clause.text), base=clause.start)
    return out


def head_quantity(clause: str) -> Quantity | None:
    """The quantity a clause counts: the last one not used as a modifier (十亿元企业100家 → 100家)."""
    qs = [q for q in find_quantities(clause) if not _is_year_or_date(clause, q) and not _is_idiom(q)]
    if not qs:
        return None
    heads = [q for q in qs if not _is_modifier(clause, q)]
    return heads[-1] if heads else None  # only modifiers (总投资60亿元的项目): nothing counted


def _is_idiom(q: Quantity) -> bool:
    """一门心思/两个加快/三个节点/五个示范: small counts written in words are phrasing; news
    states goals in Arabic figures or with a magnitude (十亿元)."""
    return q.value < 10 and not any(ch.isdigit() for ch in q.text)


def _is_year_or_date(clause: str, q: Quantity) -> bool:
    return q.unit in {"年", "月", "日", "号"} and q.value >= 1


_MOD_FOLLOW = re.compile(r"[\u4e00-\u9fff（(“]")
_NOT_MOD = re.compile(r"^(以上|以下|以内|左右|上下|多|余|之内)")


def _is_modifier(clause: str, q: Quantity) -> bool:
    """A quantity directly followed by a noun modifies it (超500亿元的企业, 十亿元产业)."""
    rest = clause[q.end:]
    if not rest or _NOT_MOD.match(rest):
        return False
    if rest.startswith("的"):
        return True
    return bool(_MOD_FOLLOW.match(rest)) and not re.match(r"^[，。；、]", rest)


_TITLED = re.compile(r"《([^《》]{4,80}?)》")
_DOC_END = re.compile(DOC_WORDS + r"(（[^）]*）|\([^)]*\))?$")
# "关于A、B、C等四方面实施意见": one document per listed subject.
_LISTED = re.compile(r"关于([^，。；《》]{2,120}?)等[一二三四五六七八九十两\d]+(?:方面|项|个|份)的?(" + DOC_WORDS + r")")
_UNTITLED = re.compile(r"关于[^，。；《》、]{2,40}?的" + DOC_WORDS)


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
            if _DOC_END.search(title):
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
            if any(a <= m.start() < b for a, b in taken):
                continue
            out.append(PolicyCandidate(m.group(0), Span(sent.start + m.start(), sent.start + m.end(), m.group(0)), sent))
    return out


def meeting_paragraphs(text: str) -> list[Span]:
    paras, start = [], 0
    for m in re.finditer(r"\n+", text):
        _append(paras, text, start, m.start())
        start = m.end()
    _append(paras, text, start, len(text))
    return [p for p in paras if MEETING_WORDS.search(p.text)]
