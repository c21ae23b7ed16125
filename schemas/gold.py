"""Gold files (spec §3): one line per source file, items with evidence.quote only; and the
curation page's decisions (`extract review --curate` exports them, `extract gold build` reads
them; a gold build's rejected items are decisions too).

Items use the fields of section 1 with their types; a gold item may leave fields out (partial
gold) and carry `optional`. Extra fields are allowed (a run item's `key`, `confidence` …), since
gold is often a run file edited by hand. Validation only checks: what is read stays as written.
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from schemas.record import Comparator, _check_date

KIND_NAMES = ("policies", "targets", "meetings")
DECISIONS = ("accept", "reject", "edit", "add")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class GoldEvidence(_Open):
    quote: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class GoldPerson(_Open):
    name: str = Field(min_length=1)
    title: str | None = None


class _GoldItem(_Open):
    evidence: GoldEvidence
    optional: bool = False


class GoldPolicy(_GoldItem):
    title: str = Field(min_length=1)
    doc_type: str | None = None
    issuers: list[str] = Field(default_factory=list)
    region: str | None = None
    issued: str | None = None
    time_text: str | None = None
    measures: list[str] = Field(default_factory=list)

    _issued = field_validator("issued")(classmethod(lambda cls, v: _check_date(v)))


class GoldTarget(_GoldItem):
    metric: str = Field(min_length=1)
    value: float
    unit: str
    comparator: Comparator | None = None
    deadline_year: int | None = None
    time_text: str | None = None
    region: str | None = None
    policy: str | None = None


class GoldMeeting(_GoldItem):
    name: str = Field(min_length=1)
    date: str | None = None
    time_text: str | None = None
    location: str | None = None
    organizers: list[str] = Field(default_factory=list)
    chairs: list[GoldPerson] = Field(default_factory=list)
    attendees: list[GoldPerson] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)

    _date = field_validator("date")(classmethod(lambda cls, v: _check_date(v)))


GOLD_ITEMS: dict[str, type[_GoldItem]] = {"policies": GoldPolicy, "targets": GoldTarget, "meetings": GoldMeeting}


class GoldArticle(_Open):
    index: int = Field(ge=1)
    title: str | None = None


class GoldFile(_Open):
    """One gold line: a source file, the articles cut from it, and its items."""

    source: str = Field(min_length=1)
    articles: list[GoldArticle] = Field(default_factory=list)
    policies: list[GoldPolicy] = Field(default_factory=list)
    targets: list[GoldTarget] = Field(default_factory=list)
    meetings: list[GoldMeeting] = Field(default_factory=list)


class DecisionEvidence(_Open):
    quote: str | None = None
    start: int | None = None
    end: int | None = None


class _Decision(_Open):
    """One line of a curation page's export (and of a gold build's rejected items)."""

    article: str = Field(min_length=1)
    source: str | None = None
    text_sha256: str | None = None
    source_sha256: str | None = None
    key: str | None = None
    evidence: DecisionEvidence | None = None
    decision: Literal["accept", "reject", "edit", "add"]


# The item becomes a gold item: it must be one of its kind (a quote that is a string …).
class PolicyDecision(_Decision):
    kind: Literal["policies"]
    item: GoldPolicy


class TargetDecision(_Decision):
    kind: Literal["targets"]
    item: GoldTarget


class MeetingDecision(_Decision):
    kind: Literal["meetings"]
    item: GoldMeeting


Decision = TypeAdapter(Annotated[Union[PolicyDecision, TargetDecision, MeetingDecision],
                                 Field(discriminator="kind")])
