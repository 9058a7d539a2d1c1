"""The factory's load over the API: who may write groups, holidays and entries; GET /load and
POST /load/fit; a quote's load following its deal, through pushes."""

import pytest

from conftest import records_by_id
from server.load.quote_load import entry_id


@pytest.fixture
def factory(device):
    """Two resource groups and a company holiday, made by the office."""
    office = device("office")
    milling = office.create("resource_groups", name="機械加工", sort=1)
    painting = office.create("resource_groups", name="塗装", sort=2, hours_per_day=0)
    office.create("company_holidays", date="2027-04-26", name="創立記念日")
    return {"office": office, "milling": milling, "painting": painting}


def load(client, device, query):
    response = client.get(f"/api/v1/load{query}", headers=device.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_resource_group_gets_the_contract_defaults(factory):
    group = factory["milling"]
    assert (group["hours_per_day"], group["efficiency"], group["active"]) == (8, 0.85, True)


@pytest.mark.parametrize("value", ["yes", "true", "no", "", [], {}])
def test_a_group_is_active_by_json_true_or_false_only(factory, value):
    result = factory["office"].update("resource_groups", factory["milling"], active=value)
    assert result["status"] == "rejected" and result["errors"] == {"active": ["Not a valid boolean."]}


@pytest.mark.parametrize(
    "entity, changes",
    [
        ("resource_groups", {"name": "溶接"}),
        ("company_holidays", {"date": "2027-08-13"}),
    ],
)
def test_a_rep_may_not_change_the_factory(device, entity, changes):
    rep = device("rep_a")
    (result,) = rep.push(rep.mutation(entity, **changes))
    assert result["status"] == "rejected"
    assert set(result["errors"]) == set(changes) and all(
        v == ["not_allowed"] for v in result["errors"].values()
    )


def test_a_rep_may_not_enter_or_delete_load(factory, device):
    rep, office = device("tech"), factory["office"]
    entry = office.create(
        "load_entries", resource_group_id=factory["milling"]["id"], week="2027-W16", hours=8
    )
    created, deleted = rep.push(
        rep.mutation("load_entries", resource_group_id=factory["milling"]["id"], week="2027-W16", hours=8),
        rep.mutation("load_entries", entry["id"], op="delete"),
    )
    assert created["errors"]["hours"] == ["not_allowed"]
    assert deleted["errors"] == {"deleted": ["not_allowed"]}


@pytest.mark.parametrize("week", ["2027-W60", "2027-W53", "2027-16", 202716])
def test_a_load_entry_needs_a_real_iso_week(factory, week):
    office = factory["office"]
    (result,) = office.push(
        office.mutation("load_entries", resource_group_id=factory["milling"]["id"], week=week, hours=8)
    )
    assert result["status"] == "rejected" and "week" in result["errors"]


def test_every_device_gets_the_factory(factory, device):
    records = records_by_id(device("rep_b").sync())
    assert factory["milling"]["id"] in records and factory["painting"]["id"] in records


def test_load_counts_weights_and_holidays(client, factory, device):
    office, milling = factory["office"], factory["milling"]["id"]
    for hours, confidence in [(10, "firm"), (10, "likely"), (10, "possible")]:
        office.create(
            "load_entries", resource_group_id=milling, week="2027-W17", hours=hours, confidence=confidence
        )
    body = load(client, device("rep_a"), "?from=2027-W17&weeks=2")
    assert body["as_of"]
    first, second = body["weeks"]
    # 26 April is the company's own holiday, 29 April 昭和の日
    assert (first["week"], first["working_days"], second["working_days"]) == ("2027-W17", 3, 2)
    assert first["groups"] == [
        {
            "resource_group_id": milling,
            "capacity_hours": 20.4,
            "firm": 10,
            "likely": 10,
            "possible": 10,
            "utilisation": 0.931,
        },
        {
            "resource_group_id": factory["painting"]["id"],
            "capacity_hours": 0,
            "firm": 0,
            "likely": 0,
            "possible": 0,
            "utilisation": None,
        },
    ]


def test_fit_finds_the_first_week_with_room(client, factory, device):
    office, milling = factory["office"], factory["milling"]["id"]
    for week in ("2027-W14", "2027-W15"):
        office.create("load_entries", resource_group_id=milling, week=week, hours=30)
    response = client.post(
        "/api/v1/load/fit",
        headers=device("rep_a").headers,
        json={"process_hours": {milling: 10}, "from": "2027-W14"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"week": "2027-W16", "utilisation_after": {milling: 0.294}}


def test_fit_answers_null_when_no_week_has_room(client, factory, device):
    response = client.post(
        "/api/v1/load/fit",
        headers=device("rep_a").headers,
        json={"process_hours": {factory["painting"]["id"]: 1}, "from": "2027-W14"},
    )
    assert response.get_json() == {"week": None, "utilisation_after": {}}


@pytest.mark.parametrize("query", ["?from=2027-W60", "?weeks=53", "?weeks=0", "?from=2027-16", "?weeks=x"])
def test_a_bad_load_query_answers_422(client, device, query):
    response = client.get(f"/api/v1/load{query}", headers=device("rep_a").headers)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422 and body["errors"] and body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"process_hours": {}},
        {"process_hours": {"not-a-uuid": 3}},
        {"process_hours": {"0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11": 3}},
        {"process_hours": {"0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11": "abc"}},
        {"from": "2027-W14"},
        {"process_hours": {"0b6f1c52-7d0e-4a8c-9a55-3f6d2f1e4c11": 3}, "from": "2027-W99"},
    ],
)
def test_a_bad_fit_answers_422(client, factory, device, body):
    response = client.post("/api/v1/load/fit", headers=device("rep_a").headers, json=body)
    assert response.status_code == 422 and response.get_json()["errors"]


def test_fit_needs_a_json_object(client, device):
    response = client.post(
        "/api/v1/load/fit", headers=device("rep_a").headers, data="[]", content_type="application/json"
    )
    assert response.status_code == 400


def test_load_needs_a_token(client):
    assert client.get("/api/v1/load").status_code == 401


def quote_entries(device):
    device.cursor = None
    return {
        r["id"]: r
        for r in records_by_id(device.sync()).values()
        if "resource_group_id" in r and r.get("source") == "quote"
    }


def test_a_quotes_load_goes_likely_then_firm_then_away(factory, device):
    rep, manager, milling = device("rep_a"), device("manager"), factory["milling"]["id"]
    customer = rep.create("customers", name="山田製作所")
    deal = rep.create("deals", customer_id=customer["id"], title="治具プレート", stage="proposal_quote")
    quote = rep.create(
        "quotes",
        customer_id=customer["id"],
        deal_id=deal["id"],
        product="治具プレート",
        process_hours={milling: 24},
        delivery_week="2027-W20",
    )
    assert quote_entries(manager) == {}

    rep.update("quotes", quote, status="submitted")
    (entry,) = quote_entries(manager).values()
    assert entry["id"] == entry_id(quote["id"], milling)
    assert {
        k: entry[k]
        for k in (
            "resource_group_id",
            "week",
            "hours",
            "confidence",
            "deal_id",
            "quote_id",
            "source",
            "label",
        )
    } == {
        "resource_group_id": milling,
        "week": "2027-W20",
        "hours": 24,
        "confidence": "likely",
        "deal_id": deal["id"],
        "quote_id": quote["id"],
        "source": "quote",
        "label": "治具プレート",
    }

    deal = rep.update("deals", deal, stage="won")["record"]
    assert [e["confidence"] for e in quote_entries(manager).values()] == ["firm"]

    rep.update("deals", deal, stage="lost", lost_reason="価格")
    assert quote_entries(manager) == {}
    history = [h for h in records_by_id(manager.sync()).values() if h.get("record_id") == entry["id"]]
    manager.cursor = None
    history = [
        h
        for h in records_by_id(manager.sync()).values()
        if h.get("entity") == "load_entries" and h.get("record_id") == entry["id"]
    ]
    assert sorted(h["record_version"] for h in history) == [1, 2, 3]
    assert [h["changes"] for h in sorted(history, key=lambda h: h["record_version"])][1:] == [
        {"confidence": ["likely", "firm"]},
        {"deleted": [False, True]},
    ]


def test_a_rejected_or_deleted_quote_takes_its_load_away(factory, device):
    rep, manager, milling = device("rep_a"), device("manager"), factory["milling"]["id"]
    customer = rep.create("customers", name="山田製作所")
    quote = rep.create(
        "quotes",
        customer_id=customer["id"],
        status="submitted",
        process_hours={milling: 8},
        delivery_week="2027-W20",
    )
    other = rep.create(
        "quotes",
        customer_id=customer["id"],
        status="submitted",
        process_hours={milling: 4},
        delivery_week="2027-W21",
    )
    assert len(quote_entries(manager)) == 2
    rep.update("quotes", quote, status="rejected")
    rep.push(rep.mutation("quotes", other["id"], op="delete", base_version=other["version"]))
    assert quote_entries(manager) == {}


def test_resubmitting_the_same_quote_changes_nothing(factory, device):
    rep, milling = device("rep_a"), factory["milling"]["id"]
    customer = rep.create("customers", name="山田製作所")
    quote = rep.create(
        "quotes",
        customer_id=customer["id"],
        status="submitted",
        process_hours={milling: 8},
        delivery_week="2027-W20",
    )
    before = quote_entries(rep)
    rep.update("quotes", quote, status="submitted", lead_time_days=20)
    assert quote_entries(rep) == before
