"""The LLM client: openai SDK + instructor over any OpenAI-compatible endpoint.

Two separate, bounded retry mechanisms:
- transport retries (tenacity, under instructor): 429 honouring Retry-After, 5xx, timeouts and
  connection resets, exponential backoff with jitter;
- validation reasks (instructor `max_retries`): the model's answer failed a validator, the
  message goes back to the model.
Each `ask` counts its own attempts, HTTP requests and token usage.
"""
from __future__ import annotations

import contextvars
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlparse

import instructor
import openai
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from extract.llm.cache import AnswerCache, cache_key
from extract.llm.logprobs import DECISION_KEYS, attach, decisions, first_token_yes, said_yes
from extract.llm.flow import DOWN, OK, OTHER, RATE_LIMITED, CircuitOpen, FlowControl
from extract.llm.prompting import kind_version, prompt_set, prompt_version
from extract.llm.secrets import redact, register_secret
from schemas.llm import ANSWER_CONTEXT, AnswerContext, Verdict

# instructor logs every failed attempt at ERROR; the record's `errors` already say what failed.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

# instructor modes as data: the right default per kind of endpoint.
MODES = {
    "json_schema": instructor.Mode.JSON_SCHEMA,  # grammar-constrained: llama.cpp, vLLM, Ollama
    "tools": instructor.Mode.TOOLS,  # OpenAI function calling
    "json": instructor.Mode.JSON,  # json_object only (DeepSeek, Qwen/DashScope)
    "md_json": instructor.Mode.MD_JSON,
}
_HOST_MODES = {"api.openai.com": "tools", "deepseek": "json", "dashscope": "json"}


def default_mode(base_url: str | None) -> str:
    host = urlparse(base_url or "https://api.openai.com/v1").hostname or ""
    for needle, mode in _HOST_MODES.items():
        if needle in host:
            return mode
    return "json_schema"


class CassetteMismatch(RuntimeError):
    """Under test, a request that no cassette holds: the prompt or schema changed."""


class EndpointError(RuntimeError):
    """The endpoint refused the run's configuration (API key, model, path, a parameter): the
    run's fault, not the article's. The batch stops at the first one and writes no record for
    the article that met it; the message is one line with the key redacted."""

    def __init__(self, endpoint: str, status: int | str, message: str, fix: str):
        self.endpoint, self.status, self.fix = endpoint, status, fix
        self.server_message = redact(" ".join(str(message).split()))[:300]
        said = f"answered {status}" if isinstance(status, int) else str(status)
        super().__init__(f"endpoint {endpoint} {said}: {self.server_message} ({fix})")


class EndpointDown(RuntimeError):
    """The endpoint could not be reached for a reason that may pass (connection, timeout, 429,
    5xx) before anything was sent, where the run cannot go on without it (no model given: the
    model it serves decides the records' model name). Nothing written; run again later."""


_KEY_FIX = "check the API key: --api-key or OPENAI_API_KEY"
_MODEL_FIX = "check --model (or EXTRACT_MODEL) against the models the endpoint serves"
_PATH_FIX = "check --model and --base-url (an OpenAI-compatible base URL usually ends in /v1)"
_PARAM_FIX = "the endpoint refuses a parameter this tool sends; try another --mode or endpoint"
_BAD_PARAM = re.compile(r"(?i)unsupported (?:parameter|value)|not supported|unrecognized (?:request )?argument|"
                        r"unknown (?:parameter|field|argument)|extra (?:inputs?|fields?) (?:are|is) not permitted|"
                        r"additional properties")
_BAD_MODEL = re.compile(r"(?i)\bmodel\b[^.;]{0,80}?(?:not (?:found|exist|available|loaded)|does not exist|"
                        r"no such)|(?:invalid|unknown|no such|unsupported) model|model_not_found")


def server_message(exc: BaseException) -> str:
    """What the server said in an error response (its `error.message` when there is one)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", None) or exc)


def endpoint_error(exc: BaseException, endpoint: str, model: str | None = None) -> EndpointError | None:
    """An HTTP error that is about the configuration (401/403, 404, a 400 naming the model or an
    unsupported parameter) as an EndpointError; None for anything else (the article's own)."""
    if not isinstance(exc, openai.APIStatusError) or _cassette_mismatch(exc):
        return None
    status, message = exc.status_code, server_message(exc)
    if status in (401, 403):
        return EndpointError(endpoint, status, message, _KEY_FIX)
    if status == 404:
        return EndpointError(endpoint, status, message, _PATH_FIX)
    if status == 400:
        if _BAD_PARAM.search(message):
            return EndpointError(endpoint, status, message, _PARAM_FIX)
        if _BAD_MODEL.search(message):
            return EndpointError(endpoint, status, message, _MODEL_FIX)
    return None


# Failures the request meets before it reaches the network, every time it is sent: a key a
# header cannot carry (non-ASCII, CR/LF), a timeout the clock cannot hold, a URL httpx refuses.
_UNSENDABLE = {
    "UnicodeEncodeError": "check the API key (--api-key or OPENAI_API_KEY): it holds a character an HTTP "
                          "header cannot carry",
    "LocalProtocolError": "check the API key (--api-key or OPENAI_API_KEY): it holds a character an HTTP "
                          "header cannot carry (a line break or a control character)",
    "OverflowError": "check --timeout: give a finite number of seconds",
    "InvalidURL": "check --base-url",
    "UnsupportedProtocol": "check --base-url: use http:// or https://",
}


def unsendable_error(exc: BaseException, endpoint: str) -> EndpointError | None:
    """A failure that the same request will always meet (see _UNSENDABLE) as an EndpointError:
    the configuration's, never the article's, and never an outage."""
    for e in exception_chain(exc):
        fix = _UNSENDABLE.get(type(e).__name__)
        if fix is not None:
            return EndpointError(endpoint, "cannot be reached with this configuration", f"{type(e).__name__}: {e}", fix)
    return None


def exception_chain(exc: BaseException | None):
    """The exception, its causes and contexts, and the exceptions of instructor's failed
    attempts, each once."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        yield e
        todo += [e.__cause__, e.__context__]
        todo += [getattr(a, "exception", None) for a in getattr(e, "failed_attempts", None) or []]


def find_endpoint_error(exc: BaseException | None) -> EndpointError | None:
    """The EndpointError in `exc`, its causes, contexts and instructor's failed attempts."""
    return next((e for e in exception_chain(exc) if isinstance(e, EndpointError)), None)


@dataclass
class LLMSettings:
    base_url: str | None = None
    api_key: str | None = None
    model: str = "gpt-4o-mini"
    mode: str | None = None
    timeout_s: float = 600.0
    reasks: int = 1  # validation reasks after the first answer
    transport_attempts: int = 4  # HTTP tries per model call
    max_backoff_s: float = 30.0
    max_tokens: int = 1200
    # Ask for the answer tokens' log-probabilities: each decision's probability is read from
    # them (extract/llm/logprobs.py). An endpoint that returns none falls back to the boolean.
    logprobs: bool = True
    top_logprobs: int = 5
    temperature: float = 0.0
    seed: int | None = 0
    # Answer cache: None = off (the default, so tests and cassettes never see a user cache);
    # an AnswerCache or a path to its SQLite file = on.
    cache: AnswerCache | str | os.PathLike | None = None
    # Starts the endpoint on the first request that needs it and returns its base URL (the
    # embedded server: a re-run whose answers are all cached never starts it).
    start_endpoint: Callable[[], str] | None = None

    @classmethod
    def from_env(cls, **overrides: Any) -> "LLMSettings":
        env = {
            "base_url": os.environ.get("OPENAI_BASE_URL"),
            "api_key": os.environ.get("OPENAI_API_KEY"),
            "model": os.environ.get("EXTRACT_MODEL") or os.environ.get("OPENAI_MODEL"),
        }
        values = {k: v for k, v in {**env, **overrides}.items() if v is not None}
        return cls(**values)


@dataclass
class CallStats:
    attempts: int = 0  # model answers asked for (first try + reasks)
    requests: int = 0  # HTTP requests, transport retries included
    retries: int = 0  # transport retries
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_hits: int = 0  # answers taken from the local answer cache (no request made)
    judged_logprobs: int = 0  # answers whose decisions came with log-probabilities
    judged_boolean: int = 0  # answers whose decisions had only the boolean (no log-probabilities)
    timings: list[dict] = field(default_factory=list)  # llama.cpp's per-request timings

    def add(self, other: "CallStats") -> None:
        for name in ("attempts", "requests", "retries", "prompt_tokens", "completion_tokens",
                     "cached_tokens", "cache_hits", "judged_logprobs", "judged_boolean"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.timings.extend(other.timings)


_stats: contextvars.ContextVar[CallStats] = contextvars.ContextVar("llm_call_stats")


def _is_transient(exc: BaseException) -> bool:
    if _cassette_mismatch(exc):
        return False
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def request_outcome(exc: BaseException | None) -> str:
    """How one HTTP request went, for flow control: ok, rate_limited, down (the endpoint failed
    for a transient reason) or other (it answered, with an error about the request)."""
    if exc is None:
        return OK
    if isinstance(exc, openai.RateLimitError):
        return RATE_LIMITED
    return DOWN if _is_transient(exc) else OTHER


def is_transient_failure(exc: BaseException) -> bool:
    """Whether a failed model call failed for a reason outside the article and its answer
    (connection, timeout, 429/5xx after retries, the endpoint gone or not started, the batch's
    circuit breaker): the same request may succeed later, so a re-run tries it again."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, CassetteMismatch) or _cassette_mismatch(e):
            return False
        if isinstance(e, CircuitOpen) or getattr(e, "transient", False) is True or _is_transient(e):
            return True
        todo += [e.__cause__, e.__context__]
    return False


def _cassette_mismatch(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return cause is not None and type(cause).__name__ == "CannotOverwriteExistingCassetteException"


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _one_line(exc: BaseException | None) -> str | None:
    if exc is None:
        return None
    lines = redact(str(exc)).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:200]


class VerdictError(ValueError):
    """A yes/no question answered with something else."""


def _count_verdict(stats: CallStats, verdict: Verdict) -> None:
    if verdict.p is not None:
        stats.judged_logprobs += 1
    else:
        stats.judged_boolean += 1


def _count_judged(stats: CallStats, kind: str, answer: BaseModel) -> None:
    """Whether this answer's decisions carry probabilities (for the run's `judgement`)."""
    items = getattr(answer, "items", None) or []
    if kind not in DECISION_KEYS or not items:
        return
    if any(getattr(it, "p", None) is not None for it in items):
        stats.judged_logprobs += 1
    else:
        stats.judged_boolean += 1


class LLMClient:
    """`transport`, when given, stands in for the HTTP call (`chat.completions.create`'s keyword
    arguments in, a ChatCompletion out): the batch mode answers from Batch API output files
    through it, so those answers pass the same instructor parsing, validators and cache."""

    def __init__(self, settings: LLMSettings, transport: Callable[..., Any] | None = None):
        self.settings = settings
        self.mode = settings.mode or default_mode(settings.base_url)
        register_secret(settings.api_key)  # never in a message this tool writes
        # The SDK's own retries are off: tenacity below owns transport retries.
        self._openai = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",
            timeout=settings.timeout_s,
            max_retries=0,
        )
        create = transport or self._openai.chat.completions.create
        self._openai.chat.completions.create = self._with_transport_retries(create)
        self._instructor = instructor.from_openai(self._openai, mode=MODES[self.mode])
        cache = settings.cache
        self.cache = cache if isinstance(cache, AnswerCache) or cache is None else AnswerCache(cache)
        self._schemas: dict[str, dict] = {}
        self._endpoint_lock = threading.Lock()
        self._endpoint_ready = settings.start_endpoint is None
        self._endpoint_error: Exception | None = None
        # Set by the batch for its duration: the breaker and the adaptive limit see every request.
        self.flow: FlowControl | None = None
        self.any_model_name: list[str] | None = None  # what a server answering any name lists

    @property
    def endpoint(self) -> str:
        return str(self._openai.base_url).rstrip("/")

    def served_models(self, timeout_s: float = 10.0, needed: bool = False) -> list[str] | None:
        """The model ids `/models` lists, or None where the endpoint has no such list (404, no
        answer, anything odd: the first request will tell) or answers any name (llama.cpp's
        server lists its one model but serves whatever name is asked). 401/403 and a request
        that cannot be sent raise EndpointError; with `needed` (no model given), an endpoint
        that is down raises EndpointDown instead of leaving the model to a guess."""
        try:
            page = self._openai.with_options(timeout=min(timeout_s, self.settings.timeout_s)).models.list()
            models = [m for m in page.data if getattr(m, "id", None)]
            if models and all(getattr(m, "owned_by", None) == "llamacpp" for m in models):
                self.any_model_name = [m.id for m in models]
                return None
            return [m.id for m in models]
        except Exception as exc:  # noqa: BLE001 - the check is a courtesy; the batch's own errors stand
            if isinstance(exc, openai.APIStatusError) and exc.status_code in (401, 403):
                raise endpoint_error(exc, self.endpoint) from None
            config = unsendable_error(exc, self.endpoint)
            if config is not None:
                raise config from None
            if needed and _is_transient(exc):
                raise EndpointDown(f"cannot list the models it serves, and no --model was given "
                                   f"({_one_line(exc)})") from None
            return None

    def check_model(self, model_given: bool) -> str | None:
        """Before the first article: refuse a key the endpoint rejects, and a model it does not
        list (with the models it does); without a model given, take the one model served (its
        name is returned) or refuse, listing them, when there are several."""
        served = self.served_models(needed=not model_given and self.settings.base_url is not None)
        if not served:
            loose = getattr(self, "any_model_name", None)  # llama.cpp: any name works; name it right
            if not model_given and loose and len(loose) == 1:
                self.settings.model = loose[0]
                return loose[0]
            return None
        model = self.settings.model
        listed = ", ".join(served[:20]) + (f" … ({len(served)} in all)" if len(served) > 20 else "")
        if model in served or f"{model}:latest" in served:  # Ollama: a name without a tag is :latest
            return None
        if not model_given:
            if len(served) == 1:
                self.settings.model = served[0]
                return served[0]
            raise EndpointError(self.endpoint, "serves several models", listed, "choose one with --model")
        raise EndpointError(self.endpoint, "does not serve this model",
                            f"model {model!r} is not among those it lists: {listed}", "choose one with --model")

    def _ensure_endpoint(self) -> None:
        if self._endpoint_ready:
            return
        with self._endpoint_lock:
            if self._endpoint_error is not None:
                raise self._endpoint_error  # started once and failed: do not wait again per call
            if not self._endpoint_ready:
                try:
                    self._openai.base_url = self.settings.start_endpoint()
                except Exception as exc:
                    exc.transient = True  # the server is missing, not the article wrong
                    self._endpoint_error = exc
                    raise
                self._endpoint_ready = True

    def close(self) -> None:
        """Close the HTTP connections; requests in flight in other threads fail at once."""
        self._openai.close()

    def _wait(self, retry_state) -> float:
        exc = retry_state.outcome.exception()
        after = _retry_after(exc) if exc else None
        if after is not None:
            return min(after, self.settings.max_backoff_s)
        return wait_random_exponential(multiplier=0.5, max=self.settings.max_backoff_s)(retry_state)

    def _with_transport_retries(self, create):
        def call(*args, **kwargs):
            self._ensure_endpoint()
            stats = _stats.get()
            stats.attempts += 1
            flow = self.flow
            retrying = Retrying(
                retry=retry_if_exception(_is_transient),
                stop=stop_after_attempt(self.settings.transport_attempts),
                wait=self._wait,
                sleep=flow.sleep if flow is not None else time.sleep,
                reraise=True,
            )
            for attempt in retrying:
                with attempt:
                    ticket = flow.acquire() if flow is not None else 0  # CircuitOpen: not retried
                    stats.requests += 1
                    if attempt.retry_state.attempt_number > 1:
                        stats.retries += 1
                    failure: BaseException | None = None
                    try:
                        response = create(*args, **kwargs)
                    except openai.APIConnectionError as exc:
                        failure = exc
                        config = unsendable_error(exc, self.endpoint)
                        if config is not None:
                            failure = config
                            raise config from exc
                        if _cassette_mismatch(exc):
                            raise CassetteMismatch(
                                "no recorded answer for this request: the prompt, schema or text "
                                "changed since the cassettes were recorded; re-record them with "
                                "`python -m tests.record_cassettes` (see README)"
                            ) from exc
                        raise
                    except openai.APIStatusError as exc:
                        failure = exc
                        config = endpoint_error(exc, self.endpoint, self.settings.model)
                        if config is not None:
                            raise config from exc
                        raise
                    except BaseException as exc:
                        failure = exc
                        config = unsendable_error(exc, self.endpoint)
                        if config is not None:
                            failure = config
                            raise config from exc
                        raise
                    finally:
                        if flow is not None:
                            flow.release(ticket, request_outcome(failure), _one_line(failure))
            self._account(stats, response)
            return response

        return call

    @staticmethod
    def _account(stats: CallStats, response: Any) -> None:
        usage = getattr(response, "usage", None)
        if usage is not None:
            stats.prompt_tokens += usage.prompt_tokens or 0
            stats.completion_tokens += usage.completion_tokens or 0
            details = getattr(usage, "prompt_tokens_details", None)
            stats.cached_tokens += (getattr(details, "cached_tokens", 0) or 0) if details else 0
        timings = (getattr(response, "model_extra", None) or {}).get("timings")
        if timings:
            stats.timings.append(timings)

    def ask(self, kind: str, text: str, context: AnswerContext | None = None) -> tuple[BaseModel, CallStats]:
        """One structured question about `text`; raises after bounded retries and reasks.

        `context` is what the answer's validators check it against (the ids and text sent).
        """
        stats = CallStats()
        ps = prompt_set(kind)
        request = self._request(ps.messages(text), self.settings.max_tokens)
        # The key is taken from the request as built, before instructor adds any reask turns.
        key = self._cache_key(kind, request) if self.cache is not None else None
        if key is not None:
            cached = self._cached(key, ps.response_model, context)
            if cached is not None:
                stats.cache_hits = 1
                _count_judged(stats, kind, cached)
                return cached, stats
        token = _stats.set(stats)
        context_token = ANSWER_CONTEXT.set(context or AnswerContext())
        try:
            answer, completion = self._instructor.chat.completions.create_with_completion(
                model=self.settings.model,
                response_model=ps.response_model,
                max_retries=self.settings.reasks,  # instructor: retries after the first answer
                **request,
            )
            choices = getattr(completion, "choices", None) or []
            if choices and DECISION_KEYS.get(kind):
                attach(answer, decisions(getattr(choices[0], "logprobs", None)), DECISION_KEYS[kind])
            _count_judged(stats, kind, answer)
            self._store(key, kind, answer, stats)
            return answer, stats
        except Exception as exc:
            exc.call_stats = stats  # the caller still accounts what the failed call cost
            raise
        finally:
            ANSWER_CONTEXT.reset(context_token)
            _stats.reset(token)

    def ask_verdict(self, kind: str, text: str) -> tuple[Verdict, CallStats]:
        """One yes/no question (`text` ends with it), answered in the first token of a plain
        reply: one token generated, its probability read where the endpoint returns
        log-probabilities, else the token alone. Raises `VerdictError` when the reply is neither
        是 nor 否."""
        stats = CallStats()
        request = self._request(prompt_set(kind).messages(text), max_tokens=1)
        key = self._cache_key(kind, request) if self.cache is not None else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                stats.cache_hits = 1
                verdict = Verdict.model_validate(hit["answer"])
                _count_verdict(stats, verdict)
                return verdict, stats
        token = _stats.set(stats)
        try:
            completion = self._openai.chat.completions.create(model=self.settings.model, **request)
            choice = completion.choices[0]
            p = first_token_yes(getattr(choice, "logprobs", None))
            yes = said_yes(choice.message.content)
            if yes is None and p is None:
                raise VerdictError(f"the answer {choice.message.content!r} is neither 是 nor 否")
            verdict = Verdict(yes=yes if yes is not None else p >= 0.5, p=p)
            _count_verdict(stats, verdict)
            self._store(key, kind, verdict, stats)
            return verdict, stats
        except Exception as exc:
            exc.call_stats = stats
            raise
        finally:
            _stats.reset(token)

    def _request(self, messages: list[dict], max_tokens: int) -> dict:
        return {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            **({"seed": self.settings.seed} if self.settings.seed is not None else {}),
            **({"logprobs": True, "top_logprobs": self.settings.top_logprobs} if self.settings.logprobs else {}),
        }

    def _store(self, key: str | None, kind: str, answer: BaseModel, stats: CallStats) -> None:
        if key is not None:
            self.cache.put(key, kind=kind, model=self.settings.model, prompt_version=prompt_version(),
                           answer=answer.model_dump(mode="json"), prompt_tokens=stats.prompt_tokens,
                           completion_tokens=stats.completion_tokens)

    def _cache_key(self, kind: str, request: dict) -> str:  # noqa: D102
        if kind not in self._schemas:
            self._schemas[kind] = prompt_set(kind).response_model.model_json_schema()
        return cache_key(endpoint=self.cache.endpoint or self.settings.base_url, model=self.settings.model,
                         mode=self.mode, prompt_version=kind_version(kind), schema=self._schemas[kind],
                         request=request)

    def _cached(self, key: str, model: type[BaseModel], context: AnswerContext | None) -> BaseModel | None:
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:  # validated again with this request's context: a stale entry is a miss
            return model.model_validate(hit["answer"], context=context or AnswerContext())
        except ValueError:
            self.cache.discard(key)
            return None
