"""The catalogue of correct variants: implementations that differ from the reference mock only in ways the contract,
HTTP and JSON allow. `rtk-conformance selftest` runs the suite, strict, against each one in both editions, and any
failure is a false positive of the suite."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from conformance.selftest.variants.implementation import Style, compact, serving

__all__ = ["CATALOGUE", "VARIANTS", "Style", "Variant", "serving"]


@dataclass(frozen=True)
class Variant:
    name: str
    allows: str  # what it does differently, and why that is allowed
    style: Style = field(default_factory=Style)
    app_id: str = ""  # the seeded app its run checks (default: the data's app_id)


def reordered(value: Any) -> Any:
    """Every object's keys in reverse order: JSON objects are unordered."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    return [reordered(v) for v in value] if isinstance(value, list) else value


def with_offsets(session: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as RFC 3339 with a numeric offset and microseconds, instead of Z and milliseconds."""
    return {k: _offset(v) if isinstance(v, str) and v.endswith("Z") else v for k, v in session.items()}


def _offset(text: str) -> str:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(timespec="microseconds")
    except ValueError:
        return text


def floats_everywhere(session: dict[str, Any]) -> dict[str, Any]:
    """Whole numbers written as 4.0: a JSON number is a number, whatever its form."""
    return {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in session.items()}


def exponents(body: Any) -> str:
    """Fractional numbers in exponent form (42.3434 as 4.23434E+1)."""
    return re.sub(r"(?<=:)-?\d+\.\d+(?=[,}\]])", lambda m: format(Decimal(m.group()), "E"), compact(body))


def undocumented(extra: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Fields the contract does not name: it closes no object, so a client must ignore them."""
    return lambda value: {**value, **extra}


def pretty(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=True) + "\n"


CLOUDFLARE_HEADERS = (
    ("Server", "cloudflare"),
    ("CF-RAY", "8f1e2d3c4b5a6978-FRA"),
    ("cf-cache-status", "DYNAMIC"),
    ("Vary", "Accept-Encoding"),
    ("Set-Cookie", "__cf_bm=abc; path=/; HttpOnly; Secure; SameSite=None"),
    ("Ratelimit", '"default";r=1199;t=300'),
    ("Ratelimit-Policy", '"default";q=1200;w=300'),
    ("Date", "Tue, 01 Dec 2026 12:00:00 GMT"),
)

UUID_APP_ID = "14a396e7-ca44-4937-bf1f-050a69118543"  # the seeded app (mock/data.json) whose id is a real, UUID app id
CATALOGUE = [
    Variant("minimal", "the endpoint written again from the contract, on the standard library's HTTP server"),
    Variant(
        "documented-literal-limits",
        "refuses every app id past the documented maxLength 32 as unroutable, UUIDs too: one side of a documented contradiction",
        Style(literal_limits=True),
    ),
    Variant(
        "uuid-app-id",
        "checked with the seeded app whose id is a 36-character UUID, as in production",
        app_id="14a396e7-ca44-4937-bf1f-050a69118543",
    ),
    Variant("chunked", "Transfer-Encoding: chunked, in 7-byte chunks, instead of Content-Length", Style(framing="chunked")),
    Variant("close-delimited", "HTTP/1.0, no Content-Length: the body ends when the connection closes", Style(framing="close")),
    Variant("gzip", "Content-Encoding: gzip whenever the client accepts it", Style(gzip=True)),
    Variant("charset", "Content-Type: application/json; charset=utf-8", Style(content_type="application/json; charset=utf-8")),
    Variant(
        "cloudflare-headers",
        "the headers Cloudflare's edge adds: Server, CF-RAY, cookies, Ratelimit, Date",
        Style(headers=CLOUDFLARE_HEADERS),
    ),
    Variant("header-case", "header names in upper case: HTTP field names are case-insensitive", Style(header_names=str.upper)),
    Variant(
        "float-numbers", "whole numbers written 4.0 and fractions in exponent form", Style(session=floats_everywhere, serialize=exponents)
    ),
    Variant("offset-timestamps", "timestamps with +00:00 and microseconds instead of Z and milliseconds", Style(session=with_offsets)),
    Variant(
        "undocumented-fields",
        "fields the contract does not name, in the envelope and in every session",
        Style(session=undocumented({"region": "weur", "recording_ids": []}), envelope=undocumented({"errors": [], "messages": []})),
    ),
    Variant("key-order", "every object's keys in reverse order", Style(serialize=lambda body: compact(reordered(body)))),
    Variant("pretty-json", "indented JSON, ASCII escapes and a final newline", Style(serialize=pretty)),
]
VARIANTS = {variant.name: variant for variant in CATALOGUE}
