"""The output record: one JSON object per article (spec §1).

Field names are the contract; code may add fields, never rename or drop these.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1"

Script = Literal["hans", "hant"]
Comparator = Literal["reach", "exceed", "at_least", "about", "at_most"]

# ISO 8601 with reduced precision, or --MM-DD when only month and day are known (spec §1).
ISO_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2})$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not ISO_DATE.match(value):
        raise ValueError(f"date {value!r} is not ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD)")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """A verbatim piece of article.text: text[start:end] == quote."""

    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _span(self) -> "Evidence":
        if self.end - self.start != len(self.quote):
            raise ValueError("evidence end - start must equal len(quote)")
        return self


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

    _issued = field_validator("issued")(classmethod(lambda cls, v: _check_date(v)))


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

    _date = field_validator("date")(classmethod(lambda cls, v: _check_date(v)))


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

    _published = field_validator("published")(classmethod(lambda cls, v: _check_date(v)))


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0


class RunInfo(_Model):
    engine: str
    model: str
    prompt_version: str
    attempts: int = 0
    requests: int = 0
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = 0.0


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
    def _grounded(self) -> "Record":
        # The contract: every span indexes article.text exactly.
        text = self.article.text
        for item in [*self.policies, *self.targets, *self.meetings]:
            ev = item.evidence
            if text[ev.start : ev.end] != ev.quote:
                raise ValueError(f"evidence {ev.quote!r} is not text[{ev.start}:{ev.end}]")
        return self
