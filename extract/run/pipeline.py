"""Extract one article: candidates → requests → answers → grounded, normalised items.

One small request per kind, only when code found something of that kind to ask about, in
simplified script (offsets carry over unchanged), long inputs in chunks merged without
duplicates. A failure in one kind is recorded in `errors` and the other kinds still run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from extract.llm.client import (CallStats, EndpointError, LLMClient, exception_chain, find_endpoint_error,
                                is_transient_failure)
from extract.kinds.base import Extraction
from extract.llm.secrets import redact
from extract.places.entities import resolve
from extract.kinds.judgement import Calibration, resolve_calibration
from extract.kinds.meetings import extract_meetings
from extract.kinds.policies import extract_policies, issuers_from_meetings
from extract.kinds.targets import extract_targets
from extract.text.script import to_simplified_chars
from schemas import Article, CalibrationInfo, ErrorInfo, Record, RunInfo, Usage


@dataclass(frozen=True)
class Options:
    """Steps after the model's answers, switchable so benchmarks can measure each one."""

    split_meetings: bool = True  # one meeting per leader in "区领导分别参加…" reports
    complete_attendees: bool = True  # add officials the meeting's text names
    drop_non_meetings: bool = True  # names without meeting wording are not meetings
    # Items whose calibrated confidence is under this cut are left out; None: each kind's
    # default cut (the one that maximised F1 on the development gold, prompts/calibration.json).
    min_confidence: float | None = None
    # Called with (article, kind, item, features) for every judged item, kept or not: how
    # keep_features collects what `extract calibrate` fits on. Not part of any request.
    trace: Callable | None = field(default=None, compare=False)
    # The confidence model: a file written by `extract calibrate` (or a loaded
    # extract.kinds.judgement.Calibration); None: the shipped one (prompts/calibration.json).
    calibration: "Calibration | str | None" = None
    # Write, per item of a run's output, what its confidence was computed from (the model's
    # probability, the features) to <output>.features.jsonl: what `extract calibrate` fits on.
    keep_features: bool = False
    # "ask": one 是/否 question per sentence with meeting wording, code reads the name, time,
    # place and people; "point": the model lists the meetings, naming each and pointing at its
    # sentence; "quote": the model copies the sentence and the people. The last two are kept so
    # benchmarks can compare the formats.
    meeting_answers: str = "ask"


class ArticleExtractor:
    def __init__(self, client: LLMClient, options: Options = Options()):
        self.client = client
        self.options = options
        # Read once, here: each extractor its own, so two in one process never share a choice.
        self.calibration: Calibration = resolve_calibration(options.calibration)

    def confidence(self, kind: str, features: dict[str, float]) -> float:
        """The calibrated probability that an item of `kind` with these features is right."""
        return self.calibration.confidence(kind, features)

    def cut(self, kind: str, features: dict[str, float]) -> float:
        """The confidence an item of `kind` with these features needs to be written: the user's
        cut, else the fitted one for how the item was judged (log-probabilities or boolean)."""
        if self.options.min_confidence is not None:
            return self.options.min_confidence
        return self.calibration.threshold(kind, with_logprobs=bool(features.get("has_logprobs")))

    def judged(self, article: Article, kind: str, item, features: dict[str, float]) -> None:
        if self.options.trace is not None:
            self.options.trace(article, kind, item, features)

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
            config = find_endpoint_error(exc)
            if config is not None:  # the run's error, not the article's: no record, the batch stops
                raise config from None
            cut = _cut_at_max_tokens(exc)
            smaller = split(part) if depth < 3 and cut else []
            if len(smaller) < 2:
                # A cut that cannot be split further would be cut again: permanent, not retried.
                out.errors.append(ErrorInfo(stage=f"llm:{kind}", message=_describe(exc),
                                            transient=not cut and is_transient_failure(exc)))
                return
        for piece in smaller:
            yield from self._ask_in_parts(out, kind, piece, build, split, depth + 1)

    def _ask_verdict(self, out: Extraction, kind: str, text: str):
        """One yes/no question (schemas.llm.Verdict); a failed call is recorded in `errors` and
        gives None (the candidate goes unjudged), and the article's other questions still run."""
        try:
            verdict, stats = self.client.ask_verdict(kind, text)
            out.stats.add(stats)
            return verdict
        except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
            out.stats.add(getattr(exc, "call_stats", CallStats()))
            config = find_endpoint_error(exc)
            if config is not None:
                raise config from None
            out.errors.append(ErrorInfo(stage=f"llm:{kind}", message=_describe(exc),
                                        transient=is_transient_failure(exc)))
            return None

    def extract(self, article: Article) -> Extraction:
        out = Extraction()
        simple = to_simplified_chars(article.text) if article.script == "hant" else article.text
        for kind, step in (("targets", extract_targets), ("policies", extract_policies),
                           ("meetings", extract_meetings)):
            try:
                step(self, article, simple, out)
            except EndpointError:
                raise
            except Exception as exc:  # noqa: BLE001 - a bug or odd input costs one kind, not the batch
                out.errors.append(ErrorInfo(stage=f"extract:{kind}", message=_describe(exc)))
        try:
            issuers_from_meetings(out.policies, out.meetings, simple)
            resolve(out.policies, out.targets, out.meetings, article, simple)
        except Exception as exc:  # noqa: BLE001 - the items stand without their codes and keys
            out.errors.append(ErrorInfo(stage="extract:places", message=_describe(exc)))
        return out


def _cut_at_max_tokens(exc: BaseException) -> bool:
    """The answer was cut at max_tokens (instructor's IncompleteOutputException, possibly
    inside a retry exception after re-asks)."""
    return any(type(e).__name__ == "IncompleteOutputException" or "max_tokens" in str(e) for e in exception_chain(exc))


def _describe(exc: BaseException) -> str:
    """One line saying what failed (secrets redacted)."""
    return redact(_describe_raw(exc))


def _describe_raw(exc: BaseException) -> str:
    """One line saying what failed: for a validation failure, the last attempt's field errors;
    under test, a re-ask that no cassette holds says so (it must be re-recorded)."""
    mismatch = next((e for e in exception_chain(exc) if type(e).__name__ == "CassetteMismatch"), None)
    if mismatch is not None:
        return f"CassetteMismatch: {_first_line(mismatch)}"[:500]
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
              duration_s: float, calibration: Calibration | None = None) -> Record:
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
            judgement=judgement_used(s),
            # A user's calibration is named; the shipped one is part of the prompt version.
            calibration=(CalibrationInfo(version=calibration.version or "", model=calibration.model or "")
                         if calibration is not None and not calibration.shipped else None),
        ),
        errors=ex.errors,
    )


def judgement_used(s: CallStats) -> str | None:
    if s.judged_logprobs and s.judged_boolean:
        return "mixed"
    return "logprobs" if s.judged_logprobs else "boolean" if s.judged_boolean else None


def extract_article(extractor: ArticleExtractor, article: Article, engine: str, model: str,
                    prompt_version: str) -> Record:
    t0 = time.monotonic()
    ex = extractor.extract(article)
    return to_record(article, ex, engine, model, prompt_version, time.monotonic() - t0,
                     getattr(extractor, "calibration", None))
