"""How often the recorded model leans to 是 on the target questions, per gold set:

    python -m benchmarks.yes_bias [CASSETTE_DIR]

Reads the answer token's top log-probabilities in the cassettes (no model needed) and counts the
questions where 是 outweighs 否. A model that leans to 是 everywhere says nothing by its argmax;
only the margin, calibrated, carries signal (benchmarks/RESULTS.md).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.replay import CASSETTES, PAGE_SETS, ReadableYaml
from extract.llm.logprobs import first_token_yes
from extract.llm.prompting import prompt_set


def lean(cassettes: Path, page_set: str) -> tuple[int, int]:
    """(questions where P(是) > 0.5, target questions), read as the pipeline reads them."""
    instructions = prompt_set("targets").instructions
    yes = total = 0
    for path in sorted((cassettes / page_set).glob("*.yaml")):
        for inter in ReadableYaml.deserialize(path.read_text(encoding="utf-8"))["interactions"]:
            raw = inter["request"]["body"]
            if not raw or json.loads(raw)["messages"][0]["content"] != instructions:
                continue
            p = first_token_yes(json.loads(inter["response"]["body"]["string"])["choices"][0]["logprobs"])
            total += 1
            yes += p is not None and p > 0.5
    return yes, total


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    cassettes = Path(args[0]) if args else CASSETTES
    for page_set in PAGE_SETS:
        yes, total = lean(cassettes, page_set)
        print(f"{page_set}: 是 outweighs 否 on {yes} of {total} target questions ({yes / max(total, 1):.0%})")


if __name__ == "__main__":
    main()
