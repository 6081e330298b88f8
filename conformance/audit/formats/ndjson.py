"""NDJSON exchanges: this audit's own format, for exchanges logged by anything (a proxy, a test's hook, a script).

One JSON object per line, one exchange each; blank lines are skipped:

    {"request": {"method": "GET", "url": "https://api.cloudflare.com/client/v4/accounts/.../sessions/...",
                 "headers": {"Authorization": "Bearer ..."}},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": "{\\"success\\": true, ...}"}}

(written here on three lines; in the file, on one).

- `request.method` and `request.url` are required: the url absolute, or a path with its query, as sent.
- `request.headers` and `response.headers` are optional objects, name -> value (or a list of values, joined as HTTP
  joins them); names in any case.
- `response.status` is required: an integer from 100 to 999.
- The body is `response.body` (text) or `response.body_base64` (bytes, base64); neither: an empty body. Either is
  the body as received: when `response.headers` still names a Content-Encoding, it is undone (and that header, with
  Content-Length, dropped, as the transport drops them from a body it decoded).

Locations are `line N`, from 1 as editors number lines."""

from __future__ import annotations

from typing import Any

from conformance import nesting
from conformance.audit.formats.bodies import from_base64, undone
from conformance.audit.formats.fields import Broken, mapping_headers, object_at, shown, status_of, text_of, utf8
from conformance.audit.recorded import Recorded


def is_exchange(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("request"), dict) and isinstance(doc.get("response"), dict)


def exchanges(text: str, source: str, limit: int) -> tuple[list[Recorded], list[str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found.append(_exchange(_parsed(line, f"line {number}"), f"line {number}", source, limit))
    return found, []


def _parsed(line: str, where: str) -> Any:
    try:
        doc = nesting.loads(line)
    except nesting.TooDeep:
        raise Broken(f"{where} is {nesting.TOO_DEEP}") from None
    except ValueError as error:
        raise Broken(f"{where} is not JSON: {shown(str(error))}") from None
    if not is_exchange(doc):
        raise Broken(f"{where} is not an exchange (an object with a request and a response)")
    return doc


def _exchange(doc: dict[str, Any], where: str, source: str, limit: int) -> Recorded:
    request, response = object_at(doc, "request", where), object_at(doc, "response", where)
    headers = mapping_headers(response.get("headers"), f"{where}: response.headers")
    body, headers, note = undone(_body(response, where), headers, limit, f"{where}: the response body")
    return Recorded(
        source,
        where,
        text_of(request.get("method"), f"{where}: request.method").upper(),
        text_of(request.get("url"), f"{where}: request.url"),
        mapping_headers(request.get("headers"), f"{where}: request.headers"),
        status_of(response.get("status"), f"{where}: response.status"),
        headers,
        body,
        note,
    )


def _body(response: dict[str, Any], where: str) -> bytes:
    if "body_base64" in response:
        return from_base64(response["body_base64"], f"{where}: response.body_base64")
    body = response.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise Broken(f"{where}: response.body is not text: {shown(body)}")
    return utf8(body)
