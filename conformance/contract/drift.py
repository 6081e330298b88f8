"""`rtk-conformance drift UPSTREAM_SPEC`: what an official OpenAPI document says of this operation that our
fragment does not, fact by fact. Each difference is known (openapi/drift-allowlist.yaml, with its reason) or new."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import yaml
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012 as OPENAPI_SCHEMAS  # OpenAPI 3.1's schema dialect

from conformance.contract import FRAGMENT_NAME, Contract, contract_dir, load_contract
from conformance.contract.reading import SAFE_LOADER, read_yaml

ALLOWLIST_NAME = "drift-allowlist.yaml"
# What a schema says that a client can feel; descriptions, examples and annotations are left out.
CONSTRAINTS = ("type", "format", "enum", "const", "default", "maxLength", "minLength", "pattern", "minimum", "maximum", "items")
BRANCHES = ("anyOf", "oneOf", "allOf")
RECURSIVE = "(recursive: the session itself)"
# Base URIs under a reserved domain: nothing is fetched, the registry holds the upstream document or reads our files.
UPSTREAM_URI = "https://upstream.invalid/spec"
CONTRACT_URI = "https://contract.invalid/"  # + a file name under openapi/
Resolve = Callable[[str, str], tuple[Any, str, str]]  # (ref, base) -> (schema, its base, a key naming it)


class DriftError(Exception):
    """The upstream document cannot be read, or has no such operation: one line."""


@dataclass(frozen=True)
class Difference:
    fact: str
    ours: Any
    upstream: Any
    reason: str = ""  # from the allow-list: empty when the difference is new

    @property
    def known(self) -> bool:
        return bool(self.reason)


def load_document(path: Path) -> dict[str, Any]:
    """An OpenAPI document, JSON or YAML. JSON is tried first, whatever the suffix: a multi-megabyte spec loads in
    about a second as JSON, against ten or more as YAML, even with PyYAML's C loader."""
    try:
        raw = path.read_bytes()
        document = _json_or_yaml(raw, path.suffix)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise DriftError(f"cannot read {path} as an OpenAPI document ({type(exc).__name__})") from None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise DriftError(f"{path} is not an OpenAPI document: it has no paths")
    return document


def _json_or_yaml(raw: bytes, suffix: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        if suffix == ".json":
            raise
    return yaml.load(raw, Loader=SAFE_LOADER)


def shape(path: str) -> str:
    """A path template with its parameter names erased, so renamed parameters still match."""
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def normalized(schema: Any, resolve: Resolve, base: str = "", seen: tuple[str, ...] = ()) -> Any:
    """The constraints of a schema, $refs resolved, a reference back to an enclosing schema marked as recursion."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema, base, key = resolve(schema["$ref"], base)
        if key in seen:
            return RECURSIVE
        seen += (key,)
    if not isinstance(schema, dict):
        return schema
    found = {k: schema[k] for k in CONSTRAINTS if k in schema}
    if schema.get("nullable"):  # OpenAPI 3.0's way of saying type [T, "null"]
        found["type"] = [found.get("type"), "null"]
    if "items" in found:
        found["items"] = normalized(found["items"], resolve, base, seen)
    for keyword in BRANCHES:
        if keyword in schema:
            found[keyword] = [normalized(branch, resolve, base, seen) for branch in schema[keyword]]
    return found


def session_facts(prefix: str, session: dict[str, Any], resolve: Resolve, base: str, key: str) -> Iterator[tuple[str, Any]]:
    yield f"{prefix} required", sorted(session.get("required", []))
    for name, schema in session.get("properties", {}).items():
        yield f"{prefix} field {name}", normalized(schema, resolve, base, (key,))


def facts(operation: dict[str, Any], document: Any, resolve: Resolve, base: str, session_fields: list[str]) -> dict[str, Any]:
    """Every fact we compare: parameters, security, where the 200 body puts the session, and the session itself."""
    found: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        parameter, _, _ = resolve(parameter["$ref"], base) if "$ref" in parameter else (parameter, base, "")
        schema = normalized(parameter.get("schema", {}), resolve, base)
        found[f"parameter {parameter['name']}"] = {"in": parameter["in"], "required": bool(parameter.get("required")), "schema": schema}
    found["security"] = security(operation, document)
    body, base, key = _ok_schema(operation, resolve, base)
    pointer, session, base, key = _session_in(body, resolve, base, key, session_fields)
    found["200 body: where the session is"] = pointer
    found.update(session_facts("session", session, resolve, base, key))
    return found


def security(operation: dict[str, Any], document: dict[str, Any]) -> list[list[str]]:
    """Each accepted way to authenticate, as the schemes it needs: [['http bearer']]."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    requirements = operation.get("security", document.get("security", []))

    def described(name: str) -> str:
        scheme = schemes.get(name, {})
        return " ".join(str(scheme.get(k)) for k in ("type", "scheme", "in", "name") if scheme.get(k))

    return sorted(sorted(described(name) for name in requirement) for requirement in requirements)


def _ok_schema(operation: dict[str, Any], resolve: Resolve, base: str) -> tuple[Any, str, str]:
    response = operation.get("responses", {}).get("200", {})
    while "$ref" in response:
        response, base, _ = resolve(response["$ref"], base)
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return _deref(schema, resolve, base, "")


def _deref(schema: Any, resolve: Resolve, base: str, key: str) -> tuple[Any, str, str]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema, base, key = resolve(schema["$ref"], base)
    return schema, base, key


def _session_in(body: Any, resolve: Resolve, base: str, key: str, fields: list[str], pointer: str = "") -> tuple[str, Any, str, str]:
    """(pointer, schema, base, key) of the first object schema, depth first, that requires session fields."""
    if isinstance(body, dict) and set(fields) & set(body.get("required", [])):
        return pointer or "/", body, base, key
    for name, child in (body.get("properties", {}) if isinstance(body, dict) else {}).items():
        schema, child_base, child_key = _deref(child, resolve, base, key)
        found = _session_in(schema, resolve, child_base, child_key, fields, f"{pointer}/{name}")
        if found[1]:
            return found
    return "(no session object)", {}, base, key


def upstream_resolver(document: dict[str, Any]) -> Resolve:
    """Local $refs (#/components/...) of an upstream document."""
    registry: Registry[Any] = Registry().with_resource(UPSTREAM_URI, OPENAPI_SCHEMAS.create_resource(document))

    def resolve(ref: str, base: str) -> tuple[Any, str, str]:
        if not ref.startswith("#"):
            raise DriftError(f"only local $refs can be followed, not {ref}")
        return _lookup(registry, ref, base or UPSTREAM_URI)

    return resolve


def contract_resolver(root: Path) -> Resolve:
    """$refs between our files: relative to the file they are in, with an optional #pointer."""
    files = sorted(root.glob("*.yaml")) + sorted(root.glob("schemas/*.json"))
    registry: Registry[Any] = Registry().with_resources((CONTRACT_URI + _name(f, root), _resource(f)) for f in files)

    def resolve(ref: str, base: str) -> tuple[Any, str, str]:
        return _lookup(registry, ref, CONTRACT_URI + base)

    return resolve


def _lookup(registry: Registry[Any], ref: str, base: str) -> tuple[Any, str, str]:
    """(the schema, the file it is in, its full URI: a key that names it)."""
    try:
        found = registry.resolver(base_uri=base).lookup(ref)
    except Unresolvable as exc:
        raise DriftError(f"cannot follow $ref {ref} from {base.removeprefix(CONTRACT_URI)}: {type(exc).__name__}") from None
    key = urljoin(base, ref)
    return found.contents, urldefrag(key).url.removeprefix(CONTRACT_URI), key.removeprefix(CONTRACT_URI)


def _name(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix()


def _resource(file: Path) -> Resource[Any]:
    text = file.read_text()
    return OPENAPI_SCHEMAS.create_resource(json.loads(text) if file.suffix == ".json" else yaml.load(text, Loader=SAFE_LOADER))


def find_operation(document: dict[str, Any], path_template: str, source: str) -> dict[str, Any]:
    for path, methods in document["paths"].items():
        if shape(path) == shape(path_template) and isinstance(methods, dict) and "get" in methods:
            inherited = methods.get("parameters", [])  # path-level parameters apply to every method
            return {**methods["get"], "parameters": inherited + methods["get"].get("parameters", [])}
    raise DriftError(f"{source} has no GET {path_template}")


def differences(upstream_path: Path, contract: Contract | None = None) -> list[Difference]:
    """Every fact that differs between the upstream document and our fragment, each known or new."""
    contract = contract or load_contract()
    document = load_document(upstream_path)
    operation = find_operation(document, contract.path_template, str(upstream_path))
    fields = contract.session["required"]
    ours = facts(contract.operation, contract.fragment, contract_resolver(contract.root), FRAGMENT_NAME, fields)
    try:
        theirs = facts(operation, document, upstream_resolver(document), "", fields)
    except (KeyError, TypeError, AttributeError) as exc:
        raise DriftError(f"{upstream_path}: the operation cannot be read ({type(exc).__name__}: {exc})") from None
    known = allowlist()
    found = []
    for fact in sorted(set(ours) | set(theirs), key=lambda f: (f not in ours, f)):
        mine, yours = ours.get(fact, "(absent)"), theirs.get(fact, "(absent)")
        if mine != yours:
            reason = next((k["reason"] for k in known if k["fact"] == fact and k["upstream"] == yours), "")
            found.append(Difference(fact, mine, yours, reason))
    return found


def allowlist() -> list[dict[str, Any]]:
    """The known differences: fact, the upstream value they were reviewed against, and why."""
    return list(read_yaml(contract_dir() / ALLOWLIST_NAME)["known"])


def report_lines(found: list[Difference]) -> Iterator[str]:
    for difference in found:
        yield f"{'known' if difference.known else 'NEW':<6} {difference.fact}"
        yield f"         ours:     {json.dumps(difference.ours, sort_keys=True)}"
        yield f"         upstream: {json.dumps(difference.upstream, sort_keys=True)}"
        if difference.known:
            yield f"         why:      {difference.reason}"
    new = sum(1 for d in found if not d.known)
    yield f"{len(found)} difference(s): {len(found) - new} known, {new} new"
