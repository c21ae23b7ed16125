"""Run the pipeline over the seed pages, one cassette per page (shared by the replay test and
the recorder, so both send exactly the same requests)."""
from __future__ import annotations

from pathlib import Path

from extract.api import Extractor, Options, Summary, read_articles
from extract.client import LLMClient
from extract.engine import ENGINE_NAME
from extract.model_file import MODEL_NAME
from tests.cassettes import ROOT, cassette_path, make_vcr

SEEDS = ROOT / "seeds"
# Replay needs no server: vcrpy answers before any connection is made.
REPLAY_URL = "http://127.0.0.1:9/v1"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def run_seeds(output: Path, base_url: str = REPLAY_URL, record_mode: str = "none",
              options: Options = Options(), client_class: type[LLMClient] = LLMClient,
              api_key: str = "local") -> Summary:
    """Extract every seed page into `output`, each page under its own cassette."""
    v = make_vcr(record_mode)
    total = Summary()
    output.unlink(missing_ok=True)
    for path in seed_files():
        # Never a user answer cache: replay and record the model.
        with Extractor(base_url=base_url, api_key=api_key, model=MODEL_NAME, mode="json_schema",
                       engine=ENGINE_NAME, cache=False, env=False, options=options,
                       client_class=client_class) as ex:
            articles, summary = read_articles([str(path.relative_to(ROOT))])
            with v.use_cassette(cassette_path(path.stem)):
                ex.run_batch(articles, output, summary=summary, keep_records=False)
        for name in ("files", "articles", "done", "policies", "targets", "meetings", "article_errors",
                     "attempts", "requests", "prompt_tokens", "completion_tokens", "cached_tokens",
                     "article_seconds"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
    return total


if __name__ == "__main__":  # python -m tests.seeds_run: refresh tests/data/runs/seeds.jsonl
    target = ROOT / "tests" / "data" / "runs" / "seeds.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    s = run_seeds(target)
    print(f"{s.done} articles replayed into {target}")
