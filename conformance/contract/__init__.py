"""The contract in openapi/, loaded once: validators and the facts checks ask about.

Python never restates a field, an enum or a limit: everything here is read from the files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema_rs
from jsonpointer import JsonPointer

from conformance.contract.editions import DEFAULT_EDITION, Contradiction, compiled, documented_branch, edition_view
from conformance.contract.reading import read_yaml
from conformance.contract.rules import RuleSource, source_of

FRAGMENT_NAME = "get-session-details.openapi.yaml"
SCHEMA_BASE = "rtk:///openapi/schemas/"


def contract_dir() -> Path:
    """openapi/ inside the installed wheel, else the checkout's."""
    shipped = Path(str(resources.files("conformance"))) / "openapi"
    if (shipped / FRAGMENT_NAME).is_file():
        return shipped
    return Path(__file__).resolve().parents[2] / "openapi"


@dataclass(frozen=True)
class SchemaError:
    """One way a JSON document breaks a schema, located in the document and in the contract."""

    pointer: str  # where in the checked document
    keyword: str  # the JSON Schema keyword that failed: type, required, enum, format, ...
    message: str
    value: Any
    contract: str  # where in openapi/: file#/json/pointer
    detail: dict[str, Any]  # what the keyword asked for, e.g. {"types": ["number"]}


def _file_of(parameter: dict[str, Any]) -> str:
    """The schemas/ file a parameter's schema $refs."""
    return str(parameter["schema"]["$ref"]).removeprefix("schemas/")


def _pointer(parts: list[str | int]) -> str:
    return str(JsonPointer.from_parts(parts).path)


@dataclass(frozen=True)
class RecordedFailure:
    """What production answers in one failure situation: a named example of a failure response, with its source."""

    situation: str
    summary: str
    status: int
    body: Any
    sources: tuple[str, ...]
    pointer: str  # file#/pointer of the example
    not_provoked: str = ""  # why a conformance run does not provoke it (x-not-provoked), or ''

    @property
    def inferred(self) -> bool:
        return "observed" not in self.sources


class Contract:
    """Read-only view of the contract files, in one edition of the 200 body."""

    def __init__(self, root: Path, edition: str = DEFAULT_EDITION) -> None:
        self.root, self.edition = root, edition
        self.fragment: dict[str, Any] = edition_view(read_yaml(root / FRAGMENT_NAME), edition)
        self.schemas = {path.name: json.loads(path.read_text()) for path in sorted((root / "schemas").glob("*.json"))}
        self._registry = jsonschema_rs.Registry([(SCHEMA_BASE + n, s) for n, s in self.schemas.items()])

    def rule_source(self, rule_id: str) -> RuleSource:
        """Where a rule of the suite comes from, and so its level (openapi/rules.yaml)."""
        return source_of(self.root, rule_id)

    @property
    def fragment_path(self) -> Path:
        return self.root / FRAGMENT_NAME

    @cached_property
    def base_path(self) -> str:
        """Where the operation's paths begin on the documented server (/client/v4)."""
        return urlsplit(str(self.fragment["servers"][0]["url"])).path.rstrip("/")

    @cached_property
    def path_template(self) -> str:
        (path,) = self.fragment["paths"]
        return str(path)

    @property
    def operation_pointer(self) -> str:
        """Where the operation sits in the fragment, as file#/pointer."""
        return f"openapi/{FRAGMENT_NAME}#{_pointer(['paths', self.path_template, 'get'])}"

    @property
    def security_pointer(self) -> str:
        (scheme,) = self.fragment["components"]["securitySchemes"]
        return f"openapi/{FRAGMENT_NAME}#/components/securitySchemes/{scheme}"

    @cached_property
    def operation(self) -> dict[str, Any]:
        return dict(self.fragment["paths"][self.path_template]["get"])

    @cached_property
    def parameters(self) -> dict[str, dict[str, Any]]:
        """Each parameter by name, its schema resolved from schemas/."""
        return {p["name"]: {**p, "schema_file": _file_of(p), "schema": self.schemas[_file_of(p)]} for p in self.operation["parameters"]}

    def failure_statuses(self) -> list[int]:
        """The non-2xx statuses the operation declares."""
        return sorted(int(code) for code in self.operation["responses"] if not code.startswith("2"))

    @cached_property
    def recorded_failures(self) -> dict[str, RecordedFailure]:
        """Each failure situation (a named example of a failure response) by name."""
        found = {}
        for code in map(str, self.failure_statuses()):
            response = self.operation["responses"][code]
            for name, example in response.get("content", {}).get("application/json", {}).get("examples", {}).items():
                where = ["paths", self.path_template, "get", "responses", code, "content", "application/json", "examples", name]
                pointer = f"openapi/{FRAGMENT_NAME}#{_pointer(where)}"
                found[name] = RecordedFailure(
                    name,
                    example["summary"],
                    int(code),
                    example["value"],
                    tuple(example["x-source"]),
                    pointer,
                    example.get("x-not-provoked", ""),
                )
        return found

    def failure_shape(self, body: Any) -> str | None:
        """The title of the failure body shape `body` has (a branch of failure.schema.json), or None."""
        for branch in self.schemas["failure.schema.json"]["anyOf"]:
            if not _errors(self._validator("failure.schema.json", branch["$ref"]), body):
                return str(self._definition(branch["$ref"])["title"])
        return None

    def _definition(self, ref: str) -> dict[str, Any]:
        return dict(self.schemas["failure.schema.json"]["$defs"][ref.rsplit("/", 1)[1]])

    def match_path(self, path: str) -> dict[str, str] | None:
        """The decoded path parameters of a raw (percent-encoded) path, or None when it has another shape."""
        segments, expected = path.split("/"), self.path_template.split("/")
        if len(segments) != len(expected):
            return None
        values = {}
        for want, got in zip(expected, segments, strict=True):
            if want.startswith("{") and got:
                values[want.strip("{}")] = unquote(got)
            elif want != got:
                return None
        return values

    def valid_request_statuses(self) -> list[int]:
        """Statuses a well-formed request may get: 2xx, and failures marked x-answers-valid-requests (unknown ids)."""
        responses = self.operation["responses"].items()
        return sorted(int(code) for code, r in responses if code.startswith("2") or r.get("x-answers-valid-requests"))

    def validate_parameter(self, name: str, value: Any) -> list[SchemaError]:
        return _errors(self._validator(self.parameters[name]["schema_file"]), value)

    def documented_violations(self, name: str, value: Any) -> list[SchemaError]:
        """How `value` breaks parameter `name`, in the keywords the documentation states: a value no branch of an anyOf
        accepts breaks the documented branch's keyword (maxLength), not the anyOf."""
        errors = self.validate_parameter(name, value)
        if not any(e.keyword == "anyOf" for e in errors):
            return errors
        documented = self._branch(name, -1)
        found = [e for e in errors if e.keyword != "anyOf"]
        for e in documented.iter_errors(value):
            keyword = str(e.kind.name)
            found.append(SchemaError("", keyword, str(e.message), value, self.parameter_pointer(name, keyword), dict(e.kind.as_dict())))
        return found

    def path_parameters(self) -> list[str]:
        return [n for n, p in self.parameters.items() if p["in"] == "path"]

    @cached_property
    def breakout_rooms_parameter(self) -> str:
        """The boolean query parameter (include_breakout_rooms)."""
        (name,) = [n for n, p in self.parameters.items() if p["in"] == "query" and p["schema"]["type"] == "boolean"]
        return name

    @cached_property
    def editions(self) -> dict[str, dict[str, Any]]:
        """Every edition of the 200 body (x-editions), the session pointer of each added."""
        found = {}
        for name, edition in self.operation["x-editions"].items():
            schema = self.schemas[str(edition["response"]).removeprefix("schemas/")]
            found[name] = {**edition, "session_pointer": schema["x-session-pointer"]}
        return found

    def max_lengths(self) -> dict[str, int]:
        """Path parameters with a documented maxLength."""
        documented = {n: documented_branch(p["schema"])[0] for n, p in self.parameters.items()}
        return {n: schema["maxLength"] for n, schema in documented.items() if "maxLength" in schema}

    def parameter_pointer(self, name: str, keyword: str) -> str:
        """Where the documentation states `keyword` for a parameter (inside its documented anyOf branch, if any)."""
        prefix = documented_branch(self.parameters[name]["schema"])[1] if keyword != "type" else ""
        return f"openapi/schemas/{self.parameters[name]['schema_file']}#{prefix}/{keyword}"

    def contradictions(self, name: str, value: str) -> list[Contradiction]:
        """Why `value` is valid for parameter `name` although the documentation rules it out (empty when it doesn't)."""
        parameter = self.parameters[name]
        documented, prefix = documented_branch(parameter["schema"])
        if not prefix or self.validate_parameter(name, value) or self._branch(name, -1).is_valid(value):
            return []
        found = []
        for index, branch in enumerate(parameter["schema"]["anyOf"]):
            if "x-contradicts" in branch and self._branch(name, index).is_valid(value):
                keyword = branch["x-contradicts"]
                said = f"{keyword} {documented[keyword]} ({', '.join(documented['x-source'])})"
                accepted = f"{branch['title']} ({', '.join(branch['x-source'])})"
                pointer = f"openapi/schemas/{parameter['schema_file']}#/anyOf/{index}"
                found.append(Contradiction(name, value, said, accepted, pointer))
        return found

    @cache  # noqa: B019 - one Contract per process and edition: each branch compiled once, not once per generated case
    def _branch(self, name: str, index: int) -> Any:
        """A validator of one anyOf branch of a parameter's schema; -1: the documented branch."""
        schema = self.parameters[name]["schema"]
        return compiled(documented_branch(schema)[0] if index < 0 else schema["anyOf"][index])

    @cached_property
    def session(self) -> dict[str, Any]:
        return dict(self.schemas["session.schema.json"])

    @property
    def response_schema_name(self) -> str:
        return f"session-response.{self.edition}.schema.json"

    @property
    def response_pointer(self) -> str:
        return f"openapi/schemas/{self.response_schema_name}"

    @property
    def session_pointer(self) -> str:
        """Where the session object sits in a 200 body of this edition."""
        return str(self.schemas[self.response_schema_name]["x-session-pointer"])

    def envelope_semantics(self) -> dict[str, dict[str, Any]]:
        """Per top-level field of the 200 body, its x-semantics rules."""
        props = self.schemas[self.response_schema_name]["properties"]
        return {n: p["x-semantics"] for n, p in props.items() if "x-semantics" in p}

    @cached_property
    def nested_sessions_field(self) -> str:
        """The session field holding sessions of the same shape (breakout_rooms)."""
        props = self.session["properties"].items()
        (name,) = [n for n, p in props if p.get("items", {}).get("$ref") == "#"]
        return str(name)

    def field_semantics(self) -> dict[str, dict[str, Any]]:
        """Per session field, its x-semantics rules."""
        props = self.session["properties"]
        return {n: p["x-semantics"] for n, p in props.items() if "x-semantics" in p}

    def other_edition_fields(self) -> list[str]:
        """Session fields that belong to other editions only (x-editions on the field)."""
        props = self.session["properties"].items()
        return [n for n, p in props if self.edition not in p.get("x-editions", [self.edition])]

    def enum_fields(self) -> dict[str, list[str]]:
        return {n: p["enum"] for n, p in self.session["properties"].items() if "enum" in p}

    def session_property_pointer(self, field: str, keyword: str = "") -> str:
        suffix = f"/{keyword}" if keyword else ""
        return f"openapi/schemas/session.schema.json#/properties/{field}{suffix}"

    def validate_body(self, body: Any) -> list[SchemaError]:
        return _errors(self._validator(self.response_schema_name), body)

    def validate_failure(self, body: Any) -> list[SchemaError]:
        return _errors(self._validator("failure.schema.json"), body)

    def validate_session(self, session: Any) -> list[SchemaError]:
        return _errors(self._validator("session.schema.json"), session)

    @cache  # noqa: B019 - one Contract per process, compiled once
    def _validator(self, name: str, ref: str = "") -> Any:
        """The compiled schema file, or the definition `ref` ("#/$defs/...") inside it."""
        if ref:  # a wrapper of its own URI, so that it does not stand in for the file it points into
            schema, base = {"$ref": name + ref}, SCHEMA_BASE + "definition-of-" + name
        else:
            schema, base = self.schemas[name], SCHEMA_BASE + name
        return jsonschema_rs.validator_for(schema, registry=self._registry, base_uri=base, validate_formats=True)


def _errors(validator: Any, document: Any) -> list[SchemaError]:
    found = [
        SchemaError(
            pointer=_pointer(list(e.instance_path)),
            keyword=str(e.kind.name),
            message=str(e.message),
            value=e.instance,
            contract="openapi/schemas/" + str(e.absolute_keyword_location).removeprefix(SCHEMA_BASE),
            detail=dict(e.kind.as_dict()),
        )
        for e in validator.iter_errors(document)
    ]
    return sorted(found, key=lambda err: err.pointer)


@cache
def load_contract(edition: str = DEFAULT_EDITION) -> Contract:
    return Contract(contract_dir(), edition)


@cache
def contract_sha256() -> str:
    """The SHA-256 of the contract files (names and contents): what a report or a cassette was checked against."""
    digest = hashlib.sha256()
    for path in sorted(contract_dir().rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def contract_hash() -> str:
    """A short hash of the contract files: a cassette recorded under another contract would not match."""
    return contract_sha256()[:16]


BASE_PATH = load_contract().base_path  # a fact of the API: where Cloudflare serves it, and so the mock and the fake
