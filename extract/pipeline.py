"""Extract one article: candidates → requests → answers → grounded, normalised items.

One small request per kind, only when code found something of that kind to ask about, in
simplified script (offsets carry over unchanged), long inputs in chunks merged without
duplicates. A failure in one kind is recorded in `errors` and the other kinds still run.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import partial

from extract import candidates as cand
from extract.assemble import add_named_officials, announced, bylines, named_from_text, build_meeting, build_policy, build_target, is_meeting_name
from extract.client import CallStats, LLMClient
from extract.ground import GroundingError, ground
from extract.meeting_split import merge, separate_meetings
from extract.request_text import by_mention, chunks, marked_request, span_chunks, target_request
from extract.numbers import fold, normalize_unit
from extract.script import to_simplified_chars
from rapidfuzz import fuzz
from schemas import Article, ErrorInfo, Meeting, Policy, Record, RunInfo, Target, Usage
from schemas.llm import AnswerContext, TargetAnswer

MAX_TARGETS_PER_REQUEST = 12


@dataclass
class Extraction:
    policies: list[Policy] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
    stats: CallStats = field(default_factory=CallStats)


@dataclass(frozen=True)
class Options:
    """Steps after the model's answers, switchable so benchmarks can measure each one."""

    split_meetings: bool = True  # one meeting per leader in "区领导分别参加…" reports
    complete_attendees: bool = True  # add officials the meeting's text names
    drop_non_meetings: bool = True  # names without meeting wording are not meetings
    policy_verbs: bool = True  # a document right after 印发/出台/通报… is issued, whatever the model says
    keep_unanswered_targets: bool = True  # a marked clause the model skipped (not denied) is kept


class ArticleExtractor:
    def __init__(self, client: LLMClient, options: Options = Options()):
        self.client = client
        self.options = options

    def _ask(self, out: Extraction, kind: str, text: str, context: AnswerContext):
        try:
            answer, stats = self.client.ask(kind, text, context)
            out.stats.add(stats)
            return answer.items
        except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
            out.stats.add(getattr(exc, "call_stats", CallStats()))
            out.errors.append(ErrorInfo(stage=f"llm:{kind}", message=_describe(exc)))
            return []

    def _ask_in_parts(self, out: Extraction, kind: str, part, build, split, depth: int = 0):
        """Ask about `part` (made into request text and context by `build`); an answer cut at
        max_tokens (a long attendee list, a small model looping) is asked again in the
        smaller parts `split` gives, so no kind is lost to one oversized answer. Yields
        (part, items) for each part answered; a part whose call failed yields nothing."""
        text, context = build(part)
        try:
            answer, stats = self.client.ask(kind, text, context)
            out.stats.add(stats)
            yield part, answer.items
            return
        except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
            out.stats.add(getattr(exc, "call_stats", CallStats()))
            smaller = split(part) if depth < 3 and _cut_at_max_tokens(exc) else []
            if len(smaller) < 2:
                out.errors.append(ErrorInfo(stage=f"llm:{kind}", message=_describe(exc)))
                return
        for piece in smaller:
            yield from self._ask_in_parts(out, kind, piece, build, split, depth + 1)

    def extract(self, article: Article) -> Extraction:
        out = Extraction()
        simple = to_simplified_chars(article.text) if article.script == "hant" else article.text
        for kind, step in (("targets", self._targets), ("policies", self._policies),
                           ("meetings", self._meetings)):
            try:
                step(article, simple, out)
            except Exception as exc:  # noqa: BLE001 - a bug or odd input costs one kind, not the batch
                out.errors.append(ErrorInfo(stage=f"extract:{kind}", message=_describe(exc)))
        return out

    def _targets(self, article: Article, simple: str, out: Extraction) -> None:
        seen: set[tuple] = set()

        def build(group: list) -> tuple[str, AnswerContext]:
            text, ids = target_request(simple, group)
            return text, AnswerContext(ids=frozenset(ids))

        for whole in chunks(cand.target_candidates(simple), MAX_TARGETS_PER_REQUEST):
            for group, items in self._ask_in_parts(out, "targets", whole, build, _halves):
                self._add_targets(out, article, simple, target_request(simple, group)[1], items, seen)
        out.targets = _one_per_goal(out.targets, simple, simple.find("\n") if article.title else -1)

    def _add_targets(self, out: Extraction, article: Article, simple: str, ids: dict, items: list,
                     seen: set[tuple]) -> None:
        answers = {a.id: a for a in items}
        for k, c in ids.items():
            a = answers.get(k)
            if a is None and self.options.keep_unanswered_targets:
                # A small model drops items from long lists; the clause passed the code's
                # future-goal test, so only an explicit "no" rejects it.
                a = TargetAnswer(id=k, is_target=True, metric="")
            key = (c.clause.start, c.quantity.start)  # ids restart in every chunk
            if a is None or not a.is_target or key in seen:
                continue
            seen.add(key)
            out.targets.append(build_target(a, c, article, simple))

    def _policies(self, article: Article, simple: str, out: Extraction) -> None:
        by_title: dict[str, list[tuple[bool, Policy]]] = {}
        headline_end = simple.find("\n") if article.title else -1
        for group in chunks(by_mention(cand.policy_candidates(simple)), MAX_TARGETS_PER_REQUEST):
            text, ids = marked_request(simple, [(m, m[0].sentence) for m in group])
            for a in self._ask(out, "policies", text, AnswerContext(ids=frozenset(ids), text=text)):
                verb = announced(ids.get(a.id, []), simple)
                if not (a.is_policy or (self.options.policy_verbs and verb)):
                    continue
                for c in ids.get(a.id, []):
                    p = build_policy(c, a.issuers, article, simple)
                    in_body = c.mention.start > headline_end
                    by_title.setdefault(p.title, []).append((verb and in_body, p))
        # One record per document: the body's mention that says it was issued (区委、区政府于日前
        # 印发了《…》) over the headline or a later reference; else the first mention.
        for mentions in by_title.values():
            out.policies.append(next((p for best, p in mentions if best), mentions[0][1]))
        # A target in an article that reports a single document is set by that document.
        if len(out.policies) == 1:
            for t in out.targets:
                t.policy = out.policies[0].title

    def _meetings(self, article: Article, simple: str, out: Extraction) -> None:
        spans = cand.meeting_paragraphs(simple)
        if not spans:
            return
        title = simple.split("\n", 1)[0] if article.title else None
        if title and spans and spans[0].start == 0:
            title = None  # the headline is already the first paragraph sent
        names: set[str] = set()
        people = tuple(sorted(bylines(article.text)))

        def build(part: list[cand.Span]) -> tuple[str, AnswerContext]:
            text = "\n".join(([title] if title else []) + [sp.text for sp in part])
            return text, AnswerContext(text=text, locate=partial(ground, text), bylines=people)

        for whole in span_chunks(spans):
            for _, items in self._ask_in_parts(out, "meetings", whole, build, _smaller_spans):
                for a in items:
                    try:
                        m = named_from_text(build_meeting(a, article), article)
                    except GroundingError as exc:
                        out.errors.append(ErrorInfo(stage="ground:meeting", message=str(exc)))
                        continue
                    if self.options.drop_non_meetings and not is_meeting_name(m.name, m.evidence.quote):
                        continue  # the model's non-meetings (a document issued, a measure)
                    if m.name not in names:
                        names.add(m.name)
                        out.meetings.append(m)
        if self.options.split_meetings:
            out.meetings = merge(out.meetings, separate_meetings(article), article.text)
        if self.options.complete_attendees:
            add_named_officials(out.meetings, article)


def _smaller_spans(part: list[cand.Span]) -> list[list[cand.Span]]:
    """Paragraphs one by one; a single paragraph in two halves of its sentences."""
    if len(part) > 1:
        return [[sp] for sp in part]
    sents = cand.sentences(part[0].text)
    shifted = [cand.Span(part[0].start + x.start, part[0].start + x.end, x.text) for x in sents]
    return [[*shifted[: len(shifted) // 2]], [*shifted[len(shifted) // 2 :]]] if len(shifted) > 1 else []


def _halves(items: list) -> list[list]:
    return [items[: len(items) // 2], items[len(items) // 2 :]] if len(items) > 1 else []


def _cut_at_max_tokens(exc: BaseException) -> bool:
    """The answer was cut at max_tokens (instructor's IncompleteOutputException, possibly
    inside a retry exception after re-asks)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or e in seen:
            continue
        seen.append(e)
        if type(e).__name__ == "IncompleteOutputException" or "max_tokens" in str(e):
            return True
        todo += [e.__cause__, e.__context__]
        todo += [getattr(a, "exception", None) for a in getattr(e, "failed_attempts", None) or []]
    return False


def _one_per_goal(targets: list[Target], text: str, headline_end: int) -> list[Target]:
    """One goal stated several times (headline, lead, body, a summary box) is one target
    (spec §2): same value and unit, metrics alike, in different sentences. The body's first
    statement is kept over the headline's."""
    def same(a: Target, b: Target) -> bool:
        lo, hi = sorted((a.evidence, b.evidence), key=lambda e: e.start)
        return (a.value == b.value and normalize_unit(a.unit) == normalize_unit(b.unit)
                and fuzz.partial_ratio(fold(a.metric), fold(b.metric)) >= 60
                and _SENTENCE_BREAK.search(text, lo.end, max(lo.end, hi.start)) is not None)
    ordered = sorted(targets, key=lambda t: (t.evidence.start <= headline_end, t.evidence.start))
    kept: list[Target] = []
    for t in ordered:
        if not any(same(t, k) for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: t.evidence.start)


_SENTENCE_BREAK = re.compile(r"[。！？!?\n]")


def _describe(exc: BaseException) -> str:
    """One line saying what failed: for a validation failure, the last attempt's field errors."""
    attempts = getattr(exc, "failed_attempts", None)
    if attempts:
        last = attempts[-1].exception
        errors = getattr(last, "errors", None)
        if callable(errors):
            parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in last.errors()[:3]]
            return f"answer still invalid after {len(attempts)} attempts: {'; '.join(parts)}"[:500]
        return f"answer still invalid after {len(attempts)} attempts: {_first_line(last)}"[:500]
    first = _first_line(exc)
    cause = exc.__cause__
    if cause is not None and _first_line(cause) and _first_line(cause) not in first:
        first = f"{first} ({type(cause).__name__}: {_first_line(cause)})"
    return f"{type(exc).__name__}: {first}"[:500]


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def to_record(article: Article, ex: Extraction, engine: str, model: str, prompt_version: str,
              duration_s: float) -> Record:
    s = ex.stats
    return Record(
        article=article,
        policies=ex.policies,
        targets=ex.targets,
        meetings=ex.meetings,
        run=RunInfo(
            engine=engine, model=model, prompt_version=prompt_version,
            attempts=s.attempts, requests=s.requests,
            usage=Usage(prompt_tokens=s.prompt_tokens, completion_tokens=s.completion_tokens,
                        cached_tokens=s.cached_tokens),
            duration_s=round(duration_s, 3),
        ),
        errors=ex.errors,
    )


def extract_article(extractor: ArticleExtractor, article: Article, engine: str, model: str,
                    prompt_version: str) -> Record:
    t0 = time.monotonic()
    ex = extractor.extract(article)
    return to_record(article, ex, engine, model, prompt_version, time.monotonic() - t0)
