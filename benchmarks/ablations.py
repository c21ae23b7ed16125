"""What each design choice contributes to F1 on the seeds, replayed from the cassettes (no
model needed): the full pipeline, each post-model step switched off, and no model at all (every
question answered 是 without log-probabilities, every document mention accepted: the fallback
confidence model then decides on code's features alone).

    python -m benchmarks.ablations [GOLD]     # default ../shared/gold/seeds.jsonl
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from extract.llm.client import CallStats, LLMClient
from extract.review.evaluate import evaluate
from extract.review.match import load_side
from extract.run.pipeline import Options
from schemas.llm import MeetingAnswers, PolicyAnswer, PolicyAnswers, Verdict
from benchmarks.replay import run_seeds
from benchmarks.shared import SEED_GOLD


class AcceptAll(LLMClient):
    """No model: every question (target clause, meeting sentence) answered 是 with no
    log-probabilities, every document mention accepted."""

    def ask(self, kind, text, context=None):
        ids = sorted(context.ids or ()) if context else []
        if kind == "policies":
            return PolicyAnswers(items=[PolicyAnswer(id=i, is_policy=True, issuers=[]) for i in ids]), CallStats()
        return MeetingAnswers(items=[]), CallStats()

    def ask_verdict(self, kind, text):
        return Verdict(yes=True), CallStats()


VARIANTS = [
    ("full pipeline (model + code)", Options(), LLMClient),
    ("  without splitting separately described meetings", Options(split_meetings=False), LLMClient),
    ("  without completing attendees from the text", Options(complete_attendees=False), LLMClient),
    ("  without dropping non-meeting names", Options(drop_non_meetings=False), LLMClient),
    ("no model (every question answered yes)", Options(), AcceptAll),
]


def main(gold: Path) -> None:
    gold_side = load_side(gold)
    print(f"{'variant':52} {'targets':>8} {'meetings':>8} {'policies':>8} {'attendees':>9}")
    for name, options, client in VARIANTS:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run.jsonl"
            run_seeds(out, options=options, client_class=client)
            r = evaluate(load_side(out), gold_side)
        att = r.types["meetings"].fields.get("attendees")
        print(f"{name:52} {r.types['targets'].f1:8.3f} {r.types['meetings'].f1:8.3f} "
              f"{r.types['policies'].f1:8.3f} {att if att is None else round(att, 3):>9}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED_GOLD)
