"""Routing: each new request goes to the team that can act on it."""

import pytest

from server.requests.routing import DEFAULT_RULES, Rule, decide

DEFAULTS = [
    Rule(None, r["name"], r["route_to"], r.get("kinds", []), r.get("keywords", [])) for r in DEFAULT_RULES
]


@pytest.mark.parametrize(
    "kind, title, route",
    [
        ("complaint", "主軸から異音がする", "manufacturing"),
        ("complaint", "ｽﾋﾟﾝﾄﾞﾙから異音", "manufacturing"),
        ("complaint", "寸法不良が発生", "manufacturing"),
        ("complaint", "ＯＩＬ漏れ", "manufacturing"),
        ("complaint", "Strange NOISE from the spindle", "manufacturing"),
        ("request", "見積を再提出してほしい", "sales"),
        ("request", "納期を早めたい", "sales"),
        ("request", "Please send a new ＱＵＯＴＥ", "sales"),
        ("request", "仕様変更の相談", "sales"),
        ("request", "メンテナンスの時期を知りたい", "service"),
        ("request", "ﾒﾝﾃﾅﾝｽ手順を教えて", "service"),
        ("question", "この機械はいつ作られましたか", "service"),
        ("request", "来月の展示会で会いましょう", "triage"),
        ("complaint", "担当者の対応が遅い", "triage"),
    ],
)
def test_default_rules_route_japanese_and_english_in_any_width(kind, title, route):
    assert decide(DEFAULTS, {"kind": kind, "title": title})["route_to"] == route


def test_first_matching_rule_wins_and_is_named():
    decision = decide(DEFAULTS, {"kind": "question", "title": "異音の原因は?"})
    assert decision == {
        "route_to": "manufacturing",
        "route_rule": "品質・故障の苦情 → 製造",
        "assignee_id": None,
    }


def test_conditions_must_all_hold():
    rule = Rule(1, "急ぎの苦情は営業", "sales", kinds=["complaint"], urgencies=["high"])
    assert decide([rule], {"kind": "complaint", "urgency": "high", "title": "x"})["route_to"] == "sales"
    assert decide([rule], {"kind": "complaint", "urgency": "low", "title": "x"})["route_to"] == "triage"


def create_request(device, title, **fields):
    customer = device.create("customers", name="ルート工業")
    return device.create("requests", customer_id=customer["id"], kind="complaint", title=title, **fields)


def test_new_request_records_the_rule_that_fired(device):
    request = create_request(device("tech"), "異音が再発")
    assert (request["route_to"], request["route_rule"]) == ("manufacturing", "品質・故障の苦情 → 製造")


def test_edited_rules_route_new_requests_only(client, device, people):
    office, tech = device("office"), device("tech")
    before = create_request(tech, "塗装の色むら")
    assert before["route_to"] == "triage"
    response = client.post(
        "/api/v1/routing/rules",
        headers=office.headers,
        json={
            "name": "塗装 → 製造",
            "route_to": "manufacturing",
            "keywords": ["塗装"],
            "assignee_id": people["office"],
            "position": 1,
        },
    )
    assert response.status_code == 201 and response.get_json()["position"] == 1
    after = create_request(tech, "塗装の色むら")
    assert (after["route_to"], after["route_rule"], after["assignee_id"]) == (
        "manufacturing",
        "塗装 → 製造",
        people["office"],
    )
    kept = {c["record"]["id"]: c["record"] for c in tech.sync()}[before["id"]]
    assert (kept["route_to"], kept["route_rule"]) == ("triage", None)


def test_rules_can_be_moved_and_removed(client, device):
    office = device("office")
    rules = client.get("/api/v1/routing/rules", headers=office.headers).get_json()["rules"]
    last = rules[-1]
    moved = client.patch(f"/api/v1/routing/rules/{last['id']}", headers=office.headers, json={"position": 1})
    assert moved.get_json()["position"] == 1
    client.delete(f"/api/v1/routing/rules/{last['id']}", headers=office.headers)
    left = client.get("/api/v1/routing/rules", headers=office.headers).get_json()["rules"]
    assert [r["position"] for r in left] == list(range(1, len(rules)))
    assert last["id"] not in [r["id"] for r in left]


def test_trying_a_text_shows_the_rule_that_fires(client, device):
    response = client.post(
        "/api/v1/routing/test",
        headers=device("manager").headers,
        json={"title": "見積の件", "kind": "request"},
    )
    assert response.get_json() == {"route_to": "sales", "rule": "見積・価格・納期 → 営業"}


@pytest.mark.parametrize(
    "login, method, path",
    [
        ("rep_a", "get", "/api/v1/routing/rules"),
        ("rep_a", "post", "/api/v1/routing/rules"),
        ("tech", "post", "/api/v1/routing/test"),
        ("manager", "post", "/api/v1/routing/rules"),
        ("manager", "patch", "/api/v1/routing/rules/1"),
        ("rep_b", "delete", "/api/v1/routing/rules/1"),
    ],
)
def test_who_may_not_touch_the_rules(client, device, login, method, path):
    response = getattr(client, method)(
        path, headers=device(login).headers, json={"name": "x", "route_to": "sales"}
    )
    assert response.status_code == 403 and response.get_json()["reason"] == "forbidden"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"route_to": "sales"}, "name"),
        ({"name": "x", "route_to": "nowhere"}, "route_to"),
        ({"name": "x", "route_to": "sales", "kinds": ["gossip"]}, "kinds.0"),
        (
            {"name": "x", "route_to": "sales", "assignee_id": "00000000-0000-4000-8000-000000000000"},
            "assignee_id",
        ),
    ],
)
def test_invalid_rules_are_refused_with_field_errors(client, device, body, field):
    response = client.post("/api/v1/routing/rules", headers=device("admin").headers, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


@pytest.mark.parametrize("rule_id", ["999", str(2**31), "9" * 30])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_unknown_rule_is_404(client, device, method, rule_id):
    # A number past the database's integers is no rule either, not a comparison it refuses.
    headers = device("admin").headers
    response = client.open(
        f"/api/v1/routing/rules/{rule_id}", method=method, headers=headers, json={"name": "x"}
    )
    assert response.status_code == 404 and response.get_json()["code"] == 404


def test_routes_cli_lists_adds_moves_and_tests(runner):
    added = runner.invoke(
        args=["routes", "add", "急ぎ→営業", "--route", "sales", "--urgency", "high", "--position", "1"]
    )
    assert "added rule" in added.output
    assert "sales  (急ぎ→営業)" in runner.invoke(args=["routes", "test", "異音", "--urgency", "high"]).output
    assert "manufacturing" in runner.invoke(args=["routes", "test", "ｲｵﾝ 異音"]).output
    rule_id = added.output.split()[2]
    assert "position 3" in runner.invoke(args=["routes", "move", rule_id, "3"]).output
    listing = runner.invoke(args=["routes", "list"]).output.splitlines()
    assert "急ぎ→営業" in listing[2]
    assert runner.invoke(args=["routes", "remove", "999"]).exit_code != 0
