"""Judging one generated case: our checks, and schemathesis's checks that fit this endpoint, on one answer, in one voice.

Every failure is one of our rules, at that rule's level, with that rule's block (what was received, what the contract
documents, its pointer, the request): a failure of schemathesis's is reported under the rule of ours it checks, and only
where our check of that rule passed on the same answer (a disagreement worth a look); where ours failed or had nothing
to judge, ours has said it.

schemathesis's data-acceptance checks are not run: whether a request that breaks the contract was rejected is our
params.* and errors.method-not-allowed rules', which read the request as it went on the wire (checks/request.py). A
request the contract calls valid may be rejected all the same, as production rejects ids it cannot route (400, the
unroutable-identifier answer), so no rule holds that against a target; a configured session that does not answer 200
is transport.session-ok's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import requests
from jsonpointer import JsonPointer
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error, run_checks, run_checks_for
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from conformance.checks import REGISTRY, Check, CheckFailure, by_id
from conformance.checks.base import received_status, run_each, show
from conformance.checks.body import SESSION_BODIES
from conformance.checks.request import path_values, query_values
from conformance.checks.schema import owner
from conformance.contract import Contract, SchemaError
from conformance.printable import printable
from conformance.properties.schemathesis_internals import CheckContext, PhaseName, Response
from conformance.secret import Secret, hide
from conformance.transport.exchange import Exchange, Received, SentRequest

# schemathesis's checks that fit this endpoint, each with the rule of ours it checks. Left out: ignored_auth (it
# re-sends every 2xx twice; auth is checked once, explicitly), the data-acceptance checks (see above), the response
# headers check (the one required header, Retry-After, comes with a 429, which the transport waits out or stops on)
# and missing_required_header (no request header is required but the token's).
THEIR_RULES: dict[Callable[..., Any], str] = {
    not_a_server_error: "errors.no-server-error",
    status_code_conformance: "errors.documented-status",
    content_type_conformance: "errors.json-content-type",
    response_schema_conformance: "schema.body",  # or the check that owns the error: see rule_of
    unsupported_method: "errors.method-not-allowed",
}
SCHEMATHESIS_CHECKS = list(THEIR_RULES)
NO_ANSWER_RULE = "errors.no-server-error"  # a generated case without an HTTP answer


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


def exchange_of(case: Any, response: Any, secret: Secret, contract: Contract) -> Exchange:
    """A generated case and its answer, in the shape our checks read: the request as it went on the wire."""
    sent = response.request
    headers = {k: v for k, v in sent.headers.items() if k.lower() in ("authorization", "content-type")}
    request = SentRequest(str(sent.method), str(sent.url), headers, {})
    path = path_values(request, contract) or {k: unquote(str(v)) for k, v in case.path_parameters.items()}
    query = {name: values[-1] for name, values in query_values(request).items()}
    request = SentRequest(request.method, request.url, headers, path, query)
    received = Received(response.status_code, {k.lower(): v[0] for k, v in response.headers.items()}, response.content)
    return Exchange("property", request, received, secret=secret)


@dataclass(frozen=True)
class Finding:
    check: str  # our check id
    level: str  # the check's level, whichever engine found it
    text: str
    detail: dict[str, Any] = field(default_factory=dict)  # as CheckFailure.detail(): errors, received, documented, contract, request

    @classmethod
    def of(cls, failure: CheckFailure) -> Finding:
        return cls(failure.check_id, by_id(failure.check_id).level, str(failure), failure.detail())

    @classmethod
    def no_answer(cls, why: str, request: str, contract: Contract) -> Finding:
        """A case that got no HTTP answer at all: worse than a server error, and reported as one."""
        failure = CheckFailure(
            f"no HTTP response: {why}", f"no response ({why})", "a 2xx or 4xx", f"{contract.operation_pointer}/responses"
        )
        failure.check_id, failure.request = NO_ANSWER_RULE, request
        return cls.of(failure)

    def hidden(self, secret: Secret) -> Finding:
        """The finding without the secret anywhere: a target may echo the token."""
        detail = {k: [hide(e, secret) for e in v] if isinstance(v, list) else hide(v, secret) for k, v in self.detail.items()}
        return Finding(self.check, self.level, hide(self.text, secret), detail)


def check_context(operation: Any, phase: str, transport_kwargs: dict[str, Any]) -> CheckContext:
    """What schemathesis's checks read besides the answer, the same for every case of a phase (as schemathesis names
    it), built as Case.validate_response builds it for each case, where it costs as much as the checks themselves.
    `transport_kwargs` is how a check sends a request of its own: through the run's transport, to its target."""
    config = operation.schema.config.checks_config_for(operation=operation, phase=phase)
    responses = run_checks_for(operation.schema).for_responses()
    return CheckContext(None, None, None, config, transport_kwargs, response_checks=responses, phase=PhaseName.from_str(phase))


@dataclass(frozen=True)
class CheckOutcomes:
    """What our checks made of one exchange: each failure, and the ids of the checks that passed."""

    failures: list[CheckFailure]
    passed: set[str]


def our_verdicts(exchange: Exchange, contract: Contract) -> CheckOutcomes:
    """Our checks on the one exchange of a case, run directly: through schemathesis, each would rebuild it. A case of
    another method than GET is judged on its status and its form, not as a session body (a POST answered 200 is one
    defect, the 405's)."""
    body_checks = {c.id for c in our_checks() if set(c.probes) <= set(SESSION_BODIES)}  # they read a 200's session
    judging = [c for c in our_checks() if exchange.request.method == "GET" or c.id not in body_checks]
    outcomes = run_each(judging, exchange, contract)
    return CheckOutcomes(outcomes.failures, set(outcomes.passed))


def schemathesis_failures(case: Any, response: Response, context: CheckContext) -> list[tuple[str, Failure]]:
    """schemathesis's checks on one answer, as Case.validate_response runs them, without the report it formats of
    each failure: (the check's name, its failure), in a fixed order, so reports are the same each run."""
    found: list[tuple[str, Failure]] = []
    for check in SCHEMATHESIS_CHECKS:  # one at a time: a check whose own request gets no answer says nothing
        with contextlib.suppress(requests.RequestException):
            run_checks(case=case, response=response, ctx=context, checks=[check], on_failure=lambda name, _, f: found.append((name, f)))
    return sorted(dict.fromkeys(found), key=lambda named: (named[1].title, named[1].message))


def findings(theirs: list[tuple[str, Failure]], ours: CheckOutcomes, exchange: Exchange, contract: Contract) -> list[Finding]:
    """Each failure of the case once, as one of our rules: ours, then each of schemathesis's whose rule ours passed."""
    found = [Finding.of(failure) for failure in ours.failures]
    for name, failure in theirs:
        rule = rule_of(name, failure, exchange, contract)
        if rule in ours.passed:
            found.append(Finding.of(as_ours(rule, failure, exchange, contract)))
    return list({(f.check, f.text): f for f in found}.values())


def rule_of(name: str, failure: Failure, exchange: Exchange, contract: Contract) -> str:
    """The rule of ours a failure of schemathesis's check `name` breaks: a schema error is the check's that owns it."""
    if not isinstance(failure, JsonSchemaError):
        return next(rule for check, rule in THEIR_RULES.items() if check.__name__ == name)
    assert exchange.response is not None
    if not 200 <= exchange.response.status < 300:
        return "errors.failure-body"
    return owner(_as_schema_error(failure), contract)


def as_ours(rule: str, failure: Failure, exchange: Exchange, contract: Contract) -> CheckFailure:
    """A failure of schemathesis's as the failure of our rule `rule`: the same five lines as every check's."""
    lines = [printable(line) for line in failure.message.strip().split("\n") if line.strip()] or [printable(failure.title)]
    title = f"{printable(failure.title)}: {lines[0]}"
    if isinstance(failure, JsonSchemaError):
        where = _as_schema_error(failure).pointer or "/"
        received, documented, pointer = f"{show(failure.instance)} at {where}", lines[0], _schema_file(rule, contract)
    else:
        received, documented, pointer = received_status(exchange), "; ".join(lines[1:]) or by_id(rule).rule, _responses(rule, contract)
    made = CheckFailure(title, received, documented, pointer)
    made.check_id, made.request = rule, exchange.request_line()
    return made


def _as_schema_error(failure: JsonSchemaError) -> SchemaError:
    pointer = str(JsonPointer.from_parts(list(failure.instance_path)).path)
    keyword = str(failure.schema_path[-1]) if failure.schema_path else ""
    return SchemaError(pointer, keyword, str(failure.message), failure.instance, "", {})


def _schema_file(rule: str, contract: Contract) -> str:
    return "openapi/schemas/failure.schema.json" if rule == "errors.failure-body" else contract.response_pointer


def _responses(rule: str, contract: Contract) -> str:
    return f"{contract.operation_pointer}/responses" + ("/405" if rule == "errors.method-not-allowed" else "")
