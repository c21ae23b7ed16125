"""The README's Python API example runs as written (against the fake OpenAI-compatible server,
reached through the environment variables the example relies on)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# The manual: the README and the pages of docs/ it links for the long parts.
DOCS = sorted((README.parent / "docs").glob("*.md"))


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


def test_readme_points_only_inside_the_project():
    text = README.read_text(encoding="utf-8")
    assert "](../" not in text and "../shared/gold" not in text
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        if not link.startswith("http"):
            assert (README.parent / link).exists(), f"README links {link}, which a plain clone lacks"


def test_the_docs_pages_link_what_a_clone_has():
    """Every page of docs/ is linked from the README, and every link of a page resolves inside
    the project."""
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[^)#]+)\)", text))
    for page in DOCS:
        if page.name != "extraction-spec.md":  # linked as the spec, a copy of ../shared/spec
            assert f"docs/{page.name}" in linked, f"README does not link docs/{page.name}"
        for link in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if not link.startswith("http"):
                target = (page.parent / link).resolve()
                assert target.exists() and README.parent in target.parents, f"docs/{page.name} links {link}"


def test_readme_eval_command_runs_as_written(tmp_path, monkeypatch):
    """`extract eval out/seeds.jsonl tests/data/gold/seeds.jsonl`, with the replayed seeds run
    standing in for out/seeds.jsonl (the main job's output is identical to it)."""
    import shutil

    from typer.testing import CliRunner

    from extract.cli import app
    root = README.parent
    cmd = re.search(r"`extract eval (out/seeds\.jsonl) (\S+)`", README.read_text(encoding="utf-8"))
    assert cmd, "README no longer shows the eval command"
    (tmp_path / "out").mkdir()
    shutil.copy(root / "tests" / "data" / "runs" / "seeds.jsonl", tmp_path / cmd.group(1))
    shutil.copytree(root / "tests" / "data" / "gold", tmp_path / "tests" / "data" / "gold")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["eval", cmd.group(1), cmd.group(2)])
    assert res.exit_code == 0, res.output
    assert "targets" in res.output and "precision" in res.output


def command_lines(text: str) -> list[str]:
    """The `extract …` command lines of a Markdown page: in fenced or indented code (prose that
    wraps onto a line starting with "extract" is no command)."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced or line.startswith("    "):
            m = re.match(r"^\s*(extract [^#\n]*)", line)
            if m:
                out.append(m.group(1))
    return out


def test_every_command_and_option_the_readme_shows_exists():
    """Each `extract …` line in the README and the docs pages names a real command, and every
    --option it shows is one that command accepts (its --help lists it): a renamed flag cannot
    linger in the docs."""
    from typer.testing import CliRunner

    from extract.cli import app
    runner = CliRunner()
    lines = [line for page in (README, *DOCS) for line in command_lines(page.read_text(encoding="utf-8"))]
    assert len(lines) > 20
    helps: dict[tuple[str, ...], str] = {}
    for line in lines:
        words = line.split()
        cmd = [w for w in words[1:3] if re.fullmatch(r"[a-z]+", w)]
        if cmd and cmd[0] not in ("batch", "gold"):
            cmd = cmd[:1]
        for sub in (cmd[1].split("|") if len(cmd) > 1 and "|" in line.split()[2] else [cmd[1]] if len(cmd) > 1 else [None]):
            key = tuple(c for c in (cmd[0], sub) if c)
            if key not in helps:
                res = runner.invoke(app, [*key, "--help"], terminal_width=200)
                assert res.exit_code == 0, f"README shows `{line.strip()}`, but `extract {' '.join(key)} --help` fails"
                helps[key] = res.output
            for opt in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line):
                assert opt in helps[key], f"README shows {opt} for `extract {' '.join(key)}`, which does not take it"
