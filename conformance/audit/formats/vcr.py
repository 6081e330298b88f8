"""vcrpy cassettes, YAML or JSON: pytest-recording's, vcrpy's own, and this suite's (`rtk-conformance run
--cassette`, whose ids may be placeholders of the same length under --redact-ids, and whose Authorization header is
kept as its credential class, `[credentials: valid]`). `interactions[]`, each a request (method, uri, headers: name ->
list of values) and its response (status {code, message}, headers, body {string} or {base64_string}). vcrpy keeps
the body as it came, so a Content-Encoding the headers still name is undone (this suite's cassettes hold it undone
already). Cassettes of vcrpy's old httpx stubs (status_code, content) are read too. Locations: `interaction N`."""

from __future__ import annotations

from typing import Any

from conformance.audit.formats.bodies import from_base64, undone
from conformance.audit.formats.fields import Broken, mapping_headers, object_at, shown, status_of, text_of, utf8
from conformance.audit.recorded import Recorded

# pytest-recording's and vcrpy's usual scrubbing (filter_headers=["authorization"]) removes the header whole: a
# request recorded without one may have been sent with credentials.
UNSEEN_CREDENTIALS = "no Authorization header was recorded (vcrpy's filter_headers removes it whole)"


def is_cassette(doc: Any) -> bool:
    return isinstance(doc, dict) and "interactions" in doc


def exchanges(doc: dict[str, Any], source: str, limit: int) -> tuple[list[Recorded], list[str]]:
    interactions = doc["interactions"]
    if not isinstance(interactions, list):
        raise Broken("interactions is not a list")
    return [_exchange(item, f"interaction {index}", source, limit) for index, item in enumerate(interactions)], []


def _exchange(item: Any, where: str, source: str, limit: int) -> Recorded:
    if not isinstance(item, dict):
        raise Broken(f"{where} is not an object")
    request, response = object_at(item, "request", where), object_at(item, "response", where)
    sent = mapping_headers(request.get("headers"), f"{where}: request.headers")
    headers = mapping_headers(response.get("headers"), f"{where}: response.headers")
    body, headers, note = undone(_body(response, where), headers, limit, f"{where}: the response body")
    notes = [note, "" if "authorization" in sent else UNSEEN_CREDENTIALS]
    return Recorded(
        source,
        where,
        text_of(request.get("method"), f"{where}: request.method").upper(),
        text_of(request.get("uri"), f"{where}: request.uri"),
        sent,
        _status(response, where),
        headers,
        body,
        "; ".join(n for n in notes if n),
    )


def _status(response: dict[str, Any], where: str) -> int:
    if "status_code" in response:  # vcrpy's old httpx stubs
        return status_of(response["status_code"], f"{where}: response.status_code")
    status = object_at(response, "status", f"{where}: response")
    return status_of(status.get("code"), f"{where}: response.status.code")


def _body(response: dict[str, Any], where: str) -> bytes:
    """The body's bytes: text (vcrpy's YAML keeps bytes that are not UTF-8 as !!binary), or base64."""
    body = response.get("body", response.get("content"))
    if isinstance(body, dict):
        if "base64_string" in body:
            return from_base64(body["base64_string"], f"{where}: response.body.base64_string")
        body = body.get("string")
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return utf8(body)
    raise Broken(f"{where}: response.body is not text: {shown(body)}")
