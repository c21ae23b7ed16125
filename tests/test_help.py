"""`--help` stands alone (issue 25): every bracket and default renders (rich markup ate
`[ray]`), and `extract --help` is quick: the SDK and the pipeline are imported only when a
command runs."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from extract.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    found = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            found += [[name, sub] for sub in cmd.commands]
        else:
            found.append([name])
    return found


def _helps(words: list[str]) -> list[str]:
    cmd = typer.main.get_command(app)
    for w in words:
        cmd = cmd.commands[w]
    return [p.help for p in cmd.params if getattr(p, "help", None)]


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_every_bracket_in_help_renders(words):
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "1000", "TERMINAL_WIDTH": "1000"})
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    for text in _helps(words):
        for bracket in re.findall(r"\\?\[[^\]]*\]", text):
            plain = bracket.lstrip("\\")
            assert plain in shown, f"{' '.join(words)}: {plain} missing from --help"


@pytest.mark.parametrize("words,text", [
    (["run"], "needs the [ray] extra"),
    (["load"], "[default: ./extractions.db]"),
    (["run"], "json_schema, tools, json, md_json"),
])
def test_known_brackets(words, text):
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "1000", "TERMINAL_WIDTH": "1000"})
    assert text in " ".join(result.output.split())


def test_mode_names_are_the_client_s():
    from extract.llm.client import MODES
    from extract.llm.usage import MODE_NAMES

    assert tuple(MODES) == MODE_NAMES


def test_help_imports_neither_the_sdk_nor_the_pipeline():
    code = ("import sys; from extract.cli import app; "
            "print(' '.join(m for m in ('openai', 'instructor', 'extract.api', 'extract.llm.client', "
            "'extract.run.pipeline', 'sqlalchemy', 'cn2an', 'extract.review.match') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == ""


def test_help_is_quick():
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "extract.cli", "--help"], cwd=ROOT, capture_output=True, check=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "100"})
        times.append(time.perf_counter() - t0)
    assert min(times) < 1.0, times
