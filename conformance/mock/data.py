"""The mock's seeded data: ids, tokens and sessions, read from a JSON file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MockData:
    account_id: str
    app_id: str
    realtime_tokens: tuple[str, ...]
    tokens_without_permission: tuple[str, ...]
    sessions: tuple[dict[str, Any], ...]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    @property
    def token(self) -> str:
        """The token a client should use."""
        return self.realtime_tokens[0]

    @property
    def session_ids(self) -> list[str]:
        """Ids of the top-level sessions (breakout rooms are reachable too, but not listed)."""
        return [s["id"] for s in self.sessions]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> MockData:
        sessions = tuple(raw["sessions"])
        return cls(
            account_id=raw["account_id"],
            app_id=raw["app_id"],
            realtime_tokens=tuple(raw["tokens"]["realtime"]),
            tokens_without_permission=tuple(raw["tokens"].get("without_permission", [])),
            sessions=sessions,
            by_id=dict(_index(sessions)),
        )


def _index(sessions: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> Any:
    """Every session by id, breakout rooms included: each room is a session of its own."""
    for session in sessions:
        yield session["id"], session
        yield from _index(session.get("breakout_rooms", []))


class DataFileError(ValueError):
    """The --data file cannot be used."""


def load_data(path: str | Path | None = None) -> MockData:
    """The bundled seed data, or the given file of the same shape."""
    try:
        text = Path(path).read_text() if path else resources.files(__package__).joinpath("data.json").read_text()
        return MockData.from_json(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"cannot use mock data file {path}: {exc!r}") from exc
