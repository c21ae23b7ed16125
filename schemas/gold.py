"""Gold files (spec §3): one line per source file, items with evidence.quote only."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GoldEvidence(BaseModel):
    model_config = ConfigDict(extra="allow")
    quote: str


class GoldArticle(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int
    title: str | None = None


class GoldFile(BaseModel):
    """Items stay plain dicts: gold may carry `optional` and partial fields."""

    model_config = ConfigDict(extra="allow")
    source: str
    articles: list[GoldArticle] = Field(default_factory=list)
    policies: list[dict[str, Any]] = Field(default_factory=list)
    targets: list[dict[str, Any]] = Field(default_factory=list)
    meetings: list[dict[str, Any]] = Field(default_factory=list)
