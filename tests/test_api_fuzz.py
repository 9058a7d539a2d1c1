"""Every operation the API describes, sent generated input: never a 5xx, every refusal in the
one error shape.

The operations, their parameters and their bodies' fields are read from ``openapi.json``, so a
new endpoint is covered the day it is described. Values are drawn both of the declared type and
not (numbers past 64 bits, full-width digits, dates that do not exist, control characters,
kana, empty strings), bodies are the schema's fields with any JSON in them or any JSON at all,
and each request goes as the admin, as a rep, or with no token.
"""

import hashlib
import io
import json
import re
import uuid
from datetime import UTC
from urllib.parse import quote

import pytest
from hypothesis import given, settings, strategies as st

import hypothesis_profiles
from conftest import Device
from test_errors import assert_error_shape

PREFIX = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")
# Paths whose answers are large or slow to make for nothing a fuzz can find: the description
# itself, and the PDFs (their inputs are the same as the JSON reports', fuzzed there).
SKIPPED = {("get", "/openapi.json"), ("get", "/reports/daily.pdf"), ("get", "/visits/{visit_id}/report.pdf")}

SPECIAL_TEXT = st.sampled_from(
    [
        "",
        " ",
        "null",
        "-1",
        "0",
        "9" * 30,
        "1e999",
        "nan",
        "２０２６-１２-０５",
        "2026-02-30",
        "2026-12-05T25:61:00+09:00",
        "１２３",
        "ｱｲｳ",
        "山田製作所",
        "\x00",
        "\u202e",
        "%",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "x" * 1000,
    ]
)
TEXT = st.one_of(SPECIAL_TEXT, st.text(max_size=40))
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


OFFSETS = st.integers(min_value=-1, max_value=5000) | st.integers(min_value=0, max_value=2**70)
HEADERS = {
    "Content-Range": st.one_of(
        st.builds("bytes {}-{}/{}".format, OFFSETS, OFFSETS, OFFSETS),
        st.builds("bytes */{}".format, OFFSETS),
        TEXT,
    )
}


def typed(schema):
    """A query or header value for a parameter declared as ``schema``: its type or anything."""
    kind = schema.get("type")
    if kind == "integer":
        right = st.integers(min_value=-(2**70), max_value=2**70).map(str)
    elif kind == "number":
        right = st.floats().map(repr)
    elif kind == "boolean":
        right = st.sampled_from(["true", "false", "1", "0", "yes", "ｔｒｕｅ"])
    elif schema.get("enum"):
        right = st.sampled_from([str(v) for v in schema["enum"]])
    else:
        right = TEXT
    return st.one_of(right, TEXT)


def resolve(spec, schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


DATES = st.dates().map(str)
INSTANTS = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())


def value_of(spec, schema, depth):
    """A JSON value for a field declared as ``schema``: often of its type, else anything."""
    schema = resolve(spec, schema)
    kind, fmt = schema.get("type"), schema.get("format")
    if schema.get("enum"):
        right = st.sampled_from(schema["enum"])
    elif kind == "string" and fmt == "date":
        right = DATES
    elif kind == "string" and fmt == "date-time":
        right = INSTANTS
    elif kind == "string":
        right = TEXT
    elif kind == "integer":
        right = st.integers(min_value=-(2**70), max_value=2**70)
    elif kind == "number":
        right = st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        right = st.booleans()
    elif kind == "array" and depth < 3:
        right = st.lists(value_of(spec, schema.get("items", {}), depth + 1), max_size=3)
    elif schema.get("properties") and depth < 3:
        right = body_of(spec, schema, depth + 1)
    else:
        right = JSON
    return st.one_of(right, right, JSON)


def body_of(spec, schema, depth=0):
    """A JSON body for ``schema``: some of its fields, mostly of their types, or any JSON."""
    schema = resolve(spec, schema)
    properties = schema.get("properties") or {}
    if not properties:
        return JSON
    fields = {name: value_of(spec, field, depth) for name, field in sorted(properties.items())}

    @st.composite
    def shaped(draw):
        names = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=len(fields)))
        return {name: draw(fields[name]) for name in names}

    return st.one_of(shaped(), shaped(), shaped(), JSON)


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item and (method, path) not in SKIPPED:
                yield method, path, item[method], item.get("parameters", [])


@pytest.fixture(scope="module")
def spec(shared_client):
    return shared_client.get(f"{PREFIX}/openapi.json").get_json()


@pytest.fixture(scope="module")
def devices(shared_client):
    return {"admin": Device(shared_client, "admin"), "rep": Device(shared_client, "rep_a")}


@pytest.fixture(scope="module")
def callers(devices):
    """Headers of each caller: the admin, a rep and nobody."""
    return {**{name: device.headers for name, device in devices.items()}, "nobody": {}}


@pytest.fixture(scope="module")
def known_ids(shared_client, devices):
    """Ids of records that exist, so that some requests reach past the lookups."""
    rep = devices["rep"]
    customer = rep.create("customers", name="ファズ工業", phone="03-1234-5678")
    visit = rep.create(
        "visits", customer_id=customer["id"], kind="aftercare", visited_at="2026-12-05T10:00:00+09:00"
    )
    admin = Device(shared_client, "admin").headers
    rules = shared_client.get(f"{PREFIX}/routing/rules", headers=admin).get_json()
    users = shared_client.get(f"{PREFIX}/admin/users", headers=admin).get_json()
    rule_ids = [str(rule["id"]) for rule in rules["rules"]][:2]
    # people the fuzz may change (deactivate, move, give a new password): not its callers
    user_ids = [user["id"] for user in users["users"] if user["login"] in ("tech", "manager")]
    assert len(user_ids) == 2, users
    photo = bytes(range(256)) * 8  # its bytes never come: uploads are refused or partial
    attachment = rep.create(
        "attachments",
        customer_id=customer["id"],
        owner_entity="visits",
        owner_id=visit["id"],
        filename="写真.jpg",
        content_type="image/jpeg",
        size=len(photo),
        sha256=hashlib.sha256(photo).hexdigest(),
        taken_at="2026-12-05T10:05:00+09:00",
    )
    revoked = Device(shared_client, "rep_a2")  # the device whose id the fuzz may revoke
    return [customer["id"], visit["id"], attachment["id"], revoked.id, *rule_ids, *user_ids]


def request_of(spec, method, path, operation, shared_parameters, known_ids):
    """A strategy of ``(url, options)`` for one operation."""
    parameters = [*operation.get("parameters", []), *shared_parameters]
    path_values = {
        p["name"]: st.one_of(
            st.sampled_from(known_ids),  # twice: most requests reach past the lookup
            st.sampled_from(known_ids),
            st.just(str(uuid.uuid4())),
            typed(p.get("schema", {})),
        ).map(lambda v: quote(v, safe=""))
        for p in parameters
        if p["in"] == "path"
    }
    query = {p["name"]: typed(p.get("schema", {})) for p in parameters if p["in"] == "query"}
    headers = {
        p["name"]: HEADERS.get(p["name"], typed(p.get("schema", {})))
        for p in parameters
        if p["in"] == "header"
    }
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = st.one_of(
            body_of(spec, content["application/json"]["schema"]).map(lambda v: {"json": v}),
            st.binary(max_size=200).map(lambda b: {"data": b, "content_type": "application/json"}),
        )
    elif content:
        body = st.one_of(
            st.binary(max_size=2000).map(lambda b: {"data": b, "content_type": next(iter(content))}),
            st.binary(max_size=500).map(lambda b: {"data": {"file": (io.BytesIO(b), "x.csv")}}),
        )
    else:
        body = st.just({})

    @st.composite
    def build(draw):
        url = PREFIX + re.sub(r"{([^}]+)}", lambda m: draw(path_values[m.group(1)]), path)
        chosen = {name: draw(value) for name, value in query.items() if draw(st.booleans())}
        sent = {name: draw(value) for name, value in headers.items() if draw(st.booleans())}
        # a header cannot carry a line break or a NUL: the client refuses them before the server
        sent = {k: v for k, v in sent.items() if v.isprintable() and v.isascii()}
        return url, {"query_string": chosen, "headers": sent, **draw(body)}

    return build()


def test_generated_input_never_gets_a_5xx_and_every_refusal_is_in_the_error_shape(
    shared_client, spec, callers, known_ids
):
    checked = []
    profile = hypothesis_profiles.chosen()  # ci: 25 requests an operation; long: 250
    for method, path, operation, shared_parameters in operations(spec):
        sent = st.tuples(
            st.just(method.upper()), request_of(spec, method, path, operation, shared_parameters, known_ids)
        )

        @settings(profile, max_examples=profile.max_examples // 2)
        @given(request=sent, caller=st.sampled_from(sorted(callers)))
        def answers_well(request, caller):
            verb, (url, options) = request
            headers = {**options.pop("headers"), **callers[caller]}
            response = shared_client.open(url, method=verb, headers=headers, **options)
            code = response.status_code
            assert code < 500, (verb, url, options, response.get_data(as_text=True)[:500])
            if code >= 400:
                assert_error_shape(response, code)
            elif response.mimetype == "application/json":
                json.loads(response.get_data())

        answers_well()
        checked.append((method, path))
    assert len(checked) >= 30, checked  # the description still lists the API's operations


PUSH_STATUSES = {"applied", "merged", "rejected", "duplicate"}


def test_generated_mutations_of_every_entity_are_answered_never_a_5xx(
    shared_client, spec, devices, known_ids
):
    """Pushes of a few mutations of any entity, their fields mostly of their types and the ids
    often of records that exist: each is applied, merged or rejected with its errors."""
    schemas = spec["components"]["schemas"]
    entities = sorted(name.removesuffix(".changes") for name in schemas if name.endswith(".changes"))
    ids = st.one_of(st.sampled_from(known_ids), st.uuids().map(str))
    profile = hypothesis_profiles.chosen()

    @st.composite
    def mutation(draw, device):
        entity = draw(st.sampled_from(entities))
        changes = draw(body_of(spec, schemas[f"{entity}.changes"]))
        if isinstance(changes, dict):
            for name in [n for n in changes if n.endswith("_id")]:
                changes[name] = draw(st.one_of(ids, st.just(changes[name])))
        m = device.mutation(
            entity,
            draw(ids),
            draw(st.sampled_from(["upsert", "upsert", "upsert", "delete"])),
            draw(st.one_of(st.none(), st.integers(min_value=0, max_value=4))),
        )
        m["changes"] = changes
        return m

    @settings(profile)
    @given(data=st.data(), caller=st.sampled_from(sorted(devices)))
    def answers_each(data, caller):
        device = devices[caller]
        mutations = data.draw(st.lists(mutation(device), min_size=1, max_size=4))
        response = device.push_raw(device.wire.envelope(mutations, client_time=False))
        assert response.status_code < 500, (mutations, response.get_data(as_text=True)[:500])
        if response.status_code >= 400:
            assert_error_shape(response, response.status_code)
            return
        results = response.get_json()["results"]
        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in mutations]
        for result in results:
            assert result["status"] in PUSH_STATUSES, result
            if result["status"] == "rejected":
                assert result["errors"] and isinstance(result["errors"], dict), result

    answers_each()
