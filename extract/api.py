"""The Python API: what the `extract` command, the tests and the benchmarks stand on.

Three lines extract one article from a string (the endpoint from OPENAI_BASE_URL /
OPENAI_API_KEY / EXTRACT_MODEL, else the embedded model)::

    import extract
    records = extract.extract_text("本报讯 到2025年，全区规模以上工业企业力争达到120家。")
    print(records[0].targets[0].value)

For more than one call, build an `Extractor` once (a context manager: the embedded server, when
used, starts on the first model call and stops on close)::

    with extract.Extractor(base_url="http://localhost:11434/v1", model="qwen2.5:7b") as ex:
        records = ex.extract_text(text, title="…", published="2021-02-19")
        result = ex.extract_paths(["pages/"], output="run.jsonl")   # resumes like `extract run`

Scoring, diff, review and database loading work on run files: `evaluate_files`, `diff_files`,
`review_files`, `load_files`.
"""
from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import urlparse

from extract.kinds.judgement import Calibration, resolve_calibration
from extract.run.batch import Summary, collect_articles, run_batch
from extract.llm.cache import FILE_NAME, AnswerCache
from extract.llm.client import MODES, EndpointDown, EndpointError, LLMClient, LLMSettings
from extract.llm.usage import check_settings
from extract.llm.engine import ENGINE_NAME
from extract.llm.model_file import MODEL_NAME
from extract.run.pipeline import ArticleExtractor, Options, extract_article
from extract.llm.prompting import prompt_version
from extract.ingest.read import TEXT_SOURCE, ReadError, document_from_text, read_all
from extract.ingest.segment import segment
from schemas import Article, Record
from extract.run.guard import OutputRefused, guard_output

if TYPE_CHECKING:  # imported on use: scoring and the database are not needed to extract
    from extract.run.batch_api import BatchInfo, CollectReport, Setup, SubmitReport
    from extract.run.features import FeatureLog
    from extract.review.calibrate import Calibrated
    from extract.run.ray_engine import RayPlan
    from extract.review.diff import DiffReport
    from extract.review.evaluate import ItemError, Report
    from extract.store.load import LoadReport

PathLike = str | os.PathLike[str]
CacheSetting = bool | PathLike | AnswerCache | None

DEFAULT_MODEL = "gpt-4o-mini"  # an API key alone means OpenAI itself
STDOUT = "-"  # as `output`: print records to stdout, as `extract run` does without -o
# The embedded server's real URL is known only once it has started (first model call).
_NOT_STARTED_URL = "http://127.0.0.1:9/v1"

__all__ = [
    "Extractor", "BatchResult", "Options", "Summary", "ReadError", "MODES", "DEFAULT_MODEL", "STDOUT",
    "extract_text", "iter_articles", "read_articles", "write_articles", "read_text", "evaluate_files", "error_files", "diff_files", "review_files",
    "load_files", "serve", "MODEL_NAME", "calibrate_files",
]


@dataclass
class BatchResult:
    """What `Extractor.extract_paths` did: counts (the `Summary` `extract run` prints) and the
    records extracted by this call (not those skipped as already in the output)."""

    summary: Summary
    records: list[Record] = field(default_factory=list)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


class Extractor:
    """Extracts policies, targets and meetings with one model endpoint.

    With a `base_url` or an `api_key` (given, or from OPENAI_BASE_URL / OPENAI_API_KEY when
    `env` is true) it talks to that OpenAI-compatible endpoint (`model` defaults to
    EXTRACT_MODEL, else gpt-4o-mini); with neither, to the embedded llama.cpp server, started on
    the first model call (never when every answer is cached) and stopped by `close()`.

    Args:
        base_url: OpenAI-compatible endpoint, e.g. ``http://localhost:11434/v1``.
        model: model name at the endpoint (ignored by the embedded engine).
        api_key: API key; never written to output or logs.
        mode: instructor mode, one of `MODES` (default by endpoint).
        reasks: validation reasks per request.
        max_tokens: cap on tokens generated per request.
        timeout: seconds per HTTP request.
        cache: the local answer cache: True (the user cache, EXTRACT_CACHE_DIR), False/None
            (off), a folder (``<folder>/answers.sqlite``), a ``.sqlite``/``.db`` file, or an
            `AnswerCache`.
        concurrency: articles in flight at once (and the embedded server's parallel slots).
        options: the pipeline's switchable steps (benchmarks measure each one).
        engine: the engine name stamped into records (default: ``openai-compatible:<host>`` or
            ``embedded-llama.cpp``).
        env: read unset `base_url`, `api_key` and `model` from the environment.
        log: called with one line when the engine is chosen or the embedded server starts.
        client_class: the model client (a subclass can stand in for the model).
        **llm: further `LLMSettings` fields (transport_attempts, max_backoff_s, seed,
            start_endpoint …).
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        reasks: int = 1,
        max_tokens: int = 1200,
        timeout: float = 600.0,
        cache: CacheSetting = True,
        concurrency: int = 1,
        options: Options = Options(),
        engine: str | None = None,
        env: bool = True,
        log: Callable[[str], None] | None = None,
        client_class: type[LLMClient] = LLMClient,
        **llm: Any,
    ) -> None:
        if mode is not None and mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        # An empty URL, a key a header cannot carry, a timeout the clock cannot hold: refused
        # here (UsageError), before any request, rather than met by every request alike.
        check_settings(base_url=base_url, api_key=api_key, timeout=timeout)
        base_url = base_url.strip() if base_url else base_url  # as the command line reads it
        if env:
            base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
            api_key = api_key or os.environ.get("OPENAI_API_KEY") or None
            model = model or os.environ.get("EXTRACT_MODEL") or None
            if options.calibration is None and os.environ.get("EXTRACT_CALIBRATION"):
                options = replace(options, calibration=os.environ["EXTRACT_CALIBRATION"])
            check_settings(base_url=base_url, api_key=api_key)
        # A calibration file is read once, here (CalibrationFileError when it cannot be used),
        # and travels loaded: a Ray actor need not see the file.
        options = replace(options, calibration=resolve_calibration(options.calibration))
        self.concurrency = max(1, concurrency)
        # What a Ray actor needs to build the same Extractor for its endpoint (no callables: they
        # do not travel; the embedded engine's start hook is made in the actor).
        self._remote_settings = dict(model=model, api_key=api_key, mode=mode, reasks=reasks, max_tokens=max_tokens,
                                     timeout=timeout, options=options, client_class=client_class,
                                     **{k: v for k, v in llm.items() if not callable(v)})
        self._log = log or (lambda line: None)
        self._stack = contextlib.ExitStack()
        self._closed = False
        self.embedded = not (base_url or api_key)
        self._model_given = model is not None
        self._checked = False
        common = dict(reasks=reasks, max_tokens=max_tokens, timeout_s=timeout, **llm)
        if not self.embedded:
            # An API key alone means OpenAI itself; a base URL any compatible server.
            host = urlparse(base_url or "https://api.openai.com/v1").hostname
            self.engine = engine or f"openai-compatible:{host}"
            self.settings = LLMSettings(base_url=base_url, api_key=api_key, model=model or DEFAULT_MODEL,
                                        mode=mode, cache=_answer_cache(cache, None), **common)
            self._log(f"engine: {self.engine}, model {self.settings.model}")
        else:
            self.engine = engine or ENGINE_NAME
            common.setdefault("start_endpoint", self._start_embedded)
            # The server's port changes per run: the engine name keys its answers.
            self.settings = LLMSettings(base_url=_NOT_STARTED_URL, api_key="local", model=MODEL_NAME,
                                        mode=mode or "json_schema", cache=_answer_cache(cache, ENGINE_NAME),
                                        **common)
        self.client = client_class(self.settings)
        self.pipeline = ArticleExtractor(self.client, options)

    @property
    def model(self) -> str:
        """The model name stamped into records."""
        return self.settings.model

    @property
    def prompt_version(self) -> str:
        """Content hash of the prompts and answer schemas, stamped into records."""
        return prompt_version()

    @property
    def calibration(self) -> Calibration:
        """The confidence model in use: `Options(calibration=…)`, EXTRACT_CALIBRATION, else the
        shipped one."""
        return self.pipeline.calibration

    @property
    def calibration_note(self) -> str | None:
        """One line when the calibration was fitted for another model (or, a user's, on runs of
        another prompt version) than this run's: its confidences and cuts may not fit."""
        cal = self.calibration
        notes = []
        if cal.model and cal.model != self.model:
            notes.append(f"model {cal.model}, not {self.model}")
        if not cal.shipped and cal.prompt_version and cal.prompt_version != self.prompt_version:
            notes.append(f"prompt version {cal.prompt_version}, not {self.prompt_version}")
        if not notes:
            return None
        fix = ("fit one for yours with `extract calibrate` (docs/your-model.md)" if cal.shipped else
               "fit one on this model's runs with `extract calibrate`")
        return (f"the confidences come from {cal.name}, fitted for {' and '.join(notes)}: "
                f"they and the default cuts may not fit this run; {fix}")

    @property
    def cache(self) -> AnswerCache | None:
        """The answer cache in use (its `hits`, `stores` and `path`), or None."""
        return self.client.cache

    def _start_embedded(self) -> str:
        from extract.llm.engine import EmbeddedServer  # the embedded engine only when it is used

        self._log(f"engine: embedded llama.cpp server, model {MODEL_NAME} (starting on 127.0.0.1…)")
        return self._stack.enter_context(EmbeddedServer(parallel=self.concurrency)).base_url

    # -- extraction ------------------------------------------------------------------------

    def extract_article(self, article: Article) -> Record:
        """One article (as `read_articles` or `read_text` make them) to its record."""
        return extract_article(self.pipeline, article, self.engine, self.model, self.prompt_version)

    def extract_articles(self, articles: Iterable[Article]) -> list[Record]:
        """Records of `articles`, in order, `concurrency` at a time; nothing is written."""
        articles = list(articles)
        if self.concurrency == 1 or len(articles) < 2:
            return [self.extract_article(a) for a in articles]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self.extract_article, articles))

    def extract_text(self, text: str, title: str | None = None, published: str | date | None = None,
                     outlet: str | None = None, source: str | None = None) -> list[Record]:
        """Extract from one page given as a string (plain text, Markdown or HTML).

        The text is cleaned and cut into articles like a file (one record per article, usually
        one). `title`, `published` (ISO date) and `outlet` replace what the text says; `source`
        names it in the records (article ids are ``<source stem>#<n>``; default ``<text>``).
        Raises `ReadError` when the text has nothing to read.
        """
        return self.extract_articles(read_text(text, title=title, published=published, outlet=outlet,
                                               source=source))

    def extract_paths(
        self,
        paths: Iterable[PathLike],
        output: PathLike | None = None,
        *,
        force: bool = False,
        retry_failed: bool = True,
        breaker: int = 5,
        adaptive: bool = True,
        keep_records: bool = True,
        on_record: Callable[[Record, Summary], None] | None = None,
        on_read_error: Callable[[ReadError], None] | None = None,
        stop: threading.Event | None = None,
        **runner: Any,
    ) -> BatchResult:
        """Extract files and folders (.txt .md .html; "-" reads stdin) as `extract run` does.

        Each record is appended to `output` (JSON Lines) and made durable as soon as its article
        finishes; articles already there for this prompt version and model are skipped (all
        redone with `force`), so running again after a crash or Ctrl-C finishes the rest; those
        whose last record has transient errors (connection, timeout, 429/5xx) are redone unless
        `retry_failed` is false. At the end the output is compacted to one record per article.
        `output` None writes nowhere, ``"-"`` prints to stdout. A file that cannot be read goes
        to `on_read_error` and into `summary.read_errors`; it never stops the batch.
        `breaker`: after this many requests in a row fail for a transient reason the batch
        stops (`summary.breaker` says why, `summary.exit_code` is 3; 0: never). `adaptive`:
        fewer requests in flight after a 429, more again after successes (`concurrency` is the
        ceiling). An output that cannot be written stops the batch (`summary.output_error`,
        exit code 4); the file keeps only whole records.
        The endpoint refusing the configuration (401/403, a 404, a 400 naming the model or a
        parameter; or, asked before the first article, `/v1/models` not listing `model`) stops
        the batch at once with no record for the article that met it (`summary.endpoint_error`,
        exit code 5). An `output` that is a directory, one of the inputs or inside an input folder,
        a file that is not a run file, or held by another run raises `extract.OutputRefused`
        before anything is read from it or written.
        `keep_records=False` keeps memory flat on big batches (the records are in `output`).
        `runner`: `run_batch`'s choice of engine (``runner="ray"``, ``ray_address``, ``ray_actors``,
        ``endpoints``).
        """
        paths = [str(p) for p in paths]
        if output is not None and str(output) != STDOUT:
            guard_output(output, paths)  # a folder given as input holds no output: refused before reading
        summary = Summary()
        articles = collect_articles(paths, summary, on_read_error or (lambda e: None))
        return self.run_batch(articles, output, force=force, retry_failed=retry_failed, breaker=breaker,
                              adaptive=adaptive, summary=summary, keep_records=keep_records,
                              on_record=on_record, stop=stop, **runner)

    def run_batch(
        self,
        articles: list[Article],
        output: PathLike | None = None,
        *,
        force: bool = False,
        retry_failed: bool = True,
        breaker: int = 5,
        adaptive: bool = True,
        summary: Summary | None = None,
        keep_records: bool = True,
        on_record: Callable[[Record, Summary], None] | None = None,
        stop: threading.Event | None = None,
        runner: str = "threads",
        ray_address: str | None = None,
        ray_actors: int | None = None,
        endpoints: list[str] | None = None,
    ) -> BatchResult:
        """`extract_paths` for articles already read (see `read_articles`).

        `runner`: ``"threads"`` (this process, `concurrency` articles in flight) or ``"ray"``
        (a Ray Data actor pool: `ray_actors` actors, default one per endpoint and at least two,
        sharing `concurrency`; on the cluster at `ray_address`, else a local Ray; needs the
        ``[ray]`` extra). `endpoints`: several OpenAI-compatible base URLs serving the same
        model, taken by the Ray actors in turn (default: this Extractor's)."""
        if runner not in ("threads", "ray"):
            raise ValueError(f"unknown runner {runner!r}: 'threads' or 'ray'")
        if runner == "threads" and endpoints and len(endpoints) > 1:
            raise ValueError("several endpoints need the Ray engine (runner='ray', `--engine ray`)")
        result = BatchResult(summary or Summary(articles=len(articles)))

        def record(rec: Record, s: Summary) -> None:
            if keep_records:
                result.records.append(rec)
            if on_record is not None:
                on_record(rec, s)

        if articles:
            try:
                self.check_endpoint()
            except EndpointError as exc:  # nothing sent, nothing written: fix and run again
                result.summary.endpoint_error = str(exc)
                result.summary.remaining = len(articles)
                return result
            except EndpointDown as exc:  # as the breaker would: nothing written, run again later
                result.summary.breaker = str(exc)
                result.summary.endpoint = self.client.endpoint
                result.summary.remaining = len(articles)
                return result
        to_stdout = output is not None and str(output) == STDOUT
        path = None if output is None or to_stdout else Path(output)
        pipeline, features = self._feature_log(path)
        if features is not None:
            user_record = record

            def record(rec: Record, s: Summary) -> None:  # noqa: F811 - the rows, then the caller's
                features.write(rec)
                user_record(rec, s)

        common = dict(engine=self.engine, model=self.model, prompt_version=self.prompt_version,
                      concurrency=self.concurrency, force=force, retry_failed=retry_failed, breaker=breaker,
                      adaptive=adaptive, summary=result.summary, on_record=record, stop=stop, stdout=to_stdout)
        try:
            if runner == "ray":
                from extract.run.ray_engine import run_ray

                run_ray(articles, path, self._ray_plan(endpoints, ray_actors, len(articles)), address=ray_address,
                        cache=self.cache, features=features, **common)
            else:
                run_batch(articles, pipeline, path, **common)
        finally:
            if features is not None:
                features.close()
        return result

    def _feature_log(self, path: Path | None) -> tuple[ArticleExtractor, "FeatureLog | None"]:
        """With `Options(keep_features=True)`: the pipeline that traces every judged item into a
        `FeatureLog` writing `<output>.features.jsonl` (on Ray, the actors trace and send the
        rows back with each record; the log writes them)."""
        options = self.pipeline.options
        if not options.keep_features:
            return self.pipeline, None
        if path is None:
            raise ValueError("keep_features writes beside the output file: give an output path")
        from extract.run.features import FeatureLog, features_path

        log = FeatureLog(features_path(path), self.pipeline.calibration, options.min_confidence)
        return ArticleExtractor(self.client, replace(options, trace=log.tee(options.trace))), log

    def check_endpoint(self) -> None:
        """Ask the endpoint (once) which models it serves: an unknown model or a refused key
        raises `EndpointError`; without a model given, the one model served is taken. The
        embedded engine and endpoints without `/models` pass unchecked."""
        if self.embedded or self._checked:
            return
        taken = self.client.check_model(self._model_given)
        self._checked = True
        if taken is not None:
            self._remote_settings["model"] = taken
            self._log(f"model: {taken} (the one model {self.client.endpoint} serves)")

    def _ray_plan(self, endpoints: list[str] | None, actors: int | None, articles: int) -> "RayPlan":
        from extract.run.ray_engine import RayPlan, layout

        urls: list[str | None] = list(endpoints or [None if self.embedded else self.settings.base_url])
        n, threads = layout(self.concurrency, urls, actors, articles)
        cache = self.cache
        # Every actor keys answers as this Extractor does (the first endpoint's, or the embedded
        # engine's name), whichever endpoint answered: a re-run finds them all.
        key_endpoint = cache.endpoint or self.settings.base_url if cache is not None else None
        return RayPlan(endpoints=urls, actors=n, threads=threads, settings=self._remote_settings,
                       cache=(str(cache.path), key_endpoint) if cache is not None else None,
                       make_extractor=Extractor)

    # -- batch mode (provider Batch APIs) -------------------------------------------------------

    def _batch_setup(self) -> "Setup":
        from extract.run.batch_api import BatchError, Setup

        if self.embedded:
            raise BatchError("batch mode needs an endpoint: give a base URL (--base-url) or an API key")
        return Setup(self.settings, self.client.mode, self.pipeline.options, self.prompt_version)

    def batch_submit(
        self,
        paths: Iterable[PathLike],
        output: PathLike,
        *,
        requests_only: PathLike | None = None,
        force: bool = False,
        retry_failed: bool = True,
        on_read_error: Callable[[ReadError], None] | None = None,
        **limits: int,
    ) -> "SubmitReport":
        """`extract batch submit`: the first requests of the articles not yet in `output`, less
        those the answer cache holds and those submitted before, as Batch API request files
        (50,000 requests and 200 MB each at most; `limits`: max_requests, max_bytes), uploaded
        and submitted as batches whose ids go to a state file beside `output`
        (``<output>.batch.json``). `requests_only`: write the files to that folder, upload nothing."""
        from extract.run import batch_api

        setup = self._batch_setup()
        summary = Summary()
        names = [str(Path(p).resolve()) if str(p) != "-" else "-" for p in paths]
        articles = collect_articles(names, summary, on_read_error or (lambda e: None))
        return batch_api.submit(articles, Path(output), setup, names,
                                requests_only=Path(requests_only) if requests_only is not None else None,
                                force=force, retry_failed=retry_failed, log=self._log, **limits)

    def batch_status(self, output: PathLike) -> list["BatchInfo"]:
        """`extract batch status`: each batch of `output`'s state file, with its request counts."""
        from extract.run import batch_api

        return batch_api.status(Path(output), self._batch_setup().settings)

    def batch_collect(
        self,
        output: PathLike,
        paths: Iterable[PathLike] | None = None,
        *,
        from_files: Iterable[PathLike] = (),
        resubmit: bool = False,
        wait: bool = False,
        poll_s: float = 30.0,
        force: bool = False,
        retry_failed: bool = True,
        breaker: int = 5,
        keep_records: bool = True,
        on_record: Callable[[Record, Summary], None] | None = None,
        on_read_error: Callable[[ReadError], None] | None = None,
    ) -> tuple["CollectReport", BatchResult | None]:
        """`extract batch collect`: download the batches' output and error files (or read
        `from_files`, e.g. from ``vllm run-batch``), validate each answer as a live answer and
        keep the valid ones in the answer cache, then complete the run into `output` as
        `extract_paths` does, those answers being cache hits. Invalid answers, per-request errors
        and expired batches are asked live, or with `resubmit` go into a second batch round.
        `paths` default to those given to `batch_submit`. While a batch is still running nothing
        is collected (the report's `running`), unless `wait` polls until all have ended."""
        from extract.run import batch_api

        setup = self._batch_setup()
        state = batch_api.BatchState.load(batch_api.state_path(Path(output)))
        if paths is None:
            if state is None:
                raise batch_api.BatchError(
                    f"no batches for {output}: no state file {batch_api.state_path(Path(output))}; run `extract "
                    "batch submit` first, or give the inputs and the output files (--from-file)")
            paths = state.data["paths"]
        guard_output(output, [*map(str, paths), *map(str, from_files)])  # before the output is scanned
        summary = Summary()
        articles = collect_articles([str(p) for p in paths], summary, on_read_error or (lambda e: None))
        result: list[BatchResult] = []

        def run_live() -> Summary:
            result.append(self.run_batch(articles, output, force=force, retry_failed=retry_failed,
                                         breaker=breaker, summary=summary, keep_records=keep_records,
                                         on_record=on_record))
            return result[0].summary

        report = batch_api.collect(articles, Path(output), setup, from_files=[Path(f) for f in from_files],
                                   resubmit=resubmit, wait=wait, poll_s=poll_s, force=force,
                                   retry_failed=retry_failed, run_live=run_live, log=self._log)
        return report, (result[0] if result else None)

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connections and stop the embedded server if it was started."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.close()
        finally:
            self._stack.close()

    def __enter__(self) -> "Extractor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _answer_cache(cache: CacheSetting, endpoint: str | None) -> AnswerCache | None:
    if cache is None or cache is False:
        return None
    if isinstance(cache, AnswerCache):
        return cache
    if cache is True:
        return AnswerCache(endpoint=endpoint)
    path = Path(cache)
    if path.suffix not in (".sqlite", ".sqlite3", ".db"):
        path = path / FILE_NAME
    return AnswerCache(path, endpoint=endpoint)


# -- reading -------------------------------------------------------------------------------


def iter_articles(paths: Iterable[PathLike],
                  on_error: Callable[[ReadError], None] | None = None,
                  on_warning: Callable[[str], None] | None = None) -> Iterator[Article]:
    """Read, clean and segment files and folders ("-": stdin) into articles, file by file, as
    `extract read` does; a file that cannot be read goes to `on_error` and is skipped; what
    reading let pass (a few bad bytes replaced) goes to `on_warning` as "<source>: <what>"."""
    for item in read_all([str(p) for p in paths]):
        if isinstance(item, ReadError):
            if on_error is not None:
                on_error(item)
            continue
        if on_warning is not None:
            for w in item.warnings:
                on_warning(f"{item.source}: {w}")
        yield from segment(item)


class _NothingRead(Exception):
    """Ends `write_articles`' block without replacing the output."""


def write_articles(paths: Iterable[PathLike], output: PathLike | None = None, *, force: bool = False,
                   on_error: Callable[[ReadError], None] | None = None,
                   on_warning: Callable[[str], None] | None = None) -> int:
    """`extract read`: the articles of `paths` as JSON Lines (the spec's article objects) into
    `output`, or to stdout when it is None; returns how many were written.

    `output` is guarded as every command's (`OutputRefused`: a directory, an input or a file in
    an input folder, an existing file that is not an articles file unless `force`) and written
    whole: into a temporary file renamed over it at the end, so Ctrl-C or a failure leaves an
    old file as it was, and a read that found no article at all leaves it untouched."""
    import json
    import sys

    paths = [str(p) for p in paths]
    if output is None:
        written = 0
        for article in iter_articles(paths, on_error, on_warning):
            sys.stdout.write(json.dumps(article.model_dump(), ensure_ascii=False) + "\n")
            written += 1
        return written
    from extract.run.guard import ARTICLES, replacing

    out = guard_output(output, paths, ARTICLES, force=force)
    written = 0
    try:
        with replacing(out) as f:
            for article in iter_articles(paths, on_error, on_warning):
                f.write(json.dumps(article.model_dump(), ensure_ascii=False) + "\n")
                written += 1
            if not written:
                raise _NothingRead
    except _NothingRead:
        pass
    return written


def read_articles(paths: Iterable[PathLike],
                  on_error: Callable[[ReadError], None] | None = None) -> tuple[list[Article], Summary]:
    """Read, clean and segment files and folders ("-": stdin) into articles, as `extract read`.

    Returns the articles and a `Summary` counting files and articles, with the files that could
    not be read in `read_errors` (each also passed to `on_error`)."""
    summary = Summary()
    articles = collect_articles([str(p) for p in paths], summary, on_error or (lambda e: None))
    return articles, summary


def read_text(text: str, *, title: str | None = None, published: str | date | None = None,
              outlet: str | None = None, source: str | None = None) -> list[Article]:
    """One page given as a string, cleaned and cut into articles (see `Extractor.extract_text`)."""
    return segment(document_from_text(text, source or TEXT_SOURCE, title=title, published=published,
                                      outlet=outlet))


# -- one-call convenience ------------------------------------------------------------------


def extract_text(text: str, *, title: str | None = None, published: str | date | None = None,
                 outlet: str | None = None, source: str | None = None, **settings: Any) -> list[Record]:
    """Extract from one page given as a string with a one-off `Extractor(**settings)`.

    Without settings the endpoint comes from OPENAI_BASE_URL / OPENAI_API_KEY / EXTRACT_MODEL,
    else the embedded model runs (started for this call, stopped after it)."""
    with Extractor(**settings) as ex:
        return ex.extract_text(text, title=title, published=published, outlet=outlet, source=source)


def serve(host: str = "127.0.0.1", port: int = 8080, ctx: int = 8192, parallel: int = 1) -> None:
    """Run the embedded model as an OpenAI-compatible server until interrupted (`extract serve`)."""
    from extract.llm.engine import serve_forever

    serve_forever(host=host, port=port, n_ctx=ctx, parallel=parallel)


# -- run files: score, diff, review, load --------------------------------------------------


def evaluate_files(run: PathLike, gold: PathLike, on_warning: Callable[[str], None] | None = None) -> "Report":
    """Score a run file against gold (spec §3): P/R/F1 per type, field agreement, grounding,
    segmentation. Either side may be a run or a gold file (JSON Lines); when `run` is a gold
    file and `gold` a run (the two swapped), `on_warning` is told before scoring."""
    from extract.review.evaluate import evaluate

    return evaluate(*_sides(run, gold, scored=True, on_warning=on_warning))


def error_files(run: PathLike, gold: PathLike, kinds: tuple[str, ...] | None = None,
                on_warning: Callable[[str], None] | None = None) -> list["ItemError"]:
    """Per source, every false positive, miss and disagreeing field of `run` against `gold`,
    each with its quote and the closest item on the other side (`extract eval --errors`)."""
    from extract.review.evaluate import error_report
    from extract.review.match import KINDS

    return error_report(*_sides(run, gold, scored=True, on_warning=on_warning), kinds or KINDS)


def diff_files(a: PathLike, b: PathLike) -> "DiffReport":
    """Items added, removed and changed from run (or gold) file `a` to `b`; `.identical` when none."""
    from extract.review.diff import diff

    return diff(*_sides(a, b))


def review_files(run: PathLike, output: PathLike = "review.html", against: PathLike | None = None,
                 *, curate: bool = False, rejected: Iterable[PathLike] = (), force: bool = False) -> Path:
    """Write a self-contained HTML page to review a run's items (against another run or gold).

    `curate`: the curation view (accept, reject, edit, add items; decisions exported as JSON
    Lines for `gold_build_files`), least sure items first; `rejected`: gold sidecars
    (`gold.rejected.jsonl`) or decisions files whose rejected items show as already rejected.
    The page is written whole (a failure leaves an old one as it was); an `output` that is an
    input, a directory, or an existing file that is not a review page raises `OutputRefused`
    (the latter unless `force`) before anything is read."""
    from extract.review.curate import load_rejections
    from extract.review.page import write_review
    from extract.run.guard import REVIEW

    rejected = list(rejected)
    out = guard_output(output, [p for p in (run, against, *rejected) if p], REVIEW, force=force)
    prior: set[tuple] = set()
    for path in rejected:
        prior |= load_rejections(path)
    run_side, other = _sides(run, against) if against else (_sides(run)[0], None)
    return write_review(run_side, other, out, curate=curate, rejected=prior)


@dataclass
class GoldBuilt:
    gold: Path
    rejected: Path
    sources: int
    articles: int
    items: dict[str, int]
    rejected_items: int


def gold_build_files(run: PathLike, decisions: PathLike, output: PathLike = "gold.jsonl", *,
                     force: bool = False) -> GoldBuilt:
    """A gold file (spec §3) from a curation page's decisions on `run`: every accepted, edited
    and added item of the reviewed articles; rejected items go to `<output>.rejected.jsonl`.

    Nothing is written, and `extract.review.curate.DecisionsError` says why, when a decision
    is malformed (checked by its schema), names articles (or article texts) the run does not
    have, or when the file holds no decision at all. `OutputRefused` is raised before anything
    is read for an output that is an input, a directory or a file that is not gold (unless
    `force`), and after building when the new gold would lose articles or items of the existing
    one (unless `force`: curated gold is the costliest file a user has). Both files are
    written whole, each replacing the old one only once complete."""
    from extract.review.curate import (build_gold, check_gold, read_decisions, read_gold_lines, rejected_path,
                                       shrinkage, write_jsonl)
    from extract.review.match import KINDS
    from extract.run.guard import GOLD, REJECTED

    out = Path(output)
    sidecar = rejected_path(out)
    guard_output(out, [run, decisions], GOLD, force=force)
    guard_output(sidecar, [run, decisions], REJECTED, force=force)
    side = _sides(run)[0]
    gold, rejects = build_gold(side, read_decisions(decisions, side))
    check_gold(gold, str(out))
    lost = None if force else shrinkage(read_gold_lines(out), gold)
    if lost:
        raise OutputRefused(f"{out} is a gold file and the gold built from {decisions} would lose {lost}; "
                            "left untouched: write it to another file (-o), or give --force to replace it")
    write_jsonl(out, gold)
    write_jsonl(sidecar, rejects)
    return GoldBuilt(gold=out, rejected=sidecar, sources=len(gold),
                     articles=sum(len(g["articles"]) for g in gold),
                     items={k: sum(len(g[k]) for g in gold) for k in KINDS}, rejected_items=len(rejects))


def _sides(a: PathLike, b: PathLike | None = None, *, scored: bool = False,
           on_warning: Callable[[str], None] | None = None):
    """The run or gold files `a` (and `b`) read (`RunFileError` for a malformed line, naming the
    file and the line), their sources keyed by path and paired by name where names are unique.
    `scored`: `b` is what `a` is scored against, and must share a source with it; a gold `a`
    scored against a run `b` goes to `on_warning`."""
    from extract.review.match import RunFileError, align_sources, load_side

    first = load_side(Path(a))
    if b is None:
        align_sources(first)
        return (first,)
    second = load_side(Path(b))
    align_sources(first, second)
    if scored and not set(first.sources) & set(second.sources):
        names = ", ".join(sorted(first.sources)[:5]) or "none"
        raise RunFileError(f"{b} shares no source file with {a} (run sources: {names}); "
                           "nothing to score: give the gold file for these pages")
    for side, name in ((first, a), (second, b)):
        if scored and on_warning is not None and side.superseded:
            on_warning(f"{name} holds {side.superseded} earlier record(s) of articles recorded again (a redone run, "
                       "or another prompt version or model in the same file): each article is scored by its last record")
    if scored and on_warning is not None and first.is_gold and first.sources and not second.is_gold:
        on_warning(f"{a} looks like gold and {b} like a run: the run goes first (extract eval RUN GOLD); "
                   "scored as given")
    return first, second


def calibrate_files(runs: Iterable[PathLike], gold: Iterable[PathLike], output: PathLike | None = None,
                    report: Callable[[str], None] | None = None, *, tables: Iterable[PathLike] = (),
                    groups: PathLike | Mapping[str, str] | None = None,
                    pools: dict[str, Iterable[str]] | None = None, whole_pages: bool = False) -> "Calibrated":
    """`extract calibrate`: fit the confidence model for the model of `runs` (each run with
    `keep_features` and `min_confidence=0`, its `<run>.features.jsonl` beside it) on the curated
    `gold`, and write it to `output` for `Options(calibration=…)`. Each kind's cut is the one
    where its leave-one-page-out F1 on the gold peaks; `report` gets the figures (Markdown lines).
    A kind with too little gold keeps the shipped fit (`fallback`); raises
    `extract.review.calibrate.CalibrationError` when no kind can be fitted or the files cannot be
    used. `tables`: rows labelled before (`extract.review.calibrate.write_table`); `groups`: the
    pages left out together in the leave-one-out figures (a groups file, or source → group);
    `pools`: sets whose figures are also reported pooled; `whole_pages`: the gold judges every
    article of its pages, not only those it lists (`extract calibrate --table --groups --pool
    --whole-pages`)."""
    from extract.review.calibrate import calibrate_files as _calibrate

    return _calibrate(runs, gold, output, report, tables=tables, groups=groups, pools=pools, whole_pages=whole_pages)


def load_files(runs: Iterable[PathLike], db: str | None = None, *, batch: int | None = None,
               strict: bool = False, force: bool = False) -> "LoadReport":
    """Load run files into SQLite or PostgreSQL in one transaction (`db`: a path, sqlite:///x.db,
    postgresql://…; default ./extractions.db). Re-loading is idempotent; newer runs replace items.
    A file with a bad line is not loaded; with `strict`, nothing is (`extract load`).
    Raises `extract.store.SchemaError` for a database of another schema version, and
    `OutputRefused` for a SQLite file that is an input or another program's (unless `force`)."""
    from extract.store import load_files as _load

    paths = [Path(p) for p in runs]
    return _load(db, paths, strict=strict, force=force) if batch is None else \
        _load(db, paths, batch=batch, strict=strict, force=force)
