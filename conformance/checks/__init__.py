"""Every rule of the contract as one small function; see base.py for what a check is."""

from conformance.checks import enums, schema, semantics, status  # noqa: F401 - importing registers them

# isort: split
from conformance.checks import production  # noqa: F401 - last: failures as production answers them close every list
from conformance.checks.base import REGISTRY, Check, CheckFailure, NotApplicable

__all__ = ["REGISTRY", "Check", "CheckFailure", "NotApplicable", "by_id"]


def by_id(check_id: str) -> Check:
    """The check with this id."""
    for check in REGISTRY:
        if check.id == check_id:
            return check
    raise KeyError(check_id)
