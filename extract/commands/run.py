"""`extract run`: the command line over `extract.api.Extractor` (arguments, progress, summary).

The SDK and the pipeline are imported when the command runs, not when `extract --help` does."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from typing import TYPE_CHECKING

from rich.markup import escape

from extract.llm.secrets import redact
from extract.llm.usage import MODE_NAMES as MODES
from extract.llm.usage import UsageError, check_extra, check_settings, fail

if TYPE_CHECKING:
    from extract.api import Summary
    from extract.llm.cache import AnswerCache

err = Console(stderr=True, soft_wrap=True)  # log lines stay whole when stderr is a file

CALIBRATION_HELP = ("A confidence model fitted for your model by `extract calibrate`: its confidences and default "
                    "cuts replace the shipped ones (fitted for the embedded model).")


def run(
    paths: list[str] = typer.Argument(..., help="Files or folders (.txt .md .html); '-' reads stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="JSON Lines output (appended; finished articles are skipped on re-run). Default: stdout."),
    base_url: Optional[str] = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint. With neither this nor an API key: the embedded local model."),
    model: Optional[str] = typer.Option(None, "--model", envvar="EXTRACT_MODEL", help="Model name at the endpoint."),
    api_key: Optional[str] = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY", show_default=False, help="API key (read from OPENAI_API_KEY by default)."),
    mode: Optional[str] = typer.Option(None, "--mode", help=f"instructor mode: {', '.join(MODES)} (default by endpoint)."),
    concurrency: int = typer.Option(1, "--concurrency", "-j", min=1, help="Articles in flight at once."),
    reasks: int = typer.Option(1, "--reasks", min=0, help="Validation reasks per request."),
    max_tokens: int = typer.Option(1200, "--max-tokens", min=64, help="Cap on tokens generated per request."),
    timeout: float = typer.Option(600.0, "--timeout", help="Seconds per HTTP request."),
    force: bool = typer.Option(False, "--force", help="Redo articles already in the output."),
    retry_failed: bool = typer.Option(True, "--retry-failed/--no-retry-failed", help="Redo articles whose record in the output has transient errors (connection, timeout, 429/5xx)."),
    breaker: int = typer.Option(5, "--breaker", min=0, help="Stop the batch (exit 3) after this many requests in a row fail for a transient reason; 0: never."),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="Leave out items whose calibrated confidence is under this cut (0-1). Default: each kind's cut that maximised F1 on the development gold (or the gold of --calibration); lower it for recall, raise it for precision."),
    calibration: Optional[Path] = typer.Option(None, "--calibration", envvar="EXTRACT_CALIBRATION", dir_okay=False, help=CALIBRATION_HELP),
    keep_features: bool = typer.Option(False, "--keep-features", help="Write what each item's confidence was computed from (the model's probability, the features) to <output>.features.jsonl, for `extract calibrate`; with --min-confidence 0 for the items under the cut too."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor store model answers in the local answer cache (see `extract cache info`)."),
    engine: str = typer.Option("threads", "--engine", help="threads: this process; ray: a Ray Data actor pool (needs the \\[ray] extra; several endpoints as --base-url URL,URL)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to run on (e.g. ray://head:10001 or auto); default: a local Ray for this run."),
    ray_actors: Optional[int] = typer.Option(None, "--ray-actors", min=1, help="Actors in the pool (default: one per endpoint, at least two); they share --concurrency."),
) -> None:
    """Extract policies, targets and meetings from PATHS into JSON Lines."""
    from extract.api import STDOUT, Extractor, Options, read_articles
    from extract.run.guard import OutputRefused, guard_output

    # Usage errors first: one line and exit 2, before any file is read or request sent.
    try:
        if mode is not None and mode not in MODES:
            raise UsageError(f"unknown --mode {mode!r}; choose from {', '.join(MODES)}")
        if engine not in ("threads", "ray"):
            raise UsageError(f"unknown --engine {engine!r}; choose threads or ray")
        check_settings(base_url=base_url, api_key=api_key, timeout=timeout)
        endpoints = [u.strip() for u in base_url.split(",") if u.strip()] if base_url else []
        if len(endpoints) > 1 and engine != "ray":
            raise UsageError("several endpoints in --base-url need --engine ray")
        if engine == "ray":
            check_extra("ray")
        if keep_features and output is None:
            raise UsageError("--keep-features writes beside the output: give -o run.jsonl")
        loaded = _calibration(calibration)
        if output is not None:
            guard_output(output, [p for p in paths if p != "-"])
    except (UsageError, OutputRefused) as exc:
        fail(str(exc))
    try:
        articles, summary = read_articles(paths, lambda e: err.print(f"[red]error[/red] {escape(str(e))}",
                                                                     markup=True, highlight=False))
    except KeyboardInterrupt:
        err.print("interrupted while reading: nothing sent, nothing written", highlight=False, markup=False)
        raise typer.Exit(130) from None
    for w in summary.read_warnings:
        err.print(f"warning: {w}", highlight=False, markup=False)
    if not articles and not summary.files and not summary.read_errors:
        err.print(f"error: nothing to read in {' '.join(paths)} (no .txt, .md or .html file)", highlight=False)
        raise typer.Exit(1)  # as a run whose files all failed
    runner = {"runner": engine, "ray_address": ray_address, "ray_actors": ray_actors,
              "endpoints": endpoints or None} if engine == "ray" else {}
    # typer has read the environment already: the options are the whole configuration.
    with Extractor(base_url=endpoints[0] if endpoints else None, model=model, api_key=api_key, mode=mode, reasks=reasks,
                   max_tokens=max_tokens, timeout=timeout, cache=not no_cache, concurrency=concurrency,
                   env=False, log=lambda line: err.print(redact(line), highlight=False, markup=False),
                   options=Options(min_confidence=min_confidence, calibration=loaded,
                                   keep_features=keep_features)) as extractor:
        with _progress(len(articles)) as (progress, task):
            def on_record(rec, s: Summary) -> None:
                progress.update(task, advance=1, refresh=True,
                                items=f"{s.policies}P {s.targets}T {s.meetings}M", errors=s.article_errors)

            try:
                extractor.run_batch(articles, output if output is not None else STDOUT, force=force,
                                    retry_failed=retry_failed, breaker=breaker, summary=summary,
                                    keep_records=False, on_record=on_record, **runner)
            except OutputRefused as exc:
                fail(str(exc))
    if summary.endpoint_error:
        # The run's configuration, not the articles: one line, and the same command resumes.
        err.print(f"error: {redact(summary.endpoint_error)}; {summary.done + summary.skipped} of "
                  f"{summary.articles} articles done, the rest not sent; fix it and run the same command again",
                  highlight=False, markup=False)
        raise typer.Exit(summary.exit_code)
    _print_summary(summary, output, extractor.cache)
    _warn_calibration(extractor, summary)
    if keep_features and output is not None and summary.done:
        from extract.run.features import features_path

        err.print(f"features: {features_path(output)}", highlight=False, markup=False)
    if summary.failed:
        raise typer.Exit(summary.exit_code)


def _calibration(path: Optional[Path]):
    """The --calibration file, read (UsageError, one line, when it cannot be used); `extract
    run` and `extract batch` alike."""
    if path is None:
        return None
    from extract.kinds.judgement import CalibrationFileError, load_calibration

    try:
        return load_calibration(path)
    except CalibrationFileError as exc:
        raise UsageError(str(exc)) from None


def _warn_calibration(extractor, summary: Summary) -> None:
    """Once, after the summary: the calibration was fitted for another model than the run's."""
    if extractor.calibration_note and summary.done:
        err.print(f"warning: {extractor.calibration_note}", highlight=False, markup=False)


@contextlib.contextmanager
def _progress(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("articles"), BarColumn(), MofNCompleteColumn(),
        TextColumn("items {task.fields[items]}"), TextColumn("errors {task.fields[errors]}"),
        TimeElapsedColumn(), console=err, disable=not sys.stderr.isatty() and not os.environ.get("EXTRACT_PROGRESS"),
    )
    with progress:
        task = progress.add_task("extract", total=total, items="0P 0T 0M", errors=0)
        yield progress, task


def _judgement(s: Summary) -> str:
    if not (s.judged_logprobs or s.judged_boolean):
        return "nothing asked"
    if not s.judged_boolean:
        return f"log-probabilities ({s.judged_logprobs} articles)"
    return (f"log-probabilities for {s.judged_logprobs} articles, the boolean answer alone for "
            f"{s.judged_boolean} (the endpoint returned no log-probabilities; confidence calibrated for that)")


def _print_summary(s: Summary, output: Optional[Path], cache: Optional[AnswerCache] = None) -> None:
    per_article = s.article_seconds / s.done if s.done else 0.0
    rate = s.done / s.elapsed_s * 60 if s.elapsed_s else 0.0
    lines = [
        f"files read: {s.files}, unreadable: {len(s.read_errors)}",
        f"articles: {s.articles} (extracted {s.done}, already done {s.skipped}, with errors {s.article_errors})",
        f"items: {s.policies} policies, {s.targets} targets, {s.meetings} meetings",
        f"model calls: {s.attempts} answers in {s.requests} requests; tokens {s.prompt_tokens} prompt "
        f"({s.cached_tokens} cached) + {s.completion_tokens} completion",
        f"judgement: {_judgement(s)}",
        f"retries: {s.retries} transport retries; failed model calls: {s.llm_failures}",
        f"concurrency: ceiling {s.concurrency}, min reached {s.concurrency_min}, {s.rate_limited} rate-limit responses",
        f"time: {s.elapsed_s:.1f} s, {per_article:.1f} s per article, {rate:.1f} articles/min",
    ]
    if cache is not None:
        lines.append(f"answer cache: {cache.hits} reused, {cache.stores} stored ({cache.path})")
    if s.retried:
        lines.append(f"retried: {s.retried} articles whose last record had transient errors")
    if s.transient_errors and not s.breaker:
        lines.append(f"transient errors: {s.transient_errors} articles; run the same command again to retry them")
    if s.compact_error:
        lines.append(f"warning: {s.compact_error}")
    if s.output_error:
        lines.append(f"error: {s.output_error}; the file holds only whole records; {s.remaining} articles left; "
                     "free space and run the same command again to resume")
    elif s.breaker:
        lines.append(f"stopped: endpoint {s.endpoint} is failing: {s.breaker}; "
                     f"{s.done + s.skipped} of {s.articles} articles done, {s.remaining} left; "
                     "run the same command again to resume")
    elif s.interrupted:
        lines.append(f"interrupted: {s.remaining} articles left; run the same command again to finish them")
    if output:
        lines.append(f"output: {output}")
    for line in lines:
        err.print(redact(line), highlight=False, markup=False)
