"""One thread for a whole run that calls back when a request outlives its deadline.

A timer thread per request cost about as much as a loopback request itself; this thread sleeps until the deadline
of the request in flight and is woken only when it had nothing to wait for. It relies on a deadline never being
earlier than the one before it (the same length, a later start): a thread still waiting for the earlier one wakes
in time to wait for the next."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Watchdog:
    def __init__(self, on_expiry: Callable[[], None]) -> None:
        self._on_expiry = on_expiry
        self._wake = threading.Condition()
        self._due: float | None = None  # when the request in flight must have ended (monotonic), or None
        self._idle = True  # waiting with no deadline: an arm() must wake it
        self._closed = False
        self.expired = False  # the request in flight passed its deadline
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> None:
        with self._wake:
            self._due, self.expired = time.monotonic() + seconds, False
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="rtk-conformance deadline", daemon=True)
                self._thread.start()
            elif self._idle:
                self._wake.notify()

    def disarm(self) -> None:
        with self._wake:  # no wake-up: the thread finds nothing due when its current wait ends
            self._due = None

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _watch(self) -> None:
        with self._wake:
            while not self._closed:
                due = self._due
                self._idle = due is None
                if due is None:
                    self._wake.wait()
                elif time.monotonic() < due:
                    self._wake.wait(due - time.monotonic())
                else:
                    self._due, self.expired = None, True
                    self._on_expiry()
