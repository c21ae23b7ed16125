"""Replay the seed and corpus pages from the cassettes (recorded model answers): no model needed.

The vcrpy set-up for cassettes people can review (readable UTF-8 YAML, secrets scrubbed,
requests matched on method, path and JSON body: a changed prompt fails loudly) and the seed
run itself, one cassette per page. Shared by the replay test, the recorder
(`python -m tests.record_cassettes`) and the ablations benchmark, so all three send exactly the
same requests. Needs vcrpy (the `test` extra).
"""
from __future__ import annotations

import json
from pathlib import Path

import vcr
import yaml

from benchmarks.shared import CORPUS, CORPUS_GOLD, REPORTS
from extract.api import Extractor, Options, Summary, read_articles
from extract.llm.client import LLMClient
from extract.llm.engine import ENGINE_NAME
from extract.llm.model_file import MODEL_NAME
from extract.run.features import features_path

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SEEDS = ROOT / "seeds"
# Replay needs no server: vcrpy answers before any connection is made.
REPLAY_URL = "http://127.0.0.1:9/v1"

# Headers that identify a machine or an account; never stored, never matched.
SCRUB_REQUEST = ["authorization", "openai-organization", "openai-project", "cookie", "x-api-key",
                 "api-key", "user-agent"]


def _drop_volatile(request):
    for name in list(request.headers):
        if name.lower().startswith("x-stainless") or name.lower() in SCRUB_REQUEST:
            del request.headers[name]
    return request


def _drop_response_headers(response):
    keep = {"content-type"}
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in keep}
    return response


class ReadableYaml:
    """Bodies stored as parsed JSON, Chinese kept as is (the default escapes it)."""

    @staticmethod
    def serialize(cassette_dict: dict) -> str:
        for inter in cassette_dict["interactions"]:
            for part in (inter["request"], inter["response"]):
                body = part.get("body")
                raw = body.get("string") if isinstance(body, dict) else body
                if isinstance(raw, bytes):
                    raw = raw.decode("utf-8")
                try:
                    parsed = json.loads(raw) if raw else None
                except (TypeError, ValueError):
                    parsed = None
                if parsed is not None:
                    part["body"] = {"json": parsed}
                elif isinstance(body, dict):
                    body["string"] = raw
                else:
                    part["body"] = raw
        return yaml.safe_dump(cassette_dict, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(text: str) -> dict:
        # libyaml's loader where installed: cassettes with log-probabilities run to megabytes.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for inter in data["interactions"]:
            for key in ("request", "response"):
                part = inter[key]
                body = part.get("body")
                if isinstance(body, dict) and "json" in body:
                    s = json.dumps(body["json"], ensure_ascii=False)
                    part["body"] = s if key == "request" else {"string": s.encode("utf-8")}
                elif key == "response" and isinstance(body, dict) and isinstance(body.get("string"), str):
                    body["string"] = body["string"].encode("utf-8")
        return data


def _json_body(request):
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def body_matcher(r1, r2) -> None:
    if _json_body(r1) != _json_body(r2):
        raise AssertionError("request bodies differ (prompt, schema or text changed)")


def make_vcr(record_mode: str = "none") -> vcr.VCR:
    v = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=["method", "path", "json_body"],
        before_record_request=_drop_volatile,
        before_record_response=_drop_response_headers,
        decode_compressed_response=True,
    )
    v.register_serializer("readable_yaml", ReadableYaml)
    v.register_matcher("json_body", body_matcher)
    v.serializer = "readable_yaml"
    return v


# The page sets replayed from cassettes, one cassette per page, and their gold: the seed pages and
# their gold are the project's own; the corpus pages and their gold are read in ../shared
# (benchmarks/shared.py), never copied here.
PAGE_SETS = {"seeds": SEEDS, "corpus": CORPUS}
GOLD = {"seeds": ROOT / "tests" / "data" / "gold" / "seeds.jsonl", "corpus": CORPUS_GOLD}
# Every set with cassettes: also the government work reports, scored on their own
# (benchmarks/reports.py: main targets and review sections, not the gold format above).
CASSETTE_SETS = {**PAGE_SETS, "reports": REPORTS}


def missing(page_set: str) -> Path | None:
    """The first of a set's pages folder and gold file that is absent, else None."""
    return next((p for p in (PAGE_SETS[page_set], GOLD[page_set]) if not p.exists()), None)


def cassette_path(stem: str, page_set: str = "seeds") -> str:
    return f"{page_set}/{stem}.yaml"


def page_files(page_set: str = "seeds") -> list[Path]:
    folder = CASSETTE_SETS[page_set]
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} not found: the {page_set} pages are read from ../shared beside "
                                f"the checkout (or the folder EXTRACT_SHARED names)")
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def seed_files() -> list[Path]:
    return page_files("seeds")


def run_pages(page_set: str, output: Path, base_url: str = REPLAY_URL, record_mode: str = "none",
              options: Options = Options(), client_class: type[LLMClient] = LLMClient,
              api_key: str = "local", files: list[Path] | None = None) -> Summary:
    """Extract every page of a set into `output`, each page under its own cassette."""
    v = make_vcr(record_mode)
    total = Summary()
    output.unlink(missing_ok=True)
    if options.keep_features:  # appended to as records are written: a fresh run, fresh rows
        features_path(output).unlink(missing_ok=True)
    for path in files if files is not None else page_files(page_set):
        # Never a user answer cache: replay and record the model.
        with Extractor(base_url=base_url, api_key=api_key, model=MODEL_NAME, mode="json_schema",
                       engine=ENGINE_NAME, cache=False, env=False, options=options,
                       client_class=client_class) as ex:
            # A path inside the checkout is given relative to it (the seeds: records name
            # seeds/…); the corpus pages, outside it, by their full path.
            articles, summary = read_articles([str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)])
            with v.use_cassette(cassette_path(path.stem, page_set)):
                ex.run_batch(articles, output, summary=summary, keep_records=False)
        for name in ("files", "articles", "done", "policies", "targets", "meetings", "article_errors",
                     "attempts", "requests", "prompt_tokens", "completion_tokens", "cached_tokens",
                     "article_seconds"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
    return total


def run_seeds(output: Path, base_url: str = REPLAY_URL, record_mode: str = "none",
              options: Options = Options(), client_class: type[LLMClient] = LLMClient,
              api_key: str = "local") -> Summary:
    """Extract every seed page into `output`, each page under its own cassette."""
    return run_pages("seeds", output, base_url, record_mode, options, client_class, api_key)
