"""Property-based conformance: schemathesis generates requests from the contract, phase by phase and
mode by mode; schemathesis's checks and ours judge every answer."""

from __future__ import annotations

import pytest

from conformance.checks.base import LEVELS
from conformance.properties.profiles import MODES, PHASES
from conformance.reports.properties import PropertyFailure, reproduce_command
from conformance.run import carried
from conformance.run.live import DETECTED_FROM_A_CASE, Run


@pytest.mark.property
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("phase", PHASES)
def test_property(phase: str, mode: str, conformance_run: Run, request: pytest.FixtureRequest) -> None:
    layer = conformance_run.properties
    unsent, controls = layer.unsent, len(layer.control_statuses)
    results = layer.run(phase, mode)
    found = sorted({f.check for r in results for f in r.failures})
    request.node.user_properties += [("failed-checks", ",".join(found)), ("edition", conformance_run.contract.edition)]
    detected = conformance_run.contract.edition if conformance_run.edition_source == DETECTED_FROM_A_CASE else ""
    request.node.user_properties += carried.of_cases(results, layer.unsent - unsent, detected, tuple(layer.control_statuses[controls:]))
    if not results:
        pytest.skip(f"the contract gives the {phase} phase no {mode} case")
    label = f"{phase}-{mode}"
    reproduce = reproduce_command(conformance_run.settings, layer.seed, label)
    for level in LEVELS:  # MUST first: SHOULD failures are reported only when no MUST failed
        failed = [r for r in results if r.failed(level)]
        if failed:
            raise PropertyFailure(label, level, failed, len(results), reproduce)
    if phase == "fuzzing" and mode == "positive" and not any(r.status == 200 for r in results):
        pytest.fail(f"[property {label}] no 200 response: none of {len(results)} valid requests reached a session", pytrace=False)
