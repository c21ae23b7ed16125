"""Run extraction over files and folders: read → segment → extract → write, concurrently.

One bad file or article never stops the batch: read errors are reported with the file name,
article failures are written as records with `errors`. Finished records are durable as soon as
they are written, and a re-run with the same output skips them.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extract.output import JsonlWriter, record_key, repair_and_scan
from extract.pipeline import ArticleExtractor, extract_article
from extract.read import ReadError, read_all
from extract.segment import segment
from schemas import Article, Record


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
    attempts: int = 0
    requests: int = 0
    retries: int = 0  # transport retries (429, 5xx, timeouts, resets)
    llm_failures: int = 0  # model calls that still failed after retries and reasks
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    article_seconds: float = 0.0
    elapsed_s: float = 0.0
    interrupted: bool = False
    remaining: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.read_errors) or self.article_errors > 0 or self.interrupted

    def add(self, rec: Record) -> None:
        self.done += 1
        self.policies += len(rec.policies)
        self.targets += len(rec.targets)
        self.meetings += len(rec.meetings)
        self.article_errors += 1 if rec.errors else 0
        self.attempts += rec.run.attempts
        self.requests += rec.run.requests
        # Each answer asked for is one attempt; every request beyond it was a transport retry.
        self.retries += max(0, rec.run.requests - rec.run.attempts)
        self.llm_failures += sum(1 for e in rec.errors if e.stage.startswith("llm:"))
        self.prompt_tokens += rec.run.usage.prompt_tokens
        self.completion_tokens += rec.run.usage.completion_tokens
        self.cached_tokens += rec.run.usage.cached_tokens
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
        articles.extend(segment(item))
    summary.articles = len(articles)
    return articles


def pending_articles(articles: list[Article], output: Path | None, prompt_version: str, model: str,
                     force: bool = False) -> list[Article]:
    """The articles not yet in `output` for this prompt version and model (all with --force)."""
    done = set() if (force or output is None) else repair_and_scan(output)
    return [a for a in articles
            if record_key(a.source_sha256, a.index, prompt_version, model) not in done]


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
    summary: Summary | None = None,
    on_record: Callable[[Record, Summary], None] | None = None,
    stop: threading.Event | None = None,
    stdout: bool = True,
) -> Summary:
    """Extract `articles` into `output` (appended, durable per record; None: stdout, or nowhere
    with `stdout=False`), skipping those already there for this prompt version and model unless
    `force`. Ctrl-C stops taking new articles and returns with `summary.interrupted` set."""
    summary = summary or Summary(articles=len(articles))
    stop = stop or threading.Event()
    t0 = time.monotonic()
    todo = pending_articles(articles, output, prompt_version, model, force)
    summary.skipped += len(articles) - len(todo)
    writer = JsonlWriter(output, stdout=stdout)
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    pending: set[Future] = set()
    queue = iter(todo)

    # Keep at most `concurrency` articles in flight so a Ctrl-C loses little work.
    def refill() -> None:
        while len(pending) < max(1, concurrency) and not stop.is_set():
            a = next(queue, None)
            if a is None:
                return
            pending.add(pool.submit(extract_article, extractor, a, engine, model, prompt_version))

    try:
        with _ctrl_c_sets(stop):
            refill()
            while pending and not stop.is_set():
                finished, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in finished:
                    pending.discard(fut)
                    rec = fut.result()
                    writer.write(rec)
                    summary.add(rec)
                    if on_record:
                        on_record(rec, summary)
                refill()
    except KeyboardInterrupt:
        stop.set()
    finally:
        if stop.is_set():
            summary.interrupted = True
            for fut in pending:
                fut.cancel()
            # In-flight requests are abandoned: close the client's connections so their
            # threads end now instead of after a slow model's answer.
            extractor.client.close()
        pool.shutdown(wait=True, cancel_futures=True)
        writer.close()
        summary.remaining = summary.articles - summary.done - summary.skipped
        summary.elapsed_s = time.monotonic() - t0
    return summary
