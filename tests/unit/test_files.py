"""Every file the suite writes is written whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from conformance.files import write_atomically


def test_a_file_is_written_whole_with_the_permissions_of_a_plain_open(tmp_path: Path) -> None:
    target = tmp_path / "new" / "report.json"
    write_atomically(target, "{}\n")
    plain = tmp_path / "plain"
    plain.write_text("")
    assert target.read_text() == "{}\n"
    assert target.stat().st_mode == plain.stat().st_mode
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_a_failed_write_leaves_the_file_there_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "cassette.yaml"
    target.write_text("the good cassette")

    def full_disk(handle: int, mode: str) -> Any:
        os.close(handle)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", full_disk)  # the os module conformance.files writes with
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"half a cassette")
    assert target.read_text() == "the good cassette"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cassette.yaml"]  # no temporary file left behind


def test_a_device_is_written_into_never_replaced() -> None:
    """--junitxml /dev/full: the device says its disk is full, and stays the device it was."""
    with pytest.raises(OSError) as raised:
        write_atomically(Path("/dev/full"), "<testsuites/>")
    assert raised.value.errno == errno.ENOSPC and stat.S_ISCHR(os.stat("/dev/full").st_mode)
