"""`rtk-conformance diff OLD NEW`: the facts of production that changed between two recordings, not the bytes.

Each recorded request is matched with its counterpart in the other cassette (method, path, query, the class of the
credentials it carried), and what the answer says is compared as facts: the status with its error codes, the edition
of a 200 body, the fields its session has, the fields of its envelope. A revoked token answered with another error code,
`meta` back in the session, another edition: one line each. A changed timestamp or count is no fact of the API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.cassettes.reading import read_cassette
from conformance.cassettes.redaction import credential_class
from conformance.checks.body import editions_of, lookup
from conformance.checks.production import answer
from conformance.contract import load_contract
from conformance.secret import NO_SECRET


@dataclass(frozen=True)
class Facts:
    """What one answer says of the API."""

    answered: str  # '403 with code N', '200 with ...'
    edition: str  # of a 200 body, or ''
    session_fields: frozenset[str]
    envelope_fields: frozenset[str]


def facts_of(response: dict[str, Any]) -> Facts:
    contract = load_contract()
    status = int(response["status"]["code"])
    body = _json(response["body"]["string"])
    editions = editions_of(body, contract) if status == 200 and body is not None else []
    session = lookup(body, contract.editions[editions[0]]["session_pointer"]) if editions else None
    shown = answer(contract, status, body) if status >= 400 else f"{status}"
    envelope = frozenset(body) if isinstance(body, dict) else frozenset()
    fields = frozenset(session) if isinstance(session, dict) else frozenset()
    return Facts(shown, editions[0] if editions else "", fields, envelope)


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except (ValueError, TypeError, RecursionError):
        return None


def recorded(path: Path, limit: int) -> dict[tuple[str, ...], Facts]:
    """Each request of a cassette (its method, path, query and credentials' class) and the facts of its answer."""
    found: dict[tuple[str, ...], Facts] = {}
    for interaction in read_cassette(path, limit)["interactions"]:
        request = interaction["request"]
        parts = urlsplit(request["uri"])
        headers = {name.lower(): values for name, values in (request.get("headers") or {}).items()}
        sent = headers.get("authorization")
        credentials = credential_class(str((sent if isinstance(sent, list) else [sent])[0]) if sent else None, NO_SECRET)
        query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
        found[(request["method"], parts.path, query, credentials)] = facts_of(interaction["response"])
    return found


def changes(old: dict[tuple[str, ...], Facts], new: dict[tuple[str, ...], Facts]) -> list[str]:
    """One line per fact that changed (with how many requests it changed for, and one of them); then the requests one
    of the cassettes alone recorded."""
    seen: dict[str, list[str]] = {}
    for key in sorted(set(old) & set(new)):
        where = f"{key[0]} {key[1]}{'?' + key[2] if key[2] else ''} (credentials {key[3]})"
        for change in _changed(old[key], new[key]):
            seen.setdefault(change, []).append(where)
    lines = [f"{change}: {len(wheres)} request(s), e.g. {wheres[0]}" for change, wheres in seen.items()]
    only = {"old": len(set(old) - set(new)), "new": len(set(new) - set(old))}
    return lines + [f"{count} request(s) recorded in the {which} cassette only" for which, count in only.items() if count]


def _changed(before: Facts, after: Facts) -> list[str]:
    found = [f"answered {before.answered}, now {after.answered}"] if before.answered != after.answered else []
    if before.edition and after.edition and before.edition != after.edition:
        found.append(f"the 200 body was in the {before.edition} edition, now the {after.edition}")
    found += _fields("session field", before.session_fields, after.session_fields)
    return found + _fields("envelope field", before.envelope_fields, after.envelope_fields)


def _fields(kind: str, before: frozenset[str], after: frozenset[str]) -> list[str]:
    if not before or not after:  # no body of that kind on one side: the answer's line says so
        return []
    return [f"{kind} {f} appeared" for f in sorted(after - before)] + [f"{kind} {f} is gone" for f in sorted(before - after)]
