"""A small JSON Schema validator for the keywords the monitor's committed schemas use.

The lock has no ``jsonschema`` package; the benchmark file is checked against its committed JSON
Schema (``leercultuur/monitor/schemas/benchmark-v1.schema.json``, the single definition) by this
validator, which understands: ``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``$ref`` (local ``#/$defs/...``), ``anyOf``, ``const``, ``enum`` and ignores the
annotations (``title``, ``description``, ``default``, ``$schema``, ``$id``, ``$defs``). A schema
with any other keyword is refused (:class:`UnsupportedSchema`), so a schema that grows a rule this
validator does not know cannot be silently half-checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

ANNOTATIONS = frozenset({"title", "description", "default", "$schema", "$id", "$defs"})
KEYWORDS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "$ref", "anyOf", "const",
     "enum"}
)  # fmt: skip


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this validator does not implement."""


def check_supported(schema: Any, where: str = "#") -> None:
    """Raise :class:`UnsupportedSchema` if any (sub)schema uses an unknown keyword."""
    if not isinstance(schema, dict):
        raise UnsupportedSchema(f"{where}: a schema must be an object")
    unknown = sorted(set(schema) - ANNOTATIONS - KEYWORDS)
    if unknown:
        raise UnsupportedSchema(f"{where}: unsupported keyword(s) {', '.join(unknown)}")
    for name, sub in schema.get("$defs", {}).items():
        check_supported(sub, f"{where}/$defs/{name}")
    for name, sub in schema.get("properties", {}).items():
        check_supported(sub, f"{where}/properties/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            check_supported(schema[key], f"{where}/{key}")
    for k, sub in enumerate(schema.get("anyOf", [])):
        check_supported(sub, f"{where}/anyOf/{k}")


def _is_type(value: Any, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if name == "number":
        return math.isfinite(value)
    if name == "integer":
        return isinstance(value, int) or (math.isfinite(value) and float(value).is_integer())
    raise UnsupportedSchema(f"unknown type {name!r}")


def _path(parts: tuple[str | int, ...]) -> str:
    if not parts:
        return "(top level)"
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every violation of ``schema`` by ``instance`` as 'path: problem (value)'; [] if valid."""
    check_supported(schema)
    return list(_errors(instance, schema, schema, ()))


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise UnsupportedSchema(f"only local references are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def _errors(
    value: Any, schema: dict[str, Any], root: dict[str, Any], at: tuple[str | int, ...]
) -> Iterator[str]:
    if "$ref" in schema:
        yield from _errors(value, _resolve(root, schema["$ref"]), root, at)
        return
    if "anyOf" in schema:
        if not any(not list(_errors(value, s, root, at)) for s in schema["anyOf"]):
            kinds = ", ".join(str(s.get("type", s.get("const", "?"))) for s in schema["anyOf"])
            yield f"{_path(at)}: {_show(value)} is none of the allowed kinds ({kinds})"
        return
    if "type" in schema and not _is_type(value, schema["type"]):
        yield f"{_path(at)}: {_show(value)} is not of type {schema['type']}"
        return
    if "const" in schema and value != schema["const"]:
        yield f"{_path(at)}: {_show(value)} must be {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        yield f"{_path(at)}: {_show(value)} is not one of {allowed}"
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                yield f"{_path(at)}: the required field {name!r} is missing"
        extra = schema.get("additionalProperties", True)
        for name, sub in value.items():
            if name in props:
                yield from _errors(sub, props[name], root, (*at, name))
            elif extra is False:
                yield f"{_path((*at, name))}: field not allowed here"
            elif isinstance(extra, dict):
                yield from _errors(sub, extra, root, (*at, name))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for k, sub in enumerate(value):
            yield from _errors(sub, schema["items"], root, (*at, k))
