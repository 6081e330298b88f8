"""The files an audit is given, read into exchanges: a file, or a folder walked (sorted, symbolic links not followed,
a bounded number of files), each file known by its content (formats/recognise.py) and read by its format's module.

Everything read is untrusted: a file is read no further than a limit, parsed under the nesting limit, and a file that
looks like a format but is broken is refused as one UnreadableFile line naming it and what is wrong. Files that are
no recording are skipped, each with a note. WireMock stubs are answered last, all together: which stub answers a
request depends on every stub of the folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from conformance.audit.formats import NAMES, har, mockoon, ndjson, vcr, wiremock
from conformance.audit.formats.asking import REFERENCE_IDS
from conformance.audit.formats.fields import Broken, path_shown
from conformance.audit.formats.recognise import recognise
from conformance.audit.formats.wiremock_stubs import Stub
from conformance.audit.recorded import Recorded, UnreadableFile
from conformance.files import TooLarge, read_at_most

DEFAULT_LIMIT = 16 * 1024 * 1024  # bytes of one file, and of one body decoded
BODY_FILES = "__files"  # WireMock's folder of response bodies: each is read through the mapping that names it


def read_path(
    path: Path, limit_bytes: int = DEFAULT_LIMIT, max_files: int = 10_000, *, ids: tuple[str, str, str] = REFERENCE_IDS
) -> tuple[list[Recorded], list[str]]:
    """Every exchange recorded under `path`, and a note for each file or stub that gives none; UnreadableFile (one
    line) for a file that cannot be read. `ids` (account, app, session) are those the stubs are asked with."""
    files, notes = _files(path, max_files)
    read: list[Recorded | Stub] = []
    for file in files:
        found, said = _read_file(file, limit_bytes, ids)
        read += found
        notes += said
    stubs = [item for item in read if isinstance(item, Stub)]
    exchanges: list[Recorded] = []
    for item in read:
        if isinstance(item, Stub):
            answered, said = wiremock.answers(item, stubs, ids)
            exchanges += answered
            notes += said
        else:
            exchanges.append(item)
    return exchanges, notes


def _read_file(file: Path, limit: int, ids: tuple[str, str, str]) -> tuple[list[Recorded | Stub], list[str]]:
    source = path_shown(file)
    try:
        raw = read_at_most(file, limit)
    except TooLarge:
        raise UnreadableFile(f"{source}: larger than {limit} bytes") from None
    except OSError as error:
        raise UnreadableFile(f"{source}: cannot be read: {error.strerror or error}") from None
    try:
        found = recognise(raw)
        if found is None:
            return [], [f"{source}: not a recording this audit reads ({NAMES})"]
        items = _read_as(found[0], found[1], file, source, limit, ids)
    except Broken as broken:
        raise UnreadableFile(f"{source}: {broken}") from None
    return items


def _read_as(
    kind: str, content: Any, file: Path, source: str, limit: int, ids: tuple[str, str, str]
) -> tuple[list[Recorded | Stub], list[str]]:
    if kind == "wiremock":
        stubs = wiremock.stubs_of(content, file, source, limit)
        return list(stubs), [] if stubs else [f"{source}: a WireMock file with no mapping"]
    if kind == "har":
        exchanges, notes = har.exchanges(content, source)
    elif kind == "vcr":
        exchanges, notes = vcr.exchanges(content, source, limit)
    elif kind == "mockoon":
        exchanges, notes = mockoon.exchanges(content, source, limit, ids)
    else:
        exchanges, notes = ndjson.exchanges(content, source, limit)
    return list(exchanges), notes or ([] if exchanges else [f"{source}: holds no exchange"])


def _files(path: Path, max_files: int) -> tuple[list[Path], list[str]]:
    """The regular files to read: `path` itself, or those under it (sorted), with a note for each entry passed by."""
    shown = path_shown(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UnreadableFile(f"{shown}: no such file or folder") from None
    except OSError as error:
        raise UnreadableFile(f"{shown}: cannot be read: {error.strerror}") from None
    if stat.S_ISREG(mode):
        return [path], []
    if not stat.S_ISDIR(mode):
        raise UnreadableFile(f"{shown}: not a file or a folder")
    return _walk(path, max_files)


def _walk(folder: Path, max_files: int) -> tuple[list[Path], list[str]]:
    """Every regular file under the folder, sorted; a link, a pipe or a device is passed by with a note, and a body
    file of WireMock's with another. More than `max_files` entries: refused, before any is read."""
    files, notes, seen = [], [], 0

    def refuse(error: OSError) -> None:
        raise UnreadableFile(f"{path_shown(Path(error.filename or folder))}: cannot be read: {error.strerror}")

    for top, folders, names in os.walk(folder, onerror=refuse):  # followlinks=False: a linked folder is not entered
        folders.sort()
        for name in sorted([*names, *(f for f in folders if Path(top, f).is_symlink())]):
            seen += 1
            if seen > max_files:
                raise UnreadableFile(f"{path_shown(folder)}: holds more than {max_files} files: give a smaller folder")
            file = Path(top, name)
            passed_by = _passed_by(file, folder)
            notes += [f"{path_shown(file)}: {passed_by}"] if passed_by else []
            files += [] if passed_by else [file]
    return files, notes


def _passed_by(file: Path, folder: Path) -> str:
    """Why a file under the folder is not read on its own; '' when it is."""
    try:
        mode = file.lstat().st_mode
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if stat.S_ISLNK(mode):
        return "a symbolic link: not followed"
    if not stat.S_ISREG(mode):
        return "not a regular file: not read"
    if BODY_FILES in file.relative_to(folder).parts[:-1]:
        return "a WireMock body file: read through the mapping that names it"
    return ""
