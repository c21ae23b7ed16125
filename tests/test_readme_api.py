"""The README's Python API example runs as written (against the fake OpenAI-compatible server,
reached through the environment variables the example relies on)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README's Python API section has no ```python block"
    return blocks[0]


def test_readme_example_runs_as_written(fake_llm, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("EXTRACT_MODEL", "fake")
    code = python_example()
    assert len([line for line in code.splitlines() if line.strip()]) <= 3  # three lines of Python
    out = io.StringIO()
    scope: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), scope)
    [record] = scope["records"]
    assert record.run.engine.startswith("openai-compatible:") and record.run.model == "fake"
    assert record.article.published == "2021-03-02"
    [target] = record.targets
    assert target.value == 120 and target.deadline_year == 2025
    assert "120" in out.getvalue()
