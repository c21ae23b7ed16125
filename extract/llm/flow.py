"""Flow control shared by every request of a batch: a circuit breaker and an AIMD limiter.

The client asks `acquire()` before each HTTP request and reports how it went with `release()`:

- **Circuit breaker.** K requests in a row that fail for a transient reason (connection error,
  timeout, 5xx), across articles, trip it: from then on `acquire()` raises `CircuitOpen`, and
  retry waits end at once, so the batch stops taking articles and in-flight ones end quickly.
  Any answer from the endpoint (a 200, a 429, a 400) resets the count: it is alive.
- **Adaptive concurrency.** A 429 halves the number of requests allowed in flight (at most once
  per round: requests sent before the last decrease do not halve it again); every successful
  request adds 1/limit, so the limit grows by one per round of successes, up to the ceiling
  (`--concurrency`). Additive increase, multiplicative decrease, as TCP does.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

OK, RATE_LIMITED, DOWN, OTHER = "ok", "rate_limited", "down", "other"


class CircuitOpen(RuntimeError):
    """The batch stopped sending requests (the breaker tripped, or the batch is stopping)."""


@dataclass
class FlowStats:
    ceiling: int
    min_reached: int
    rate_limited: int
    tripped: bool
    failures_in_a_row: int
    last_error: str | None


class FlowControl:
    def __init__(self, ceiling: int, *, adaptive: bool = True, breaker: int = 5):
        self.ceiling = max(1, ceiling)
        self.adaptive = adaptive
        self.breaker = breaker  # 0: never trip
        self._cwnd = float(self.ceiling)
        self._in_flight = 0
        self._issued = 0  # tickets handed out
        self._decreased_at = 0  # the last ticket issued when the limit was last halved
        self._cond = threading.Condition()
        self._stopped = threading.Event()
        self.min_reached = self.ceiling
        self.rate_limited = 0
        self.failures_in_a_row = 0
        self.tripped = False
        self.last_error: str | None = None

    @property
    def limit(self) -> int:
        return max(1, int(self._cwnd)) if self.adaptive else self.ceiling

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        """No more requests: waiting and sleeping callers get `CircuitOpen` at once."""
        with self._cond:
            self._stopped.set()
            self._cond.notify_all()

    def acquire(self) -> int:
        with self._cond:
            while True:
                if self._stopped.is_set():
                    raise CircuitOpen(self._why())
                if self._in_flight < self.limit:
                    self._in_flight += 1
                    self._issued += 1
                    return self._issued
                self._cond.wait(0.5)

    def release(self, ticket: int, outcome: str, error: str | None = None) -> None:
        with self._cond:
            self._in_flight -= 1
            if self._stopped.is_set():
                pass  # stopping (breaker, Ctrl-C): requests cut short now are no news about the endpoint
            elif outcome == DOWN:
                self.failures_in_a_row += 1
                self.last_error = error
                if self.breaker and self.failures_in_a_row >= self.breaker:
                    self.tripped = True
                    self._stopped.set()
            else:
                self.failures_in_a_row = 0
            if outcome == RATE_LIMITED:
                self.rate_limited += 1
                if self.adaptive and ticket > self._decreased_at:
                    self._cwnd = max(1.0, self._cwnd / 2)
                    self._decreased_at = self._issued
                    self.min_reached = min(self.min_reached, self.limit)
            elif outcome == OK and self.adaptive and self._cwnd < self.ceiling:
                self._cwnd = min(float(self.ceiling), self._cwnd + 1.0 / self._cwnd)
            self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        """A retry's wait, cut short when the batch stops (the next acquire then raises)."""
        self._stopped.wait(seconds)

    def _why(self) -> str:
        if self.tripped:
            return f"circuit open: {self.failures_in_a_row} requests in a row failed ({self.last_error})"
        return "the batch is stopping"

    def stats(self) -> FlowStats:
        with self._cond:
            return FlowStats(self.ceiling, self.min_reached, self.rate_limited, self.tripped,
                             self.failures_in_a_row, self.last_error)
