"""Project-wide test setup: the project's tests stay offline, talking only to servers on loopback."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ConnectionRefusedError(f"the project's tests talk to loopback only, not {host}")
    return _connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def offline() -> Iterator[None]:
    """Refuse any connection this process tries to make beyond 127.0.0.0/8 and ::1."""
    socket.socket.connect = _loopback_only  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _connect  # type: ignore[method-assign]
