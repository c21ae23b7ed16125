"""Batch mode: the run's first requests through a provider's Batch API, at about half the price.

Every first request the pipeline makes is known before any answer (code finds the candidates),
so `submit` runs the pipeline over the articles with a transport that answers nothing and
records each request body instead; those not answered in the cache, not done in the output and
not submitted before go into request files (``custom_id``, ``method``, ``url``, ``body``),
split under the provider's limits, uploaded (``/v1/files``, purpose ``batch``) and submitted
(``/v1/batches``, 24 h window). A state file beside the output keeps the batches and the ids
they hold, so nothing is submitted twice.

`collect` downloads the output and error files, then runs the pipeline again with a transport
that answers from them: each answer goes through the same instructor parsing, validators and
answer cache as a live answer (an invalid one is re-asked, and that re-ask is a request no file
answers). Then the run is completed by the normal threaded engine, where the batch's answers are
cache hits and what is left (invalid answers, per-request errors, expired batches) is asked live,
or, with `resubmit`, goes into a second batch round. Downloads are atomic and the output is
written record by record, so a `collect` killed and run again loses and duplicates nothing.

`custom_id` is a hash of the request body: the same request always has the same id, whoever
built it, so output files produced elsewhere (`vllm run-batch`) are read the same way.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extract.run.batch import Summary, plan
from extract.run.guard import BATCH_FILES, guard_output, write_whole
from extract.llm.client import LLMClient, LLMSettings
from extract.kinds.judgement import resolve_calibration
from extract.run.pipeline import ArticleExtractor, Options
from schemas import Article
from schemas.errors import describe

URL = "/v1/chat/completions"
WINDOW = "24h"
MAX_REQUESTS = 50_000  # per request file, the providers' limit
MAX_BYTES = 200 * 1024 * 1024
TERMINAL = ("completed", "expired", "failed", "cancelled")
STATE_VERSION = 1


class BatchError(RuntimeError):
    """A batch step cannot go on: the message says which file or batch, and what to do."""


class BatchFileError(BatchError):
    """A batch output or state file with a line or field of the wrong shape: nothing is done."""


# The files batch mode reads, as schemas: a provider's output line and our own state file.
class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _OutputResponse(_Open):
    status_code: int | None = None
    body: dict[str, Any] | None = None


class _OutputError(_Open):
    code: str | None = None
    message: str | None = None


class OutputLine(_Open):
    custom_id: str
    response: _OutputResponse | None = None
    error: _OutputError | str | None = None


class _StateEntry(_Open):
    id: str | None = None
    input_file_id: str | None = None
    request_file: str
    ids: list[str]
    round: int = 1
    status: str | None = None
    downloaded: list[str] = Field(default_factory=list)


class _State(_Open):
    version: Literal[1]  # STATE_VERSION
    paths: list[str]
    settings: dict[str, Any]
    batches: list[_StateEntry]


class NotAnswered(RuntimeError):
    """No batch output answers this request (it is recorded for submission instead)."""


def request_id(body: dict) -> str:
    blob = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "req-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:40]


class FileTransport:
    """Stands in for `chat.completions.create`: answers a request from batch outputs (by its
    body's id) and records the body of every request they do not answer."""

    def __init__(self, answers: dict[str, dict] | None = None):
        self.answers = answers or {}
        self.missing: dict[str, dict] = {}  # id → body, in the order first asked
        self.served = 0
        self._lock = threading.Lock()

    def __call__(self, **body: Any) -> ChatCompletion:
        rid = request_id(body)
        found = self.answers.get(rid)
        with self._lock:
            if found is None:
                self.missing.setdefault(rid, body)
            else:
                self.served += 1
        if found is None:
            raise NotAnswered(f"no batch answer for request {rid}")
        return ChatCompletion.model_validate(found)


def run_offline(articles: Iterable[Article], settings: LLMSettings, options: Options,
                answers: dict[str, dict] | None = None) -> tuple[FileTransport, int]:
    """Run the pipeline over `articles` without a model: requests answered in the cache or in
    `answers` are answered (valid answers from `answers` are stored in the cache), the others
    recorded in the transport's `missing`. Returns the transport and how many answers were stored."""
    transport = FileTransport(answers)
    # Never the embedded server: nothing here is asked of a model.
    client = LLMClient(replace(settings, start_endpoint=None), transport=transport)
    stored = client.cache.stores if client.cache is not None else 0
    pipeline = ArticleExtractor(client, options)
    for article in articles:
        pipeline.extract(article)
    return transport, (client.cache.stores if client.cache is not None else 0) - stored


# -- request and output files ----------------------------------------------------------------


def request_line(rid: str, body: dict) -> bytes:
    return (json.dumps({"custom_id": rid, "method": "POST", "url": URL, "body": body},
                       ensure_ascii=False) + "\n").encode("utf-8")


def write_request_files(requests: dict[str, dict], folder: Path, stem: str, *,
                        max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES) -> list[tuple[Path, list[str]]]:
    """Request files of at most `max_requests` lines and `max_bytes` bytes each, written whole
    (temporary file, then renamed); returns each file with the ids it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob(f"{stem}-*.jsonl")):  # before any is written: all or none
        guard_output(old, (), BATCH_FILES)
    files: list[tuple[Path, list[str]]] = []
    chunk: list[bytes] = []
    ids: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal chunk, ids, size
        if chunk:
            path = folder / f"{stem}-{len(files) + 1:03d}.jsonl"
            write_whole(path, b"".join(chunk))
            files.append((path, ids))
        chunk, ids, size = [], [], 0

    for rid, body in requests.items():
        line = request_line(rid, body)
        if len(line) > max_bytes:
            raise BatchError(f"request {rid} is {len(line)} bytes, over the {max_bytes}-byte file limit")
        if len(chunk) >= max_requests or size + len(line) > max_bytes:
            flush()
        chunk.append(line)
        ids.append(rid)
        size += len(line)
    flush()
    return files


@dataclass
class Outputs:
    """What batch output and error files say: answers by id, and failures counted by reason."""

    answers: dict[str, dict] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def read(self, path: Path) -> None:
        try:
            data = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BatchError(f"cannot read batch output {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise BatchError(f"{path} is not a batch output file: not UTF-8 text") from exc
        for n, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = OutputLine.model_validate_json(line)
            except ValidationError as exc:
                what = describe(exc) if exc.errors()[0]["type"] != "json_invalid" else "not JSON"
                raise BatchFileError(f"{path}:{n}: not a batch output line ({what}; a line holds custom_id, "
                                     "response, error)") from None
            response = row.response or _OutputResponse()
            body = response.body
            if response.status_code == 200 and body and body.get("choices"):
                self.answers[row.custom_id] = body
                continue
            error = row.error
            reason = (error.code if isinstance(error, _OutputError) else None) or \
                f"http {response.status_code if response.status_code is not None else '?'}"
            self.errors[reason] = self.errors.get(reason, 0) + 1


# -- state ----------------------------------------------------------------------------------


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".batch.json")


def files_dir(output: Path) -> Path:
    return output.with_name(output.name + ".batch")


class BatchState:
    """The state file beside the output: inputs, settings and every batch submitted, with the
    request ids it holds. Saved whole (temporary file, rename) after every change."""

    def __init__(self, path: Path, data: dict):
        self.path = path
        self.data = data

    @classmethod
    def load(cls, path: Path) -> "BatchState | None":
        if not path.exists():
            return None
        try:
            raw = path.read_text(encoding="utf-8")
            _State.model_validate_json(raw)
        except ValidationError as exc:
            what = describe(exc) if exc.errors()[0]["type"] != "json_invalid" else "not JSON"
            raise BatchFileError(f"batch state {path} is damaged ({what}); move it away to start over") from None
        except (ValueError, OSError) as exc:
            raise BatchFileError(f"batch state {path} is damaged ({exc}); move it away to start over") from exc
        return cls(path, json.loads(raw))

    @property
    def batches(self) -> list[dict]:
        return self.data["batches"]

    def submitted(self, *, pending_only: bool = False) -> set[str]:
        return {rid for b in self.batches if not pending_only or b.get("status") not in TERMINAL
                for rid in b["ids"]}

    def save(self) -> None:
        write_whole(self.path, json.dumps(self.data, ensure_ascii=False, indent=1).encode("utf-8"))




def key_settings(settings: LLMSettings, mode: str, options: Options, prompt_version: str) -> dict:
    """What the requests and their cache keys depend on: collect must use the same. The cut and
    the calibration (None: the shipped one, which the prompt version names) ask nothing of the
    model but decide which items are written: one output, collected over several rounds, is
    written with one of each, those submit was given."""
    cal = resolve_calibration(options.calibration)
    return {"base_url": settings.base_url, "model": settings.model, "mode": mode,
            "max_tokens": settings.max_tokens, "reasks": settings.reasks, "prompt_version": prompt_version,
            "min_confidence": options.min_confidence, "calibration": None if cal.shipped else cal.version}


def check_settings(state: BatchState, current: dict) -> None:
    for name, value in state.data["settings"].items():
        if current.get(name) != value:
            raise BatchError(f"{state.path} was submitted with {name}={value!r}, not {current.get(name)!r}: "
                             "use the same settings (the answers are keyed by them)")


# -- the provider -----------------------------------------------------------------------------


def sdk(settings: LLMSettings) -> openai.OpenAI:
    """An SDK client for files and batches (with the SDK's own retries: these calls are few)."""
    return openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key or "not-needed",
                         timeout=settings.timeout_s, max_retries=3)


def upload_and_create(api: openai.OpenAI, state: BatchState, files: list[tuple[Path, list[str]]],
                      round_: int, log: Callable[[str], None]) -> list[dict]:
    """Upload each request file and create its batch, saving the state at each step: a kill
    between the two steps finds the uploaded file again instead of creating a second batch."""
    made = []
    for path, ids in files:
        entry = {"id": None, "input_file_id": None, "request_file": str(path), "ids": ids,
                 "round": round_, "status": "uploading", "downloaded": []}
        state.batches.append(entry)
        state.save()
        with path.open("rb") as f:
            uploaded = api.files.create(file=(path.name, f), purpose="batch")
        entry["input_file_id"] = uploaded.id
        state.save()
        _create(api, entry)
        state.save()
        log(f"submitted {entry['id']}: {len(ids)} requests ({path.name})")
        made.append(entry)
    return made


def _create(api: openai.OpenAI, entry: dict) -> None:
    batch = api.batches.create(input_file_id=entry["input_file_id"], endpoint=URL, completion_window=WINDOW,
                               metadata={"source": "cn-policy-extract"})
    entry["id"], entry["status"] = batch.id, batch.status


def resume_unfinished(api: openai.OpenAI, state: BatchState) -> None:
    """Finish what a killed `submit` left between its steps."""
    for entry in state.batches:
        if entry["id"] is not None:
            continue
        if entry["input_file_id"] is None:  # the upload may have happened: do it again
            with open(entry["request_file"], "rb") as f:
                entry["input_file_id"] = api.files.create(file=(Path(entry["request_file"]).name, f),
                                                          purpose="batch").id
            state.save()
        found = next((b for b in api.batches.list(limit=100)
                      if b.input_file_id == entry["input_file_id"]), None)
        if found is not None:
            entry["id"], entry["status"] = found.id, found.status
        else:
            _create(api, entry)
        state.save()


def refresh(api: openai.OpenAI, state: BatchState, folder: Path) -> list[dict]:
    """Retrieve each batch not yet downloaded; download the output and error files of those
    that ended. Returns those still running."""
    running = []
    for entry in state.batches:
        if entry["id"] is None or (entry.get("status") in TERMINAL and entry.get("fetched")):
            continue
        batch = api.batches.retrieve(entry["id"])
        entry["status"] = batch.status
        counts = batch.request_counts
        entry["counts"] = {"total": counts.total, "completed": counts.completed, "failed": counts.failed} \
            if counts is not None else None
        if batch.status not in TERMINAL:
            running.append(entry)
            continue
        for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)):
            if file_id:
                path = folder / f"{entry['id']}.{kind}.jsonl"
                write_whole(path, api.files.content(file_id).read())
                entry["downloaded"].append(str(path))
        entry["fetched"] = True
        state.save()
    state.save()
    return running


# -- reports ----------------------------------------------------------------------------------


@dataclass
class SubmitReport:
    articles: int = 0  # articles not yet done in the output
    requests: int = 0  # first requests not answered in the cache
    already: int = 0  # of which submitted before (not again)
    submitted: int = 0
    files: list[Path] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    state: Path | None = None


@dataclass
class BatchInfo:
    id: str | None
    status: str
    round: int
    total: int | None
    completed: int | None
    failed: int | None


@dataclass
class CollectReport:
    running: list[BatchInfo] = field(default_factory=list)  # not ended yet: nothing was collected
    answers: int = 0  # answers in the output files
    stored: int = 0  # of which valid, now in the answer cache
    invalid: int = 0  # answers that failed validation
    errors: dict[str, int] = field(default_factory=dict)  # per-request failures by reason
    left: int = 0  # requests no valid answer covers: asked live, or resubmitted
    resubmitted: SubmitReport | None = None
    summary: Summary | None = None  # the completing run's (None when it did not run)

    @property
    def ready(self) -> bool:
        return not self.running


def info(entry: dict) -> BatchInfo:
    counts = entry.get("counts") or {}
    return BatchInfo(entry["id"], entry.get("status") or "?", entry.get("round", 1),
                     counts.get("total"), counts.get("completed"), counts.get("failed"))


def wait_for(api: openai.OpenAI, state: BatchState, folder: Path, poll_s: float,
             log: Callable[[str], None]) -> list[dict]:
    running = refresh(api, state, folder)
    while running:
        log(f"waiting: {len(running)} batches running")
        time.sleep(poll_s)
        running = refresh(api, state, folder)
    return running


@dataclass
class Setup:
    """What a batch step needs of the extractor: its client settings, instructor mode, pipeline
    options and the prompt version stamped into records."""

    settings: LLMSettings
    mode: str
    options: Options
    prompt_version: str

    @property
    def keys(self) -> dict:
        return key_settings(self.settings, self.mode, self.options, self.prompt_version)


def _state_for(output: Path, setup: Setup, paths: list[str]) -> BatchState:
    state = BatchState.load(state_path(output))
    if state is None:
        return BatchState(state_path(output), {"version": STATE_VERSION, "paths": paths, "settings": setup.keys,
                                               "batches": []})
    check_settings(state, setup.keys)
    state.data["paths"] += [p for p in paths if p not in state.data["paths"]]
    return state


def submit(articles: list[Article], output: Path, setup: Setup, paths: list[str], *,
           requests_only: Path | None = None, force: bool = False, retry_failed: bool = True,
           max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES,
           log: Callable[[str], None] = lambda line: None) -> SubmitReport:
    """Build the first requests of the articles not done in `output`, drop those answered in the
    cache or submitted before, write them as request files and (unless `requests_only`, a
    folder to write them to) upload them and create their batches."""
    if setup.settings.cache is None:
        raise BatchError("batch mode keeps the answers in the answer cache: it cannot run with the cache off")
    # The output is the run's (scanned, and later appended to): guarded as `extract run` does.
    guard_output(output, paths)
    if requests_only is not None:
        guard_output(requests_only / "requests-001.jsonl", paths, BATCH_FILES)
    report = SubmitReport(state=state_path(output))
    state = _state_for(output, setup, paths)
    todo = plan(articles, output, setup.prompt_version, setup.settings.model, force, retry_failed)[0]
    report.articles = len(todo)
    transport, _ = run_offline(todo, setup.settings, setup.options)
    report.requests = len(transport.missing)
    known = state.submitted()
    new = {rid: body for rid, body in transport.missing.items() if rid not in known}
    report.already = report.requests - len(new)
    _send(new, output, setup, state, report, requests_only=requests_only, max_requests=max_requests,
          max_bytes=max_bytes, log=log)
    return report


def _send(requests: dict[str, dict], output: Path, setup: Setup, state: BatchState, report: SubmitReport, *,
          requests_only: Path | None = None, max_requests: int = MAX_REQUESTS, max_bytes: int = MAX_BYTES,
          log: Callable[[str], None] = lambda line: None) -> None:
    if not requests:
        return
    round_ = 1 + max((b.get("round", 1) for b in state.batches), default=0)
    folder = requests_only if requests_only is not None else files_dir(output)
    files = write_request_files(requests, folder, "requests" if requests_only else f"round{round_}",
                                max_requests=max_requests, max_bytes=max_bytes)
    report.files = [f for f, _ in files]
    if requests_only is not None:
        return  # nothing submitted: the files are for a batch runner elsewhere
    api = sdk(setup.settings)
    resume_unfinished(api, state)
    made = upload_and_create(api, state, files, round_, log)
    report.submitted = sum(len(b["ids"]) for b in made)
    report.batches = [b["id"] for b in made]


def status(output: Path, settings: LLMSettings) -> list[BatchInfo]:
    """Each batch's state and request counts, as the provider says now."""
    state = BatchState.load(state_path(output))
    if state is None:
        raise BatchError(f"no batches for {output}: no state file {state_path(output)} (run `extract batch submit` first)")
    refresh(sdk(settings), state, files_dir(output))
    return [info(b) for b in state.batches]


def collect(articles: list[Article], output: Path, setup: Setup, *, from_files: Iterable[Path] = (),
            resubmit: bool = False, wait: bool = False, poll_s: float = 30.0, force: bool = False,
            retry_failed: bool = True, run_live: Callable[[], Summary],
            log: Callable[[str], None] = lambda line: None) -> CollectReport:
    """Download what the batches answered, validate each answer as a live one and keep the valid
    ones in the answer cache; then complete the run with `run_live` (the normal engine, where
    those answers are cache hits), or with `resubmit`, submit what is left as a new round."""
    if setup.settings.cache is None:
        raise BatchError("batch mode keeps the answers in the answer cache: it cannot run with the cache off")
    report = CollectReport()
    from_files = [Path(f) for f in from_files]
    guard_output(output, [a.source for a in articles] + [str(f) for f in from_files])
    state = BatchState.load(state_path(output))
    if state is None and not from_files:
        raise BatchError(f"no batches for {output}: no state file {state_path(output)}; run `extract batch submit` "
                         "first, or pass output files with --from-file")
    outputs = Outputs()
    api = None
    if state is not None:
        check_settings(state, setup.keys)
        api = sdk(setup.settings)
        resume_unfinished(api, state)
        folder = files_dir(output)
        folder.mkdir(parents=True, exist_ok=True)
        running = wait_for(api, state, folder, poll_s, log) if wait else refresh(api, state, folder)
        if running:
            report.running = [info(b) for b in running]
            return report
        for entry in state.batches:
            for path in entry["downloaded"]:
                outputs.read(Path(path))
    for path in from_files:
        outputs.read(path)
    report.answers, report.errors = len(outputs.answers), outputs.errors
    todo = plan(articles, output, setup.prompt_version, setup.settings.model, force, retry_failed)[0]
    transport, report.stored = run_offline(todo, setup.settings, setup.options, outputs.answers)
    # Valid answers are cache hits now; a served answer that was not stored failed validation.
    report.invalid = transport.served - report.stored
    report.left = len(transport.missing)
    if resubmit and transport.missing:
        if state is None:
            raise BatchError("--resubmit needs the batch state of `extract batch submit`")
        # Every batch has ended: what is missing failed there (or is a re-ask), so it goes again.
        report.resubmitted = SubmitReport(state=state.path, articles=len(todo), requests=report.left)
        _send(transport.missing, output, setup, state, report.resubmitted, log=log)
        return report
    report.summary = run_live()
    return report
