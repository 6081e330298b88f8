"""A fixed-window rate limiter with Cloudflare's Ratelimit headers (API limits page)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Cloudflare's documented default: 1200 requests per 5 minutes per token.
DEFAULT_QUOTA = 1200
DEFAULT_WINDOW = 300


@dataclass
class RateLimiter:
    """Counts requests per window; answers 429 only when `enforce` is set (the mock's --rate-limit)."""

    quota: int = DEFAULT_QUOTA
    window: float = DEFAULT_WINDOW
    enforce: bool = False
    clock: Callable[[], float] = time.monotonic
    _start: float = field(default=0.0, init=False)
    _used: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @classmethod
    def parse(cls, text: str) -> RateLimiter:
        """'N/SECONDS', e.g. '1200/300'."""
        quota, _, window = text.partition("/")
        limiter = cls(quota=int(quota), window=float(window or DEFAULT_WINDOW), enforce=True)
        if limiter.quota < 1 or limiter.window <= 0:
            raise ValueError(text)
        return limiter

    def take(self) -> int | None:
        """Count one request; None when allowed, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            if now - self._start >= self.window:
                self._start, self._used = now, 0
            self._used += 1
            if self.enforce and self._used > self.quota:
                return self._seconds_left(now)
            return None

    def stamp(self, reply: Any) -> None:
        """Add the headers Cloudflare returns on every response."""
        with self._lock:
            remaining = max(0, self.quota - self._used)
            left = self._seconds_left(self.clock())
        reply.headers["ratelimit"] = f'"default";r={remaining};t={left}'
        reply.headers["ratelimit-policy"] = f'"default";q={self.quota};w={int(self.window)}'

    def _seconds_left(self, now: float) -> int:
        return max(0, math.ceil(self._start + self.window - now))
