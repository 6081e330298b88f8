"""Where requests go: --target turns into a Target (base URL, token, ids) and a Client sends probes to it."""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from conformance.contract import BASE_PATH, Contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.mock import ReferenceMock, load_data
from conformance.mock.data import DataFileError
from conformance.mock.server import serve_in_thread
from conformance.printable import printable
from conformance.run.settings import AUTO_EDITION, TOKEN_ENV, Settings
from conformance.secret import Secret, sendable
from conformance.transport.exchange import Exchange, Received, SentRequest
from conformance.transport.http import BodyTooLarge, BudgetSpent, Limits, RateLimited, Transport, TransportFailure
from conformance.transport.probes import Ids, Probe, authorization

PREFLIGHT_TIMEOUT = 5.0


class TargetError(Exception):
    """The target cannot be used; the message says what and how to fix it, in one line."""


@dataclass(frozen=True)
class Target:
    label: str  # what the summary shows: never a secret
    base_url: str
    token: Secret
    ids: Ids
    edition: str = ""  # the edition it is known to serve (a cassette records it), else detected
    preflights: int = 0  # requests sent to make sure it answers at all, before any probe: they count against the budget
    preflight_status: int | None = None  # what the preflight got (None: no preflight, or no status to show)


@contextlib.contextmanager
def open_target(settings: Settings, transport: Transport, environ: dict[str, str] | None = None) -> Iterator[Target]:
    """The target a run checks, ready to take requests for the duration of the block; a URL target is first asked,
    through the run's transport, whether anything answers there."""
    if settings.embedded:
        with embedded_target(settings) as target:
            yield target
        return
    yield url_target(settings, transport, dict(os.environ if environ is None else environ))


@contextlib.contextmanager
def embedded_target(settings: Settings) -> Iterator[Target]:
    """The reference mock on a free loopback port, with its own token and seeded ids, serving the asked edition.

    --app-id picks another seeded app (one has a real, UUID app id); --session-id narrows its sessions.
    """
    try:
        data = load_data().for_app(settings.app_id) if settings.app_id else load_data()
    except DataFileError as exc:
        raise TargetError(f"{exc}: leave --app-id out, or give a URL --target") from None
    edition = settings.edition if settings.edition != AUTO_EDITION else DEFAULT_EDITION
    with serve_in_thread(ReferenceMock(data, edition=edition), wait=False) as root:  # the run ends with the block
        ids = Ids(data.account_id, data.app_id, settings.session_id or tuple(data.session_ids))
        label = "embedded reference mock" + (f" ({edition} edition)" if edition != DEFAULT_EDITION else "")
        yield Target(label, root + BASE_PATH, Secret(data.token), ids)


def url_target(settings: Settings, transport: Transport, environ: dict[str, str]) -> Target:
    url = base_url(settings.target)
    missing = [name for name, value in (("--account-id", settings.account_id), ("--app-id", settings.app_id)) if not value]
    missing += [] if settings.session_id else ["--session-id"]
    if missing:
        raise TargetError(f"a URL target needs {', '.join(missing)} (or their CLOUDFLARE_ACCOUNT_ID/CONFORMANCE_* variables)")
    token = read_token(environ, settings.token_env)
    status = None if settings.dry_run else preflight(url, transport)
    label = url + (" (TLS not verified: --insecure)" if settings.insecure else "")
    ids = Ids(settings.account_id, settings.app_id, settings.session_id)
    return Target(label, url, token, ids, preflights=int(not settings.dry_run), preflight_status=status)


def base_url(text: str) -> str:
    """--target as a base URL: http(s), a host, and nothing that would ride along on every request."""
    try:
        parts = urlsplit(text.rstrip("/"))
        parts.port  # noqa: B018 - read for its check: a port that is no number
    except ValueError as exc:  # an unclosed IPv6 bracket, a port that is no number
        raise TargetError(f"--target is not a URL ({exc}): {printable(text)[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = text if "@" not in text else "(a URL with credentials)"
        raise TargetError(f"--target must be 'embedded' or an http(s) URL, got {shown!r}")
    if parts.username is not None or parts.password is not None:
        raise TargetError(f"--target must not hold credentials (user:password@host): the token comes from {TOKEN_ENV} only")
    if parts.query or parts.fragment or text.rstrip("/").endswith(("?", "#")):
        raise TargetError(f"--target is a base URL without a query string or fragment, got {text!r}")
    return text.rstrip("/")


def read_token(environ: dict[str, str], name: str) -> Secret:
    """The API token from the environment variable `name`, refused (never echoed) when it cannot be sent as is."""
    token = environ.get(name, "")
    if not token:
        raise TargetError(f"set {name} to an API token with the Realtime permission (or name another variable: --token-env)")
    if not sendable(token):
        raise TargetError(
            f"{name} holds whitespace, a control character or a non-ASCII character (a trailing newline?): set it to the token alone"
        )
    return Secret(token)


def open_transport(settings: Settings, limits: Limits) -> Transport:
    """The run's one transport: every request of the run, the preflight included, goes through it and its budget."""
    try:
        return Transport(limits)
    except (OSError, ssl.SSLError) as exc:
        raise TargetError(f"cannot use --ca-bundle {settings.ca_bundle}: {exc}") from None


def preflight(url: str, transport: Transport) -> int | None:
    """Fail fast, in one line, when nothing answers HTTP at the target, within a bounded time; the status it got."""
    try:
        return transport.send("GET", url, {}, deadline=PREFLIGHT_TIMEOUT).status_code
    except (BodyTooLarge, RateLimited, BudgetSpent):
        return None  # an answer all the same (or none to spend on it): the run says what it makes of it
    except TransportFailure as failure:
        raise TargetError(f"cannot reach {url}: {failure}. Is the server running, and is --target right?") from None


class Client:
    """Sends probes to the target; each probe is sent once and its exchange kept for every check."""

    def __init__(self, target: Target, contract: Contract, transport: Transport) -> None:
        self.target, self.contract, self.transport = target, contract, transport
        self.exchanges: dict[str, Exchange] = {}

    def exchange(self, probe: Probe) -> Exchange:
        if probe.name not in self.exchanges:
            self.exchanges[probe.name] = self.send(probe)
        return self.exchanges[probe.name]

    def send(self, probe: Probe) -> Exchange:
        request = build_request(self.target, self.contract, probe)
        try:
            response = self.transport.send(request.method, request.url, request.headers, once=True)  # one probe, one request
            received = Received(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)
            return Exchange(probe.name, request, received, secret=self.target.token)
        except TransportFailure as failure:
            return Exchange(probe.name, request, None, error=str(failure), secret=self.target.token)
        except BudgetSpent as spent:
            return Exchange(probe.name, request, None, error=str(spent), secret=self.target.token, unsent=True)


def build_request(target: Target, contract: Contract, probe: Probe) -> SentRequest:
    """The HTTP request a probe makes to a target: ids percent-encoded into the contract's path."""
    path = contract.path_template
    for name, value in probe.path_params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    header = authorization(probe.credentials, target.token)
    headers = {"Authorization": header} if header is not None else {}
    url = target.base_url + path + (f"?{urlencode(probe.query)}" if probe.query else "")
    return SentRequest(probe.method, url, headers, dict(probe.path_params), dict(probe.query))
