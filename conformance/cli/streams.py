"""Standard output and error that never end a run: a reader that went away (`| head -1`), a closed stream (`>&-`) or
a full disk (`> /dev/full`) makes the output go quiet, and the run still ends with the exit code it earned."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from conformance.secret import hide_known


class QuietWhenGone:
    """A text stream that stops writing, instead of raising, once a write or a flush has failed; and that looks for the
    run's token once more in what it writes (the last scan of every output), hiding it and saying so once."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self._stream, self.gone, self.name, self.redacted = stream, False, name, False

    def write(self, text: str) -> int:
        hidden, found = hide_known(text)
        if found and not self.redacted:
            self.redacted = True
            hidden += f"\nrtk-conformance: the API token was found in what was to be written to {self.name}: it is redacted\n"
        if not self.gone:
            try:
                self._stream.write(hidden)
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
        setattr(sys, name, QuietWhenGone(stream, name))
