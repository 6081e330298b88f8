"""The line that arranges on the certified fake (conformance.fake) the situation a recorded exchange shows: what to
write instead of a hand-made stub, so the double cannot drift from the API."""

from __future__ import annotations

from typing import Any

from conformance.audit.judge import Judged
from conformance.checks.body import editions_of, lookup
from conformance.checks.production import SITUATIONS
from conformance.checks.situations import failure_key
from conformance.contract import Contract
from conformance.transport.exchange import NO_JSON

SERVER_ERROR = "server-error"  # the fake's one situation the contract records no answer for
# What a run's probe of each kind puts a target in, when it is no situation the production checks name.
BY_PROBE_KIND = {"bad-boolean": "invalid-parameter", "odd-id": "invalid-parameter", "method": "method-not-allowed"}


def fake_line(judged: Judged, contract: Contract) -> str:
    response = judged.exchange.response
    assert response is not None
    body = response.json if response.json is not NO_JSON else None
    if 200 <= response.status < 300:
        return _session_line(body, contract) if judged.probe.kind in ("session", "breakout") else _failure_line(judged, body, contract)
    if response.status >= 500:
        return f'fake.fail_next("{SERVER_ERROR}")'
    return _failure_line(judged, body, contract)


def _failure_line(judged: Judged, body: Any, contract: Contract) -> str:
    """The failure production gives this request: the situation its probe provokes, else the recorded failure of the
    same status and codes, else the first of its status."""
    probe = judged.probe
    by_probe = [name for name, probes in SITUATIONS.items() if probe.name in probes or probe.kind in probes]
    if by_probe or probe.kind in BY_PROBE_KIND:
        return f'fake.fail_next("{(by_probe or [BY_PROBE_KIND[probe.kind]])[0]}")'
    status = judged.exchange.response.status if judged.exchange.response else 0
    recorded = contract.recorded_failures.values()
    same = [f for f in recorded if failure_key(f.status, f.body) == failure_key(status, body)]
    same = same or [f for f in recorded if f.status == status]
    return f'fake.fail_next("{same[0].situation}")' if same else "no situation of the contract answers this: nothing to arrange"


def _session_line(body: Any, contract: Contract) -> str:
    """add_session with the session's documented status and type; a value the contract does not have is left to the
    fake's default (the fake refuses it)."""
    session = _session(body, contract)
    enums = contract.enum_fields()
    given = [f'{name}="{session[name]}"' for name in ("status", "type") if session.get(name) in enums[name]]
    rooms = session.get(contract.nested_sessions_field)
    if isinstance(rooms, list) and rooms:
        given.append(f"{contract.nested_sessions_field}=[{', '.join('{}' for _ in rooms[:5])}]")
    return f"fake.add_session({', '.join(given)})"


def _session(body: Any, contract: Contract) -> dict[str, Any]:
    editions = editions_of(body, contract)
    found = lookup(body, contract.editions[editions[0]]["session_pointer"]) if editions else None
    return found if isinstance(found, dict) else {}
