"""Every rule of the contract as one small function; see base.py for what a check is."""

from conformance.checks import enums, production, schema, semantics, status
from conformance.checks.base import Check, CheckFailure, NotApplicable

__all__ = ["REGISTRY", "Check", "CheckFailure", "NotApplicable", "by_id"]

# Every check, in the order reports list them: the 200 body first, failures as production answers them last.
REGISTRY: tuple[Check, ...] = (*schema.CHECKS, *enums.CHECKS, *semantics.CHECKS, *status.CHECKS, *production.CHECKS)
_BY_ID = {check.id: check for check in REGISTRY}
assert len(_BY_ID) == len(REGISTRY), "two checks share an id"


def by_id(check_id: str) -> Check:
    """The check with this id."""
    return _BY_ID[check_id]
