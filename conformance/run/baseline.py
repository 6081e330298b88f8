"""Known failures with an expiry (`--baseline FILE`): a gate that fails only on what is new.

An entry names a check and the signature of its failure: the contract fact it breaks (the check, the contract's
pointer and what is documented there), never the bytes of a request or a response, which change from run to run.
A fatal failure that an unexpired entry names is known: listed, counted, not fatal. One past its `expires` day is
fatal again. An entry whose check ran and no longer fails is one to prune. `--baseline-update` writes the file
from the run: it adds each new fatal failure, drops each entry to prune, and never moves an expiry.
The file's JSON Schema ships beside this module (baseline.schema.json).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema_rs

from conformance import nesting
from conformance.checks import REGISTRY
from conformance.files import TooLarge, read_at_most, write_atomically
from conformance.printable import printable
from conformance.run.settings import SettingsError

SCHEMA_PATH = Path(__file__).parent / "baseline.schema.json"
MAX_BYTES = 1024 * 1024  # a baseline lists failing checks: past this it is not one
DAYS_KEPT = 90  # how long an entry added by --baseline-update stays known; edit `expires` to say otherwise
ADDED_REASON = "added by --baseline-update: say why it is accepted"
CHECK_IDS = {check.id for check in REGISTRY}
_SCHEMA = jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text()))


@dataclass(frozen=True)
class Entry:
    """One known failure."""

    check: str
    signature: str
    reason: str
    first_seen: str  # YYYY-MM-DD
    expires: str  # YYYY-MM-DD: known until the end of that day (UTC), fatal after it

    def expired(self, today: str) -> bool:
        return self.expires < today  # ISO dates order as their text does

    def brief(self) -> str:
        return f"[{self.check}] {self.reason} (first seen {self.first_seen}, expires {self.expires})"


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: tuple[Entry, ...] = ()
    today: str = field(default_factory=lambda: today_utc().isoformat())

    def entry_for(self, check: str, detail: Mapping[str, Any]) -> Entry | None:
        wanted = signature(check, detail)
        return next((e for e in self.entries if e.check == check and e.signature == wanted), None)

    def known(self, check: str, detail: Mapping[str, Any]) -> Entry | None:
        """The unexpired entry that names this failure, or None."""
        entry = self.entry_for(check, detail)
        return entry if entry is not None and not entry.expired(self.today) else None

    def updated(self, failing: Iterable[tuple[str, Mapping[str, Any]]], ran: set[str]) -> Baseline:
        """The baseline this run writes: its entries still failing (or whose check did not run), then each new
        failure, first seen today and known for DAYS_KEPT days."""
        failing = list(failing)
        signatures = {(check, signature(check, detail)) for check, detail in failing}
        kept = [e for e in self.entries if (e.check, e.signature) in signatures or e.check not in ran]
        had = {(e.check, e.signature) for e in kept}
        expires = (datetime.date.fromisoformat(self.today) + datetime.timedelta(days=DAYS_KEPT)).isoformat()
        added = [Entry(check, sig, ADDED_REASON, self.today, expires) for check, sig in sorted(signatures - had)]
        return replace(self, entries=tuple(kept + added))


def today_utc() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def signature(check: str, detail: Mapping[str, Any]) -> str:
    """The failure's stable name: the check, the contract's pointer and what is documented there (what a report's
    block shows as Contract: and Documented:), hashed; the same on every run that breaks the same fact."""
    fact = "\n".join([check, str(detail.get("contract", "")), str(detail.get("documented", ""))])
    return hashlib.sha256(fact.encode()).hexdigest()[:16]


def load_baseline(path: str, creating: bool = False) -> Baseline:
    """The baseline at `path`, checked against its schema; SettingsError (one line naming the file and the entry)
    when it cannot be used. `creating`: --baseline-update may start one that does not exist yet."""
    if creating and not Path(path).exists():
        return Baseline(path)
    try:
        data: Any = nesting.loads(read_at_most(Path(path), MAX_BYTES), f"baseline {path}")
    except nesting.TooDeep as deep:
        raise SettingsError(str(deep), "baseline") from None
    except TooLarge:
        raise SettingsError(f"baseline {path}: larger than {MAX_BYTES} bytes: not a list of known failures", "baseline") from None
    except OSError as exc:
        raise SettingsError(f"baseline {path}: {exc.strerror} (--baseline-update creates it)", "baseline") from None
    except (ValueError, RecursionError) as exc:
        raise SettingsError(f"baseline {path}: not JSON: {printable(str(exc))[:120]}", "baseline") from None
    error = next(_SCHEMA.iter_errors(data), None)
    if error is not None:
        where = "/" + "/".join(map(str, error.instance_path))
        raise SettingsError(f"baseline {path}: {where}: {printable(str(error.message))[:160]}", "baseline")
    entries = tuple(Entry(**entry) for entry in data["known_failures"])
    for n, entry in enumerate(entries):
        _check_entry(path, n, entry)
    return Baseline(path, entries)


def _check_entry(path: str, n: int, entry: Entry) -> None:
    where = f"baseline {path}: /known_failures/{n}"
    if entry.check not in CHECK_IDS:
        raise SettingsError(f"{where}/check: no check {entry.check!r} (`rtk-conformance checks` lists them)", "baseline")
    for name in ("first_seen", "expires"):
        try:
            datetime.date.fromisoformat(getattr(entry, name))
        except ValueError:
            raise SettingsError(f"{where}/{name}: {getattr(entry, name)!r} is no day (YYYY-MM-DD)", "baseline") from None


def write_baseline(baseline: Baseline) -> None:
    """The baseline as JSON, written atomically; raises OSError."""
    data = {"known_failures": [asdict(entry) for entry in baseline.entries]}
    write_atomically(Path(baseline.path), json.dumps(data, indent=2) + "\n")
