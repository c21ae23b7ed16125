"""Find, in code, the parts of an article worth asking the model about.

A small model does best with short requests about relevant text. Targets: clauses holding a
quantity inside a sentence with a future marker. Policies: sentences naming a document.
Meetings: paragraphs with meeting or visit wording. Everything keeps its offsets into the
article text; the model sees the simplified-script copy (same length, so offsets carry over).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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


# Future orientation (spec §2): a target needs a number and one of these.
FUTURE = re.compile(
    r"到\s*20\d\d|至\s*20\d\d|20\d\d\s*年(底|末)?前|力争|目标|确保|将|要|计划|争取|预期目标|"
    r"十[三四五六]五|每年|年均|今年|明年|年内|努力|打造|培育|新增|建成|突破|以上"
)
# Reported results and forecasts (spec §2) are not targets.
PAST = re.compile(r"完成了?|同比|比上年|增长了|已经|已有|已达|达到了|实现了|前三季度|上半年|去年|预计|截至")


@dataclass(frozen=True)
class TargetCandidate:
    clause: Span
    sentence: Span
    quantity: Quantity  # offsets relative to the article text


def target_candidates(text: str) -> list[TargetCandidate]:
    out: list[TargetCandidate] = []
    for sent in sentences(text):
        if not FUTURE.search(sent.text):
            continue
        for cl in (piece for c in clauses(sent) for piece in _split_lists(c)):
            if PAST.search(cl.text):
                continue
            q = head_quantity(cl.text)
            if q is None:
                continue
            shifted = Quantity(q.value, q.unit, cl.start + q.start, cl.start + q.end, q.text)
            out.append(TargetCandidate(cl, sent, shifted))
    return out


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
    return (heads or qs)[-1]


_SMALL_WORD_UNITS = {"个", "场", "次", "项", "种", "条", "批", "步"}


def _is_idiom(q: Quantity) -> bool:
    """一个/两个加快/三个节点/五个示范: small counts written in words are phrasing, not goals."""
    return q.value < 10 and q.unit in _SMALL_WORD_UNITS and not any(ch.isdigit() for ch in q.text)


def _is_year_or_date(clause: str, q: Quantity) -> bool:
    return q.unit in {"年", "月", "日", "号"} and q.value >= 1


_MOD_FOLLOW = re.compile(r"[\u4e00-\u9fff（(“]")
_NOT_MOD = re.compile(r"^(以上|以下|以内|左右|上下|多|余|之内|的)")


def _is_modifier(clause: str, q: Quantity) -> bool:
    """A quantity directly followed by a noun modifies it (超500亿元的企业, 十亿元产业)."""
    rest = clause[q.end:]
    if not rest or _NOT_MOD.match(rest):
        return False
    if rest.startswith("的"):
        return True
    return bool(_MOD_FOLLOW.match(rest)) and not re.match(r"^[，。；、]", rest)


POLICY_DOC = re.compile(r"《[^》]{2,80}》|关于[^，。；]{2,60}?(方案|意见|政策|规划|计划|通知|办法|条例|决定|纲要|建议|细则|措施)")


def policy_sentences(text: str) -> list[Span]:
    return [s for s in sentences(text) if POLICY_DOC.search(s.text)]


MEETING_WORDS = re.compile(
    r"召开|举行|举办|出席|参加|主持|座谈|会议|大会|生活会|动员会|论坛|推介会|签约|揭牌|仪式|调研|视察|考察|"
    r"走访|检查|观摩|开幕|闭幕"
)


def meeting_paragraphs(text: str) -> list[Span]:
    paras, start = [], 0
    for m in re.finditer(r"\n+", text):
        _append(paras, text, start, m.start())
        start = m.end()
    _append(paras, text, start, len(text))
    return [p for p in paras if MEETING_WORDS.search(p.text)]
