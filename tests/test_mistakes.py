"""Mistakes cost nothing (issue 25): a wrong key, model or path stops the run at the first
article with its own exit code and one line; usage errors end before any call with exit 2 and
one line; a wrong `-o` is refused untouched; a second run on the same output is refused at once.

Every input here is made up; the endpoint is the fake server (benchmarks/fake_llm.py).
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import extract
from extract.run.batch import EXIT_ENDPOINT
from extract.cli import app
from extract.run.output import OutputLock, OutputRefused
from extract.llm.secrets import redact, register_secret
from tests.fake_llm import synthetic_page

KEY = "sk-made-up-key-0123456789abcdef"


pytestmark = pytest.mark.usefixtures("fast_backoff")


def _run(*args: str, model: str | None = "fake"):
    extra = ["--model", model] if model else []
    return CliRunner().invoke(app, ["run", *extra, "--timeout", "2", "--no-cache", *args])


def _records(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# -- endpoint and configuration errors are the run's -------------------------------------------

# fault → (words the one line holds)
REFUSALS = {
    "401": ["401", "API key"],
    "403": ["403", "API key"],
    "404": ["404", "--base-url"],
    "400:model": ["400", "--model"],
    "400:param": ["400", "parameter"],
}


@pytest.mark.parametrize("fault", sorted(REFUSALS))
def test_refused_configuration_stops_at_the_first_article_then_the_fix_resumes(fake_llm, page, tmp_path, fault):
    out = tmp_path / "out.jsonl"
    fake_llm.always(fault)
    first = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, "--api-key", KEY)
    assert first.exit_code == EXIT_ENDPOINT, first.output
    assert fake_llm.requests["total"] == 1  # the first article's first request, nothing after it
    assert _records(out) == []  # no record for the article that met it
    [line] = _error_lines(first.stderr)
    assert fake_llm.base_url in line and all(w in line for w in REFUSALS[fault]), line
    assert KEY not in first.stderr and KEY not in first.stdout
    fake_llm.always(None)
    second = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, "--api-key", KEY)
    assert second.exit_code == 0, second.output
    records = _records(out)
    assert len(records) == 4 and len({r["article"]["id"] for r in records}) == 4
    assert all(not r["errors"] for r in records)


def test_a_400_about_the_article_stays_the_article_s(fake_llm, page, tmp_path):
    out = tmp_path / "out.jsonl"
    fake_llm.always("400")  # "maximum context length": this request, not the configuration
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert result.exit_code == 1
    assert len(_records(out)) == 4 and all(r["errors"] for r in _records(out))
    fake_llm.always(None)
    fake_llm.reset_counts()
    again = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert again.exit_code == 0 and fake_llm.requests["total"] == 0  # a permanent error: not redone


def test_refusal_with_concurrency_writes_no_record_for_refused_articles(fake_llm, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(synthetic_page(1, 12), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    fake_llm.always("401")
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, "-j", "4")
    assert result.exit_code == EXIT_ENDPOINT
    assert _records(out) == [] and fake_llm.requests["total"] <= 4


def test_the_api_raises_endpoint_error_outside_a_batch(fake_llm):
    fake_llm.always("401")
    with extract.Extractor(base_url=fake_llm.base_url, model="fake", api_key=KEY, env=False, cache=False,
                           transport_attempts=1) as ex:
        with pytest.raises(extract.EndpointError) as info:
            ex.extract_text(synthetic_page(1, 1))
    assert info.value.status == 401 and KEY not in str(info.value)


def _old_record(article: dict, message: str) -> dict:
    return {"article": article, "policies": [], "targets": [], "meetings": [],
            "run": {"engine": "fake", "model": "fake", "prompt_version": extract.Extractor(
                base_url="http://127.0.0.1:9/v1", env=False, cache=False).prompt_version},
            "errors": [{"stage": "llm:targets", "message": message, "transient": False}]}


OLD_MESSAGES = [
    "InstructorRetryException: Error code: 401 - {'error': {'message': 'Incorrect API key provided'}}",
    "AuthenticationError: Error code: 401 - {'error': {'message': 'bad key'}}",
    "NotFoundError: Error code: 404 - {'error': {'message': 'The model `x` does not exist'}}",
    "BadRequestError: Error code: 400 - {'error': {'message': 'Unsupported parameter: logprobs'}}",
]


@pytest.mark.parametrize("message", OLD_MESSAGES)
def test_records_of_earlier_versions_holding_refusals_are_redone(fake_llm, page, tmp_path, message):
    """Earlier versions wrote a permanent-error record per article; the next run redoes them."""
    articles, _ = extract.read_articles([page])
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(_old_record(a.model_dump(), message), ensure_ascii=False) + "\n"
                           for a in articles), encoding="utf-8")
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, "--no-retry-failed")
    assert result.exit_code == 0, result.output
    records = _records(out)
    assert len(records) == 4 and all(not r["errors"] for r in records)
    assert fake_llm.requests["total"] == 4


def test_an_article_error_of_another_kind_is_not_redone(fake_llm, page, tmp_path):
    articles, _ = extract.read_articles([page])
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(_old_record(a.model_dump(), "answer still invalid after 2 attempts"),
                                      ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert result.exit_code == 0 and fake_llm.requests["total"] == 0


# -- the endpoint is checked before the first article (/v1/models) ------------------------------


def test_unknown_model_is_refused_listing_the_served_ones(fake_llm, page, tmp_path):
    fake_llm.models = ["qwen2.5:7b", "llama3:8b"]
    out = tmp_path / "out.jsonl"
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, model="gpt-4o")
    assert result.exit_code == EXIT_ENDPOINT
    [line] = _error_lines(result.stderr)
    assert "'gpt-4o'" in line and "qwen2.5:7b, llama3:8b" in line and "--model" in line
    assert fake_llm.requests["total"] == 0 and not out.exists()


def test_without_model_the_one_served_model_is_taken(fake_llm, page, tmp_path):
    fake_llm.models = ["fake"]
    out = tmp_path / "out.jsonl"
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, model=None)
    assert result.exit_code == 0, result.output
    assert "model: fake (the one model" in result.stderr
    assert {r["run"]["model"] for r in _records(out)} == {"fake"}


def test_without_model_several_served_models_are_listed(fake_llm, page, tmp_path):
    fake_llm.models = ["a-model", "b-model"]
    result = _run(str(page), "-o", str(tmp_path / "out.jsonl"), "--base-url", fake_llm.base_url, model=None)
    assert result.exit_code == EXIT_ENDPOINT
    [line] = _error_lines(result.stderr)
    assert "a-model, b-model" in line and "--model" in line
    assert fake_llm.requests["total"] == 0


@pytest.mark.parametrize("models_fault", ["401", "403"])
def test_a_refused_key_is_found_by_the_check(fake_llm, page, tmp_path, models_fault):
    fake_llm.models_fault = models_fault
    result = _run(str(page), "-o", str(tmp_path / "out.jsonl"), "--base-url", fake_llm.base_url, "--api-key", KEY)
    assert result.exit_code == EXIT_ENDPOINT and fake_llm.requests["total"] == 0
    assert KEY not in result.stderr and "***" in result.stderr


def test_an_endpoint_without_a_model_list_is_not_refused(fake_llm, page, tmp_path):
    fake_llm.models = None  # /v1/models answers 404
    result = _run(str(page), "-o", str(tmp_path / "out.jsonl"), "--base-url", fake_llm.base_url)
    assert result.exit_code == 0 and fake_llm.model_requests == 1


# -- usage errors before any call -----------------------------------------------------------------

# arguments → words of the one line
USAGE = [
    (["--base-url", "http://[::1/v1"], "not a valid URL"),
    (["--base-url", "localhost:8080/v1"], "no scheme or host"),
    (["--base-url", "127.0.0.1:8080"], "no scheme or host"),
    (["--base-url", "ftp://example.invalid/v1"], "scheme 'ftp'"),
    (["--base-url", "http://127.0.0.1:notaport/v1"], "not a valid URL"),
    (["--base-url", "http://127.0.0.1:9/v1", "--timeout", "0"], "--timeout must be a number of seconds more than 0"),
    (["--base-url", "http://127.0.0.1:9/v1", "--timeout", "-3"], "--timeout must be a number of seconds more than 0"),
    (["--base-url", "http://127.0.0.1:9/v1", "--mode", "yaml"], "unknown --mode"),
    (["--base-url", "http://127.0.0.1:9/v1", "--engine", "spark"], "unknown --engine"),
    (["--base-url", "http://127.0.0.1:9/v1,http://127.0.0.1:10/v1"], "need --engine ray"),
]


@pytest.mark.parametrize("args,words", USAGE)
def test_usage_errors_are_one_line_and_exit_2(page, args, words):
    result = _run(str(page), *args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], lines


def test_engine_ray_without_ray_is_a_usage_error(page, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    result = _run(str(page), "--base-url", "http://127.0.0.1:9/v1", "--engine", "ray")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: --engine ray needs the [ray] extra, which is not installed: "
                                     "pip install 'cn-policy-extract[ray]'")


def test_a_folder_with_nothing_to_read_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "data.csv").write_text("a,b\n", encoding="utf-8")
    result = _run(str(tmp_path / "empty"), "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 1 and "nothing to read" in result.stderr


@pytest.mark.parametrize("db,ok", [
    ("mysql://u@h/db", False), ("mongodb://h/db", False), ("oracle+cx://h", False),
    ("sqlite:///x.db", True), ("postgresql://u@h:5432/db", True), ("postgresql+psycopg://u@h/db", True),
    ("x.db", True), (None, True),
])
def test_database_url_scheme(db, ok):
    from extract.llm.usage import UsageError, check_db_url

    if ok:
        assert check_db_url(db) == db
    else:
        with pytest.raises(UsageError, match="only SQLite"):
            check_db_url(db)


def test_load_with_an_unsupported_database_is_one_line(tmp_path):
    run = tmp_path / "run.jsonl"
    run.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(run), "--db", "mysql://u:secret@h/db"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _error_lines(result.stderr) and "only SQLite" in result.stderr and "secret" not in result.stderr


# -- outputs are guarded --------------------------------------------------------------------------

FOREIGN = {
    "notes, last line without a newline": b"my notes\nthe last line",
    "one line, no newline": b"just one line",
    "a JSON line that is not a record": b'{"a": 1}\n',
    "a gold line": b'{"source": "x.txt", "policies": []}\n',
    "binary": bytes(range(256)),
}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_a_foreign_output_is_refused_untouched(page, tmp_path, name):
    out = tmp_path / "notes.txt"
    out.write_bytes(FOREIGN[name])
    result = _run(str(page), "-o", str(out), "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2
    assert "not a run file" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == FOREIGN[name]


def test_an_input_as_output_is_refused_untouched(page):
    before = page.read_bytes()
    result = _run(str(page), "-o", str(page), "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2 and "one of the inputs" in result.stderr
    assert page.read_bytes() == before


def test_a_directory_as_output_is_refused(page, tmp_path):
    result = _run(str(page), "-o", str(tmp_path), "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_output_folders_are_created(fake_llm, page, tmp_path):
    out = tmp_path / "a" / "b" / "run.jsonl"
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert result.exit_code == 0 and len(_records(out)) == 4


def test_a_torn_first_record_is_still_a_run_file(fake_llm, page, tmp_path):
    out = tmp_path / "run.jsonl"
    out.write_bytes(b'{"article": {"id": "page#1", "text": "cut')
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert result.exit_code == 0 and len(_records(out)) == 4


def test_a_second_run_on_the_same_output_is_refused_at_once(fake_llm, page, tmp_path):
    out = tmp_path / "run.jsonl"
    lock = OutputLock(out)  # another run holds it
    try:
        result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    finally:
        lock.release()
    assert result.exit_code == 2 and "in use by another run" in result.stderr
    assert fake_llm.requests["total"] == 0
    again = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    assert again.exit_code == 0 and len(_records(out)) == 4


def test_the_lock_is_held_while_a_run_writes(fake_llm, page, tmp_path):
    out = tmp_path / "run.jsonl"
    fake_llm.latency = 0.3
    seen: list[str] = []
    done = threading.Event()

    def probe():
        done.wait(0.5)  # the run holds the lock by then (4 requests of 0.3 s each follow)
        while not done.is_set():
            if out.exists():
                try:
                    OutputLock(out).release()
                except OutputRefused as exc:
                    seen.append(str(exc))
                    return
            done.wait(0.02)

    t = threading.Thread(target=probe)
    t.start()
    try:
        result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url)
    finally:
        done.set()
        t.join()
    assert result.exit_code == 0 and seen and "in use by another run" in seen[0]


# -- secrets ---------------------------------------------------------------------------------------

REDACT = [
    (f"Incorrect API key provided: {KEY}.", "Incorrect API key provided: ***."),
    ("Authorization: Bearer abcdefghijklmnop", "Authorization: ***"),
    ("key sk-proj-ABCDEFGHIJKLMNOP1234 refused", "key *** refused"),
    ("no secret here: 到2025年达到120家", "no secret here: 到2025年达到120家"),
]


@pytest.mark.parametrize("text,shown", REDACT)
def test_redact(text, shown):
    register_secret(KEY)
    assert redact(text) == shown


def test_a_key_echoed_in_an_article_error_is_redacted_in_the_record(fake_llm, page, tmp_path):
    """An error that stays the article's (a 400 about the request) whose body echoes the key."""
    custom = "tok_made_up_4242_secret"
    fake_llm.always("400")
    out = tmp_path / "out.jsonl"
    import benchmarks.fake_llm as fl

    original = fl._Handler._fault

    def echoing(self, fault, req, kind, text):
        if fault == "400":
            key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            self._json(400, {"error": {"message": f"context too long for key {key}"}})
            return True
        return original(self, fault, req, kind, text)

    fl._Handler._fault = echoing
    try:
        result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, "--api-key", custom)
    finally:
        fl._Handler._fault = original
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert custom not in text and "***" in text and custom not in result.stderr


@pytest.mark.parametrize("models,owner,model,code", [
    (["qwen2.5:latest"], "library", "qwen2.5", 0),  # Ollama: no tag means :latest
    (["/models/qwen.gguf"], "llamacpp", "anything", 0),  # llama.cpp answers any model name
    (["/models/qwen.gguf"], "library", "anything", EXIT_ENDPOINT),
])
def test_model_names_the_endpoint_would_accept_are_not_refused(fake_llm, page, tmp_path, models, owner, model, code):
    fake_llm.models, fake_llm.models_owner = models, owner
    result = _run(str(page), "-o", str(tmp_path / "out.jsonl"), "--base-url", fake_llm.base_url, model=model)
    assert result.exit_code == code, result.output


def test_without_model_a_llama_cpp_server_s_one_model_is_taken(fake_llm, page, tmp_path):
    fake_llm.models, fake_llm.models_owner = ["qwen2.5-1.5b"], "llamacpp"
    out = tmp_path / "out.jsonl"
    result = _run(str(page), "-o", str(out), "--base-url", fake_llm.base_url, model=None)
    assert result.exit_code == 0 and {r["run"]["model"] for r in _records(out)} == {"qwen2.5-1.5b"}


def _status_error(status: int, message: str):
    import openai

    cls = {400: openai.BadRequestError, 401: openai.AuthenticationError, 403: openai.PermissionDeniedError,
           404: openai.NotFoundError, 422: openai.UnprocessableEntityError}[status]
    exc = cls.__new__(cls)
    exc.status_code, exc.body = status, {"message": message, "type": "invalid_request_error"}
    return exc


# (status, server's message) → whether it is the run's configuration (True) or the request's
CLASSIFY = [
    (401, "Incorrect API key provided", True),
    (403, "Project does not have access to model", True),
    (404, "The model `gpt-9` does not exist or you do not have access to it.", True),
    (404, "no route /v2/chat/completions", True),
    (400, "Invalid model name passed in model=gpt-9", True),
    (400, "model 'qwen9' not found, try pulling it first", True),
    (400, "Unsupported parameter: 'logprobs' is not supported with this model.", True),
    (400, "Unrecognized request argument supplied: top_logprobs", True),
    (400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", False),
    (400, "gpt-4o has a maximum context length of 128000 tokens", False),
    (400, "Invalid JSON in the messages", False),
    (422, "Unprocessable entity", False),
]


@pytest.mark.parametrize("status,message,config", CLASSIFY)
def test_which_errors_are_the_configuration_s(status, message, config):
    from extract.llm.client import endpoint_error

    found = endpoint_error(_status_error(status, message), "http://127.0.0.1:9/v1", "gpt-4o")
    assert (found is not None) == config, message
    if found is not None:
        assert str(status) in str(found) and "http://127.0.0.1:9/v1" in str(found)
