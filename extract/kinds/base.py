"""What the kinds share with the loop that calls them (extract/run/pipeline.py): the extraction of
one article so far, and the interface of the extractor they are given. Here, not in the
pipeline, so that the kinds import nothing from the stage above them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

from extract.llm.client import CallStats
from schemas import ErrorInfo, Meeting, Policy, Target


@dataclass
class Extraction:
    policies: list[Policy] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
    stats: CallStats = field(default_factory=CallStats)


class Extractor(Protocol):
    """The extractor a kind's step is given (extract.run.pipeline.ArticleExtractor)."""

    options: Any

    def _ask_in_parts(self, out: Extraction, kind: str, part: Any, build: Callable, split: Callable,
                      depth: int = 0) -> Iterator[tuple[Any, list]]: ...

    def _ask_verdict(self, out: Extraction, kind: str, text: str) -> Any | None: ...

    def confidence(self, kind: str, features: dict[str, float]) -> float: ...

    def cut(self, kind: str, features: dict[str, float]) -> float: ...

    def judged(self, article: Any, kind: str, item: Any, features: dict[str, float]) -> None: ...
