"""One exchange as someone else recorded or arranged it: a HAR entry, a cassette's interaction, a WireMock stub, a
Mockoon response, an NDJSON line. What the audit judges (conformance/audit/), whichever format it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


class UnreadableFile(ValueError):
    """A file that cannot be read as the format it looks like: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Recorded:
    source: str  # the file, as found under the path the user gave
    location: str  # where in the file: "entry 3", "interaction 2", "mapping 7f3a... (name)", "route 2, response 1", "line 7"
    method: str
    url: str  # as recorded: absolute (scheme, host, path, query) or a path with its query
    headers: dict[str, str]  # the request's, lower-case names (Authorization included, as recorded)
    status: int
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""  # the response body, decoded from base64 or a content encoding
    note: str = ""  # how the exchange was made from a stub, e.g. "a request the stub's urlPathPattern also matches"
    # False when the file does not hold the body (a HAR entry without its text, a stub's body file that is not there):
    # `body` is then b"" and only the status and headers can be judged; the note says why.
    body_known: bool = True
