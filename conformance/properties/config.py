"""The schemathesis configuration of a run, built from the contract, the target's ids and the profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemathesis.config import SchemathesisConfig

from conformance.contract import Contract
from conformance.properties.profiles import Profile
from conformance.transport.probes import Ids, one_past

# Values random text rarely produces (DESIGN §5: a 500 on ids containing "." went unseen at 100 examples).
EDGE_IDS = [
    "a.b",
    ".",
    "..",
    "a/b",
    "%2F",
    "a\x00b",
    "%00",
    "with space",
    "sessão-ü-日本",
    "😀",
    "00000000-0000-4000-8000-000000000000",
    "not-a-uuid",
    "6513270E-269E-4D37-B2A7-4DE452E6B438",
]
QUERY_BOOLEANS = ["true", "false"]  # how OpenAPI writes a boolean in a query string
NOT_QUERY_BOOLEANS = ["True", "FALSE", "1", "0", "", "yes", "null"]
# schemathesis masks values whose names contain "session"; session ids must stay readable, the token masked.
SENSITIVE_MARKERS = ["token", "key", "secret", "password", "auth", "passwd", "credential", "cookie"]
# How often a generated value is replaced by one of the target's ids: the three together reach an
# existing session in about 0.85 * 0.85 * 0.55 = 40% of positive fuzzing cases.
ID_PROBABILITY = {"account_id": 0.85, "app_id": 0.85, "session_id": 0.55}


def edge_ids(contract: Contract) -> list[str]:
    """Edge ids plus, for each limited parameter, a value exactly at its maxLength and one past it."""
    lengths = sorted(set(contract.max_lengths().values()))
    return EDGE_IDS + [c * n for n in lengths for c in ("f",)] + ["f" * (n + 1) for n in lengths]


@dataclass(frozen=True)
class Edges:
    """Values sent once each, as cases of the coverage phase."""

    session_ids: list[str]
    query_parameter: str  # the boolean one
    valid: list[str]  # its valid text forms
    invalid: list[str]


def edges(contract: Contract) -> Edges:
    return Edges(edge_ids(contract), contract.breakout_rooms_parameter, QUERY_BOOLEANS, NOT_QUERY_BOOLEANS)


def schemathesis_config(contract: Contract, ids: Ids, profile: Profile, seed: int) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            # Generation runs before anything is sent; a slow shared CI machine must not fail it.
            "suppress-health-check": ["too_slow"],
            "generation": {
                "mode": "all",
                "max-examples": profile.max_examples,
                "deterministic": profile.deterministic,
                "database": "none",
                "unique-inputs": True,
                # Auth is checked once by the explicit checks; every generated case sends the valid token.
                "with-security-parameters": False,
                # An unknown query parameter is not invalid for this endpoint: never send one as "negative".
                "allow-extra-parameters": False,
            },
            # schemathesis would mine string constants from the Python modules loaded in this process:
            # generation would then depend on what happens to be imported, and replays would miss.
            "analysis": {"constants": {"enabled": False}},
            "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": ["post", "put", "patch", "delete"]}},
            "checks": {"negative_data_rejection": {"expected-statuses": [str(s) for s in contract.failure_statuses()]}},
            "output": {"sanitization": {"sensitive-markers": SENSITIVE_MARKERS}},
            "dictionaries": _dictionaries(contract, ids),
            "parameters": _bindings(contract),
        }
    )


def _dictionaries(contract: Contract, ids: Ids) -> dict[str, Any]:
    """The target's ids for positive cases; one past the limit (starting with the real id) for negative ones."""
    limits = contract.max_lengths()
    return {
        "account_id": {"values": [ids.account_id, one_past(ids.account_id, limits["account_id"])]},
        "app_id": {"values": [ids.app_id, one_past(ids.app_id, limits["app_id"])]},
        "session_id": {"values": list(ids.session_ids) * 3 + edge_ids(contract)},
        contract.breakout_rooms_parameter: {"values": QUERY_BOOLEANS + NOT_QUERY_BOOLEANS},
    }


def _bindings(contract: Contract) -> dict[str, Any]:
    bindings = {f"path.{name}": {"dictionary": name, "probability": p} for name, p in ID_PROBABILITY.items()}
    bindings[f"query.{contract.breakout_rooms_parameter}"] = {"dictionary": contract.breakout_rooms_parameter, "probability": 0.3}
    return bindings
