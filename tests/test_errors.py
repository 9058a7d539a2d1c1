"""Bad input at every endpoint answers 4xx in the one error shape, and never a 500."""

import base64
import json
import re
import time
import uuid
from http import HTTPStatus

import pytest

from conftest import PASSWORD, Device

ERROR_KEYS = {"code", "status", "message", "errors", "reason"}
ME = "<the signed-in device id>"
NEW = "<a fresh uuid>"
OVER_5_MB = "x" * (5 * 1024 * 1024 + 1)
LOGIN, PUSH, PULL = "/api/v1/auth/token", "/api/v1/sync/push", "/api/v1/sync/pull"
SEARCH, DEAD_LETTERS = "/api/v1/customers/search", "/api/v1/admin/dead-letters"
DIGEST, RANGE = "/api/v1/sync/digest", "/api/v1/sync/range"
REVOKE = "/api/v1/admin/devices/{}/revoke"


def assert_error_shape(response, code, reason=None):
    """Assert ``{"code", "status", "message", "errors"?, "reason"?}`` with ``code`` = the HTTP status."""
    body = response.get_json(silent=True)
    assert (response.status_code, response.mimetype) == (code, "application/json"), response.get_data(
        as_text=True
    )[:500]
    assert set(body) <= ERROR_KEYS and body["code"] == code, body
    assert body["status"] == HTTPStatus(code).phrase, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    if reason is not None:
        assert body.get("reason") == reason, body
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body.get("reason", "x")), body
    if code == 422:
        assert body.get("errors"), body
    for field, messages in body.get("errors", {}).items():
        assert isinstance(field, str) and isinstance(messages, list), body
        assert messages and all(isinstance(m, str) for m in messages), body


def cursor_of(*position):
    """A forged cursor in the server's own encoding."""
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def login_body(**fields):
    return {"login": "rep_a", "password": PASSWORD, "device": {"id": NEW, "name": "tablet"}, **fields}


def push_body(**fields):
    return {"device_id": ME, "mutations": [], **fields}


def as_json(body):
    """Send JSON text ourselves (keeps lone surrogates as \\ud800 escapes)."""
    return {"data": json.dumps(body), "content_type": "application/json"}


def now_ms():
    return int(time.time() * 1000)


def row(id, method, path, args, code, reason=None):
    return pytest.param(method, path, args, code, reason, id=id)


BAD_INPUT = [
    # POST /api/v1/auth/token
    row(
        "login-malformed-json", "POST", LOGIN, {"data": '{"login": ', "content_type": "application/json"}, 400
    ),
    row(
        "login-deeply-nested-json",
        "POST",
        LOGIN,
        {"data": "[" * 100_000, "content_type": "application/json"},
        400,
    ),
    row(
        "login-invalid-utf8",
        "POST",
        LOGIN,
        {"data": b'{"login": "\xff"}', "content_type": "application/json"},
        400,
    ),
    row("login-json-array", "POST", LOGIN, {"json": [login_body()]}, 400),
    row("login-json-string", "POST", LOGIN, {"json": "rep_a"}, 400),
    row("login-json-null", "POST", LOGIN, {"data": "null", "content_type": "application/json"}, 400),
    row("login-no-body", "POST", LOGIN, {}, 400),
    row("login-form-body", "POST", LOGIN, {"data": {"login": "rep_a", "password": PASSWORD}}, 400),
    row(
        "login-json-as-text-plain",
        "POST",
        LOGIN,
        {"data": json.dumps(login_body()), "content_type": "text/plain"},
        400,
    ),
    row("login-missing-fields", "POST", LOGIN, {"json": {}}, 422),
    row("login-login-not-a-string", "POST", LOGIN, {"json": login_body(login=42)}, 422),
    row("login-password-not-a-string", "POST", LOGIN, {"json": login_body(password=["x"])}, 422),
    row("login-device-not-an-object", "POST", LOGIN, {"json": login_body(device="tablet")}, 422),
    row("login-device-id-not-a-uuid", "POST", LOGIN, {"json": login_body(device={"id": "tablet-1"})}, 422),
    row(
        "login-device-name-too-long",
        "POST",
        LOGIN,
        {"json": login_body(device={"id": NEW, "name": "x" * 101})},
        422,
    ),
    row(
        "login-device-name-with-nul",
        "POST",
        LOGIN,
        {"json": login_body(device={"id": NEW, "name": "tab\x00let"})},
        422,
    ),
    row("login-login-too-long", "POST", LOGIN, {"json": login_body(login="x" * 65)}, 422),
    row("login-password-too-long", "POST", LOGIN, {"json": login_body(password="x" * 257)}, 422),
    row("login-login-with-nul", "POST", LOGIN, {"json": login_body(login="rep\x00_a")}, 422),
    row("login-login-lone-surrogate", "POST", LOGIN, as_json(login_body(login="rep\ud800")), 422),
    row("login-password-lone-surrogate", "POST", LOGIN, as_json(login_body(password="pass\ud800word")), 422),
    row("login-body-over-5mb", "POST", LOGIN, {"json": login_body(password=OVER_5_MB)}, 413),
    row("login-get", "GET", LOGIN, {}, 405),
    row("login-put", "PUT", LOGIN, {"json": login_body()}, 405),
    # POST /api/v1/sync/push
    row(
        "push-malformed-json",
        "POST",
        PUSH,
        {"data": '{"device_id": ', "content_type": "application/json"},
        400,
    ),
    row(
        "push-deeply-nested-json",
        "POST",
        PUSH,
        {"data": "[" * 100_000, "content_type": "application/json"},
        400,
    ),
    row("push-json-array", "POST", PUSH, {"json": [push_body()]}, 400),
    row("push-json-number", "POST", PUSH, {"json": 42}, 400),
    row("push-no-body", "POST", PUSH, {}, 400),
    row(
        "push-json-as-text-plain",
        "POST",
        PUSH,
        {"data": json.dumps(push_body()), "content_type": "text/plain"},
        400,
    ),
    row("push-form-body", "POST", PUSH, {"data": {"device_id": ME}}, 400),
    row("push-device-id-missing", "POST", PUSH, {"json": {"mutations": []}}, 400),
    row("push-device-id-of-another-device", "POST", PUSH, {"json": push_body(device_id=NEW)}, 400),
    row("push-device-id-not-a-uuid", "POST", PUSH, {"json": push_body(device_id="tablet-1")}, 400),
    row("push-device-id-not-a-string", "POST", PUSH, {"json": push_body(device_id=42)}, 400),
    row("push-device-id-with-nul", "POST", PUSH, {"json": push_body(device_id="\x00")}, 400),
    row("push-device-id-oversized", "POST", PUSH, {"json": push_body(device_id="x" * 100_000)}, 400),
    row("push-mutations-missing", "POST", PUSH, {"json": {"device_id": ME}}, 400),
    row("push-mutations-a-string", "POST", PUSH, {"json": push_body(mutations="all")}, 400),
    row("push-mutations-an-object", "POST", PUSH, {"json": push_body(mutations={"0": {}})}, 400),
    row("push-mutation-not-an-object", "POST", PUSH, {"json": push_body(mutations=["upsert"])}, 400),
    row(
        "push-mutation-without-id",
        "POST",
        PUSH,
        {"json": push_body(mutations=[{"entity": "customers"}])},
        400,
    ),
    row(
        "push-mutation-id-not-a-uuid",
        "POST",
        PUSH,
        {"json": push_body(mutations=[{"mutation_id": "m-1"}])},
        400,
    ),
    row("push-mutation-id-a-number", "POST", PUSH, {"json": push_body(mutations=[{"mutation_id": 1}])}, 400),
    row("push-client-time-a-string", "POST", PUSH, {"json": push_body(client_time="now")}, 400),
    row("push-client-time-a-float", "POST", PUSH, {"json": push_body(client_time=1.5)}, 400),
    row("push-client-time-a-boolean", "POST", PUSH, {"json": push_body(client_time=True)}, 400),
    row("push-501-mutations", "POST", PUSH, {"json": push_body(mutations=[{"mutation_id": NEW}] * 501)}, 413),
    row("push-body-over-5mb", "POST", PUSH, {"json": push_body(padding=OVER_5_MB)}, 413),
    row(
        "push-clock-25h-behind",
        "POST",
        PUSH,
        {"json": push_body(client_time=now_ms() - 25 * 3600 * 1000)},
        409,
        "clock_skew",
    ),
    row(
        "push-clock-25h-ahead",
        "POST",
        PUSH,
        {"json": push_body(client_time=now_ms() + 25 * 3600 * 1000)},
        409,
        "clock_skew",
    ),
    row("push-get", "GET", PUSH, {}, 405),
    row("push-delete", "DELETE", PUSH, {}, 405),
    # GET /api/v1/sync/pull
    row("pull-cursor-garbage", "GET", PULL, {"query_string": {"cursor": "not a cursor!"}}, 400),
    row("pull-cursor-not-a-position", "GET", PULL, {"query_string": {"cursor": cursor_of("a", "b")}}, 400),
    row("pull-cursor-with-nul", "GET", PULL, {"query_string": {"cursor": "\x00"}}, 400),
    row("pull-cursor-oversized", "GET", PULL, {"query_string": {"cursor": "A" * 1001}}, 400),
    row(
        "pull-cursor-position-out-of-range",
        "GET",
        PULL,
        {"query_string": {"cursor": cursor_of(10**30, "", 0, now_ms())}},
        400,
    ),
    row(
        "pull-cursor-high-water-out-of-range",
        "GET",
        PULL,
        {"query_string": {"cursor": cursor_of(0, "", 2**63, now_ms())}},
        400,
    ),
    row(
        "pull-cursor-position-a-boolean",
        "GET",
        PULL,
        {"query_string": {"cursor": cursor_of(True, "", 0, now_ms())}},
        400,
    ),
    row("pull-limit-zero", "GET", PULL, {"query_string": {"limit": "0"}}, 422),
    row("pull-limit-negative", "GET", PULL, {"query_string": {"limit": "-5"}}, 422),
    row("pull-limit-not-a-number", "GET", PULL, {"query_string": {"limit": "ten"}}, 422),
    row("pull-limit-a-fraction", "GET", PULL, {"query_string": {"limit": "1.5"}}, 422),
    row("pull-post", "POST", PULL, {"json": {}}, 405),
    # GET /api/v1/sync/digest and /range ($ in a pattern matches before a trailing newline)
    row(
        "digest-prefix-newline", "GET", DIGEST, {"query_string": {"entity": "visits", "prefix": "ab\n"}}, 422
    ),
    row("range-prefix-newline", "GET", RANGE, {"query_string": {"entity": "visits", "prefix": "ab\n"}}, 422),
    row("range-prefix-uppercase", "GET", RANGE, {"query_string": {"entity": "visits", "prefix": "AB"}}, 422),
    # GET /api/v1/customers/search
    row("search-q-missing", "GET", SEARCH, {}, 422),
    row("search-q-empty", "GET", SEARCH, {"query_string": {"q": ""}}, 422),
    row("search-q-oversized", "GET", SEARCH, {"query_string": {"q": "山" * 101}}, 422),
    row("search-limit-zero", "GET", SEARCH, {"query_string": {"q": "山田", "limit": "0"}}, 422),
    row("search-limit-too-big", "GET", SEARCH, {"query_string": {"q": "山田", "limit": "51"}}, 422),
    row("search-limit-not-a-number", "GET", SEARCH, {"query_string": {"q": "山田", "limit": "many"}}, 422),
    row("search-post", "POST", SEARCH, {"json": {"q": "山田"}}, 405),
    # GET /api/v1/admin/dead-letters
    row("dead-letters-limit-zero", "GET", DEAD_LETTERS, {"query_string": {"limit": "0"}}, 422),
    row("dead-letters-limit-too-big", "GET", DEAD_LETTERS, {"query_string": {"limit": "1001"}}, 422),
    row("dead-letters-limit-negative", "GET", DEAD_LETTERS, {"query_string": {"limit": "-1"}}, 422),
    row("dead-letters-limit-not-a-number", "GET", DEAD_LETTERS, {"query_string": {"limit": "all"}}, 422),
    row("dead-letters-limit-superscript-digit", "GET", DEAD_LETTERS, {"query_string": {"limit": "²"}}, 422),
    row("dead-letters-post", "POST", DEAD_LETTERS, {}, 405),
    # POST /api/v1/admin/devices/<device_id>/revoke
    row("revoke-unknown-device", "POST", REVOKE.format(NEW), {}, 404),
    row("revoke-id-not-a-uuid", "POST", REVOKE.format("tablet-1"), {}, 404),
    row("revoke-id-with-nul", "POST", REVOKE.format("%00"), {}, 404),
    row("revoke-id-oversized", "POST", REVOKE.format("x" * 300), {}, 404),
    row("revoke-get", "GET", REVOKE.format(NEW), {}, 405),
    # dates past what Python's dates hold once moved to Japan or on by weeks (1900-2199 only)
    row("month-year-zero", "GET", "/api/v1/reports/daily.csv", {"query_string": {"month": "0000-01"}}, 422),
    row("month-year-9999", "GET", "/api/v1/reports/daily.csv", {"query_string": {"month": "9999-12"}}, 422),
    row("day-year-one", "GET", "/api/v1/reports/daily", {"query_string": {"date": "0001-01-01"}}, 422),
    row(
        "day-pdf-year-9999", "GET", "/api/v1/reports/daily.pdf", {"query_string": {"date": "9999-12-31"}}, 422
    ),
    row(
        "load-from-year-9999",
        "GET",
        "/api/v1/load",
        {"query_string": {"from": "9999-W52", "weeks": "52"}},
        422,
    ),
    row("load-from-full-width", "GET", "/api/v1/load", {"query_string": {"from": "２０２７-W１６"}}, 422),
    row(
        "quotes-up-to-year-9999",
        "GET",
        "/api/v1/quotes/search",
        {"query_string": {"submitted_to": "9999-12-31"}},
        400,
    ),
    row(
        "audit-since-year-one",
        "GET",
        "/api/v1/admin/audit",
        {"query_string": {"since": "0001-01-01T00:00:00+14:00"}},
        422,
    ),
    row(
        "audit-before-past-an-id", "GET", "/api/v1/admin/audit", {"query_string": {"before": str(2**31)}}, 422
    ),
    # unknown paths and wrong methods elsewhere
    row("unknown-path", "GET", "/api/v1/nothing-here", {}, 404),
    row("api-root", "GET", "/api/v1/", {}, 404),
    row("unknown-sync-path", "POST", "/api/v1/sync", {"json": {}}, 404),
    row("path-below-an-endpoint", "GET", PULL + "/more", {}, 404),
    row("old-api-version", "POST", "/api/v0/sync/push", {"json": {}}, 404),
    row("openapi-post", "POST", "/api/v1/openapi.json", {}, 405),
]


def fill(value, device_id):
    """Replace the placeholders of a table row with this test's ids."""
    if value == ME:
        return device_id
    if value == NEW:
        return str(uuid.uuid4())
    if isinstance(value, str) and NEW in value:
        return value.replace(NEW, str(uuid.uuid4()))
    if isinstance(value, dict):
        return {key: fill(item, device_id) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, device_id) for item in value]
    return value


@pytest.mark.parametrize("method, path, args, code, reason", BAD_INPUT)
def test_bad_input_answers_4xx_in_the_error_shape(shared_client, method, path, args, code, reason):
    admin = Device(shared_client, "admin")
    response = shared_client.open(
        fill(path, admin.id), method=method, headers=admin.headers, **fill(args, admin.id)
    )
    assert_error_shape(response, code, reason)


def customer_names(device):
    return sorted(c["record"]["name"] for c in device.sync() if c["entity"] == "customers")


def test_a_mutation_without_a_uuid_id_rejects_the_whole_push(device):
    rep = device("rep_a")
    good = rep.mutation("customers", name="先に並んだ顧客")
    response = rep.push_raw({"device_id": rep.id, "mutations": [good, {"entity": "customers"}]})
    assert_error_shape(response, 400)
    assert response.get_json()["errors"] == {
        "mutations.1.mutation_id": ["every mutation needs a UUID mutation_id"]
    }
    assert customer_names(rep) == []
    assert rep.push(good)[0]["status"] == "applied"


def test_more_than_500_mutations_answer_413_and_apply_nothing(device):
    rep = device("rep_a")
    mutations = [rep.mutation("customers", name=f"顧客{n}") for n in range(501)]
    assert_error_shape(rep.push_raw({"device_id": rep.id, "mutations": mutations}), 413)
    assert customer_names(rep) == []


def test_500_mutations_go_through(device):
    rep = device("rep_a")
    results = rep.push(*[rep.mutation("customers", name=f"顧客{n:03d}") for n in range(500)])
    assert {r["status"] for r in results} == {"applied"}
    assert customer_names(rep) == [f"顧客{n:03d}" for n in range(500)]


def test_a_body_over_5_mb_answers_413_and_applies_nothing(device):
    rep = device("rep_a")
    mutation = rep.mutation("customers", name="大きすぎる", notes=OVER_5_MB)
    assert_error_shape(rep.push_raw({"device_id": rep.id, "mutations": [mutation]}), 413)
    assert customer_names(rep) == []


@pytest.mark.parametrize("skew_hours", [-25, 25, -24 * 30, 24 * 365])
def test_a_clock_more_than_a_day_off_applies_nothing_until_fixed(device, skew_hours):
    rep = device("rep_a")
    outbox = [rep.mutation("customers", name="時計のずれた端末")]
    skewed = rep.push_raw(
        {"device_id": rep.id, "client_time": now_ms() + skew_hours * 3600 * 1000, "mutations": outbox}
    )
    assert_error_shape(skewed, 409, "clock_skew")
    assert customer_names(rep) == []
    assert [r["status"] for r in rep.push(*outbox, client_time=now_ms())] == ["applied"]


@pytest.mark.parametrize("skew_hours", [-23, 23])
def test_a_clock_less_than_a_day_off_is_accepted(device, skew_hours):
    rep = device("rep_a")
    results = rep.push(
        rep.mutation("customers", name="少しずれた端末"), client_time=now_ms() + skew_hours * 3600 * 1000
    )
    assert [r["status"] for r in results] == ["applied"]
    assert customer_names(rep) == ["少しずれた端末"]


@pytest.mark.parametrize(
    "patch, field",
    [
        pytest.param({"changes": {"name": "山田\ud800製作所"}}, "name", id="lone-surrogate-in-name"),
        pytest.param({"changes": {"name": "顧客", "notes": "\ud83d"}}, "notes", id="half-an-emoji-in-notes"),
        pytest.param({"entity": "cust\x00omers"}, "entity", id="nul-in-entity"),
        pytest.param({"record_id": "\x00"}, "record_id", id="nul-record-id"),
        pytest.param({"hlc": "\x00"}, "hlc", id="nul-hlc"),
        pytest.param({"op": "ups\x00ert"}, "op", id="nul-in-op"),
        pytest.param({"hlc": "\ud800"}, "hlc", id="lone-surrogate-hlc"),
        # a field name that cannot be encoded comes back escaped, so the answer itself is valid
        pytest.param(
            {"changes": {"name": "顧客", "n\ud800tes": "x"}}, "n\\ud800tes", id="lone-surrogate-field-name"
        ),
    ],
)
def test_hostile_text_inside_a_mutation_rejects_only_that_mutation(client, device, patch, field):
    rep = device("office")
    mutations = [{**rep.mutation("customers", name="x"), **patch}, rep.mutation("customers", name="正常")]
    response = client.post(
        PUSH, headers=rep.headers, **as_json({"device_id": rep.id, "mutations": mutations})
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    first, second = response.get_json()["results"]
    assert (first["status"], list(first["errors"]), second["status"]) == ("rejected", [field], "applied")


@pytest.mark.parametrize(
    "login, path, code",
    [
        pytest.param(None, DEAD_LETTERS + "?limit=0", 401, id="no-token-and-a-bad-limit"),
        pytest.param("rep_a", DEAD_LETTERS + "?limit=0", 403, id="wrong-role-and-a-bad-limit"),
        pytest.param(
            "rep_a", "/api/v1/requests/export.csv?team=nobody", 403, id="wrong-role-and-a-bad-filter"
        ),
        pytest.param("rep_a", "/api/v1/deals/export.csv?stage=nowhere", 403, id="wrong-role-and-a-bad-stage"),
        pytest.param(None, PULL + "?limit=ten", 401, id="pull-without-token"),
    ],
)
def test_who_asks_is_checked_before_what_they_ask(client, device, login, path, code):
    headers = device(login).headers if login else {}
    assert_error_shape(client.get(path, headers=headers), code)


def test_an_app_too_old_to_sync_is_told_to_update_before_its_cursor_is_read(client, device):
    rep = device("rep_a")
    response = client.get(PULL + "?cursor=not-a-cursor", headers={**rep.headers, "Genba-Protocol": "0"})
    assert_error_shape(response, 426, "client_outdated")


@pytest.mark.parametrize(
    "entity, changes, field",
    [
        ("visits", {"visited_at": "0001-01-01T00:00:00+14:00"}, "visited_at"),
        ("visits", {"visited_at": "9999-12-31T23:00:00-12:00"}, "visited_at"),
        ("visits", {"next_action_due": "0001-01-01"}, "next_action_due"),
        ("requests", {"heard_at": "0001-01-01T00:00:00+14:00"}, "heard_at"),
    ],
)
def test_a_date_a_day_cannot_be_counted_in_is_refused_and_the_reports_keep_answering(
    client, device, entity, changes, field
):
    tech = device("tech")
    customer = tech.create("customers", name="東日本精工")
    base = {
        "visits": dict(kind="aftercare", visited_at="2026-12-03T10:00:00+09:00"),
        "requests": dict(kind="complaint", title="異音"),
    }[entity]
    result = tech.push(tech.mutation(entity, customer_id=customer["id"], **{**base, **changes}))[0]
    assert (result["status"], result["errors"]) == (
        "rejected",
        {field: ["must be in the years 1900 to 2199"]},
    )
    for path in ("/api/v1/reports/daily?date=2026-12-03", "/api/v1/reports/daily.csv?month=2026-12"):
        assert client.get(path, headers=tech.headers).status_code == 200


def test_a_holiday_without_a_date_and_a_week_in_full_width_digits_are_refused(client, device):
    office = device("office")
    group = office.create("resource_groups", name="機械加工")
    [holiday, entry] = office.push(
        office.mutation("company_holidays", date=None, name="創立記念日"),
        office.mutation("load_entries", resource_group_id=group["id"], week="２０２７-W１６", hours=8),
    )
    assert (holiday["status"], list(holiday["errors"])) == ("rejected", ["date"])
    assert (entry["status"], list(entry["errors"])) == ("rejected", ["week"])
    assert client.get("/api/v1/load", headers=office.headers).status_code == 200


def test_a_refusal_is_worded_in_the_language_the_app_asks_for(client, device, people):
    rep = device("rep_a")
    customer = rep.create("customers", name="東日本精工")
    body = rep.wire.envelope(
        [
            rep.mutation(
                "visits", customer_id=customer["id"], kind="teleport", visited_at="2026-12-03T10:00:00+09:00"
            ),
            rep.mutation("customers", customer["id"], base_version=1, owner_id=people["rep_b"]),
        ],
        client_time=False,
    )
    said = {}
    for language in ("ja", "en"):
        body["mutations"] = [{**m, "mutation_id": str(uuid.uuid4())} for m in body["mutations"]]
        answer = client.post(PUSH, json=body, headers={**rep.headers, "Accept-Language": language})
        said[language] = [r["errors"] for r in answer.get_json()["results"]]
    assert said["ja"][0]["kind"][0].startswith("次のどれかにしてください：")
    assert said["ja"][1] == {"owner_id": ["この項目を変える権限がありません。"]}
    assert said["en"][0]["kind"][0].startswith("Must be one of:")
    assert said["en"][1] == {"owner_id": ["not_allowed"]}


SAID = [
    # (who asks, method, path, body, code, the Japanese message, the English message)
    (None, "POST", LOGIN, {**login_body(), "password": "wrong-password"}, 401,
     "ログインIDかパスワードが違います。", "The login or password is wrong."),
    ("rep_a", "GET", "/api/v1/nothing/here", None, 404,
     "このアドレスには何もありません。URL を確かめてください。", "There is nothing at this address; check the URL."),
    ("rep_a", "GET", "/api/v1/routing/rules", None, 403,
     "この操作はあなたの役割ではできません。管理者に頼んでください。", "Your role cannot do this; ask an administrator."),
    ("office", "POST", "/api/v1/routing/rules", {"route_to": "sales"}, 422,
     "ルールの印の付いた項目を確かめてください。", "Check the highlighted fields of the rule."),
    ("office", "PATCH", "/api/v1/routing/rules/99999", {"name": "x"}, 404,
     "このIDの振り分けルールはありません。", "There is no routing rule with this id."),
    ("office", "POST", "/api/v1/customers/<customer>/merge", {"into": "<customer>"}, 422,
     "統合先には別の顧客を選んでください。", "Choose another customer to merge into."),
    ("office", "POST", "/api/v1/load/fit", {"process_hours": {"6f1c3a52-9d4e-4b7a-8c21-4e0d2b9f7a13": 5}}, 422,
     "工程には使用中の工程グループだけを指定してください。", "Name only active resource groups in process_hours."),
]  # fmt: skip


@pytest.mark.parametrize("login, method, path, body, code, ja, en", SAID)
def test_an_error_is_said_in_the_language_the_app_asks_for(
    client, device, login, method, path, body, code, ja, en
):
    """The app sends its language as Accept-Language, and shows the server's sentence as it comes:
    「統合先には別の顧客を選んでください。」, not English, to a Japanese user; the codes stay."""
    headers, customer = {}, None
    if login:
        asker = device(login)
        headers = asker.headers
        customer = asker.create("customers", name="長岡精機")["id"]
    said = {}
    for language, accept in (("ja", "ja,en;q=0.5"), ("en", "en"), ("default", None)):
        sent = {**headers, **({"Accept-Language": accept} if accept else {})}
        target = path.replace("<customer>", str(customer))
        filled = (
            fill(json.loads(json.dumps(body).replace("<customer>", str(customer))), None) if body else None
        )
        response = client.open(target, method=method, headers=sent, json=filled)
        assert_error_shape(response, code)
        said[language] = response.get_json()["message"]
    assert said == {"ja": ja, "en": en, "default": en}


def test_an_unexpected_failure_answers_500_in_the_one_shape_says_the_device_keeps_its_data_and_is_logged(
    app, device, caplog
):
    from sqlalchemy import text

    from server.core.db import db

    rep = device("rep_a")
    rep.create("customers", name="三河精機")
    with app.app_context():  # a deployment whose migration went wrong: a table the push needs is gone
        db.session.execute(text("ALTER TABLE seen_mutations RENAME TO seen_mutations_gone"))
        db.session.commit()
    answer = rep.push_raw({"device_id": rep.id, "mutations": [rep.mutation("customers", name="新規")]})
    assert_error_shape(answer, 500)
    body = answer.get_data(as_text=True)
    assert answer.get_json()["message"].startswith(
        "Something went wrong on the server; your data on the device"
    )
    assert "seen_mutations" not in body and "Traceback" not in body  # nothing of the server's inside
    assert any(r.message == "unhandled error" and r.exc_info for r in caplog.records)
    japanese = rep.client.post(
        "/api/v1/sync/push",
        json={"device_id": rep.id, "mutations": [rep.mutation("customers", name="新規")]},
        headers={**rep.headers, "Accept-Language": "ja"},
    )
    assert japanese.status_code == 500 and "端末のデータは無事です" in japanese.get_json()["message"]
