"""The output record: one JSON object per article (spec §1).

Field names are the contract; code may add fields, never rename or drop these.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_serializer, model_validator

SCHEMA_VERSION = "1"

Script = Literal["hans", "hant"]
Comparator = Literal["reach", "exceed", "at_least", "about", "at_most"]

# ISO 8601 with reduced precision, or --MM-DD when only month and day are known (spec §1).
ISO_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2})$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not ISO_DATE.match(value):
        raise ValueError(f"date {value!r} is not ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD)")
    return value


def _check_aligned(values: list, extra: list, name: str) -> None:
    # Empty: a record written before the field existed.
    if extra and len(extra) != len(values):
        raise ValueError(f"{name} has {len(extra)} entries for {len(values)} values")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Validation context of a reader that measures grounding instead of requiring it (`extract
# eval` reports the share of grounded items): spans are not checked against the text.
MEASURE_GROUNDING = {"grounding": "measured"}


def _measured(info: ValidationInfo) -> bool:
    return bool(info.context) and info.context.get("grounding") == "measured"


class Evidence(_Model):
    """A verbatim piece of article.text: text[start:end] == quote."""

    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _span(self, info: ValidationInfo) -> "Evidence":
        if not _measured(info) and self.end - self.start != len(self.quote):
            raise ValueError("evidence end - start must equal len(quote)")
        return self


class Place(_Model):
    """An administrative division of China (GB/T 2260) that the text or the outlet makes clear:
    the key a database joins on, with statistics or across articles."""

    code: str = Field(pattern=r"^\d{6}$")  # the six-digit 行政区划代码
    name: str  # full name: 金坛区, 常州市, 江苏省
    level: Literal["province", "city", "county"]
    province: str | None = None  # the province it lies in (itself for a province)
    city: str | None = None  # the prefecture-level city it lies in (itself for a city)


class Person(_Model):
    name: str = Field(min_length=1)
    title: str | None = None


class Policy(_Model):
    title: str = Field(min_length=1)
    doc_type: str | None = None
    issuers: list[str] = Field(default_factory=list)
    region: str | None = None
    issued: str | None = None
    time_text: str | None = None
    measures: list[str] = Field(default_factory=list)
    evidence: Evidence
    # Added fields (the spec's are above): where each phrase stands in the text; the divisions.
    measures_evidence: list[Evidence] = Field(default_factory=list)  # one per measure, in order
    place: Place | None = None  # the division `region` names
    issuer_places: list[Place | None] = Field(default_factory=list)  # one per issuer: whose body it is
    key: str | None = None  # one document across articles: normalised title + issuing division
    # The calibrated probability that the item is right (extract/kinds/judgement.py).
    confidence: float | None = Field(default=None, ge=0, le=1)

    _issued = field_validator("issued")(classmethod(lambda cls, v: _check_date(v)))

    @model_validator(mode="after")
    def _aligned(self) -> "Policy":
        _check_aligned(self.measures, self.measures_evidence, "measures_evidence")
        _check_aligned(self.issuers, self.issuer_places, "issuer_places")
        return self


class Target(_Model):
    metric: str = Field(min_length=1)
    value: float
    unit: str
    comparator: Comparator = "reach"
    deadline_year: int | None = None
    time_text: str | None = None
    region: str | None = None
    policy: str | None = None
    evidence: Evidence
    place: Place | None = None  # the division `region` names
    key: str | None = None  # one goal across articles: metric + value + unit + deadline + division
    # The calibrated probability that the item is right (extract/kinds/judgement.py).
    confidence: float | None = Field(default=None, ge=0, le=1)


class Meeting(_Model):
    name: str = Field(min_length=1)
    date: str | None = None
    time_text: str | None = None
    location: str | None = None
    organizers: list[str] = Field(default_factory=list)
    chairs: list[Person] = Field(default_factory=list)
    attendees: list[Person] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    evidence: Evidence
    topics_evidence: list[Evidence] = Field(default_factory=list)  # one per topic, in order
    place: Place | None = None  # the division it was held in (its location's, else the article's)
    key: str | None = None  # one meeting across articles: name + date + division
    # The calibrated probability that the item is right (extract/kinds/judgement.py).
    confidence: float | None = Field(default=None, ge=0, le=1)

    _date = field_validator("date")(classmethod(lambda cls, v: _check_date(v)))

    @model_validator(mode="after")
    def _aligned(self) -> "Meeting":
        _check_aligned(self.topics, self.topics_evidence, "topics_evidence")
        return self


class Article(_Model):
    id: str
    source: str
    source_sha256: str
    index: int = Field(ge=1)
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    script: Script = "hans"
    text: str
    # Added: the division the page's articles speak of as 我区/全市, when no outlet names it
    # (an article that names no place of its own belongs there).
    page_division: str | None = None
    # Added: the year a page of several articles with no publication date is dated in, where one
    # of its dated events states it (9月24日，…2026年迎国庆篮球赛…): its other items' dates take it.
    page_year: int | None = None

    _published = field_validator("published")(classmethod(lambda cls, v: _check_date(v)))


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0


class CalibrationInfo(_Model):
    """A user's calibration (`extract run --calibration`): the file's version and the model it
    was fitted for."""
    version: str
    model: str


class RunInfo(_Model):
    engine: str
    model: str
    prompt_version: str
    attempts: int = 0
    requests: int = 0
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = 0.0
    # How the model's decisions were read: "logprobs" (each decision's probability from the
    # answer tokens), "boolean" (the endpoint gave none: the answer alone), "mixed", or None
    # when nothing was asked. Items' `confidence` is calibrated for the one used.
    judgement: str | None = None
    # The calibration the confidences come from when it is a user's (`extract calibrate`);
    # absent for the shipped one (prompts/calibration.json, part of `prompt_version`).
    calibration: CalibrationInfo | None = None

    @model_serializer(mode="wrap")
    def _absent_when_shipped(self, handler):
        data = handler(self)
        if isinstance(data, dict) and data.get("calibration") is None:
            data.pop("calibration", None)
        return data


class ErrorInfo(_Model):
    stage: str
    message: str
    # True when the failure says nothing about the article (connection, timeout, 429 or 5xx
    # after retries, server gone): a re-run tries it again. False: bad input, or an answer
    # still invalid after reasks (the same request would fail the same way).
    transient: bool = False


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    article: Article
    policies: list[Policy] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)
    run: RunInfo
    errors: list[ErrorInfo] = Field(default_factory=list)

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> "Record":
        # The contract: every span indexes article.text exactly.
        if _measured(info):
            return self
        text = self.article.text
        spans = [item.evidence for item in [*self.policies, *self.targets, *self.meetings]]
        for p in self.policies:
            spans += p.measures_evidence
        for m in self.meetings:
            spans += m.topics_evidence
        for ev in spans:
            if text[ev.start : ev.end] != ev.quote:
                raise ValueError(f"evidence {ev.quote!r} is not text[{ev.start}:{ev.end}]")
        return self
