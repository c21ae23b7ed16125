"""Policies: documents the article reports as issued (spec §1, §2), found, asked and built here.

Code finds every mention of a document (a 《》 title ending in a document type, 关于…的意见,
关于A、B等两方面意见); the model says which are reported as issued and by whom; code takes the
title, type, time, region and evidence from the text, one record per document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extract.lexicon import DOC_WORDS, ISSUE_VERB, ISSUE_VERBS, PRESENT_VERBS
from extract.normalize import bodies, parse_date
from extract.region import resolve_region
from extract.request_text import MAX_MARKS_PER_REQUEST, chunks, halves, marked_request
from extract.spans import Span, clause_around, sentences, simplified
from schemas import Article, Evidence, Policy
from schemas.llm import AnswerContext

if TYPE_CHECKING:
    from extract.pipeline import ArticleExtractor, Extraction

# --- candidates --------------------------------------------------------------------------------

_TITLED = re.compile(r"《([^《》]{4,80}?)》")
_DOC_END = re.compile(DOC_WORDS + r"(（[^）]*）|\([^)]*\))?$")
# "关于A、B、C等三方面实施意见": one document per listed subject.
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


def by_mention(cands: list[PolicyCandidate]) -> list[list[PolicyCandidate]]:
    """Documents named by one phrase (关于A、B等两方面意见) share one mark."""
    groups: dict[tuple[int, int], list[PolicyCandidate]] = {}
    for c in cands:
        groups.setdefault((c.mention.start, c.mention.end), []).append(c)
    return list(groups.values())


# --- answers to items --------------------------------------------------------------------------

_DOC_TYPE = re.compile("(" + DOC_WORDS[3:-1] + ")$")


def build_policy(c: PolicyCandidate, issuers: list[str], article: Article, simple: str) -> Policy:
    around = clause_around(article.text, c.mention.start, c.mention.end)
    evidence = Evidence(quote=around.text, start=around.start, end=around.end)
    clause = simple[evidence.start : evidence.end]
    doc = _DOC_TYPE.search(re.sub(r"[（(][^）)]*[）)]$", "", c.title))
    # The time expression, if any, sits before the issuing verb: "县委、县政府近日印发了《…》".
    before = clause[: c.mention.start - evidence.start]
    verb = ISSUE_VERB.search(before)
    issued, time_text = parse_date(before[: verb.start()] if verb else before, article.published)
    region = resolve_region(clause, simple, article.outlet)
    if not issuers:
        lead = _ISSUER_LEAD.match(before)
        issuers = [lead.group(1)] if lead else []
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


_ANNOUNCE = re.compile("(" + ISSUE_VERBS + "|" + PRESENT_VERBS + r")了?\s*$")


def announced(cands: list[PolicyCandidate], simple: str) -> bool:
    """The article says the document was issued or presented: a verb right before its name."""
    return any(_ANNOUNCE.search(simple[max(0, c.mention.start - 8) : c.mention.start]) for c in cands)


# "县委、县政府近日印发了《…》": the bodies that open the clause issued it.
_ISSUER_LEAD = re.compile(
    r"^([^，。；]*?(?:委|政府|办公室|办公厅|人大|政协|局|厅|部|院))(?:联合|共同)?(?:于|在)?[^，。；委府]{0,8}?"
    "(?:" + ISSUE_VERBS + ")"
)


# --- the step ----------------------------------------------------------------------------------

def extract_policies(ex: "ArticleExtractor", article: Article, simple: str, out: "Extraction") -> None:
    by_title: dict[str, list[tuple[bool, Policy]]] = {}
    headline_end = simple.find("\n") if article.title else -1

    def build(group: list) -> tuple[str, AnswerContext]:
        text, ids = marked_request(simple, [(m, m[0].sentence) for m in group])
        return text, AnswerContext(ids=frozenset(ids), text=text)

    for whole in chunks(by_mention(policy_candidates(simple)), MAX_MARKS_PER_REQUEST):
        for group, items in ex._ask_in_parts(out, "policies", whole, build, halves):
            _add_policies(ex, article, simple, marked_request(simple, [(m, m[0].sentence) for m in group])[1],
                          items, headline_end, by_title)
    # One record per document: the body's mention that says it was issued (县委、县政府近日
    # 印发了《…》) over the headline or a later reference; else the first mention.
    for mentions in by_title.values():
        out.policies.append(next((p for best, p in mentions if best), mentions[0][1]))
    # A target in an article that reports a single document is set by that document.
    if len(out.policies) == 1:
        for t in out.targets:
            t.policy = out.policies[0].title


def _add_policies(ex: "ArticleExtractor", article: Article, simple: str, ids: dict, items: list,
                  headline_end: int, by_title: dict) -> None:
    for a in items:
        verb = announced(ids.get(a.id, []), simple)
        if not (a.is_policy or (ex.options.policy_verbs and verb)):
            continue
        for c in ids.get(a.id, []):
            p = build_policy(c, a.issuers, article, simple)
            in_body = c.mention.start > headline_end
            by_title.setdefault(p.title, []).append((verb and in_body, p))
