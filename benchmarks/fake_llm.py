"""A misbehaving OpenAI-compatible server for tests and benchmarks.

It is a real HTTP server (127.0.0.1, a free port, a background thread), so tests drive the
whole client path: LLMClient → instructor → openai SDK → HTTP → here. Answers are built from
the request itself: the kind comes from `response_format.json_schema.name` (or the tool name,
or the prompt), and every answer is grounded in the article text of the last user turn.

Faults are scripted per request: `server.script("503", "reset", kind="targets")` queues one fault
for each of the next requests of that kind (kind=None: any kind); `server.always("503")` makes a
fault sticky. Fault names:

  429:S      429 with Retry-After: S seconds      429        429 without Retry-After
  500 502 503  that status                          reset      close the socket, no response (RST)
  hang       answer nothing for `hang_s` seconds    truncated  Content-Length larger than the body
  length     finish_reason "length", JSON cut off   badjson    content that is not JSON
  schema     JSON that breaks the answer schema     invent     an id, issuer or quote not in the text
  401 403    a bad key (the 401 body echoes the key sent, as some servers do)
  404        the model does not exist                400:model  400 naming the model
  400:param  400 for an unsupported parameter         400        400 about the request itself

`models` is what `/v1/models` lists (None: that route answers 404, as some servers do);
`models_fault` ("401"…) makes it answer that fault instead.

`mode="obey"` answers like a model that obeys an injected "ignore your instructions" in the
article: invented issuers and quotes on every request. `latency` delays every answer.

Load and outages, for the reliability tests and the soak benchmark: `max_concurrent=N` answers
429 to a request that arrives while N are already being served (as a provider's rate limit
does; `limit_retry_after` adds a Retry-After); `fault_rate=p` serves a random transient fault
(`random_faults`, seeded by `seed`) to each request with probability p; `outage(seconds)` (or
`outage_after` requests, `outage_s` long) answers every request with `outage_fault` until it ends.

Batch API: `/v1/files` (upload with purpose "batch", retrieve, `/content`) and `/v1/batches`
(create, retrieve, list, cancel). A batch answers each request line as the live route would.
`batch_script(*faults)` queues one fault per next batch request line: "500"/"503" (the line goes
to the error file), "expired" (no answer: the line goes to the error file as batch_expired) or
an answer-shaping fault ("schema", "badjson", "length", "invent": a 200 answer that fails
validation or is cut). `batch_polls=N`: a batch reports validating, then in_progress, for the
next N retrieves before it ends; `batch_expire_after=N`: a batch answers its first N lines and
then expires, the rest in its error file (as a provider does after its 24 h window).

Run standalone (for benchmarks): `python -m benchmarks.fake_llm --latency 0.2` prints the base URL.
The tests' `fake_llm` fixture (tests/fake_llm.py) starts one per test.
"""
from __future__ import annotations

import argparse
import email.parser
import email.policy
import json
import random
import re
import socket
import struct
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

SCHEMA_KINDS = {"PolicyAnswers": "policies", "MeasureAnswers": "measures",
                "MeetingAnswers": "meetings", "QuotedMeetingAnswers": "quoted_meetings"}
KINDS = ("targets", "meeting_held", "policies", "measures", "meetings", "quoted_meetings")
FAULTS = {"400", "401", "403", "404", "429", "500", "502", "503", "reset", "hang", "truncated", "length", "badjson", "schema", "invent",
          "byline"}

# instructor's reask turns are English; article text is Chinese.
_REASK = re.compile(r"(?i)validation error|fix the errors|correct your json|recall the function")
_MARK = re.compile(r"【(\d+)】")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_MEETING = re.compile(r"召开|举行|举办|出席|主持|座谈|会议|大会|论坛|签约|揭牌|仪式|调研|视察")
_MEETING_NAME = re.compile(r"[\u4e00-\u9fff“”]{2,20}?(?:座谈会|推介会|动员会|大会|会议|论坛|仪式)")
_BODIES = re.compile(r"(?:区委|区政府|市委|市政府|县委|县政府|省政府|国务院)")


class FakeLLM:
    def __init__(self, latency: float = 0.0, hang_s: float = 5.0, mode: str = "good",
                 host: str = "127.0.0.1", port: int = 0, *, max_concurrent: int | None = None,
                 limit_retry_after: str | None = None, fault_rate: float = 0.0,
                 random_faults: tuple[str, ...] = ("503", "500", "reset"), seed: int = 0,
                 outage_after: int | None = None, outage_s: float = 0.0, outage_fault: str = "503",
                 logprobs: bool = True, p_true: float | Callable[[str, str], float] = 0.8,
                 models: list[str] | None = ("fake",)):
        self.latency = latency
        self.models = list(models) if models is not None else None
        self.models_fault: str | None = None
        self.models_owner = "tests"  # "llamacpp": a llama.cpp server (it answers any model name)
        self.model_requests = 0  # GET /v1/models
        # Answer `logprobs` requests with token log-probabilities (False: an endpoint without).
        self.logprobs = logprobs
        # The probability on each yes (是, true): a number, or one per request from (kind, the
        # request's last user text), an endpoint whose model judges differently.
        self.p_true = p_true
        self.max_concurrent = max_concurrent
        self.limit_retry_after = limit_retry_after
        self.fault_rate = fault_rate
        self.random_faults = random_faults
        self._rng = random.Random(seed)
        self.outage_after = outage_after
        self.outage_s = outage_s
        self.outage_fault = outage_fault
        self.outage_until = 0.0  # monotonic time
        self.outages = 0
        self.active = 0  # requests being served now
        self.peak_active = 0
        self.hang_s = hang_s
        self.mode = mode
        self.requests: Counter[str] = Counter()  # per kind, plus "total"
        self.asked: list[tuple[str, str]] = []  # (kind, last user turn) of each chat request
        self.reasks: Counter[str] = Counter()
        self.faults_served: Counter[str] = Counter()
        self.connections = 0  # TCP connections accepted: shows whether clients keep them alive
        self._queues: dict[str | None, deque[str]] = {}
        self._sticky: dict[str | None, str] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        # The Batch API's state: uploaded files and batches, by id.
        self.files: dict[str, dict] = {}
        self.batches: dict[str, dict] = {}
        self.batch_polls = 0
        self.batch_expire_after: int | None = None
        self.batch_lines = 0  # batch request lines answered
        self._batch_faults: deque[str] = deque()
        self._ids = 0
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeLLM":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FakeLLM":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def script(self, *faults: str, kind: str | None = None) -> None:
        """Queue one fault for each of the next requests (of `kind`, or of any kind)."""
        for f in faults:
            _check_fault(f)
        with self._lock:
            self._queues.setdefault(kind, deque()).extend(faults)

    def always(self, fault: str | None, kind: str | None = None) -> None:
        """A fault for every request (of `kind`) until cleared with None."""
        with self._lock:
            if fault is None:
                self._sticky.pop(kind, None)
            else:
                _check_fault(fault)
                self._sticky[kind] = fault

    def batch_script(self, *faults: str) -> None:
        """One fault for each of the next batch request lines (see the module's docstring)."""
        for f in faults:
            if f != "expired":
                _check_fault(f)
        with self._lock:
            self._batch_faults.extend(faults)

    def p_for(self, kind: str, text: str) -> float:
        return float(self.p_true(kind, text)) if callable(self.p_true) else self.p_true

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            return f"{prefix}-{self._ids:06d}"

    def outage(self, seconds: float) -> None:
        """From now on, for `seconds`, every request gets `outage_fault`."""
        with self._lock:
            self.outage_until = time.monotonic() + seconds
            self.outages += 1

    @property
    def in_outage(self) -> bool:
        return time.monotonic() < self.outage_until

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.reasks.clear()
            self.faults_served.clear()
            self.connections = 0

    def _next_fault(self, kind: str) -> str | None:
        with self._lock:
            self.requests[kind] += 1
            self.requests["total"] += 1
            if self.outage_after is not None and not self.outages and self.requests["total"] >= self.outage_after:
                self.outage_until = time.monotonic() + self.outage_s
                self.outages += 1
            for key in (kind, None):
                q = self._queues.get(key)
                if q:
                    fault = q.popleft()
                    break
            else:
                fault = self._sticky.get(kind) or self._sticky.get(None)
            if time.monotonic() < self.outage_until:
                fault = self.outage_fault
            elif not fault and self.fault_rate and self._rng.random() < self.fault_rate:
                fault = self._rng.choice(self.random_faults)
            if fault:
                self.faults_served[fault] += 1
            return fault


def _check_fault(fault: str) -> None:
    if fault.split(":")[0] not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # benchmarks open many connections at once
    allow_reuse_address = True
    fake: FakeLLM

    def handle_error(self, request, client_address) -> None:
        pass  # clients that go away (timeouts, kills) are part of the script, not errors


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.fake._lock:
            self.server.fake.connections += 1
        # As real servers do: no Nagle delay on small answers (else ~40 ms per request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            fake = self.server.fake
            with fake._lock:
                fake.model_requests += 1
            if fake.models_fault and self._fault(fake.models_fault, {}, "", ""):
                return
            if fake.models is None:
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            self._json(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": fake.models_owner}
                                                        for m in fake.models]})
        elif self.path.rstrip("/") in ("/health", "/v1/health"):
            self._json(200, {"status": "ok"})
        elif self.path.startswith("/v1/files/") or self.path.startswith("/v1/batches"):
            _batch_get(self)
        elif self.path.rstrip("/") in ("/stats", "/v1/stats"):  # for benchmarks in another process
            fake = self.server.fake
            with fake._lock:
                self._json(200, {"requests": dict(fake.requests), "reasks": dict(fake.reasks),
                                 "faults": dict(fake.faults_served), "connections": fake.connections,
                                 "in_outage": fake.in_outage, "outages": fake.outages,
                                 "peak_active": fake.peak_active})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        received = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.rstrip("/") == "/v1/files" or self.path.startswith("/v1/batches"):
            _batch_post(self, body)
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            req = json.loads(body)
        except ValueError:
            self._json(400, {"error": {"message": "request body is not JSON"}})
            return
        fake = self.server.fake
        with fake._lock:
            fake.active += 1
            fake.peak_active = max(fake.peak_active, fake.active)
            over_limit = fake.max_concurrent is not None and fake.active > fake.max_concurrent
        try:
            if over_limit:
                with fake._lock:
                    fake.requests["total"] += 1
                    fake.faults_served["429"] += 1
                self._fault("429:" + fake.limit_retry_after if fake.limit_retry_after else "429", req, "", "")
                return
            self._answer(fake, req, received)
        finally:
            with fake._lock:
                fake.active -= 1

    def _answer(self, fake: "FakeLLM", req: dict, received: float) -> None:
        kind = request_kind(req)
        text, reask = article_text(req.get("messages") or [])
        with fake._lock:
            fake.asked.append((kind, text))
            if reask:
                fake.reasks[kind] += 1
        fault = fake._next_fault(kind)
        if fake.latency:
            # A fixed latency counts from the request's arrival: this server's own work is
            # part of it, as a real endpoint's would be.
            fake.stopping.wait(max(0.0, fake.latency - (time.monotonic() - received)))
        if fault:
            if self._fault(fault, req, kind, text):
                return
        self._json(200, completion(req, *answer_content(fake, kind, text, fault),
                                   p_true=fake.p_for(kind, text) if fake.logprobs else None))

    # -- faults ------------------------------------------------------------------------------

    def _fault(self, fault: str, req: dict, kind: str, text: str) -> bool:
        """Serve a transport fault; False for faults that shape the answer instead."""
        name, _, arg = fault.partition(":")
        if name in ("401", "403"):
            key = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            self._json(int(name), {"error": {"message": f"Incorrect API key provided: {key}. You can find your "
                                              "API key at https://example.invalid/keys.",
                                              "type": "invalid_request_error", "code": "invalid_api_key"}})
        elif name == "404":
            self._json(404, {"error": {"message": f"The model `{req.get('model')}` does not exist or you do "
                                        "not have access to it.", "type": "invalid_request_error",
                                        "code": "model_not_found"}})
        elif name == "400":
            message = {"model": f"Invalid model name passed in model={req.get('model')}",
                       "param": "Unsupported parameter: 'logprobs' is not supported with this model."}.get(
                           arg, "This model's maximum context length is 8192 tokens.")
            self._json(400, {"error": {"message": message, "type": "invalid_request_error"}})
        elif name == "429":
            headers = {"Retry-After": arg} if arg else {}
            self._json(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, headers)
        elif name in ("500", "502", "503"):
            self._json(int(name), {"error": {"message": f"fake server error {name}", "type": "server_error"}})
        elif name == "reset":
            # SO_LINGER 0: close() sends RST, the client sees a reset, not a clean EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif name == "hang":
            self.server.fake.stopping.wait(self.server.fake.hang_s)
            self.close_connection = True
        elif name == "truncated":
            data = json.dumps(completion(req, json.dumps({"items": answer_items(kind, text, "good")},
                                                         ensure_ascii=False), "stop")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data) + 100))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        else:
            return False
        return True

    def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (timeout, killed)


# -- the Batch API -------------------------------------------------------------------------------


def _batch_post(h: _Handler, body: bytes) -> None:
    fake = h.server.fake
    path = h.path.rstrip("/")
    if path == "/v1/files":
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + h.headers.get("Content-Type", "").encode() + b"\r\n\r\n" + body)
        fields = {part.get_param("name", header="content-disposition"): part for part in msg.iter_parts()}
        if "file" not in fields:
            h._json(400, {"error": {"message": "no file in the upload"}})
            return
        purpose = (fields.get("purpose").get_content() if "purpose" in fields else "").strip()
        data = fields["file"].get_payload(decode=True) or b""
        fid = fake._new_id("file")
        name = fields["file"].get_filename() or "upload.jsonl"
        fake.files[fid] = {"id": fid, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                           "filename": name, "purpose": purpose, "data": data}
        h._json(200, _file_obj(fake.files[fid]))
        return
    if path == "/v1/batches":
        req = json.loads(body or b"{}")
        source = fake.files.get(req.get("input_file_id"))
        if source is None:
            h._json(404, {"error": {"message": f"no file {req.get('input_file_id')}"}})
            return
        bid = fake._new_id("batch")
        lines = [json.loads(x) for x in source["data"].decode("utf-8").splitlines() if x.strip()]
        fake.batches[bid] = {
            "id": bid, "object": "batch", "endpoint": req.get("endpoint"), "errors": None,
            "input_file_id": source["id"], "completion_window": req.get("completion_window"),
            "status": "validating", "output_file_id": None, "error_file_id": None,
            "created_at": int(time.time()), "metadata": req.get("metadata"),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "_lines": lines, "_polls": fake.batch_polls,
        }
        h._json(200, _batch_obj(fake.batches[bid]))
        return
    if path.endswith("/cancel"):
        batch = fake.batches.get(path.split("/")[-2])
        if batch is None:
            h._json(404, {"error": {"message": "no such batch"}})
            return
        if batch["status"] not in ("completed", "expired", "failed"):
            batch["status"] = "cancelled"
        h._json(200, _batch_obj(batch))
        return
    h._json(404, {"error": {"message": f"no route {h.path}"}})


def _batch_get(h: _Handler) -> None:
    fake = h.server.fake
    parts = h.path.split("?")[0].rstrip("/").split("/")  # ['', 'v1', 'files'|'batches', id, ...]
    if parts[2] == "batches" and len(parts) == 3:
        data = [_batch_obj(_advance(fake, b)) for b in reversed(list(fake.batches.values()))]
        h._json(200, {"object": "list", "data": data, "has_more": False,
                      "first_id": data[0]["id"] if data else None, "last_id": data[-1]["id"] if data else None})
        return
    if parts[2] == "batches":
        batch = fake.batches.get(parts[3])
        if batch is None:
            h._json(404, {"error": {"message": f"no batch {parts[3]}"}})
            return
        h._json(200, _batch_obj(_advance(fake, batch)))
        return
    f = fake.files.get(parts[3]) if len(parts) > 3 else None
    if f is None:
        h._json(404, {"error": {"message": f"no file {h.path}"}})
    elif len(parts) > 4 and parts[4] == "content":
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(f["data"])))
        h.end_headers()
        h.wfile.write(f["data"])
    else:
        h._json(200, _file_obj(f))


def _file_obj(f: dict) -> dict:
    return {k: v for k, v in f.items() if k != "data"} | {"status": "processed"}


def _batch_obj(b: dict) -> dict:
    return {k: v for k, v in b.items() if not k.startswith("_")}


def _advance(fake: FakeLLM, batch: dict) -> dict:
    """Each retrieve moves a batch on: validating → in_progress (`batch_polls` retrieves) → ended."""
    if batch["status"] in ("completed", "expired", "failed", "cancelled"):
        return batch
    if batch["_polls"] > 0:
        batch["_polls"] -= 1
        batch["status"] = "in_progress"
        return batch
    out, err = [], []
    for n, line in enumerate(batch["_lines"]):
        with fake._lock:
            fault = fake._batch_faults.popleft() if fake._batch_faults else None
            fake.batch_lines += 1
        if fake.batch_expire_after is not None and n >= fake.batch_expire_after:
            fault = "expired"
        row = {"id": f"batch_req_{batch['id']}_{n}", "custom_id": line.get("custom_id"), "response": None, "error": None}
        if fault == "expired":
            row["error"] = {"code": "batch_expired", "message": "This request could not be executed before the "
                                                                "completion window expired."}
            err.append(row)
        elif fault in ("500", "502", "503"):
            row["response"] = {"status_code": int(fault), "request_id": row["id"],
                               "body": {"error": {"message": f"fake server error {fault}", "type": "server_error"}}}
            err.append(row)
        else:
            req = line.get("body") or {}
            row["response"] = {"status_code": 200, "request_id": row["id"], "body": batch_answer(fake, req, fault)}
            out.append(row)
    counts = batch["request_counts"]
    counts["completed"], counts["failed"] = len(out), len(err)
    for kind, rows in (("output_file_id", out), ("error_file_id", err)):
        if rows:
            fid = fake._new_id("file")
            data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
            fake.files[fid] = {"id": fid, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                               "filename": f"{batch['id']}_{kind}.jsonl", "purpose": "batch_output", "data": data}
            batch[kind] = fid
    expired = fake.batch_expire_after is not None and len(batch["_lines"]) > fake.batch_expire_after
    batch["status"] = "expired" if expired else "completed"
    batch[f"{batch['status']}_at"] = int(time.time())
    return batch


def batch_answer(fake: FakeLLM, req: dict, fault: str | None) -> dict:
    """A batch request line's answer: what the live route answers to the same body."""
    kind = request_kind(req)
    text, _ = article_text(req.get("messages") or [])
    with fake._lock:
        fake.requests[f"batch:{kind}"] += 1
    return completion(req, *answer_content(fake, kind, text, fault), p_true=fake.p_for(kind, text) if fake.logprobs else None)


def answer_content(fake: FakeLLM, kind: str, text: str, fault: str | None) -> tuple[str, str]:
    """(message content, finish_reason) for a request, shaped by an answer fault if any."""
    mode = "invent" if fault == "invent" or fake.mode == "obey" else "byline" if fault == "byline" else "good"
    if kind in ("targets", "meeting_held"):  # one candidate's question, answered in its first token
        return ("嗯" if fault in ("badjson", "schema") else "是"), ("length" if fault == "length" else "stop")
    content = json.dumps({"items": answer_items(kind, text, mode, obey=fake.mode == "obey")}, ensure_ascii=False)
    finish = "stop"
    if fault == "length":
        content, finish = content[: max(1, len(content) // 2)], "length"
    elif fault == "badjson":
        content = '{"items": [{"id": 1, "is_policy": tru'  # cut inside a literal
    elif fault == "schema":
        content = json.dumps({"items": [{"id": "one", "verdict": "yes"}]})
    return content, finish


# -- answers -----------------------------------------------------------------------------------


def request_kind(req: dict) -> str:
    rf = req.get("response_format") or {}
    name = (rf.get("json_schema") or {}).get("name")
    if not name and req.get("tools"):
        name = req["tools"][0].get("function", {}).get("name")
    if name in SCHEMA_KINDS:
        return SCHEMA_KINDS[name]
    system = next((m.get("content") or "" for m in req.get("messages", []) if m.get("role") == "system"), "")
    if "是或否" in system:  # a plain yes/no question: which one, by its subject
        return "targets" if "目标" in system else "meeting_held"
    for kind, word in (("targets", "目标"), ("measures", "措施"), ("policies", "文件"), ("meetings", "会议")):
        if word in system:
            return kind
    return "unknown"


def article_text(messages: list[dict]) -> tuple[str, bool]:
    """The last user turn that is not an instructor reask; and whether this request is a reask."""
    users = [m for m in messages if m.get("role") == "user" and isinstance(m.get("content"), str)]
    reask = bool(users) and bool(_REASK.search(users[-1]["content"]))
    for m in reversed(users):
        if not _REASK.search(m["content"]):
            return m["content"], reask
    return "", reask


def answer_items(kind: str, text: str, mode: str = "good", obey: bool = False) -> list[dict]:
    if kind == "policies":
        return _policies(text, mode)
    if kind == "measures":
        return _measures(text, mode)
    if kind == "meetings":
        return _pointed_meetings(text, mode)
    if kind == "quoted_meetings":
        return _meetings(text, mode)
    return []


def _policies(text: str, mode: str) -> list[dict]:
    issuers = sorted(set(_BODIES.findall(text)))
    if mode == "invent":
        issuers = ["联合国安理会"]
    return [{"id": int(m.group(1)), "is_policy": True, "issuers": issuers} for m in _MARK.finditer(text)]


def _measures(text: str, mode: str) -> list[dict]:
    """The first marked sentence says what the document sets out."""
    items = [{"id": int(m.group(1))} for m in _MARK.finditer(text)][:1]
    if mode == "invent":
        items.append({"id": 99})
    return items


def _named_sentences(sentences) -> list[tuple[object, str, str]]:
    """(key, sentence, name) for the first three sentences with meeting wording, one per name."""
    out, names = [], set()
    for key, sentence in sentences:
        if not sentence or not _MEETING.search(sentence):
            continue
        found = _MEETING_NAME.search(sentence)
        name = found.group(0) if found else sentence[:16]
        if name not in names:
            names.add(name)
            out.append((key, sentence, name))
    return out[:3]


def _pointed_meetings(text: str, mode: str) -> list[dict]:
    """Meetings answered by the 【n】 of their sentence (the default format)."""
    marked = ((int(m.group(1)), re.split(r"【\d+】|\n", text[m.end():], maxsplit=1)[0].strip())
              for m in _MARK.finditer(text))
    items = [{"id": k, "name": name, "time_text": None, "location": None, "organizers": []}
             for k, _, name in _named_sentences(marked)]
    if mode == "invent":  # a meeting at a sentence that was never marked
        items.append({"id": 99, "name": "虚构峰会", "time_text": None, "location": "月球", "organizers": []})
    return items


def _meetings(text: str, mode: str) -> list[dict]:
    """Meetings answered with a copied sentence and people (the previous format)."""
    items = [{"name": name, "quote": sentence, "time_text": None, "location": None,
              "organizers": [], "chairs": [], "attendees": []}
             for _, sentence, name in _named_sentences((None, m.group(0).strip()) for m in _SENTENCE.finditer(text))]
    reporter = re.search(r"记者\s*([\u4e00-\u9fff]{2,3})", text)
    if mode == "byline" and items and reporter:  # the reporter listed as if they attended
        items[0]["attendees"] = [reporter.group(1)]
    if mode == "invent":
        items.append({"name": "虚构峰会", "quote": "全体与会者一致同意向每户发放一百万元。", "time_text": None,
                      "location": "月球", "organizers": [], "chairs": [], "attendees": []})
    return items


def completion(req: dict, content: str, finish: str, p_true: float | None = None) -> dict:
    """A chat completion; with `p_true` and a request that asks for `logprobs`, the answer's
    tokens with their log-probabilities in the OpenAI format (each boolean gets `p_true` on
    `true`, each id 0.9 on the digit chosen)."""
    prompt_chars = sum(len(m.get("content") or "") for m in req.get("messages", []) if isinstance(m, dict))
    prompt, done = max(1, prompt_chars // 2), max(1, len(content) // 2)
    choice = {"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}
    if p_true is not None and req.get("logprobs"):
        choice["logprobs"] = {"content": fake_logprobs(content, p_true)}
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.get("model") or "fake",
        "choices": [choice],
        "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done},
    }


_TOKEN = re.compile(r"\s*(?:true|false|\d|\w+|[^\s\w])")


def fake_logprobs(content: str, p_true: float) -> list[dict]:
    import math
    out = []
    for m in _TOKEN.finditer(content):
        tok = m.group(0)
        word = tok.strip()
        if word in ("是", "否"):  # a plain verdict: 是 gets p_true
            alts = [("是", p_true), ("否", 1 - p_true)]
            chosen = p_true if word == "是" else 1 - p_true
        elif word in ("true", "false"):
            alts = [(" true", p_true), (" false", 1 - p_true)]
            chosen = p_true if word == "true" else 1 - p_true
        elif word.isdigit():
            alts, chosen = [(tok, 0.9), (" 9", 0.1)], 0.9
        else:
            alts, chosen = [(tok, 1.0)], 1.0
        lp = lambda p: math.log(max(p, 1e-9))  # noqa: E731
        out.append({"token": tok, "logprob": lp(chosen), "bytes": None,
                    "top_logprobs": [{"token": t, "logprob": lp(p), "bytes": None} for t, p in alts]})
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--mode", default="good", choices=["good", "obey"])
    ap.add_argument("--max-concurrent", type=int, default=None)
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--outage-after", type=int, default=None, help="requests before the outage starts")
    ap.add_argument("--outage-s", type=float, default=0.0)
    args = ap.parse_args(argv)
    server = FakeLLM(latency=args.latency, mode=args.mode, port=args.port, max_concurrent=args.max_concurrent,
                     fault_rate=args.fault_rate, seed=args.seed, outage_after=args.outage_after,
                     outage_s=args.outage_s).start()
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()


# -- synthetic input -----------------------------------------------------------------------------


def synthetic_page(start: int, n: int) -> str:
    """`n` short articles, numbered from `start`, as one newspaper page. Each article has exactly
    one target candidate and nothing else (no document names, no meeting words), so it costs
    exactly one request; the numbers differ, so no two requests are the same."""
    return "\n\n".join(
        f"第{i}号片区推进产业升级\n\n本报讯 到2025年，全区规模以上工业企业力争达到{100 + i}家。"
        for i in range(start, start + n)
    ) + "\n"


RICH_ARTICLE = (
    "区委区政府召开全区工业经济高质量发展大会\n\n本报讯 3月2日上午，我区召开全区工业经济高质量发展大会。"
    "会上，区委、区政府印发了《工业经济高质量发展实施方案》，明确了五项重点任务。到2025年，全区规模以上工业企业力争达到{n}家。\n"
)  # one candidate of each kind: three requests (targets, policies, meetings; code lists the measures)


def write_pages(folder, files: int, per_file: int) -> list:
    """`files` pages of `per_file` articles each under `folder`; returns their paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        p = folder / f"page{f:04d}.txt"
        p.write_text(synthetic_page(f * per_file + 1, per_file), encoding="utf-8")
        paths.append(p)
    return paths


def extract_files(base_url: str, paths: list, output, *, concurrency: int = 1, batch: dict | None = None,
                  **settings):
    """The batch as `extract run` does it, in process: (Summary, records as dicts). `batch`:
    more `extract_paths` arguments (breaker, adaptive, force, retry_failed).

    `settings` are `LLMSettings` fields (timeout_s, cache, start_endpoint …); the answer cache
    is off unless `cache` names its SQLite file."""
    import json as _json
    from pathlib import Path

    from extract.api import Extractor

    timeout = settings.pop("timeout_s", 600.0)
    cache = settings.pop("cache", None)
    with Extractor(base_url=base_url, model="fake", engine="fake", env=False, timeout=timeout,
                   cache=cache, concurrency=concurrency, **settings) as ex:
        result = ex.extract_paths(paths, Path(output), keep_records=False, **(batch or {}))
    lines = Path(output).read_text(encoding="utf-8").splitlines() if Path(output).exists() else []
    return result.summary, [_json.loads(line) for line in lines]
