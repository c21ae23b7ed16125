"""Run extraction over files and folders: read → segment → extract → write, concurrently.

One bad file or article never stops the batch: read errors are reported with the file name,
article failures are written as records with `errors`. Finished records are durable as soon as
they are written, and a re-run with the same output skips them, except those whose errors are
transient (the endpoint failed, not the article): a re-run redoes them (`retry_failed`).

What does stop the batch: Ctrl-C; the circuit breaker (K requests in a row failed for a
transient reason: the endpoint is down, so no more articles are sent into it, and articles cut
short by it get no record, so the re-run does them); and an output that cannot be written.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract.llm.flow import FlowControl
from extract.llm.client import EndpointError
from extract.run.guard import guard_output
from extract.run.output import (Existing, JsonlWriter, OutputError, OutputLock, compact, record_article,
                               record_identity, record_key, scan_output)
from extract.run.pipeline import ArticleExtractor, extract_article
from extract.ingest.read import ReadError, read_all
from extract.ingest.segment import segment
from schemas import Article, Record


EXIT_FAILED = 1  # a file or an article failed, or Ctrl-C; everything else was written
EXIT_BREAKER = 3  # the endpoint kept failing: the breaker stopped the batch; re-run to resume
EXIT_OUTPUT = 4  # the output could not be written (disk full…); re-run to resume
EXIT_ENDPOINT = 5  # the endpoint refused the configuration (key, model, path): fix it and re-run


@dataclass
class Summary:
    files: int = 0
    articles: int = 0
    done: int = 0
    skipped: int = 0
    policies: int = 0
    targets: int = 0
    meetings: int = 0
    article_errors: int = 0
    read_errors: list[str] = field(default_factory=list)
    read_warnings: list[str] = field(default_factory=list)  # read, with a few bad bytes replaced
    attempts: int = 0
    requests: int = 0
    retries: int = 0  # transport retries (429, 5xx, timeouts, resets)
    llm_failures: int = 0  # model calls that still failed after retries and reasks
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    # Articles whose decisions were read from log-probabilities / from the boolean alone.
    judged_logprobs: int = 0
    judged_boolean: int = 0
    article_seconds: float = 0.0
    elapsed_s: float = 0.0
    interrupted: bool = False  # Ctrl-C
    remaining: int = 0
    retried: int = 0  # articles redone because their last record held transient errors
    transient_errors: int = 0  # articles written with transient errors (a re-run retries them)
    concurrency: int = 1  # the ceiling (--concurrency)
    concurrency_min: int = 1  # the lowest the adaptive limit went
    rate_limited: int = 0  # 429 responses seen
    endpoint: str | None = None
    breaker: str | None = None  # why the circuit breaker stopped the batch
    abandoned: int = 0  # in-flight articles cut short by the breaker: no record, redone next run
    output_error: str | None = None  # the output could not be written: the batch stopped
    compacted: int = 0  # superseded records dropped from the output at the end
    compact_error: str | None = None
    # The endpoint refused the configuration (401/403, 404, a 400 about the model or a
    # parameter): the batch stopped at once, no record for the article that met it.
    endpoint_error: str | None = None

    @property
    def failed(self) -> bool:
        return (bool(self.read_errors) or self.article_errors > 0 or self.interrupted
                or self.breaker is not None or self.output_error is not None
                or self.endpoint_error is not None)

    @property
    def exit_code(self) -> int:
        if self.endpoint_error is not None:
            return EXIT_ENDPOINT
        if self.output_error is not None:
            return EXIT_OUTPUT
        if self.breaker is not None:
            return EXIT_BREAKER
        return EXIT_FAILED if self.failed else 0

    def add(self, rec: Record) -> None:
        self.done += 1
        self.policies += len(rec.policies)
        self.targets += len(rec.targets)
        self.meetings += len(rec.meetings)
        self.article_errors += 1 if rec.errors else 0
        self.transient_errors += 1 if _transient(rec) else 0
        self.attempts += rec.run.attempts
        self.requests += rec.run.requests
        # Each answer asked for is one attempt; every request beyond it was a transport retry.
        self.retries += max(0, rec.run.requests - rec.run.attempts)
        self.llm_failures += sum(1 for e in rec.errors if e.stage.startswith("llm:"))
        self.prompt_tokens += rec.run.usage.prompt_tokens
        self.completion_tokens += rec.run.usage.completion_tokens
        self.cached_tokens += rec.run.usage.cached_tokens
        self.judged_logprobs += rec.run.judgement in ("logprobs", "mixed")
        self.judged_boolean += rec.run.judgement in ("boolean", "mixed")
        self.article_seconds += rec.run.duration_s


def collect_articles(paths: Iterable[str], summary: Summary,
                     on_error: Callable[[ReadError], None]) -> list[Article]:
    articles: list[Article] = []
    for item in read_all(list(paths)):
        if isinstance(item, ReadError):
            summary.read_errors.append(str(item))
            on_error(item)
            continue
        summary.files += 1
        summary.read_warnings += [f"{item.source}: {w}" for w in item.warnings]
        articles.extend(segment(item))
    summary.articles = len(articles)
    return articles


def _transient(rec: Record) -> bool:
    return any(e.transient for e in rec.errors)


def plan(articles: list[Article], output: Path | None, prompt_version: str, model: str,
         force: bool = False, retry_failed: bool = True) -> tuple[list[Article], int, Existing]:
    """(articles to do, how many of them are redone for transient errors, what `output` holds).

    To do: the articles without a record in `output` for this prompt version and model, and
    those whose last record has transient errors (with `retry_failed`); all with `force`."""
    existing = scan_output(output) if output is not None else Existing()
    if force:
        return list(articles), 0, existing
    todo, retried = [], 0
    for a in articles:
        key = record_key(a.source_sha256, a.index, prompt_version, model)
        transient = existing.latest.get(key)
        # A record that met the endpoint's refusal of the configuration (earlier versions wrote
        # one) is always redone: the article was never really asked.
        refused = key in existing.endpoint_failed
        if transient is None or refused or (transient and retry_failed):
            todo.append(a)
            retried += 1 if (transient or refused) else 0
    return todo, retried, existing


def pending_articles(articles: list[Article], output: Path | None, prompt_version: str, model: str,
                     force: bool = False, retry_failed: bool = True) -> list[Article]:
    """The articles not yet done in `output` for this prompt version and model (all with --force)."""
    return plan(articles, output, prompt_version, model, force, retry_failed)[0]


@contextlib.contextmanager
def _ctrl_c_sets(stop: threading.Event):
    """While the batch runs, Ctrl-C asks it to stop instead of raising wherever the main thread
    happens to be (mid-write, mid-count); a second Ctrl-C interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class RecordSink:
    """What every engine shares around the extraction itself: which articles to do (resume,
    `retry_failed`, `force`), the durable JSONL writer, the summary's counts and, at the end,
    compaction to one record per article. An engine takes `todo`, hands each finished record to
    `accept` and calls `close` once (also after Ctrl-C or an output error)."""

    def __init__(self, articles: list[Article], output: Path | None, *, model: str, prompt_version: str,
                 force: bool = False, retry_failed: bool = True, summary: Summary | None = None,
                 on_record: Callable[[Record, Summary], None] | None = None, stdout: bool = True):
        self.summary = summary or Summary(articles=len(articles))
        self.output = output
        self.on_record = on_record
        self.t0 = time.monotonic()
        self.lock: OutputLock | None = None
        # Made by this run: removed again at the end if no record went into it (a failed start).
        self.created = output is not None and not output.exists()
        if output is not None:
            # Before anything reads or cuts the file: a directory, an input or a foreign file is
            # refused untouched, and a second run on the same output is refused at once.
            guard_output(output, sorted({a.source for a in articles}))
            self.lock = OutputLock(output)
        try:
            self.todo, retried, self.existing = plan(articles, output, prompt_version, model, force, retry_failed)
        except BaseException:
            self._drop_if_empty()
            self.release()
            raise
        self.summary.skipped += len(articles) - len(self.todo)
        self.summary.retried += retried
        self.rewrote = self.existing.superseded > 0  # the file holds records that a later one replaces
        self.stdout = stdout
        self.writer: JsonlWriter | None = None

    def open(self) -> None:
        """Open the output for appending; OutputError when it cannot be."""
        self.writer = JsonlWriter(self.output, stdout=self.stdout)

    def accept(self, rec: Record, abandoned: bool = False) -> None:
        """Write `rec` durably and count it; `abandoned` (cut short by the breaker): no record,
        the re-run does the article. Raises OutputError when the output cannot be written."""
        if abandoned:
            self.summary.abandoned += 1
            return
        self.writer.write(rec)
        # Compact at the end when this record replaces one, or when it or an earlier one of its
        # article (under another model) holds no result: each article keeps one record at least.
        article = record_article(rec)
        if self.output is not None and (record_identity(rec) in self.existing.identities
                                        or article in self.existing.unfinished
                                        or (_transient(rec) and article in self.existing.articles)):
            self.rewrote = True
        self.summary.add(rec)
        if self.on_record:
            self.on_record(rec, self.summary)

    def _drop_if_empty(self) -> None:
        # Under the lock still, so no other run has begun writing into it.
        if self.created and self.lock is not None:
            with contextlib.suppress(OSError):
                if self.output.stat().st_size == 0:
                    self.output.unlink()

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def close(self) -> Summary:
        s = self.summary
        if self.writer is not None:
            self.writer.close()
        try:
            if self.output is not None and self.rewrote and s.output_error is None:
                try:
                    s.compacted = compact(self.output)
                except OSError as exc:  # the file is still whole: a later run compacts it
                    s.compact_error = f"could not compact {self.output}: {exc.strerror or exc}"
        finally:
            self._drop_if_empty()
            self.release()
        s.remaining = s.articles - s.done - s.skipped
        s.elapsed_s = time.monotonic() - self.t0
        return s


def run_batch(
    articles: list[Article],
    extractor: ArticleExtractor,
    output: Path | None,
    *,
    engine: str,
    model: str,
    prompt_version: str,
    concurrency: int = 1,
    force: bool = False,
    retry_failed: bool = True,
    breaker: int = 5,
    adaptive: bool = True,
    summary: Summary | None = None,
    on_record: Callable[[Record, Summary], None] | None = None,
    stop: threading.Event | None = None,
    stdout: bool = True,
) -> Summary:
    """Extract `articles` into `output` (appended, durable per record; None: stdout, or nowhere
    with `stdout=False`), skipping those already there for this prompt version and model unless
    `force`, and redoing those whose last record has transient errors (`retry_failed`). At the
    end the output is compacted to one record per article. Ctrl-C stops taking new articles and
    returns with `summary.interrupted` set.

    `breaker`: transient request failures in a row that stop the batch (0: never).
    `adaptive`: lower the requests in flight on 429 and raise them again on successes, with
    `concurrency` as the ceiling (else always `concurrency`)."""
    summary = summary or Summary(articles=len(articles))
    stop = stop or threading.Event()
    client = extractor.client
    flow = FlowControl(concurrency, adaptive=adaptive, breaker=breaker)
    previous_flow, client.flow = client.flow, flow
    summary.endpoint = client.endpoint
    sink = RecordSink(articles, output, model=model, prompt_version=prompt_version, force=force,
                      retry_failed=retry_failed, summary=summary, on_record=on_record, stdout=stdout)
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    pending: set[Future] = set()
    queue = iter(sink.todo)

    # Keep at most `concurrency` articles in flight so a Ctrl-C loses little work.
    def refill() -> None:
        while len(pending) < max(1, concurrency) and not stop.is_set() and not flow.stopped:
            a = next(queue, None)
            if a is None:
                return
            pending.add(pool.submit(extract_article, extractor, a, engine, model, prompt_version))

    def accept(rec: Record) -> None:
        # Cut short by the breaker: no record, the re-run does it.
        sink.accept(rec, abandoned=flow.stopped and _transient(rec))

    def take(fut: Future) -> None:
        try:
            rec = fut.result()
        except EndpointError as exc:  # the run's error: no record for this article, stop now
            summary.endpoint_error = summary.endpoint_error or str(exc)
            stop.set()
            return
        accept(rec)

    try:
        sink.open()
        with _ctrl_c_sets(stop):
            refill()
            while pending and not stop.is_set() and not flow.stopped:
                finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in finished:
                    pending.discard(fut)
                    take(fut)
                refill()
            if flow.tripped and not stop.is_set():
                # The endpoint is down: no new articles; end the requests in flight now (their
                # retries' waits already ended) and keep what finished whole.
                client.close()
                for fut in as_completed(pending):
                    if not fut.cancelled():
                        take(fut)
                pending.clear()
    except KeyboardInterrupt:
        stop.set()
        summary.interrupted = True
    except OutputError as exc:
        summary.output_error = str(exc)
        stop.set()
    except EndpointError as exc:
        summary.endpoint_error = str(exc)
        stop.set()
    finally:
        if stop.is_set():
            summary.interrupted = summary.interrupted or (summary.output_error is None
                                                          and summary.endpoint_error is None)
            flow.stop()
            for fut in pending:
                fut.cancel()
            # In-flight requests are abandoned: close the client's connections so their
            # threads end now instead of after a slow model's answer.
            client.close()
        pool.shutdown(wait=True, cancel_futures=True)
        client.flow = previous_flow
        stats = flow.stats()
        if stats.tripped:
            summary.breaker = f"{stats.failures_in_a_row} requests in a row failed ({stats.last_error})"
        summary.concurrency, summary.concurrency_min = stats.ceiling, stats.min_reached
        summary.rate_limited += stats.rate_limited
        sink.close()
    return summary
