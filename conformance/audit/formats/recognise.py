"""Which format a file holds, told from its content alone (a HAR saved as notes.txt is a HAR). JSON is parsed once,
under the nesting limit, and told apart by its keys; a vcrpy cassette in YAML by its `interactions:` key. A file
that is none of them is skipped; one that looks like one of them but does not parse is refused, in one line."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from conformance import nesting
from conformance.audit.formats import har, mockoon, ndjson, vcr
from conformance.audit.formats.fields import Broken, shown
from conformance.cassettes.reading import load_yaml

# Keys WireMock mappings have and NDJSON exchanges do not: a one-line object with one of them is a mapping.
_WIREMOCK_KEYS = {"id", "uuid", "name", "priority", "persistent", "scenarioName", "requiredScenarioState", "metadata"}
_WIREMOCK_REQUEST = {"urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate", "queryParameters", "bodyPatterns"}
_WIREMOCK_RESPONSE = {"jsonBody", "base64Body", "bodyFileName", "fault", "proxyBaseUrl", "transformers", "fixedDelayMilliseconds"}
# What a file that does not parse says it meant to be, by the keys it shows.
_LOOKS_LIKE = (
    ("a HAR", ('"log"', '"entries"')),
    ("a vcrpy cassette", ('"interactions"',)),
    ("a Mockoon environment", ('"routes"', '"endpointPrefix"')),
    ("a WireMock mapping", ('"mappings"',)),
    ("a WireMock mapping or NDJSON", ('"request"', '"response"')),
)
_CASSETTE_KEY = re.compile(r"^interactions:", re.M)


def recognise(raw: bytes) -> tuple[str, Any] | None:
    """(format, content): har, vcr, wiremock, mockoon (a parsed document) or ndjson (the text); None when the file is
    none of them. Broken when it looks like one and is not well-formed."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    start = text.lstrip()[:1]
    if start in ("{", "["):
        return _json(text)
    if _CASSETTE_KEY.search(text):
        return "vcr", _yaml_cassette(text)
    return None


def _json(text: str) -> tuple[str, Any] | None:
    try:
        doc = nesting.loads(text)
    except nesting.TooDeep:
        raise Broken(nesting.TOO_DEEP) from None
    except json.JSONDecodeError as error:
        return _not_one_document(text, error)
    if har.is_har(doc):
        return "har", doc
    if vcr.is_cassette(doc):
        return "vcr", doc
    if mockoon.is_environment(doc):
        return "mockoon", doc
    if isinstance(doc, dict) and isinstance(doc.get("mappings"), list):
        return "wiremock", doc
    if ndjson.is_exchange(doc):
        one_line = "\n" not in text.strip()
        return ("ndjson", text) if one_line and not _wiremock_only(doc) else ("wiremock", doc)
    return None


def _not_one_document(text: str, error: json.JSONDecodeError) -> tuple[str, Any] | None:
    """NDJSON (its first line an exchange), or a file that looks like a format and is broken, or neither."""
    first = next(line for line in text.splitlines() if line.strip())
    try:
        if ndjson.is_exchange(nesting.loads(first)):
            return "ndjson", text
    except ValueError:  # JSONDecodeError and TooDeep alike: the whole file says what is wrong below
        pass
    meant = next((name for name, keys in _LOOKS_LIKE if all(key in text for key in keys)), None)
    if meant is None:
        return None
    raise Broken(f"{meant} that is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")


def _wiremock_only(doc: dict[str, Any]) -> bool:
    """Whether the object is a mapping, not an exchange: WireMock's keys, header matchers, method ANY or none, or a
    response without a status (WireMock's 200)."""
    request, response = doc["request"], doc["response"]
    headers = request.get("headers")
    matchers = isinstance(headers, dict) and any(isinstance(value, dict) for value in headers.values())
    keys = _WIREMOCK_KEYS & doc.keys() or _WIREMOCK_REQUEST & request.keys() or _WIREMOCK_RESPONSE & response.keys()
    return bool(keys or matchers or request.get("method", "ANY") == "ANY" or "status" not in response)


def _yaml_cassette(text: str) -> Any:
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as error:
        raise Broken(f"a vcrpy cassette that is not valid YAML: {_yaml_problem(error)}") from None
    if not vcr.is_cassette(doc):
        raise Broken("a vcrpy cassette without interactions at its top level")
    return doc


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem:
        mark = error.problem_mark
        return shown(error.problem) + (f" (line {mark.line + 1})" if mark is not None else "")
    return shown(str(error).splitlines()[0] if str(error) else type(error).__name__)
