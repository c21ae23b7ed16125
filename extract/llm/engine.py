"""The embedded engine: llama.cpp's server (xllamacpp) on 127.0.0.1, in a child process.

A child process rather than a thread so that the server stops for sure when the run ends,
on Ctrl-C and on errors (xllamacpp's in-process server has no stop call).
"""
from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from extract.llm.model_file import MODEL_NAME, model_path

ENGINE_NAME = "embedded-llama.cpp"


class EngineError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_forever(host: str = "127.0.0.1", port: int = 8080, n_ctx: int = 8192,
                  threads: int | None = None, parallel: int = 1, model: str | None = None,
                  parent_pid: int | None = None) -> None:
    """Run the server in this process until it is killed (used by `extract serve`), or, as the
    child of a run (`parent_pid`), until that run is gone: a killed run leaves no server
    generating on the CPU."""
    try:
        import xllamacpp as xlc
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise EngineError("the embedded engine needs: pip install -e '.[local]'") from exc
    threads = threads or max(1, os.cpu_count() or 1)
    p = xlc.CommonParams()
    p.model.path = model or str(model_path())
    p.model_alias = MODEL_NAME
    p.n_ctx = n_ctx
    p.n_parallel = parallel
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.hostnames = [host]
    p.port = port
    server = xlc.Server(p)  # noqa: F841 - serves in a background thread while we live
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(1.0 if parent_pid else 3600)
        if parent_pid and os.getppid() != parent_pid:
            sys.exit(0)


def _drain(stream, tail) -> None:
    try:
        for line in iter(stream.readline, b""):
            tail.append(line)
    except (OSError, ValueError):  # closed at exit
        pass


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class EmbeddedServer:
    """Context manager: start the child server, wait for health, stop it on exit."""

    n_ctx: int = 8192
    parallel: int = 1
    startup_timeout_s: float = 180.0
    proc: subprocess.Popen | None = None
    port: int = 0
    _log: Any = None  # the last lines of the server's stderr

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> "EmbeddedServer":
        model = model_path()  # assemble and verify before starting, so errors are clear
        self.port = free_port()
        cmd = [sys.executable, "-m", "extract.llm.engine", str(self.port), str(self.n_ctx),
               str(self.parallel), str(model), str(os.getpid())]
        # The server logs every request to stderr. A pipe nobody reads fills (64 KiB) and then
        # blocks the server's logging thread, and with it every request: a thread drains it,
        # keeping only the tail, to explain a failed start.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self._log = collections.deque(maxlen=64)
        threading.Thread(target=_drain, args=(self.proc.stderr, self._log), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout_s
        root = f"http://127.0.0.1:{self.port}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the drain read the last lines
                err = b"".join(self._log).decode(errors="replace")[-2000:]
                raise EngineError(f"embedded server exited at start (code {self.proc.returncode}): {err}")
            if _healthy(root):
                return self
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise EngineError(f"embedded server not healthy after {self.startup_timeout_s:.0f}s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


if __name__ == "__main__":  # child process entry: port n_ctx parallel model-path parent-pid
    serve_forever(port=int(sys.argv[1]), n_ctx=int(sys.argv[2]), parallel=int(sys.argv[3]),
                  model=sys.argv[4], parent_pid=int(sys.argv[5]) if len(sys.argv) > 5 else None)
