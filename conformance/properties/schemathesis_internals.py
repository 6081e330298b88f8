"""The one place that uses schemathesis below its public API, each use with what it buys.

`benchmarks/bench.py` measures what they buy side by side: judging each case once, with a context built once per
phase, took the property layer from 3.8 to 11.6 or more times `st run`'s cases per second.
- The builder (create_test and its config) collects a phase's cases without sending them, so that they can be cached,
  shared between cores, planned before anything is sent and sent through the run's one bounded transport.
- CheckContext, Response and PhaseName: schemathesis's checks run on an answer converted once, with a context built
  once per phase; Case.validate_response rebuilds both for every case.
- Case._record_starting_state: a case read back from the corpus cache keeps the hashes it was validated against,
  or every kept case would be revalidated, and some would change mode.
- CaseMetadata, whose to_dict and from_dict are schemathesis's own plain data for a case's metadata ("for
  cross-process transport"): the corpus cache keeps it as JSON.
Importing this module fails at once, naming what is missing, when a schemathesis release drops one of them.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.collector import out_of_collection

try:
    from schemathesis.checks import CheckContext
    from schemathesis.core.transport import Response
    from schemathesis.engine.run import PhaseName
    from schemathesis.generation.case import Case
    from schemathesis.generation.meta import CaseMetadata

    with out_of_collection():  # loading the builder sets up Hypothesis's random, which runs a full collection
        from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
except ImportError as missing:  # pragma: no cover - only on a schemathesis outside pyproject.toml's range
    raise ImportError(f"schemathesis {schemathesis.__version__} lacks what the property layer uses: {missing}") from missing

if not all(
    hasattr(*needed) for needed in ((Case, "_record_starting_state"), (CaseMetadata, "to_dict"), (CaseMetadata, "from_dict"))
):  # pragma: no cover - as above
    raise ImportError(f"schemathesis {schemathesis.__version__} lacks Case._record_starting_state or CaseMetadata.to_dict")

__all__ = ["Case", "CaseMetadata", "CheckContext", "HypothesisTestConfig", "HypothesisTestMode", "PhaseName", "Response", "create_test"]


def record_starting_state(case: Any) -> None:
    """Take the case's current data as what its metadata was validated against."""
    case._record_starting_state()
