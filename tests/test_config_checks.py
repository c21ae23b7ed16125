"""Configuration checked before the first request (issue 38): an API key an HTTP header cannot
carry, an empty `--base-url ""`, a timeout that is not a finite positive number are one line and
exit 2, with nothing read, sent or written, and the key never shown. A failure that the same
request would always meet is the configuration's (exit 5), never an article's permanent error
and never "endpoint is failing"; records earlier versions wrote for it are redone.

Made-up pages and keys; the endpoint is the fake server on loopback."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import extract
from extract.cli import app
from extract.run.batch import EXIT_ENDPOINT

KEY = "sk-made-up-0123456789abcdef"


pytestmark = pytest.mark.usefixtures("fast_backoff")


def _run(*args):
    return CliRunner().invoke(app, ["run", "--model", "fake", "--no-cache", *[str(a) for a in args]])


def _one_line(result, *words: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


# key → what the one line names
BAD_KEYS = [
    (KEY[:10] + "\u00a0" + KEY[10:], "U+00A0 (no-break space)"),
    (KEY + "\u200b", "U+200B (zero width space)"),
    (KEY + "\r\n", "U+000D (carriage return)"),
    (KEY + "\n", "U+000A (line feed)"),
    (KEY + " ", "U+0020 (space)"),
    ("sk-\x00" + KEY, "U+0000"),
    ("ключ-" + KEY, "U+043A"),
]


@pytest.mark.parametrize("key,named", BAD_KEYS)
@pytest.mark.parametrize("command", ["run", "batch submit", "batch collect"])
def test_a_key_a_header_cannot_carry_is_one_line(fake_llm, page, tmp_path, key, named, command):
    out = tmp_path / "out.jsonl"
    if command == "run":
        result = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--api-key", key)
    else:
        result = CliRunner().invoke(app, [*command.split(), str(page), "-o", str(out), "--base-url",
                                          fake_llm.base_url, "--api-key", key, "--model", "fake"])
    assert result.exit_code == 2, result.output
    line = _one_line(result, "API key", named)
    assert key.strip() not in line and KEY not in result.output
    assert fake_llm.requests["total"] == 0 and fake_llm.model_requests == 0 and not out.exists()


def test_a_key_from_the_environment_is_checked_too(fake_llm, page, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "\u00a0")
    result = _run(page, "-o", tmp_path / "out.jsonl", "--base-url", fake_llm.base_url)
    assert result.exit_code == 2 and "OPENAI_API_KEY" in _one_line(result, "U+00A0")


@pytest.mark.parametrize("url", ["", " ", ",", " , "])
def test_an_empty_base_url_never_means_openai(page, tmp_path, url, monkeypatch):
    import openai

    def no_request(*args, **kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(openai.OpenAI, "__init__", no_request)
    result = _run(page, "-o", tmp_path / "out.jsonl", "--base-url", url, "--api-key", KEY)
    assert result.exit_code == 2, result.output
    _one_line(result, "--base-url is empty")
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("timeout", ["inf", "-inf", "nan", "1e300", "0", "-3"])
def test_a_timeout_that_is_no_finite_positive_number_is_one_line(fake_llm, page, tmp_path, timeout):
    result = _run(page, "-o", tmp_path / "out.jsonl", "--base-url", fake_llm.base_url, "--timeout", timeout)
    assert result.exit_code == 2, result.output
    _one_line(result, "--timeout must be")
    assert fake_llm.requests["total"] == 0


# URL → what the hint or the line says
URLS = [
    ("http:/127.0.0.1:8080/v1", "e.g. http://127.0.0.1:8080/v1"),
    ("https:/api.example.invalid/v1", "e.g. https://api.example.invalid/v1"),
    ("localhost:8080/v1", "e.g. http://localhost:8080/v1"),
    ("http://127.0.0.1:8080/v1\u200b", "U+200B"),
    ("http://127.0.0.1:8080/\nv1", "U+000A"),
    ("http://127.0.0.1:8080 /v1", "U+0020"),
]


@pytest.mark.parametrize("url,words", URLS)
def test_url_mistakes_are_one_line(page, url, words):
    result = _run(page, "--base-url", url)
    assert result.exit_code == 2, result.output
    line = _one_line(result, words)
    assert "http://http" not in line


@pytest.mark.parametrize("settings", [dict(base_url=""), dict(base_url="http://h/v1", api_key="sk-\u00a0"),
                                      dict(base_url="http://h/v1", timeout=float("inf"))])
def test_the_api_refuses_the_same_settings(settings):
    with pytest.raises(extract.UsageError):
        extract.Extractor(env=False, cache=False, **settings)


# -- a failure the same request always meets is the configuration's -------------------------------


@pytest.mark.parametrize("bad", ["key-nbsp", "key-crlf", "timeout"])
def test_an_unsendable_request_stops_the_run_as_a_configuration_error(fake_llm, page, tmp_path, bad):
    """Past the checks (a key changed under the client, say): exit 5, no record, and never the
    breaker's "endpoint is failing"."""
    out = tmp_path / "out.jsonl"
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", api_key=KEY, env=False, cache=False) as ex:
        if bad == "timeout":
            ex.client._openai.timeout = float("inf")
        else:
            ex.client._openai.api_key = KEY + ("\u00a0" if bad == "key-nbsp" else "\r\n")
        summary = ex.extract_paths([page], out).summary
    assert summary.exit_code == EXIT_ENDPOINT and summary.breaker is None
    assert summary.endpoint_error and "cannot be reached with this configuration" in summary.endpoint_error
    assert ("--timeout" if bad == "timeout" else "API key") in summary.endpoint_error
    assert not out.exists() and fake_llm.requests["total"] == 0


def _old_record(article: dict, message: str, transient: bool) -> dict:
    return {"article": article, "policies": [], "targets": [], "meetings": [],
            "run": {"engine": "fake", "model": "fake", "prompt_version": extract.Extractor(
                base_url="http://127.0.0.1:9/v1", env=False, cache=False).prompt_version},
            "errors": [{"stage": "llm:targets", "message": message, "transient": transient}]}


# What earlier versions wrote for an unsendable key (exactly, from 12719ed).
OLD = [
    ("UnicodeEncodeError: 'ascii' codec can't encode character '\\xa0' in position 13: ordinal not in "
     "range(128) (header 'Authorization')", False),
    ("APIConnectionError: Connection error.", True),  # CR/LF, --timeout inf: taken for an outage
]


@pytest.mark.parametrize("message,transient", OLD)
def test_records_earlier_versions_wrote_for_an_unsendable_request_are_redone(fake_llm, page, tmp_path,
                                                                            message, transient):
    articles, _ = extract.read_articles([page])
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(_old_record(a.model_dump(), message, transient), ensure_ascii=False) + "\n"
                           for a in articles), encoding="utf-8")
    result = _run(page, "-o", out, "--base-url", fake_llm.base_url, "--api-key", KEY,
                  *(["--no-retry-failed"] if not transient else []))
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert len(records) == 4 and all(not r["errors"] for r in records)
    assert fake_llm.requests["total"] == 4


@pytest.mark.parametrize("url", ["postgresql://u:secret@h:abc/db", "postgresql://u@h:99999999/db"])
def test_load_with_a_malformed_url_is_one_line(tmp_path, url):
    run = tmp_path / "run.jsonl"
    run.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(run), "--db", url])
    assert result.exit_code == 2
    _one_line(result, "not a valid database URL")
    assert "secret" not in result.stderr
