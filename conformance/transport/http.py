"""How every request of a run reaches the target: one keep-alive connection, one origin (no redirect is followed),
TLS verified unless asked otherwise, each request bounded in time (connect, headers and the whole body) and in size,
and a run that stops once the target has stopped answering, instead of grinding through every case.

Where a target's bytes enter the run, they are made safe once: the body is decoded under one byte limit whatever its
encodings stack, a JSON body nested past the one nesting limit is refused, and the run's token is hidden from the
reason phrase, the headers and the body, in every form a target could echo it in (`secret.hide`)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.nesting import TOO_DEEP, json_within
from conformance.secret import Secret, hide, hide_bytes
from conformance.transport.decoding import ACCEPTED, PastLimit, Undecodable, decoded
from conformance.transport.httpx_internals import RawTooLarge, bounded_transport
from conformance.transport.pacing import RETRY_AFTER_CAP, pause_for, retry_after
from conformance.transport.watchdog import Watchdog

MiB = 1024 * 1024
UNREADABLE = "the response body is"  # how a BodyTooLarge message starts: larger than the limit, or nested too deep
TOO_LARGE = f"{UNREADABLE} larger than"
BREAKER_THRESHOLD = 5  # consecutive requests without an HTTP answer
SAFE_METHODS = ("GET", "HEAD")  # answers that may be shared: sending the request again would change nothing
# Headers that name the sender, not what is asked: two requests that differ only in these are the same request.
SENDER_HEADERS = ("user-agent", "x-schemathesis-testcaseid")


class TransportFailure(Exception):
    """No HTTP answer to one request; the message says why, in one line."""


class NotRecorded(TransportFailure):
    """A replay holds no answer for this request: the cassette's to answer for, not the target's, so it never counts
    towards the target's having stopped answering."""


class RateLimited(Exception):
    """The target rate-limits the run for longer than it waits: the run stops here, inconclusive."""


class BodyTooLarge(TransportFailure):
    """An answer whose body is past a limit (its size, or its nesting): the target answers, so the run goes on."""


class BudgetSpent(Exception):
    """The run's request budget is spent: this request is not sent."""


class TargetStopped(Exception):
    """The target stopped answering (or the run's deadline passed): the run stops here."""


@dataclass(frozen=True)
class Limits:
    deadline: float = 10.0  # seconds per request: connect, headers and the whole body
    max_body: int = MiB  # bytes of a response body, after decoding
    verify: bool | str = True  # TLS: verify against the system's CAs, a CA bundle file, or not at all (--insecure)
    run_deadline: float = 0.0  # seconds for the whole run; 0: none
    budget: int = 0  # requests at most; 0: no limit
    share: bool = True  # a request sent before (GET, HEAD) is answered with its first answer, not sent again


@dataclass
class Transport:
    limits: Limits
    started: float = field(default_factory=time.monotonic)
    failures_in_a_row: int = 0
    sent: int = 0
    refused: int = 0  # requests not sent: the budget was spent
    shared: int = 0  # requests not sent: the same request was sent before, and its answer is shared
    stopped: str = ""  # why the run stopped, or ''
    rate_limited: str = ""  # why the run stopped on a 429, or ''
    _pause: float = 0.0  # seconds to wait before the next request (the target's Ratelimit header)
    _socket: Any = None  # the socket of the connection in use, to cut it at the deadline
    _answers: dict[tuple[Any, ...], httpx.Response] = field(default_factory=dict)  # request identity -> its answer
    _sent_once: set[tuple[Any, ...]] = field(default_factory=set)  # identities of the explicit probes sent
    _identities: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)  # what was asked -> its identity
    secrets: list[Secret] = field(default_factory=list)  # hidden from every answer where it enters the run
    # What a layer beneath the client raises instead of answering (a cassette that holds no such request), in one line
    # (None: not such an error); the cassette's layer sets it, so that the transport needs to know no cassette.
    not_recorded: Callable[[BaseException], str | None] = lambda error: None

    def __post_init__(self) -> None:
        timeout = httpx.Timeout(self.limits.deadline)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        verify = self.limits.verify
        if isinstance(verify, str):  # a CA bundle file: httpx takes it as an SSL context (a path is deprecated)
            verify = ssl.create_default_context(cafile=verify)  # type: ignore[assignment]
        transport = bounded_transport(self.limits.max_body, verify=verify, limits=limits)
        self.http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept-Encoding": ACCEPTED},  # what decoding.py undoes, under its limit
            event_hooks={"response": [_keep_location]},
        )
        self._watchdog = Watchdog(self._cut)

    def protect(self, secret: Secret) -> None:
        """Hide `secret` (the run's token) from every answer, from now on."""
        self.secrets.append(secret)

    def hidden(self, text: str) -> str:
        for secret in self.secrets:
            text = hide(text, secret)
        return text

    def send(
        self, method: str, url: str, headers: dict[str, str], deadline: float = 0.0, once: bool = False, **request: Any
    ) -> httpx.Response:
        """The target's answer, its body read in full, or TransportFailure; TargetStopped ends the run.

        A request the run already sent (the same method, URL, body and headers) is not sent again: it shares the
        first answer. A 429 is waited out once when its Retry-After is short; otherwise the run stops as rate limited.
        `deadline` shortens this request's (0: the run's); `once`: a request the run sends once whatever its method
        (an explicit probe), so its answer is shared too; `request` takes what else httpx sends: params, content, json."""
        self.raise_if_stopped()  # a stopped run answers nothing more, not even from an answer it shares
        words = _asked(method, url, headers, request)
        if self._identities.get(words) in self._answers:  # asked before in the very same words: not even built again
            return self._shared(self._identities[words], once)
        try:
            if deadline:  # httpx's own timeouts follow this request's deadline too
                request["timeout"] = httpx.Timeout(deadline)
            built = self.http.build_request(method, url, headers=headers, extensions={"trace": self._trace}, **request)
        except httpx.HTTPError as exc:
            raise TransportFailure(reason_of(exc)) from None
        identity = self._identities[words] = _identity(built)
        if identity in self._answers:
            return self._shared(identity, once)
        response = self._send_once(built, deadline or self.limits.deadline)
        wait = retry_after(response.headers)
        if response.status_code == 429 and wait is not None and wait <= RETRY_AFTER_CAP:
            time.sleep(wait)
            response = self._send_once(built, deadline or self.limits.deadline)
            wait = retry_after(response.headers)
        if response.status_code == 429:
            asked = f"Retry-After: {wait:g} s" if wait is not None else "no Retry-After in seconds"
            self.rate_limited = f"the target answered 429 ({asked}); the run waits {RETRY_AFTER_CAP:g} s at most, once"
            raise RateLimited(self.rate_limited)
        if self.shares(response) or (self.limits.share and once):
            self._answers[identity] = response
        if once:
            self._sent_once.add(identity)
        return response

    def shares(self, answer: httpx.Response) -> bool:
        """Whether `answer` is kept, and so given to whoever asks the same request again."""
        return self.limits.share and answer.request.method in SAFE_METHODS

    def _shared(self, identity: tuple[Any, ...], once: bool) -> httpx.Response:
        # The same explicit probe asked again is another xdist worker's copy of one request of the run.
        self.shared += not (once and identity in self._sent_once)
        return self._answers[identity]

    def _send_once(self, request: httpx.Request, deadline: float) -> httpx.Response:
        self.raise_if_stopped()
        if self._pause:
            time.sleep(self._pause)
        if self.limits.budget and self.sent >= self.limits.budget:
            self.refused += 1
            raise BudgetSpent(f"not sent: the request budget of {self.limits.budget} (--max-requests) is spent")
        self.sent += 1
        try:
            response = self._bounded(request, deadline)
        except (BodyTooLarge, NotRecorded):
            self.failures_in_a_row = 0
            raise
        except TransportFailure:
            self.failures_in_a_row += 1
            if self.failures_in_a_row >= BREAKER_THRESHOLD:
                self.stopped = f"the target stopped answering: {self.failures_in_a_row} requests in a row got no HTTP response"
            raise
        self.failures_in_a_row = 0
        self._pause = pause_for(response.headers)
        return response

    def raise_if_stopped(self) -> None:
        """Nothing more is sent once the run is rate limited, the target stopped answering or the deadline passed."""
        if self.rate_limited:
            raise RateLimited(self.rate_limited)
        if self.stopped:
            raise TargetStopped(self.stopped)
        if self.limits.run_deadline and time.monotonic() - self.started > self.limits.run_deadline:
            self.stopped = f"the run's deadline ({self.limits.run_deadline:g} s, --deadline) passed"
            raise TargetStopped(self.stopped)

    def _bounded(self, request: httpx.Request, deadline: float) -> httpx.Response:
        self._watchdog.arm(deadline)
        try:
            response = self.http.send(request, stream=True)
            try:
                body = self._read(response)
            finally:
                response.close()
            return self._complete(response, body)
        except RawTooLarge:
            raise BodyTooLarge(f"{TOO_LARGE} {self.limits.max_body} bytes (--max-body)") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if self._watchdog.expired:
                raise TransportFailure(f"no complete answer within {deadline:g} s (connect, headers and body)") from None
            raise TransportFailure(self.hidden(reason_of(exc))) from None
        except Exception as exc:
            why = self.not_recorded(exc)
            if why is None:
                raise
            raise NotRecorded(why) from None
        finally:
            self._watchdog.disarm()

    def _read(self, response: httpx.Response) -> bytes:
        """The body, decoded under the one byte limit however its encodings stack."""
        try:
            return decoded(response.iter_raw(), response.headers.get_list("content-encoding", split_commas=True), self.limits.max_body)
        except PastLimit:
            raise BodyTooLarge(f"{TOO_LARGE} {self.limits.max_body} bytes (--max-body)") from None
        except Undecodable as exc:
            raise TransportFailure(str(exc)) from None

    def _complete(self, streamed: httpx.Response, body: bytes) -> httpx.Response:
        """The answer with its whole (decoded) body, as if read at once, made safe where it enters the run: the token
        hidden from its reason phrase, headers and body; a JSON body nested past the limit refused."""
        if body.lstrip()[:1] in (b"[", b"{") and not json_within(body):
            raise BodyTooLarge(f"{UNREADABLE} {TOO_DEEP}")
        # As received, bytes: a value that is not ASCII (Retry-After: \xb2) is the target's to answer for, not a crash.
        raw = streamed.extensions.get(KEPT_HEADERS, streamed.headers.raw)
        # The body is decoded: its encoding and the length it had encoded say nothing of it any more.
        encoded = any(k.lower() == b"content-encoding" for k, _ in raw)
        gone = (b"content-encoding", b"content-length") if encoded else (b"content-encoding",)
        headers = [(k, self._hidden_bytes(v)) for k, v in raw if k.lower() not in gone]
        reason = self.hidden(streamed.reason_phrase).encode("ascii", "backslashreplace")
        response = httpx.Response(
            streamed.status_code,
            headers=headers,
            content=self._hidden_bytes(body),
            request=streamed.request,
            extensions={"reason_phrase": reason, "http_version": streamed.http_version.encode()},
        )
        response.elapsed = streamed.elapsed
        return response

    def _hidden_bytes(self, data: bytes) -> bytes:
        for secret in self.secrets:
            data = hide_bytes(data, secret)
        return data

    def _cut(self) -> None:
        """The deadline passed: cut the connection, which ends whatever read or write is waiting."""
        if self._socket is not None:
            with contextlib.suppress(OSError):  # already closed
                self._socket.shutdown(socket.SHUT_RDWR)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                self._socket = sock

    def close(self) -> None:
        self._watchdog.close()
        self.http.close()


def _asked(method: str, url: str, headers: dict[str, str], request: dict[str, Any]) -> tuple[Any, ...]:
    """A request as the caller asked for it, before httpx builds it: the same words build the same request (a miss
    where other words would build it too costs only the building)."""
    asking = tuple((name.lower(), value) for name, value in headers.items() if name.lower() not in SENDER_HEADERS)
    return method, url, asking, repr(request)


def _identity(request: httpx.Request) -> tuple[Any, ...]:
    """What makes two requests the same request: method, URL (query included), body and the headers that ask."""
    headers = sorted((name.lower(), value) for name, value in request.headers.items() if name.lower() not in SENDER_HEADERS)
    return request.method, str(request.url), request.content, tuple(headers)


def reason_of(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


KEPT_HEADERS = "rtk-conformance headers as received"  # a response extension: the headers, Location included


def _keep_location(response: httpx.Response) -> None:
    """httpx turns a Location into the next request even when it follows none, and a Location that is no URL
    (`javascript:alert(1)`, `http://[::1/x`) would fail the whole answer: the answer is kept as received, its Location
    moved out of httpx's sight, since no redirect is followed."""
    if "location" in response.headers:
        response.extensions[KEPT_HEADERS] = list(response.headers.raw)
        del response.headers["location"]
