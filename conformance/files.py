"""Writing a file whole or not at all: every file the suite writes (reports, JUnit, cassettes, the case cache); and
reading one from outside (a cassette, seed data, a kept case) no further than a limit."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from conformance.secret import hide_known


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside `path`, then rename over it: a crash or a full disk leaves the file there as it was, never half a
    file. The new file gets the permissions a plain open() would give it; a path that is no regular file (a device, a
    pipe) is written into as it is. The run's token is looked for once more and hidden, which is said in one line.
    Raises OSError."""
    text, found = hide_known(content if isinstance(content, str) else content.decode("latin-1"))
    if found:
        print(f"rtk-conformance: the API token was found in what was to be written to {path}: it is redacted there", file=sys.stderr)
        content = text if isinstance(content, str) else text.encode("latin-1")
    data = content.encode() if isinstance(content, str) else content
    if path.exists() and not path.is_file():  # a device or a pipe (/dev/stdout): written into, never replaced
        with open(path, "wb") as out:
            out.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        temporary.chmod(0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class TooLarge(Exception):
    """The file holds more than the limit allows."""


def read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes; TooLarge past `limit`, read no further (it may have grown since, or be endless: /dev/zero, or
    a link to it). Raises OSError."""
    with path.open("rb") as source:
        content = source.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"{path} is larger than {limit} bytes")
    return content


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
