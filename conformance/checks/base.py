"""What a check is: an id, a category, a level, a one-line rule, and one short function.

A check function takes (exchange, contract) and returns nothing or raises CheckFailure, an
AssertionError so that pytest reports a failure, not an error. Its text is fixed:

    [check.id] title
    Received: what the target sent
    Documented: what the contract says
    Contract: openapi/file#/pointer
    Request: curl line, token shown as $CLOUDFLARE_API_TOKEN
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.contract import Contract, load_contract
from conformance.printable import printable
from conformance.secret import hide
from conformance.transport.exchange import Exchange
from conformance.transport.probes import Probe

CATEGORIES = ("schema", "enums", "params", "auth", "errors", "semantics", "transport", "production")
LEVELS = ("MUST", "SHOULD")


class CheckFailure(AssertionError):
    """A rule of the contract does not hold for one exchange."""

    def __init__(self, title: str, received: str, documented: str, contract: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(title)
        self.title, self.received, self.documented, self.contract = title, received, documented, contract
        self.errors = errors or (title,)  # each distinct error, one line each: what a report lists for the check
        self.check_id = ""
        self.request = ""

    def detail(self) -> dict[str, Any]:
        """What a report shows of the failure, besides its text: every error, what is documented, where, and how to
        send the request again. Plain data: it travels from an xdist worker as it is."""
        shown = {"received": self.received, "documented": self.documented, "contract": self.contract, "request": self.request}
        return {"errors": [printable(e) for e in self.errors], **{k: printable(v) for k, v in shown.items()}}

    def __str__(self) -> str:
        """Five lines, whatever the target sent or the ids hold: each part's control characters are escaped."""
        parts = [f"[{self.check_id}] {self.title}", self.received, self.documented, self.contract, self.request]
        labels = ["", "Received: ", "Documented: ", "Contract: ", "Request: "]
        return "\n".join(label + printable(part) for label, part in zip(labels, parts, strict=True))


CheckFunction = Callable[[Exchange, Contract], None]


@dataclass(frozen=True)
class Check:
    id: str
    category: str
    level: str
    rule: str
    probes: tuple[str, ...]  # the probe kinds (or probe names) it applies to
    function: CheckFunction

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES or self.level not in LEVELS:
            raise ValueError(f"check {self.id}: category {self.category!r} or level {self.level!r} is not one of the known ones")

    def applies_to(self, probe: Probe) -> bool:
        """A probe of one of the kinds it lists, or one it names."""
        return probe.kind in self.probes or probe.name in self.probes

    def run(self, exchange: Exchange, contract: Contract) -> None:
        """Run the check; a failure carries this check's id and the redacted request."""
        try:
            if exchange.response is None:
                raise CheckFailure("no HTTP response", exchange.error, "an HTTP response", contract.operation_pointer)
            self.function(exchange, contract)
        except CheckFailure as failure:
            failure.check_id, failure.request = self.id, exchange.request_line()
            failure.title, failure.received = hide(failure.title, exchange.secret), hide(failure.received, exchange.secret)
            failure.errors = tuple(hide(error, exchange.secret) for error in failure.errors)
            raise


MAX_ERRORS = 20  # listed of one check's failure; past them, "and N more"


def listed(items: list[str]) -> str:
    """Items joined by '; ', at most MAX_ERRORS of them, then how many more."""
    more = [f"and {len(items) - MAX_ERRORS} more"] if len(items) > MAX_ERRORS else []
    return "; ".join(items[:MAX_ERRORS] + more)


def show(value: Any) -> str:
    """A received or documented value, as JSON, kept to one short line."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 200 else text[:200] + "..."


ABSENT = "absent"  # how a received value shows when its key is not there at all (null is a value)


def show_key(mapping: Any, key: str) -> str:
    """The value at `key` of a JSON object, as show() writes it, or 'absent' when it has no such key (or is no object)."""
    return show(mapping[key]) if isinstance(mapping, dict) and key in mapping else ABSENT


def received_status(exchange: Exchange) -> str:
    """HTTP status and a body excerpt, for failures about the status."""
    if exchange.response is None:
        return f"no response ({exchange.error})"
    response = exchange.response
    moved = f" (Location: {response.headers['location']}; redirects are not followed)" if "location" in response.headers else ""
    return f"HTTP {response.status}{moved} {response.excerpt(300)}"  # long enough for Cloudflare's message


class NotApplicable(Exception):
    """The exchange gives the check nothing to look at (e.g. no 200 body); another check reports why."""


@dataclass(frozen=True)
class Outcomes:
    """What each of several checks made of one exchange."""

    failures: list[CheckFailure]
    passed: list[str]
    not_applicable: list[str]


def run_each(checks: list[Check], exchange: Exchange, contract: Contract) -> Outcomes:
    """Each check on the exchange, one after another: a failure or a check with nothing to look at stops only itself."""
    outcomes = Outcomes([], [], [])
    for check in checks:
        try:
            check.run(exchange, contract)
            outcomes.passed.append(check.id)
        except CheckFailure as failure:
            outcomes.failures.append(failure)
        except NotApplicable:
            outcomes.not_applicable.append(check.id)
    return outcomes


def rule(id: str, category: str, rule: str, probes: tuple[str, ...]) -> Callable[[CheckFunction], Check]:
    """A check function, with its id, category, rule and probes; its level follows from where the contract says the
    rule comes from (openapi/rules.yaml)."""

    def made(function: CheckFunction) -> Check:
        return Check(id, category, load_contract().rule_source(id).level, rule, probes, function)

    return made
