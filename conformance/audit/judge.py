"""Each recorded exchange judged as a run judges what it sends: the same checks, at the same levels, in the edition
of its file's 200 bodies.

A run knows what it asked (this session exists, that one does not); a recording only shows a request and its answer.
So an exchange is read as the probe its request would be (no credentials: the `auth:missing` probe; an id past its
maxLength: `too-long`; `include_breakout_rooms=true`: `breakout`; ...), and judged by every check that judges any
answer to such a request. The checks that need to know what the run arranged are left out: that a session exists
(transport.session-ok), that an id at its limit names nothing (params.at-max-length, production.no-permission), that
a session is unknown (errors.unknown-session, production.unknown-session).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlsplit

from conformance.audit.formats.vcr import UNSEEN_CREDENTIALS
from conformance.audit.recorded import Recorded
from conformance.cassettes.redaction import CREDENTIALS_RECORDED
from conformance.checks import REGISTRY, Check
from conformance.checks.base import CheckFailure, run_each
from conformance.checks.body import SESSION_BODIES, editions_of
from conformance.contract import Contract, load_contract
from conformance.secret import NO_SECRET, Secret, remember
from conformance.transport.exchange import NO_JSON, Exchange, Received, SentRequest
from conformance.transport.probes import Probe

# What a recording cannot show: whether the session asked for exists, or an id at its limit names nothing.
NEEDS_THE_RUNS_ARRANGEMENT = (
    "transport.session-ok",
    "params.at-max-length",
    "errors.unknown-session",
    "production.no-permission",
    "production.unknown-session",
)
# What judges the answer's body: left out where the recording does not hold it.
BODY_CATEGORIES = ("schema", "enums", "semantics", "production")
BODY_CHECKS = ("errors.failure-body", "params.breakout-rooms-array")
OPERATION_START = "/accounts/"  # where the operation's path begins, whatever base path the recording's server had
# The credential classes this project's cassettes write in place of the Authorization header (cassettes/redaction.py),
# as the probes name them.
RECORDED_CLASSES = {
    "absent": "missing",
    "valid": "valid",
    "invalid": "unknown-token",
    "malformed Basic": "basic-scheme",
    "malformed Bearer": "empty-bearer",
    "malformed no scheme": "no-scheme",
}
# A recorded token this long is looked for in every output too (an API token is 40 characters); a stub's short one
# ("test-token") would only blank out words of file names.
REMEMBERED_LENGTH = 20


@dataclass(frozen=True)
class Judged:
    """One exchange on the endpoint and what each check made of it."""

    recorded: Recorded
    exchange: Exchange
    probe: Probe
    failures: list[CheckFailure]
    passed: list[str]
    skipped: list[str]

    @property
    def label(self) -> str:
        """Where it is, '<file>: <location>', and how a stub's request was made, as every format names it."""
        recorded = self.recorded
        return f"{recorded.source}: {recorded.location}" + (f" ({recorded.note})" if recorded.note else "")


def on_the_endpoint(recorded: Recorded, contract: Contract) -> dict[str, str] | None:
    """The path parameters of an exchange on this endpoint, or None: it is another endpoint's."""
    path = urlsplit(recorded.url).path
    start = path.find(OPERATION_START)
    return contract.match_path(path[start:]) if start >= 0 else None


def exchange_of(recorded: Recorded, params: dict[str, str]) -> Exchange:
    """The recording as the checks read an exchange; a token it holds is hidden wherever it would be shown."""
    query = dict(parse_qsl(urlsplit(recorded.url).query, keep_blank_values=True))
    token = _token(recorded.headers.get("authorization", ""))
    if len(token.reveal()) >= REMEMBERED_LENGTH:
        remember(token)
    request = SentRequest(recorded.method.upper(), recorded.url, dict(recorded.headers), params, query)
    return Exchange(recorded.location, request, Received(recorded.status, dict(recorded.response_headers), recorded.body), secret=token)


def _token(authorization: str) -> Secret:
    """The secret an Authorization header holds: none when a credential class was recorded in its place."""
    if authorization.startswith(CREDENTIALS_RECORDED):
        return NO_SECRET
    scheme, _, value = authorization.partition(" ")
    return Secret(value.strip() if scheme.lower() == "bearer" and value.strip() else authorization.strip())


def probe_of(exchange: Exchange, contract: Contract, credentials_seen: bool = True) -> Probe:
    """The probe a run would have sent to ask this. Credentials a recording did not keep are taken as valid."""
    request = exchange.request
    params, query = request.path_params, request.query
    if request.method != "GET":
        return Probe(f"method:{request.method}", "method", params, query, request.method)
    credentials = _credentials(request.headers.get("authorization")) if credentials_seen else "valid"
    if credentials != "valid":
        return Probe(f"auth:{credentials}", "auth", params, query, credentials=credentials)
    too_long = [  # past the documented limit, and not a real id the documentation contradicts (a UUID app id)
        name
        for name, limit in contract.max_lengths().items()
        if len(params.get(name, "")) > limit and not contract.contradictions(name, params.get(name, ""))
    ]
    if too_long:
        return Probe(f"too-long:{too_long[0]}", "too-long", params, query)
    flag = query.get(contract.breakout_rooms_parameter)
    if flag is not None and flag not in ("true", "false"):
        return Probe("bad-boolean", "bad-boolean", params, query)
    if contract.validate_parameter("session_id", params.get("session_id", "")):
        return Probe("odd-id", "odd-id", params, query)
    kind = "breakout" if flag == "true" else "session"
    return Probe(kind, kind, params, query)


def _credentials(authorization: str | None) -> str:
    """The credential class of a recorded Authorization header (a bearer token is taken as valid: no one can tell),
    or of the class this project's cassettes record in its place."""
    if authorization is None:
        return "missing"
    if authorization.startswith(CREDENTIALS_RECORDED):
        return RECORDED_CLASSES.get(authorization.removeprefix(CREDENTIALS_RECORDED).removesuffix("]"), "valid")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        return "basic-scheme"
    if scheme.lower() == "bearer":
        return "valid" if value.strip() else "empty-bearer"
    return "no-scheme"


def edition_of(recorded: list[Recorded]) -> str | None:
    """The edition of the first 200 body in the edition's shape among these exchanges, or None."""
    contract = load_contract()
    for exchange in recorded:
        if exchange.status == 200:
            body = Received(200, {}, exchange.body).json
            found = editions_of(body, contract) if body is not NO_JSON else []
            if found:
                return found[0]
    return None


def judge(recorded: Recorded, params: dict[str, str], contract: Contract) -> Judged:
    exchange = exchange_of(recorded, params)
    probe = probe_of(exchange, contract, UNSEEN_CREDENTIALS not in recorded.note)
    exchange = replace(exchange, probe=probe.name)  # what the checks read of the request's kind, as of a run's probe
    outcomes = run_each(checks_for(probe, exchange, recorded.body_known), exchange, contract)
    return Judged(recorded, exchange, probe, outcomes.failures, outcomes.passed, outcomes.not_applicable)


def checks_for(probe: Probe, exchange: Exchange, body_known: bool = True) -> list[Check]:
    """Every check that judges an answer to this request and needs nothing the recording cannot show. A request of
    another method than GET is judged on its status and its form, not as a session body (a run's property layer
    does the same); an answer whose body the file does not hold (a HAR without its text, a stub's body file that is
    not there), on its status and headers only."""
    body_checks = {c.id for c in REGISTRY if set(c.probes) <= set(SESSION_BODIES)}
    return [
        c
        for c in REGISTRY
        if ("property" in c.probes or c.applies_to(probe))
        and c.id not in NEEDS_THE_RUNS_ARRANGEMENT
        and not (exchange.request.method != "GET" and c.id in body_checks)
        and (body_known or not reads_the_body(c))
    ]


def reads_the_body(check: Check) -> bool:
    return check.category in BODY_CATEGORIES or check.id in BODY_CHECKS
