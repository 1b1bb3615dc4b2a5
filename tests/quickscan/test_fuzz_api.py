"""Fuzzing every operation of /openapi.json (schemathesis-style, with hypothesis, no new
dependency): anonymous and as HR, random and hostile path ids, strings (NUL, Unicode digits,
invalid UTF-8 escapes), JSON bodies that follow the schema loosely or not at all. The server
never answers 5xx, and HR of one organisation never sees the other organisation's scan."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Api, make_hr, scan_body

pytestmark = pytest.mark.slow

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "²", "٣", "9" * 30, "-1", "0", "%FF", "../../etc", "<script>", ""]),
)
HOSTILE_INT = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 2**31 - 1, 2**31, 2**63, 2**63 - 1, -(2**63)]),
)
JSON_ANY = st.recursive(
    st.none()
    | st.booleans()
    | HOSTILE_INT
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _value(spec: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        return st.one_of([_value(spec, s) for s in schema["anyOf"]])
    kind = schema.get("type")
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), JSON_ANY)
    if kind == "integer":
        return HOSTILE_INT
    if kind == "string":
        return HOSTILE_TEXT
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_value(spec, schema.get("items", {})), max_size=3)
    if kind == "object" and "properties" in schema:
        props = {k: _value(spec, v) for k, v in schema["properties"].items()}
        return st.fixed_dictionaries({}, optional=props)
    return JSON_ANY


@pytest.fixture
def world(app: Any, admin_api: Api) -> dict[str, Any]:
    hr_a, _ = make_hr(admin_api, app, "Org A", "hr@a.test")
    hr_b, _ = make_hr(admin_api, app, "Org B", "hr@b.test")
    own = hr_a.post("/scans", scan_body(name="Scan of A", open_link=True)).json()
    other = hr_b.post("/scans", scan_body(name="SECRET-SCAN-OF-B", open_link=True)).json()
    spec = Api(app).client.get("/openapi.json").json()
    ops = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post"}
    ]
    return {"hr": hr_a, "anon": Api(app), "own": own, "other": other, "spec": spec, "ops": ops}


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_operation_answers_5xx_or_leaks_another_organisation(
    world: dict[str, Any], data: st.DataObject
) -> None:
    spec = world["spec"]
    path, method, op = data.draw(st.sampled_from(world["ops"]), label="operation")
    api: Api = world[data.draw(st.sampled_from(["hr", "anon"]), label="who")]
    url = path
    query: dict[str, str] = {}
    for param in op.get("parameters", []):
        known = {
            "scan_id": [world["own"]["id"], world["other"]["id"]],
            "public_id": [world["own"]["public_id"], world["other"]["public_id"]],
        }.get(param["name"], [])
        value = data.draw(
            st.one_of(st.sampled_from(known), _value(spec, param["schema"]))
            if known
            else _value(spec, param["schema"]),
            label=param["name"],
        )
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", quote(str(value), safe="") or "x")
        elif value is not None:
            query[param["name"]] = str(value)
    kwargs: dict[str, Any] = {"params": query, "headers": {"X-CSRF-Token": api.csrf}}
    if method == "post":
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        body = _value(spec, content["schema"]) if content else JSON_ANY
        kwargs["json"] = data.draw(st.one_of(body, JSON_ANY), label="body")
    r = api.client.request(method.upper(), url, **kwargs)
    assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
    if api is world["hr"] and not path.startswith("/api/v1/s/"):  # the questionnaire is public
        assert "SECRET-SCAN-OF-B" not in r.text, (method, url)
