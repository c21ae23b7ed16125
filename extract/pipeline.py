"""Extract one article: candidates → requests → answers → grounded, normalised items.

One small request per kind, only when code found something of that kind to ask about, in
simplified script (offsets carry over unchanged), long inputs in chunks merged without
duplicates. A failure in one kind is recorded in `errors` and the other kinds still run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from extract import candidates as cand
from extract.assemble import add_named_officials, announced, bylines, named_from_text, build_meeting, build_policy, build_target, is_meeting_name
from extract.client import CallStats, LLMClient, is_transient_failure
from extract.ground import GroundingError, ground
from extract.meeting_split import merge, separate_meetings
from extract.request_text import by_mention, chunks, marked_request, target_request, text_chunks
from extract.script import to_simplified_chars
from schemas import Article, ErrorInfo, Meeting, Policy, Record, RunInfo, Target, Usage
from schemas.llm import TargetAnswer

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

    def _ask(self, out: Extraction, kind: str, text: str, context: dict):
        try:
            answer, stats = self.client.ask(kind, text, context)
            out.stats.add(stats)
            return answer.items
        except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
            out.stats.add(getattr(exc, "call_stats", CallStats()))
            out.errors.append(ErrorInfo(stage=f"llm:{kind}", message=_describe(exc),
                                        transient=is_transient_failure(exc)))
            return []

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
        for group in chunks(cand.target_candidates(simple), MAX_TARGETS_PER_REQUEST):
            text, ids = target_request(simple, group)
            errors_before = len(out.errors)
            answers = {a.id: a for a in self._ask(out, "targets", text, {"ids": set(ids)})}
            if len(out.errors) > errors_before:
                continue  # the call failed: no answer is no judgement
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
            for a in self._ask(out, "policies", text, {"ids": set(ids), "text": text}):
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
        for text in text_chunks(spans, head=title):
            context = {"text": text, "locate": lambda q, t=text: ground(t, q),
                       "bylines": bylines(article.text)}
            for a in self._ask(out, "meetings", text, context):
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
