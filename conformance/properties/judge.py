"""Judging one generated case: schemathesis's checks that fit this endpoint, and ours, on one answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import requests
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error, run_checks, run_checks_for
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from conformance.cassettes.redaction import hide
from conformance.checks import REGISTRY, Check, CheckFailure, NotApplicable, by_id
from conformance.checks.body import SESSION_BODIES, editions_of
from conformance.contract import Contract
from conformance.printable import printable
from conformance.properties.schemathesis_internals import CheckContext, PhaseName, Response
from conformance.secret import Secret
from conformance.transport.exchange import NO_JSON, Exchange, Received, SentRequest

# ignored_auth is left out on purpose: it re-sends every 2xx twice, and auth is checked once, explicitly.
SCHEMATHESIS_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    unsupported_method,
]
DATA_ACCEPTANCE = [negative_data_rejection, positive_data_acceptance]
# schemathesis's checks whose rule is one of ours: a failure of theirs is that check's, at that check's level, and
# reported once with ours (a POST answered 200 is errors.method-not-allowed, however many engines saw it).
SAME_RULE = {
    unsupported_method.__name__: "errors.method-not-allowed",
    not_a_server_error.__name__: "errors.no-server-error",
    content_type_conformance.__name__: "errors.json-content-type",
}


def our_checks() -> list[Check]:
    """Our checks that judge any answer (probe kind "property")."""
    return [c for c in REGISTRY if "property" in c.probes]


def as_checked(answer: httpx.Response) -> Response:
    """schemathesis's view of an answer, built directly: its own conversion prepares the request anew with requests,
    which costs as much as all the checks, and may re-encode the URL that was sent."""
    sent = requests.PreparedRequest()
    sent.method, sent.url, sent.body = answer.request.method, str(answer.request.url), answer.request.content or None
    sent.headers = CaseInsensitiveDict(answer.request.headers)
    headers = {name: [value] for name, value in answer.headers.items()}
    elapsed = answer.elapsed.total_seconds()
    return Response(
        answer.status_code,
        headers,
        answer.content,
        sent,
        elapsed,
        verify=True,
        message=answer.reason_phrase,
        http_version=answer.http_version,
        encoding=answer.encoding,
    )


def exchange_of(case: Any, response: Any, secret: Secret) -> Exchange:
    """A generated case and its answer, in the shape our checks read."""
    sent = response.request
    headers = {k: v for k, v in sent.headers.items() if k.lower() in ("authorization", "content-type")}
    path_params = {k: unquote(str(v)) for k, v in case.path_parameters.items()}
    request = SentRequest(str(sent.method), str(sent.url), headers, path_params, {})
    received = Received(response.status_code, {k.lower(): v[0] for k, v in response.headers.items()}, response.content)
    return Exchange("property", request, received, secret=secret)


@dataclass(frozen=True)
class Finding:
    check: str  # our check id, or "schemathesis: <title>"
    level: str  # MUST or SHOULD; every schemathesis check is a MUST: the contract says so
    text: str
    detail: dict[str, Any] = field(default_factory=dict)  # as CheckFailure.detail(): errors, documented, contract, request

    def hidden(self, secret: Secret) -> Finding:
        """The finding without the secret anywhere: a target may echo the token."""
        detail = {k: [hide(e, secret) for e in v] if isinstance(v, list) else hide(v, secret) for k, v in self.detail.items()}
        return Finding(self.check, self.level, hide(self.text, secret), detail)


def in_other_edition(exchange: Exchange, contract: Contract) -> bool:
    """A 200 body in another edition than the run's: schema.envelope explains it once, so the schema is not dumped too."""
    received = exchange.response
    if received is None or received.status != 200 or received.json is NO_JSON:
        return False
    found = editions_of(received.json, contract)
    return bool(found) and contract.edition not in found


def check_context(operation: Any, phase: str) -> CheckContext:
    """What schemathesis's checks read besides the answer, the same for every case of a phase (as schemathesis names
    it), built as Case.validate_response builds it for each case, where it costs as much as the checks themselves."""
    config = operation.schema.config.checks_config_for(operation=operation, phase=phase)
    responses = run_checks_for(operation.schema).for_responses()
    return CheckContext(None, None, None, config, None, response_checks=responses, phase=PhaseName.from_str(phase))


def findings(theirs: list[tuple[str, Failure]], ours: list[CheckFailure], why: str) -> list[Finding]:
    """Each failure: schemathesis's as title and message (under our check where the rule is ours), then ours in their
    fixed form and level.

    `why` is what the negative oracle found wrong with the request as sent: a rejection failure names it.
    """
    found = [_finding(name, f, why) for name, f in once(theirs, ours)]
    return found + [Finding(f.check_id, by_id(f.check_id).level, str(f), f.detail()) for f in ours]


def our_failures(exchange: Exchange, contract: Contract) -> list[CheckFailure]:
    """Our checks on the one exchange of a case, run directly: through schemathesis, each would rebuild it. A case of
    another method than GET is judged on its status and its form, not as a session body (a POST answered 200 is one
    defect, the 405's)."""
    body_checks = {c.id for c in our_checks() if set(c.probes) <= set(SESSION_BODIES)}  # they read a 200's session
    checks = [c for c in our_checks() if exchange.request.method == "GET" or c.id not in body_checks]
    return [failure for check in checks if (failure := _failure_of(check, exchange, contract)) is not None]


def schemathesis_failures(
    case: Any, response: Response, context: CheckContext, excluded: list[Callable[..., Any]]
) -> list[tuple[str, Failure]]:
    """schemathesis's checks on one answer, as Case.validate_response runs them, without the report it formats of
    each failure (ours is written from the failures themselves): (the check's name, its failure), in a fixed order,
    so reports are the same each run."""
    checks = [check for check in SCHEMATHESIS_CHECKS if check not in excluded]
    found: list[tuple[str, Failure]] = []
    run_checks(case=case, response=response, ctx=context, checks=checks, on_failure=lambda name, _, failure: found.append((name, failure)))
    return sorted(dict.fromkeys(found), key=lambda named: (named[1].title, named[1].message))


def _failure_of(check: Check, exchange: Exchange, contract: Contract) -> CheckFailure | None:
    try:
        check.run(exchange, contract)
    except CheckFailure as failure:
        return failure
    except NotApplicable:
        pass
    return None


def once(theirs: list[tuple[str, Failure]], ours: list[CheckFailure]) -> list[tuple[str, Failure]]:
    """One defect, one report: schemathesis's schema failure (a full schema dump) is dropped where ours names it, and
    a failure of a rule that is ours where our check failed too."""
    named = any(by_id(f.check_id).category in ("schema", "enums") for f in ours)
    failed = {f.check_id for f in ours}
    return [(n, f) for n, f in theirs if not (named and isinstance(f, JsonSchemaError)) and SAME_RULE.get(n) not in failed]


def _finding(name: str, failure: Failure, why: str) -> Finding:
    message = failure.message
    if isinstance(failure, AcceptedNegativeData):  # schemathesis names what it meant to break, not always what broke
        message = message.split("\nInvalid component:")[0] + f"\nInvalid as sent: {why}"
    text = "\n".join(printable(line) for line in f"[schemathesis] {failure.title}\n{message}".rstrip().split("\n"))
    first = printable(message.strip().split("\n")[0]) if message.strip() else ""
    error = f"{printable(failure.title)}: {first}" if first else printable(failure.title)
    detail = {"errors": [error], "documented": "", "contract": "", "request": ""}
    if name in SAME_RULE:  # the rule is ours: its failure is our check's, at its level
        return Finding(SAME_RULE[name], by_id(SAME_RULE[name]).level, text, detail)
    return Finding(f"schemathesis: {failure.title}", "MUST", text, detail)
