"""The guard in the root conftest keeps the project's tests on loopback."""

from __future__ import annotations

import socket

import pytest


def test_connections_beyond_loopback_are_refused() -> None:
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match=r"loopback only, not 192\.0\.2\.1"):
        sock.connect(("192.0.2.1", 80))
