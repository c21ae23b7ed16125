"""What the model is asked to fill: short answers that need understanding, nothing code can derive.

Values, units, comparators, years, dates, offsets and script come from code (extract/normalize,
extract/numbers, extract/ground). The validators below check each answer against the text sent
(passed as instructor's validation context) and raise precise messages that go back to the model
on a reask. No example values in descriptions: a small model copies them into invented items.
"""
from __future__ import annotations

import copy
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

_SPACE = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _SPACE.sub("", s)


@dataclass(frozen=True)
class AnswerContext:
    """What the validators check an answer against: the request that was sent.

    Not part of any JSON Schema or request body; the client sets it around each call.
    """

    ids: frozenset[int] | None = None  # the 【n】 marks sent; answers about other ids are dropped
    text: str | None = None  # the text sent: quotes, issuers and people must occur in it
    # The pipeline's grounding (tolerant of spacing, width, script): raises ValueError when a
    # quote cannot be found. When set, quotes are checked with it instead of `text`.
    locate: Callable[[str], Any] | None = None
    bylines: tuple[str, ...] = field(default=())  # names the article credits as reporter/photographer

    def __post_init__(self) -> None:
        if self.ids is not None and not isinstance(self.ids, frozenset):
            object.__setattr__(self, "ids", frozenset(self.ids))
        object.__setattr__(self, "bylines", tuple(self.bylines))


_NO_CONTEXT = AnswerContext()

# The context of the request being validated. Set by the client around each call rather than
# passed as instructor's `context=`, which would also render every message as a Jinja template
# (article text is untrusted: "{% if %}" in a page must stay plain text).
ANSWER_CONTEXT: ContextVar[AnswerContext | None] = ContextVar("answer_context", default=None)


def _ctx(info: ValidationInfo) -> AnswerContext:
    ctx = info.context if isinstance(info.context, AnswerContext) else None
    return ctx or ANSWER_CONTEXT.get() or _NO_CONTEXT


def _must_occur(value: str, info: ValidationInfo, what: str) -> str:
    ctx = _ctx(info)
    if ctx.locate is not None and value:
        try:
            ctx.locate(value)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None
        return value
    if ctx.text is not None and value and _squash(value) not in _squash(ctx.text):
        raise ValueError(f"{what} {value!r} does not occur in the article; copy it verbatim from the text")
    return value


def _only_marked(items: list, info: ValidationInfo) -> list:
    """Drop answers about ids that were never marked (a small model adds one more, again and
    again on a reask); what remains is about real clauses."""
    ids = _ctx(info).ids
    return items if ids is None else [it for it in items if it.id in ids]


# `p` on an answer item is not asked of the model (no JSON Schema): the client fills it with the
# probability the model put on its decision token (extract/llm/logprobs.py), None when the
# endpoint gave no log-probabilities.
Probability = SkipJsonSchema[float | None]


# One question, one token: "is this clause's number a goal set for the future?" answered 是 or
# 否 as the first token of a plain reply (no JSON, no grammar: every generated token costs ~0.1 s
# on 2 cores, and the decision is then the very token whose probability is read). Code takes the
# metric, value and deadline from the clause.
class Verdict(BaseModel):
    yes: bool
    p: Probability = None  # P(是) / (P(是) + P(否)) at the first token; None without log-probabilities


class _Answers(BaseModel):
    """Top-level answer models: their JSON Schema goes into every request, so build it once."""

    @classmethod
    def model_json_schema(cls, *args, **kwargs):  # noqa: D102 - same contract as pydantic's
        # instructor wraps the model in a new subclass on every call; the schema is the same
        # as long as the name is, so key by name and by the answer model it derives from.
        mro = cls.__mro__
        base = mro[mro.index(_Answers) - 1]  # PolicyAnswers, MeetingAnswers …
        key = (base, cls.__name__, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(_SCHEMAS[key])  # callers may add to it


_SCHEMAS: dict = {}


class PolicyAnswer(BaseModel):
    id: int = Field(description="the number in 【】 before the document's name")
    is_policy: bool = Field(description="true when the article reports this document as issued, released, approved, presented or in force")
    issuers: list[str] = Field(default_factory=list, description="bodies that issued it, copied from the text; empty if not stated")
    p: Probability = None

    @field_validator("issuers")
    @classmethod
    def _issuers_in_text(cls, v: list[str], info: ValidationInfo) -> list[str]:
        # Dropped, not reasked: a small model copies a few-shot issuer again and again, and the
        # document itself is still right. Quotes and ids are what must hold.
        text = _ctx(info).text
        kept = [x.strip() for x in v if x.strip()]
        return kept if text is None else [x for x in kept if _squash(x) in _squash(text)]


class PolicyAnswers(_Answers):
    items: list[PolicyAnswer] = Field(description="one entry for each marked document, in order")

    _marked = field_validator("items")(classmethod(lambda cls, v, info: _only_marked(v, info)))


# Measures the article states for a document that code sees issued but cannot list (prose, not
# 一是…二是…): the model points at the sentences that set them out; code takes each one's first
# phrase. (Pointing, not copying: a small model copied the documents' names when asked to copy.)
class MeasureAnswer(BaseModel):
    id: int = Field(description="the number in 【】 before a sentence that says what the document sets out")
    p: Probability = None


class MeasureAnswers(_Answers):
    items: list[MeasureAnswer] = Field(description="the sentences that set out the document's measures, tasks or content, at most three, in order; empty if none")

    _marked = field_validator("items")(classmethod(lambda cls, v, info: _only_marked(v, info)))


# A meeting pointed at, not copied: the sentence is a 【n】 mark, and code takes the quote, its
# offsets and the people from the text (every copied character costs ~0.1 s on 2 cores).
# (Comments, not docstrings: a docstring would go into the JSON Schema sent with each request.)
class MeetingAnswer(BaseModel):
    id: int = Field(description="the number in 【】 before the sentence that says it was held")
    name: str = Field(description="the meeting or activity as the article names it")
    time_text: str | None = Field(default=None, description="when it was held, as written, or null")
    location: str | None = Field(default=None, description="where it was held, as written, or null")
    organizers: list[str] = Field(default_factory=list, description="bodies that convened it, as written")
    p: Probability = None  # the probability of the sentence pointed at


# The previous answer format (`Options(meeting_answers="quote")`), kept to measure against:
# the model copies the sentence and every person.
class QuotedMeetingAnswer(BaseModel):
    name: str = Field(description="the meeting or activity as the article names it")
    quote: str = Field(description="the sentence of the article that says it was held, copied verbatim")
    time_text: str | None = Field(default=None, description="when it was held, as written, or null")
    location: str | None = Field(default=None, description="where it was held, as written, or null")
    organizers: list[str] = Field(default_factory=list, description="bodies that convened it, as written")
    chairs: list[str] = Field(default_factory=list, description="who presided, each as office plus name as written")
    attendees: list[str] = Field(default_factory=list, description="every named official who attended, spoke, presided or accompanied, each as office plus name as written")

    @field_validator("quote")
    @classmethod
    def _quote_in_text(cls, v: str, info: ValidationInfo) -> str:
        return _must_occur(v.strip(), info, "quote")

    @model_validator(mode="after")
    def _people_in_text(self, info: ValidationInfo) -> "QuotedMeetingAnswer":
        ctx = _ctx(info)
        people = [*self.chairs, *self.attendees]
        reporters = [p for p in people if any(_squash(p).endswith(b) for b in ctx.bylines)]
        if reporters:
            raise ValueError(f"{reporters} wrote or photographed the article (byline: 记者/通讯员/摄); "
                             "they are not attendees: list only officials who took part")
        if ctx.text is None:
            return self
        # People the text does not name are dropped, not re-asked: a small model copies a
        # few-shot name into a real meeting, and on a re-ask it tends to drop the meeting
        # itself. The meeting and its quote are what must hold.
        flat = _squash(ctx.text)
        named = lambda p: _squash(p)[-2:] in flat  # noqa: E731 - the name ends the mention
        self.chairs = [p for p in self.chairs if named(p)]
        self.attendees = [p for p in self.attendees if named(p)]
        return self


class MeetingAnswers(_Answers):
    items: list[MeetingAnswer] = Field(description="each meeting, conference, forum, ceremony, inspection or research visit that took place; empty if none")

    _marked = field_validator("items")(classmethod(lambda cls, v, info: _only_marked(v, info)))


class QuotedMeetingAnswers(_Answers):
    items: list[QuotedMeetingAnswer] = Field(description="each meeting, conference, forum, ceremony, inspection or research visit that took place; empty if none")
