"""Build the requests: prompt files + few-shot examples + the text, fixed part first.

The instructions and examples come first and never change between articles, so a server with
a prompt cache (llama.cpp, vLLM, OpenAI) reuses that prefix; only the last user turn varies.
`prompt_version` hashes every prompt file and the answer schemas, and is stamped into records.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from schemas.llm import MeasureAnswers, MeetingAnswers, PolicyAnswers, QuotedMeetingAnswers, Verdict



def _prompts_dir() -> Path:
    """The prompts shipped in the installed package (extract/_prompts, built from the top-level
    prompts/), else the checkout's prompts/ (an editable install or the source tree)."""
    shipped = Path(str(resources.files("extract").joinpath("_prompts")))
    if (shipped / "targets.md").is_file():
        return shipped
    return Path(__file__).resolve().parents[2] / "prompts"


PROMPTS_DIR = _prompts_dir()

PROMPT_SUFFIXES = (".md", ".jsonl", ".json")  # what prompts/ holds and the package ships (pyproject.toml)

KINDS: dict[str, type[BaseModel]] = {
    "targets": Verdict,  # one question per clause, answered 是/否 (extract/kinds/targets.py)
    "policies": PolicyAnswers,
    "measures": MeasureAnswers,  # asked only for issued documents whose measures code cannot list
    "meeting_held": Verdict,  # one question per meeting sentence, answered 是/否 (extract/kinds/meetings.py)
    "meetings": MeetingAnswers,  # the pointed list format (`Options(meeting_answers="point")`)
    "quoted_meetings": QuotedMeetingAnswers,  # the previous meeting format, kept to measure against
}


@dataclass(frozen=True)
class PromptSet:
    kind: str
    instructions: str
    examples: tuple[tuple[str, str], ...]  # (user, assistant JSON)
    response_model: type[BaseModel]
    # A kind asked one question per candidate (`{kind}.question.md`, a str.format template): the
    # question follows the text, so every question about the same text shares its prefix.
    question: str = ""

    def messages(self, text: str) -> list[dict[str, str]]:
        """A fresh list each call: instructor appends reask turns to the list it is given."""
        msgs = [{"role": "system", "content": self.instructions}]
        for user, assistant in self.examples:
            msgs.append({"role": "user", "content": user})
            msgs.append({"role": "assistant", "content": assistant})
        msgs.append({"role": "user", "content": text})
        return msgs


def _read_examples(path: Path) -> tuple[tuple[str, str], ...]:
    out = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ex = json.loads(line)
                answer = ex["assistant"]  # a JSON answer, or a plain one (是)
                out.append((ex["user"], answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)))
    return tuple(out)


@lru_cache(maxsize=None)
def prompt_set(kind: str) -> PromptSet:
    return PromptSet(
        kind=kind,
        instructions=(PROMPTS_DIR / f"{kind}.md").read_text(encoding="utf-8").strip(),
        examples=_read_examples(PROMPTS_DIR / f"{kind}.examples.jsonl"),
        response_model=KINDS[kind],
        question=_read_text(PROMPTS_DIR / f"{kind}.question.md"),
    )


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


@lru_cache(maxsize=None)
def kind_version(kind: str) -> str:
    """Content hash of one kind's prompt files and answer schema: what the answer cache keys on,
    so that editing the meetings prompt does not throw away cached target answers."""
    h = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.glob(f"{kind}.*")):
        if path.suffix not in PROMPT_SUFFIXES:
            continue
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(json.dumps(KINDS[kind].model_json_schema(), sort_keys=True).encode())
    return h.hexdigest()[:12]


@lru_cache(maxsize=None)
def prompt_version() -> str:
    """Content hash of the prompt files and the answer schemas (12 hex digits)."""
    h = hashlib.sha256()
    for path in sorted(PROMPTS_DIR.iterdir()):
        # Only the prompt files: the same hash from the checkout and from the installed package.
        if path.is_file() and path.suffix in PROMPT_SUFFIXES:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    for kind, model in sorted(KINDS.items()):
        h.update(kind.encode())
        h.update(json.dumps(model.model_json_schema(), sort_keys=True).encode())
    return h.hexdigest()[:12]
