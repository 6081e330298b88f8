"""The mock's seeded data: ids, tokens and the sessions of each app, read from a JSON file."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from conformance import nesting
from conformance.contract import load_contract
from conformance.files import TooLarge, read_at_most
from conformance.nesting import TooDeep
from conformance.printable import printable

Sessions = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class MockData:
    account_id: str
    app_id: str  # the app whose ids `mock` prints and the embedded target checks
    realtime_tokens: tuple[str, ...]
    tokens_without_permission: tuple[str, ...]
    apps: dict[str, Sessions]  # every seeded app id -> its top-level sessions

    @property
    def token(self) -> str:
        """The token a client should use."""
        return self.realtime_tokens[0]

    @property
    def sessions(self) -> Sessions:
        return self.apps[self.app_id]

    @property
    def session_ids(self) -> list[str]:
        """Ids of the app's top-level sessions (breakout rooms are reachable too, but not listed)."""
        return [s["id"] for s in self.sessions]

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        """Every session of the app by id, breakout rooms included."""
        return self.index()[self.app_id]

    def index(self) -> dict[str, dict[str, dict[str, Any]]]:
        """app id -> session id -> session, for every app."""
        return {app: dict(_index(sessions)) for app, sessions in self.apps.items()}

    def for_app(self, app_id: str) -> MockData:
        """The same data, `app_id` being the app whose ids are printed and checked."""
        if app_id not in self.apps:
            raise DataFileError(f"the mock has no app {app_id}; its apps: {', '.join(self.apps)}")
        return dataclasses.replace(self, app_id=app_id)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> MockData:
        apps = {raw["app_id"]: tuple(raw["sessions"])}
        apps.update({app["app_id"]: tuple(app["sessions"]) for app in raw.get("other_apps", [])})
        return cls(
            account_id=raw["account_id"],
            app_id=raw["app_id"],
            realtime_tokens=tuple(raw["tokens"]["realtime"]),
            tokens_without_permission=tuple(raw["tokens"].get("without_permission", [])),
            apps=apps,
        )


def _index(sessions: Sessions | list[dict[str, Any]]) -> Any:
    """Every session by id, breakout rooms included: each room is a session of its own."""
    for session in sessions:
        yield session["id"], session
        yield from _index(session.get(load_contract().nested_sessions_field, []))


class DataFileError(ValueError):
    """The --data file (or the app asked of it) cannot be used."""


MAX_DATA_BYTES = 16 * 1024 * 1024  # the bundled seed data is 5 KB
_SHAPE = jsonschema_rs.validator_for(json.loads(resources.files(__package__).joinpath("data.schema.json").read_text()))


def load_data(path: str | Path | None = None) -> MockData:
    """The bundled seed data, or the given file of the same shape (bounded in size, and checked: its shape against
    data.schema.json, each session against the contract's session schema)."""
    if path is None:
        return MockData.from_json(json.loads(resources.files(__package__).joinpath("data.json").read_text()))
    try:
        raw_data: Any = nesting.loads(read_at_most(Path(path), MAX_DATA_BYTES), f"mock data file {path}")
    except TooDeep as deep:
        raise DataFileError(str(deep)) from None
    except TooLarge:
        raise DataFileError(f"mock data file {path} is larger than {MAX_DATA_BYTES} bytes") from None
    except OSError as exc:
        raise DataFileError(f"cannot read mock data file {path}: {exc.strerror}") from None
    except (ValueError, RecursionError) as exc:
        raise DataFileError(f"mock data file {path} is not JSON: {printable(str(exc))[:200]}") from None
    _check(path, raw_data)
    return MockData.from_json(raw_data)


def _check(path: str | Path, raw: Any) -> None:
    """One line naming the first place where the file breaks its shape or a session breaks the contract."""
    error = next(_SHAPE.iter_errors(raw), None)
    if error is not None:
        where = "/" + "/".join(map(str, error.instance_path))
        raise DataFileError(f"mock data file {path}: {where}: {printable(str(error.message))[:200]}")
    apps = [("/sessions", raw["sessions"])]
    apps += [(f"/other_apps/{n}/sessions", app["sessions"]) for n, app in enumerate(raw.get("other_apps", []))]
    for where, sessions in apps:
        for number, session in enumerate(sessions):
            broken = load_contract().validate_session(session)
            if broken:
                first, place = broken[0], f"{where}/{number}{broken[0].pointer}"
                raise DataFileError(
                    f"mock data file {path}: {place}: {printable(first.message)[:200]} (the session breaks {first.contract})"
                )
