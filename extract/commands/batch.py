"""`extract batch submit|status|collect`: the command line over the Extractor's batch mode."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from typing import TYPE_CHECKING

from extract.commands.run import CALIBRATION_HELP, _calibration, _print_summary, _progress, _warn_calibration, err
from extract.llm.usage import MODE_NAMES as MODES

if TYPE_CHECKING:
    from extract.api import Extractor, Summary

batch_app = typer.Typer(help="Provider Batch APIs: submit the run's requests, check them, collect the answers.",
                        no_args_is_help=True)

EXIT_RUNNING = 2  # collect: batches still running, nothing collected; run it again later

_BASE_URL = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint with /v1/files and /v1/batches.")
_MODEL = typer.Option(None, "--model", envvar="EXTRACT_MODEL", help="Model name at the endpoint.")
_API_KEY = typer.Option(None, "--api-key", envvar="OPENAI_API_KEY", show_default=False, help="API key (read from OPENAI_API_KEY by default).")
_MODE = typer.Option(None, "--mode", help=f"instructor mode: {', '.join(MODES)} (default by endpoint).")
_REASKS = typer.Option(1, "--reasks", min=0, help="Validation reasks per request (when an answer is redone live).")
_MAX_TOKENS = typer.Option(1200, "--max-tokens", min=64, help="Cap on tokens generated per request.")
_TIMEOUT = typer.Option(600.0, "--timeout", help="Seconds per HTTP request.")
_MIN_CONFIDENCE = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="As `extract run --min-confidence`.")
_CALIBRATION = typer.Option(None, "--calibration", envvar="EXTRACT_CALIBRATION", dir_okay=False,
                            help=f"{CALIBRATION_HELP} Give the same to submit and collect.")
_OUTPUT = typer.Option(..., "-o", "--output", help="The run's JSON Lines output; the batch state is kept beside it (<output>.batch.json).")
_FORCE = typer.Option(False, "--force", help="Redo articles already in the output.")
_RETRY = typer.Option(True, "--retry-failed/--no-retry-failed", help="Redo articles whose record in the output has transient errors.")


def _extractor(base_url, model, api_key, mode, reasks, max_tokens, timeout, min_confidence, concurrency=1,
               calibration: Optional[Path] = None) -> Extractor:
    from extract.api import Extractor, Options
    from extract.llm.usage import UsageError, check_settings, fail

    try:
        check_settings(base_url=base_url, api_key=api_key, timeout=timeout)
        loaded = _calibration(calibration)
    except UsageError as exc:
        fail(str(exc))
    if mode is not None and mode not in MODES:
        raise typer.BadParameter(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    return Extractor(base_url=base_url, model=model, api_key=api_key, mode=mode, reasks=reasks,
                     max_tokens=max_tokens, timeout=timeout, concurrency=concurrency, env=False,
                     options=Options(min_confidence=min_confidence, calibration=loaded))


def _fail(exc: Exception) -> None:
    from rich.markup import escape

    from extract.llm.secrets import redact
    from extract.llm.usage import fail
    from extract.run.guard import OutputRefused

    from extract.run.batch_api import BatchFileError

    if isinstance(exc, (OutputRefused, BatchFileError)):  # a refused output, a malformed file: exit 2
        fail(redact(str(exc)))

    err.print(f"[red]error[/red] {escape(redact(str(exc)))}", markup=True, highlight=False)
    raise typer.Exit(1)


@batch_app.command("submit")
def submit(
    paths: list[str] = typer.Argument(..., help="Files or folders (.txt .md .html)."),
    output: Path = _OUTPUT,
    requests_only: Optional[Path] = typer.Option(None, "--requests-only", help="Write the request files into this folder and upload nothing (for `vllm run-batch` or another runner; read its output with `collect --from-file`)."),
    base_url: Optional[str] = _BASE_URL, model: Optional[str] = _MODEL, api_key: Optional[str] = _API_KEY,
    mode: Optional[str] = _MODE, reasks: int = _REASKS, max_tokens: int = _MAX_TOKENS, timeout: float = _TIMEOUT,
    min_confidence: Optional[float] = _MIN_CONFIDENCE, calibration: Optional[Path] = _CALIBRATION,
    force: bool = _FORCE, retry_failed: bool = _RETRY,
) -> None:
    """Submit the first requests of PATHS not yet done in the output as provider batches."""
    from extract.run.batch_api import BatchError
    from extract.run.guard import OutputRefused

    read_errors = []

    def on_error(e) -> None:
        read_errors.append(e)
        err.print(f"[red]error[/red] {e}", markup=True, highlight=False)

    with _extractor(base_url, model, api_key, mode, reasks, max_tokens, timeout, min_confidence,
                    calibration=calibration) as ex:
        try:
            r = ex.batch_submit(paths, output, requests_only=requests_only, force=force,
                                retry_failed=retry_failed, on_read_error=on_error)
        except (BatchError, OSError, OutputRefused) as exc:
            _fail(exc)
    err.print(f"articles to do: {r.articles}; requests not in the answer cache: {r.requests} "
              f"({r.already} submitted before)", highlight=False)
    if requests_only is not None:
        err.print(f"request files: {len(r.files)} in {requests_only} (nothing uploaded)", highlight=False)
    elif r.submitted:
        err.print(f"submitted: {r.submitted} requests in {len(r.batches)} batches; state: {r.state}", highlight=False)
        err.print(f"next: `extract batch status -o {output}`, then `extract batch collect -o {output}`", highlight=False)
    else:
        err.print("nothing to submit", highlight=False)
    if read_errors:
        raise typer.Exit(1)


@batch_app.command("status")
def status(
    output: Path = _OUTPUT,
    base_url: Optional[str] = _BASE_URL, model: Optional[str] = _MODEL, api_key: Optional[str] = _API_KEY,
    timeout: float = _TIMEOUT,
) -> None:
    """Each batch's state and request counts."""
    from extract.run.batch_api import BatchError
    from extract.run.guard import OutputRefused

    with _extractor(base_url, model, api_key, None, 1, 1200, timeout, False) as ex:
        try:
            infos = ex.batch_status(output)
        except (BatchError, OSError, OutputRefused) as exc:
            _fail(exc)
    for b in infos:
        counts = "" if b.total is None else f"  {b.completed}/{b.total} done, {b.failed} failed"
        typer.echo(f"{b.id}  round {b.round}  {b.status}{counts}")


@batch_app.command("collect")
def collect(
    paths: Optional[list[str]] = typer.Argument(None, help="Inputs (default: those given to `submit`)."),
    output: Path = _OUTPUT,
    from_file: Optional[list[Path]] = typer.Option(None, "--from-file", help="Batch output files produced elsewhere (e.g. `vllm run-batch`); repeatable."),
    resubmit: bool = typer.Option(False, "--resubmit", help="Submit what the batches did not answer validly as a second batch round instead of asking it live."),
    wait: bool = typer.Option(False, "--wait", help="Poll until every batch has ended."),
    poll: float = typer.Option(30.0, "--poll", help="Seconds between polls with --wait."),
    base_url: Optional[str] = _BASE_URL, model: Optional[str] = _MODEL, api_key: Optional[str] = _API_KEY,
    mode: Optional[str] = _MODE, reasks: int = _REASKS, max_tokens: int = _MAX_TOKENS, timeout: float = _TIMEOUT,
    min_confidence: Optional[float] = _MIN_CONFIDENCE, calibration: Optional[Path] = _CALIBRATION,
    force: bool = _FORCE, retry_failed: bool = _RETRY,
    concurrency: int = typer.Option(1, "--concurrency", "-j", min=1, help="Articles in flight when completing the run."),
    breaker: int = typer.Option(5, "--breaker", min=0, help="As `extract run --breaker`."),
) -> None:
    """Download the batches' answers, validate them, and complete the run into the output."""
    from extract.run.batch_api import BatchError
    from extract.run.guard import OutputRefused

    with _extractor(base_url, model, api_key, mode, reasks, max_tokens, timeout, min_confidence, concurrency,
                    calibration) as ex:
        summary_seen: list[Summary] = []
        try:
            with _progress(0) as (progress, task):
                def on_record(rec, s: Summary) -> None:
                    progress.update(task, advance=1, refresh=True,
                                    items=f"{s.policies}P {s.targets}T {s.meetings}M", errors=s.article_errors)
                    if not summary_seen:
                        summary_seen.append(s)

                report, _ = ex.batch_collect(output, paths or None, from_files=from_file or (), resubmit=resubmit,
                                             wait=wait, poll_s=poll, force=force, retry_failed=retry_failed,
                                             breaker=breaker, keep_records=False, on_record=on_record,
                                             on_read_error=lambda e: err.print(f"[red]error[/red] {e}", markup=True,
                                                                               highlight=False))
        except (BatchError, OSError, OutputRefused) as exc:
            _fail(exc)
    if report.running:
        for b in report.running:
            err.print(f"{b.id}: {b.status}", highlight=False)
        err.print(f"{len(report.running)} batches still running: nothing collected; run again later (or --wait)",
                  highlight=False)
        raise typer.Exit(EXIT_RUNNING)
    errors = ", ".join(f"{n} {reason}" for reason, n in sorted(report.errors.items())) or "none"
    err.print(f"batch answers: {report.answers}, valid {report.stored} (now in the answer cache), "
              f"invalid {report.invalid}; request errors: {errors}; requests left: {report.left}", highlight=False)
    if report.resubmitted is not None:
        r = report.resubmitted
        err.print(f"resubmitted: {r.submitted} requests in {len(r.batches)} batches; collect again when they end",
                  highlight=False)
        return
    s = report.summary
    _print_summary(s, output, ex.cache)
    _warn_calibration(ex, s)
    if s.failed:
        raise typer.Exit(s.exit_code)
