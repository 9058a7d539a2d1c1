"""``GET /api/v1/openapi.json`` describes the API, every route of it."""

import json
import re
import shutil
import subprocess

import pytest

from server.core.engine import ENGINE

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def app(bare_app):
    """The description reads no data: it is the same on every database."""
    return bare_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def spec(client):
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def api_operations(app):
    """``(path, method)`` of every rule under ``/api/v1``, written the OpenAPI way."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)[len(PREFIX) :]
            operations |= {(path, method.lower()) for method in rule.methods - IGNORED_METHODS}
    return operations


HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def documented_operations(spec):
    return {
        (path, method) for path, item in spec["paths"].items() for method in item if method in HTTP_METHODS
    }


def refs(node):
    """Every ``$ref`` anywhere in a JSON document."""
    if isinstance(node, dict):
        yield from ([node["$ref"]] if isinstance(node.get("$ref"), str) else [])
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_description_is_openapi_3(spec):
    assert {"openapi", "info", "paths", "components"} <= set(spec)
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"] and spec["components"]["schemas"]


def test_the_description_needs_no_token(client):
    assert client.get(f"{PREFIX}/openapi.json", headers={}).status_code == 200


def test_every_api_route_is_documented_with_each_method(app, spec):
    assert api_operations(app) - documented_operations(spec) == set()


def test_every_documented_operation_exists(app, spec):
    assert documented_operations(spec) - api_operations(app) == set()


def test_every_reference_resolves_to_a_component(spec):
    names = {f"#/components/{kind}/{name}" for kind, items in spec["components"].items() for name in items}
    assert set(refs(spec)) - names == set()


def test_every_operation_describes_its_responses(spec):
    lacking = [
        (path, method)
        for path, method in documented_operations(spec)
        if not spec["paths"][path][method].get("responses")
    ]
    assert lacking == []


def test_the_error_schema_is_the_one_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "status", "message", "errors", "reason"}
    assert sorted(error["required"]) == ["code", "message", "status"]


def test_path_parameters_are_declared(spec):
    undeclared = []
    for path, method in documented_operations(spec):
        item = spec["paths"][path]
        parameters = item[method].get("parameters", []) + item.get("parameters", [])
        if set(re.findall(r"{([^}]+)}", path)) != {p["name"] for p in parameters if p["in"] == "path"}:
            undeclared.append((path, method))
    assert undeclared == []


def test_each_entity_lists_its_changes_as_a_schema(spec):
    expected = {f"{name}.changes" for name, entity in ENGINE.entities.items() if entity.schema is not None}
    assert expected and expected <= set(spec["components"]["schemas"])


def test_only_signing_in_ending_a_sign_in_by_its_digest_and_the_public_descriptions_need_no_token(spec):
    """An offline sign-out is ended later by the token's SHA-256, which the device keeps instead
    of the token: that digest is its own proof, and signs nobody in."""
    public = sorted(
        (path, method)
        for path, method in documented_operations(spec)
        if not spec["paths"][path][method].get("security")
    )
    assert public == [
        ("/auth/token", "post"),
        ("/auth/tokens/{digest}", "delete"),
        ("/openapi.json", "get"),
        ("/vocabulary", "get"),
    ]


def patterns(node):
    """Every ``pattern`` of the description's schemas."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from patterns(value)


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="no `node` on PATH: install Node.js 20 or later")
def test_every_pattern_is_one_a_json_schema_validator_reads(spec):
    # JSON Schema's patterns are ECMAScript regular expressions: Python's \Z (end of text) is
    # not one, so the server checks whole values itself and documents ^...$.
    found = sorted(set(patterns(spec)))
    assert found, "the description documents no pattern"
    script = "for (const p of JSON.parse(process.argv[1])) new RegExp(p, 'u');"
    result = subprocess.run([NODE, "-e", script, json.dumps(found)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert all(p.startswith("^") and p.endswith("$") for p in found), found
