"""The requests the explicit checks send: a fixed, small set derived from the contract and the ids.

Each probe is sent once per run and every check that applies to it reads the same exchange,
so a run against the live API costs a known, small number of requests.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from conformance.contract import Contract
from conformance.secret import Secret

UNKNOWN_SESSION_ID = "00000000-0000-4000-8000-000000000000"
DOTTED_SESSION_ID = "not.a.session"  # servers that split ids on "." have crashed on such ids
UNKNOWN_TOKEN = "rtk-conformance-unknown-token-00000000000"
NOT_A_BOOLEAN = "maybe"
OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Credential classes a probe can send; "valid" is the configured token.
BAD_CREDENTIALS = ("missing", "basic-scheme", "empty-bearer", "no-scheme", "unknown-token")


@dataclass(frozen=True)
class Ids:
    account_id: str
    app_id: str
    session_ids: tuple[str, ...]


@dataclass(frozen=True)
class Probe:
    name: str
    kind: str  # session, breakout, auth, too-long, at-limit, bad-boolean, unknown-session, odd-id, method
    path_params: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    credentials: str = "valid"


def authorization(credentials: str, token: Secret) -> str | None:
    """The Authorization header a credential class sends (None: no header)."""
    values = {
        "valid": f"Bearer {token.reveal()}",
        "missing": None,
        "basic-scheme": "Basic " + base64.b64encode(b"conformance:probe").decode(),
        "empty-bearer": "Bearer",  # h11 refuses a trailing space, and servers strip it anyway
        "no-scheme": token.reveal(),
        "unknown-token": f"Bearer {UNKNOWN_TOKEN}",
    }
    return values[credentials]


def one_past(value: str, limit: int) -> str:
    """An id one character past its limit that starts with the real one, so a server that truncates ids is caught."""
    return (value + "f" * (limit + 1))[: limit + 1]


def build_probes(contract: Contract, ids: Ids, method_probes: bool = True) -> list[Probe]:
    base = {"account_id": ids.account_id, "app_id": ids.app_id, "session_id": ids.session_ids[0]}
    probes = [Probe(f"session:{sid}", "session", {**base, "session_id": sid}) for sid in ids.session_ids]
    breakout = {contract.breakout_rooms_parameter: "true"}
    probes += [Probe(f"breakout:{sid}", "breakout", {**base, "session_id": sid}, breakout) for sid in ids.session_ids]
    probes += [Probe(f"auth:{c}", "auth", base, credentials=c) for c in BAD_CREDENTIALS]
    for name, limit in contract.max_lengths().items():
        probes.append(Probe(f"too-long:{name}", "too-long", {**base, name: one_past(base[name], limit)}))
        probes.append(Probe(f"at-limit:{name}", "at-limit", {**base, name: "f" * limit}))
    probes.append(Probe("bad-boolean", "bad-boolean", base, {contract.breakout_rooms_parameter: NOT_A_BOOLEAN}))
    probes.append(Probe("unknown-session", "unknown-session", {**base, "session_id": UNKNOWN_SESSION_ID}))
    probes.append(Probe("dotted-session-id", "odd-id", {**base, "session_id": DOTTED_SESSION_ID}))
    if method_probes:
        probes += [Probe(f"method:{m}", "method", base, method=m) for m in OTHER_METHODS]
    return probes
