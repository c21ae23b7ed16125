"""A normal install works: the wheel ships the prompts and templates, and `extract read` and
`extract run` work from a fresh venv in a folder outside the checkout.

Offline and fast: the wheel is built without build isolation (setuptools from the test extra),
installed without dependencies into a fresh venv that sees this venv's installed packages
through a .pth line (so it imports the wheel's `extract`, never this checkout's editable one),
and `extract run` talks to the fake OpenAI-compatible server.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from extract.llm.prompting import prompt_version
from schemas import Record

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_022c8c979c5708e9.txt"


def test_pyproject_lists_every_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for top in ("extract", "schemas") for p in (ROOT / top).rglob("__init__.py")}
    assert on_disk <= listed, f"packages missing from pyproject.toml: {sorted(on_disk - listed)}"
    assert listed - on_disk == {"extract._prompts"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a clean copy: no stale build/ folder of the checkout ends up in the wheel
    for name in ("extract", "schemas", "prompts"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "_prompts"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", str(src), "-w", str(tmp / "dist")], check=True, cwd=tmp)
    [wheel] = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, cwd=tmp)
    [venv_site] = venv.glob("lib/python*/site-packages")
    # The dependencies from this venv; a path added by a .pth line gets no .pth processing of
    # its own, so this venv's editable install of the checkout is not activated there.
    (venv_site / "_outer_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return venv / "bin"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACT_MODEL", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_wheel_imports_its_own_copy_with_the_same_prompt_version(installed, tmp_path):
    code = ("import extract, extract.llm.prompting as p; "
            "print(extract.__file__); print(p.PROMPTS_DIR); print(p.prompt_version())")
    out = subprocess.run([str(installed / "python"), "-c", code], cwd=tmp_path, env=_env(),
                         capture_output=True, text=True, check=True).stdout.split("\n")
    venv = installed.parent
    assert Path(out[0]).is_relative_to(venv), out[0]
    assert Path(out[1]).is_relative_to(venv) and Path(out[1]).name == "_prompts", out[1]
    assert out[2] == prompt_version()


def test_extract_read_and_run_from_outside_the_checkout(installed, tmp_path, fake_llm):
    work = tmp_path / "elsewhere"
    work.mkdir()
    page = shutil.copy(SEED, work / SEED.name)
    env = _env(OPENAI_BASE_URL=fake_llm.base_url, OPENAI_API_KEY="sk-test", EXTRACT_MODEL="fake",
               EXTRACT_CACHE_DIR=str(tmp_path / "cache"))
    cli = str(installed / "extract")

    read = subprocess.run([cli, "read", SEED.name], cwd=work, env=env, capture_output=True, text=True,
                          timeout=60)
    assert read.returncode == 0, read.stderr
    articles = [json.loads(line) for line in read.stdout.splitlines()]
    assert articles and articles[0]["source"] == SEED.name

    run = subprocess.run([cli, "run", SEED.name, "-o", "out.jsonl"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    records = [Record.model_validate_json(line)
               for line in (work / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(articles) and not records[0].errors
    assert records[0].run.prompt_version == prompt_version()
    assert records[0].targets or records[0].policies or records[0].meetings
    assert fake_llm.requests["total"] > 0
    assert page.exists()
