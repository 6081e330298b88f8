"""HAR 1.2 (HTTP Archive), as browsers and Playwright write it: `log.entries[]`, each a request (method, url,
headers[]) and its response (status, headers[], content.text, base64 when content.encoding says so). HAR keeps a
body with its Content-Encoding already undone (the spec's "HTTP decoded" text), so only base64 is undone here, and
the Content-Encoding and Content-Length headers are dropped, as the transport drops them from a body it decoded.
Locations are `entry N`, the entry's index in the file from 0."""

from __future__ import annotations

from typing import Any

from conformance.audit.formats.bodies import decoded_headers, from_base64
from conformance.audit.formats.fields import Broken, headers_of, object_at, shown, status_of, text_of, utf8
from conformance.audit.recorded import Recorded


def is_har(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("log"), dict) and "entries" in doc["log"]


def exchanges(doc: dict[str, Any], source: str) -> tuple[list[Recorded], list[str]]:
    """Every entry answered over HTTP; an entry the browser got no answer to (status 0: blocked, aborted, failed)
    is a note."""
    entries = doc["log"]["entries"]
    if not isinstance(entries, list):
        raise Broken("log.entries is not a list")
    found, notes = [], []
    for index, entry in enumerate(entries):
        where = f"entry {index}"
        if not isinstance(entry, dict):
            raise Broken(f"{where} is not an object")
        request, response = object_at(entry, "request", where), object_at(entry, "response", where)
        if response.get("status") in (0, -1):
            why = shown(response.get("_error") or entry.get("_error") or "no answer")
            notes.append(f"{source}: {where}: no response was received ({why}): not audited")
            continue
        found.append(_exchange(request, response, where, source))
    return found, notes


def _exchange(request: dict[str, Any], response: dict[str, Any], where: str, source: str) -> Recorded:
    body, known, note = _content(response.get("content"), where)
    return Recorded(
        source,
        where,
        text_of(request.get("method"), f"{where}: request.method").upper(),
        text_of(request.get("url"), f"{where}: request.url"),
        _headers(request.get("headers"), f"{where}: request.headers"),
        status_of(response.get("status"), f"{where}: response.status"),
        decoded_headers(_headers(response.get("headers"), f"{where}: response.headers")),
        body,
        note,
        known,
    )


def _headers(pairs: Any, where: str) -> dict[str, str]:
    """HAR's headers: a list of {name, value}."""
    if pairs is None:
        return {}
    if not isinstance(pairs, list):
        raise Broken(f"{where} is not a list")
    for index, pair in enumerate(pairs):
        if not isinstance(pair, dict) or "name" not in pair:
            raise Broken(f"{where}[{index}] is not a header (an object with name and value)")
    return headers_of((pair["name"], pair.get("value")) for pair in pairs)


def _content(content: Any, where: str) -> tuple[bytes, bool, str]:
    """The body, whether the HAR holds it, and a note when it does not (a browser may leave a body's text out)."""
    if content is None:
        return b"", False, "the HAR holds no content of the response: the body is not judged"
    if not isinstance(content, dict):
        raise Broken(f"{where}: response.content is not an object")
    text = content.get("text")
    if text is None:
        size = content.get("size")
        if size == 0:
            return b"", True, ""
        return b"", False, f"the HAR holds no text of the body ({shown(size)} bytes): the body is not judged"
    if content.get("encoding") == "base64":
        return from_base64(text, f"{where}: response.content.text"), True, ""
    if not isinstance(text, str):
        raise Broken(f"{where}: response.content.text is not text: {shown(text)}")
    return utf8(text), True, ""
