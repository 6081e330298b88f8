"""Standard output and error that never end a run: a reader that went away (`| head -1`), a closed stream (`>&-`) or
a full disk (`> /dev/full`) makes the output go quiet, and the run still ends with the exit code it earned."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


class QuietWhenGone:
    """A text stream that stops writing, instead of raising, once a write or a flush has failed."""

    def __init__(self, stream: TextIO) -> None:
        self._stream, self.gone = stream, False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except (OSError, ValueError):  # a broken pipe, a full disk, a stream already closed
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self.gone = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """Make stdout and stderr safe to write to, whatever is at the other end. A character the terminal's encoding
    cannot show is written as a backslash escape (PYTHONIOENCODING=ascii and a non-ASCII id)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, QuietWhenGone):
            continue
        if stream is None:  # the descriptor was closed before the process started
            stream = open(os.devnull, "w")  # noqa: SIM115 - open for the life of the process
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
        setattr(sys, name, QuietWhenGone(stream))
