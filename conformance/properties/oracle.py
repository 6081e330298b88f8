"""The negative oracle: whether a generated request, as it went on the wire, breaks the contract.

schemathesis labels each case positive or negative from how it generated it. Serialization can undo
a mutation (query strings are strings: a "negative" string "true" is a valid boolean on the wire), and
some mutations touch what this endpoint does not define (a Content-Type on a GET without a body, an
unknown query parameter). The oracle re-reads the request as sent (checks/request.py, which the params checks read
too); where it disagrees with the label, the label is wrong: the case is counted as relabelled.

Where the request is valid only by a branch of the contract that contradicts the documentation (x-contradicts:
a 36-character UUID app id past the documented maxLength 32), the sources disagree on whether it is valid: the case
is contested, and a target may accept it (as production does) or reject it (as the documentation says).
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.checks.request import contradictions, violations
from conformance.contract import Contract
from conformance.transport.exchange import SentRequest


@dataclass(frozen=True)
class Expectation:
    negative: bool  # the request as sent breaks the contract
    why: str
    statuses: tuple[int, ...]  # what the contract allows in answer
    agrees: bool  # schemathesis labelled the case the same way
    contested: str = ""  # the documented contradiction the request follows: any answer the contract allows passes


def expect(request: SentRequest, labelled_negative: bool, contract: Contract) -> Expectation:
    broken = violations(request, contract)
    if broken:
        return Expectation(True, "; ".join(map(str, broken)), tuple(contract.failure_statuses()), labelled_negative)
    contested = "; ".join(c.rule() for c in contradictions(request, contract))
    if contested:
        statuses = tuple(sorted({*contract.valid_request_statuses(), *contract.failure_statuses()}))
        why = f"contested: {contested}; accepting or rejecting it both pass"
        return Expectation(False, why, statuses, not labelled_negative, contested)
    why = "valid on the wire" + (" although generated as negative" if labelled_negative else "")
    return Expectation(False, why, tuple(contract.valid_request_statuses()), not labelled_negative)
