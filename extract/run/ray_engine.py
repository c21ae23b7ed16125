"""The Ray Data engine (`extract run --engine ray`): the same per-article extraction, spread over
an actor pool on a Ray cluster (or a local Ray), over one or several OpenAI-compatible endpoints
or the embedded engine (one server per actor).

Only the extraction moves: the driver plans the run (resume, `retry_failed`, `force`) and writes
every record as the threaded engine does (`RecordSink`: durable JSONL, counts, compaction), so
the output, the summary and a re-run after a kill are the same. Records stream back as actors
finish them and each is fsynced on arrival: a killed driver loses at most the records in
flight. A lost worker costs a retry: Ray Data restarts the actor and runs its batch again
(`max_restarts`/`max_task_retries` are unlimited for actor pools), and the answers it already
had are in the answer cache.

Each actor holds one `Extractor` (one client, one connection pool) with `threads` articles in
flight, and takes endpoints round robin, so actors spread over the endpoints. Ray is imported
only here, only when this engine is used (the optional extra ``[ray]``).
"""
from __future__ import annotations

import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from extract.run.batch import RecordSink, Summary, _ctrl_c_sets, _transient
from extract.llm.cache import AnswerCache
from extract.run.features import FeatureTrace
from extract.run.output import OutputError
from extract.run.pipeline import ArticleExtractor, extract_article
from schemas import Article, Record

ACTOR_CPUS = 0.25  # an actor waits on HTTP most of the time: four fit on one core
# Articles per task, per thread: an actor's threads stay busy across a task and only its last
# articles wait for the slowest; larger tasks cost Ray less per article but stream back later
# and leave a longer tail at the end of the run.
PER_THREAD = 2


@dataclass
class RayPlan:
    """How the work is laid out: the endpoints, the actors and the articles each has in flight."""

    endpoints: list[str | None]
    actors: int
    threads: int
    settings: dict[str, Any] = field(default_factory=dict)  # the Extractor's keyword settings
    cache: tuple[str, str | None] | None = None  # (SQLite path, endpoint name in keys)
    # What builds each actor's extractor (the API's Extractor class, passed in by the API so
    # this module never imports the stage above it; Ray ships it by reference).
    make_extractor: Any = None


def layout(concurrency: int, endpoints: list[str | None], actors: int | None, todo: int) -> tuple[int, int]:
    """(actors, threads per actor): by default one actor per endpoint and at least two, never
    more actors than articles in flight; the threads share out `concurrency`."""
    n = actors or max(2, len(endpoints))
    n = max(1, min(n, concurrency, todo or 1))
    return n, max(1, math.ceil(concurrency / n))


class _Sequence:
    """Numbers the actors as they start, so that they take the endpoints in turn."""

    def __init__(self) -> None:
        self.n = -1

    def next(self) -> int:
        self.n += 1
        return self.n


class ArticleWorker:
    """One actor of the pool: an Extractor for one endpoint, `threads` articles at a time."""

    def __init__(self, plan: RayPlan, sequence: Any, engine: str, model: str, prompt_version: str,
                 breaker: int, adaptive: bool) -> None:
        import ray

        from extract.llm.flow import FlowControl

        index = ray.get(sequence.next.remote())
        base_url = plan.endpoints[index % len(plan.endpoints)]
        cache = AnswerCache(plan.cache[0], endpoint=plan.cache[1]) if plan.cache else False
        self.extractor = plan.make_extractor(base_url=base_url, cache=cache, concurrency=plan.threads, engine=engine,
                                   env=False, **plan.settings)
        self.model, self.prompt_version = model, prompt_version
        # As in the threaded engine: the breaker and the adaptive limit see every request.
        self.flow = FlowControl(plan.threads, adaptive=adaptive, breaker=breaker)
        self.extractor.client.flow = self.flow
        self.pool = ThreadPoolExecutor(max_workers=plan.threads)
        # With keep_features: each article's rows go back with its record, and the driver
        # writes them beside the output as the threaded engine does.
        self.features: FeatureTrace | None = None
        self.pipeline = self.extractor.pipeline
        options = self.pipeline.options
        if options.keep_features:
            self.features = FeatureTrace()
            self.pipeline = ArticleExtractor(self.extractor.client,
                                             replace(options, trace=self.features.tee(options.trace)))

    def _extract(self, article: Article) -> tuple[Record | None, str, str]:
        from extract.llm.client import EndpointError

        try:
            ex = self.extractor
            record, error = extract_article(self.pipeline, article, ex.engine, ex.model, ex.prompt_version), ""
        except EndpointError as exc:
            record, error = None, str(exc)
        rows = self.features.take(article) if self.features is not None else []
        return record, error, json.dumps(rows) if rows else ""

    def __call__(self, batch: dict) -> dict:
        articles = [Article.model_validate_json(a) for a in batch["article"]]
        cache = self.extractor.cache
        before = (cache.hits, cache.stores) if cache is not None else (0, 0)
        results = list(self.pool.map(self._extract, articles))
        records = [r for r, _, _ in results]
        stats = self.flow.stats()
        why = f"{stats.failures_in_a_row} requests in a row failed ({stats.last_error})" if stats.tripped else ""
        after = (cache.hits, cache.stores) if cache is not None else (0, 0)
        pad = [0] * (len(records) - 1)
        return {"record": [r.model_dump_json() if r is not None else "" for r in records],
                # Cut short by the breaker: no record, the re-run does the article.
                "abandoned": [r is None or (self.flow.stopped and _transient(r)) for r in records],
                # The endpoint refused the configuration: no record, the driver stops the run.
                "endpoint_error": [e for _, e, _ in results],
                "features": [f for _, _, f in results],
                "breaker": [why] * len(records),
                # The driver's summary counts the actors' cache use (on the batch's first row).
                "cache_hits": [after[0] - before[0], *pad], "cache_stores": [after[1] - before[1], *pad]}


def run_ray(
    articles: list[Article],
    output: Path | None,
    plan: RayPlan,
    *,
    engine: str,
    model: str,
    prompt_version: str,
    concurrency: int,
    address: str | None = None,
    force: bool = False,
    retry_failed: bool = True,
    breaker: int = 5,
    adaptive: bool = True,
    summary: Summary | None = None,
    on_record: Callable[[Record, Summary], None] | None = None,
    stop: threading.Event | None = None,
    stdout: bool = True,
    cache: AnswerCache | None = None,
    features: FeatureTrace | None = None,
) -> Summary:
    """`run_batch` on Ray: the articles not done in `output` go through an actor pool (see
    `layout`); each record is appended to `output` as it streams back. Connects to the cluster
    at `address` (None: the one this process is already connected to, else a local Ray started
    for this run and stopped after it). `cache`: the driver's, whose counters add the actors';
    `features`: the run's features log, given the rows each record's actor traced (before the
    record is accepted, whose `on_record` writes them)."""
    import ray  # only with this engine

    summary = summary or Summary(articles=len(articles))
    stop = stop or threading.Event()
    sink = RecordSink(articles, output, model=model, prompt_version=prompt_version, force=force,
                      retry_failed=retry_failed, summary=summary, on_record=on_record, stdout=stdout)
    summary.endpoint = ", ".join(e for e in plan.endpoints if e) or None
    summary.concurrency = summary.concurrency_min = plan.actors * plan.threads
    started = False
    try:
        sink.open()
        if sink.todo:
            if not ray.is_initialized():
                ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
                started = True
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False
            sequence = ray.remote(num_cpus=0)(_Sequence).remote()
            # One block per task: Ray Data maps a block inside one actor, so a dataset left in a
            # single block would keep every actor but one idle.
            per_task = plan.threads * PER_THREAD
            ds = ray.data.from_items([{"article": a.model_dump_json()} for a in sink.todo],
                                     override_num_blocks=max(1, math.ceil(len(sink.todo) / per_task)))
            ds = ds.map_batches(
                ArticleWorker, batch_size=per_task, batch_format="default",
                fn_constructor_kwargs=dict(plan=plan, sequence=sequence, engine=engine, model=model,
                                           prompt_version=prompt_version, breaker=breaker, adaptive=adaptive),
                compute=ray.data.ActorPoolStrategy(size=plan.actors, max_tasks_in_flight_per_actor=2),
                # Two tasks at once per actor share its threads: while one task waits on its last
                # articles, the next one's keep the threads busy (no tail inside the run).
                max_concurrency=2, num_cpus=ACTOR_CPUS)
            with _ctrl_c_sets(stop):
                for row in ds.iter_rows():
                    if cache is not None:
                        cache.hits += row["cache_hits"]
                        cache.stores += row["cache_stores"]
                    if row.get("endpoint_error"):  # the run's error: stop, no record for it
                        summary.endpoint_error = row["endpoint_error"]
                        break
                    record = Record.model_validate_json(row["record"])
                    if features is not None and row.get("features"):
                        features.put(record.article, json.loads(row["features"]))
                    if row["abandoned"]:
                        summary.breaker = row["breaker"]
                        sink.accept(record, abandoned=True)
                        break
                    sink.accept(record)
                    if stop.is_set():
                        break
    except KeyboardInterrupt:
        stop.set()
    except OutputError as exc:
        summary.output_error = str(exc)
    finally:
        if stop.is_set() and summary.output_error is None:
            summary.interrupted = True
        sink.close()
        if started:
            ray.shutdown()
    return summary
