"""The Python API (extract/api.py): engine choice, one text, paths with resume, run files; and
the layering it exists for (commands hold no engine wiring, nothing imports from tests/)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import extract
from extract.llm.engine import ENGINE_NAME
from extract.llm.model_file import MODEL_NAME
from tests.fake_llm import RICH_ARTICLE, synthetic_page

ROOT = Path(__file__).resolve().parent.parent


def _fake(fake_llm, **kw) -> extract.Extractor:
    return extract.Extractor(base_url=fake_llm.base_url, model="fake", env=False, cache=False, **kw)


def test_embedded_engine_without_endpoint_is_not_started_until_a_model_call(monkeypatch):
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    lines = []
    with extract.Extractor(log=lines.append) as ex:
        assert ex.embedded and ex.engine == ENGINE_NAME and ex.model == MODEL_NAME
        assert ex.cache is not None and ex.cache.endpoint == ENGINE_NAME
    assert lines == []  # closed without ever starting the server


def test_endpoint_from_settings_or_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://models.example:8000/v1")
    monkeypatch.setenv("EXTRACT_MODEL", "qwen")
    with extract.Extractor(cache=False) as ex:
        assert not ex.embedded and ex.engine == "openai-compatible:models.example" and ex.model == "qwen"
    with extract.Extractor(api_key="sk-x", env=False, cache=False) as ex:
        assert ex.engine == "openai-compatible:api.openai.com" and ex.model == extract.api.DEFAULT_MODEL
    with pytest.raises(ValueError, match="unknown mode"):
        extract.Extractor(base_url="http://x/v1", mode="nope")


def test_extract_text_takes_metadata_and_returns_records(fake_llm):
    with _fake(fake_llm) as ex:
        [rec] = ex.extract_text(RICH_ARTICLE.format(n=120), title=None, published="2021-03-02",
                                outlet="金坛时报", source="page-17.txt")
    assert rec.article.id == "page-17#1" and rec.article.outlet == "金坛时报"
    assert rec.article.published == "2021-03-02"
    assert rec.targets and rec.policies and rec.meetings and not rec.errors
    assert rec.run.engine == "openai-compatible:127.0.0.1" and rec.run.prompt_version == ex.prompt_version


def test_extract_paths_resumes_and_caches_like_the_cli(fake_llm, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 3), encoding="utf-8")
    out = tmp_path / "run.jsonl"
    errors = []
    with _fake(fake_llm, concurrency=2) as ex:
        first = ex.extract_paths([page, tmp_path / "missing.txt"], out, on_read_error=errors.append)
        again = ex.extract_paths([page], out)
        forced = ex.extract_paths([page], out, force=True, keep_records=False)
    assert len(first) == 3 and first.summary.done == 3 and len(errors) == 1 and first.summary.failed
    assert len(again) == 0 and again.summary.skipped == 3
    assert forced.summary.done == 3 and forced.records == []
    # The forced run's records replace the first run's: compacted to one record per article.
    assert forced.summary.compacted == 3 and forced.summary.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert fake_llm.requests["total"] == 6


def test_run_files_score_and_diff(fake_llm, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 2), encoding="utf-8")
    with _fake(fake_llm) as ex:
        ex.extract_paths([page], tmp_path / "a.jsonl")
    assert extract.diff_files(tmp_path / "a.jsonl", tmp_path / "a.jsonl").identical
    report = extract.evaluate_files(tmp_path / "a.jsonl", tmp_path / "a.jsonl")
    assert report.types["targets"].f1 == 1.0
    load = extract.load_files([tmp_path / "a.jsonl"], str(tmp_path / "x.db"))
    assert load.ok and load.inserted == 2


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_commands_hold_no_engine_wiring():
    wiring = {"extract.llm.client.LLMClient", "extract.llm.client.LLMSettings", "extract.llm.engine",
              "extract.run.pipeline", "extract.llm.prompting", "extract.run.batch"}
    for path in (ROOT / "extract" / "commands").glob("*.py"):
        found = {n for n in _imports(path) if any(n == w or n.startswith(w + ".") for w in wiring)}
        assert not found, f"{path.name} wires the engine itself: {sorted(found)}"


def test_library_and_benchmarks_import_nothing_from_tests():
    for top in ("extract", "schemas", "benchmarks"):
        for path in (ROOT / top).rglob("*.py"):
            bad = {n for n in _imports(path) if n == "tests" or n.startswith("tests.")}
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


