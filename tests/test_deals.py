"""Deals: who holds the ball and since when, quotes handing it over, typed customer-side events,
the follow-up rules in calendar days, and the manager's board as CSV."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from sync.wire import iso_from_ms

from conftest import records_by_id
from server.deals.follow_up import (
    FOLLOW_UP_DEFAULTS,
    days_since,
    follow_up,
    follow_up_list,
    last_activity,
    parse_follow_up,
)

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def shop(device):
    """A customer of team east with a deal owned by rep_a, and the devices that use them."""
    rep, manager = device("rep_a"), device("manager")
    customer = rep.create("customers", name="山田製作所")
    deal = rep.create(
        "deals",
        customer_id=customer["id"],
        title="治具プレート年間契約",
        stage="proposal_quote",
        amount=1200000,
    )
    return {"rep": rep, "manager": manager, "customer": customer, "deal": deal}


def board(client, device, login="manager", query=""):
    response = client.get(f"/api/v1/deals/export.csv{query}", headers=device(login).headers)
    assert response.status_code == 200, response.get_json()
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def everything(device):
    """The device's whole scope, pulled afresh."""
    device.cursor = None
    return records_by_id(device.sync())


def history_of(device, record_id):
    changes = everything(device).values()
    return sorted(
        (
            r
            for r in changes
            if r.get("entity") == "deals" and r.get("record_id") == record_id and "changes" in r
        ),
        key=lambda r: r["record_version"],
    )


# --- the ball -----------------------------------------------------------------------------


def test_ball_moved_ten_days_ago_shows_ten_days_and_its_moment(client, device, shop):
    rep = shop["rep"]
    rep.clock_offset_ms = -10 * DAY_MS
    moved = rep.update("deals", shop["deal"], ball="customer")["record"]
    moment = iso_from_ms(int(rep.hlc().split(":")[0]))  # the clock the change was made with
    assert moved["ball_since"][:16] == moment[:16]
    row = board(client, device)[0]
    assert (row["案件名"], row["ボール"], row["ボール日数"]) == ("治具プレート年間契約", "顧客", "10")


def test_moving_the_ball_back_restarts_the_count_and_keeps_the_history(client, device, shop):
    rep = shop["rep"]
    rep.clock_offset_ms = -10 * DAY_MS
    moved = rep.update("deals", shop["deal"], ball="customer")["record"]
    rep.clock_offset_ms = 0
    back = rep.update("deals", moved, ball="ours")["record"]
    assert back["ball_since"] > moved["ball_since"]
    assert board(client, device)[0]["ボール日数"] == "0"
    balls = [
        h["changes"]["ball"]
        for h in history_of(shop["manager"], shop["deal"]["id"])
        if "ball" in h["changes"]
    ]
    assert balls == [[None, "ours"], ["ours", "customer"], ["customer", "ours"]]


def test_a_ball_since_sent_by_a_device_is_ignored(shop):
    result = shop["rep"].update("deals", shop["deal"], ball_since="2020-01-01T00:00:00+09:00", title="改題")
    assert result["ignored"] == ["ball_since"]
    assert result["record"]["ball_since"] == shop["deal"]["ball_since"]


# --- a submitted quote hands the ball to the customer --------------------------------------


def quote_for(shop, **changes):
    return shop["rep"].create(
        "quotes",
        customer_id=shop["customer"]["id"],
        deal_id=shop["deal"]["id"],
        product="治具プレート",
        **changes,
    )


def deal_now(shop):
    return everything(shop["manager"])[shop["deal"]["id"]]


def test_creating_a_submitted_quote_puts_the_ball_with_the_customer(shop):
    quote_for(shop, status="submitted", amount=1100000)
    deal = deal_now(shop)
    assert (deal["ball"], deal["version"]) == ("customer", shop["deal"]["version"] + 1)
    assert deal["ball_since"] > shop["deal"]["ball_since"]
    last = history_of(shop["manager"], deal["id"])[-1]
    assert last["changes"] == {
        "ball": ["ours", "customer"],
        "ball_since": [shop["deal"]["ball_since"], deal["ball_since"]],
    }
    assert last["by"] == shop["rep"].user["id"]


def test_submitting_a_draft_quote_later_puts_the_ball_with_the_customer(shop):
    draft = quote_for(shop, status="draft")
    assert deal_now(shop)["ball"] == "ours"
    shop["rep"].clock_offset_ms = -2 * DAY_MS
    shop["rep"].update("quotes", draft, status="submitted")
    deal = deal_now(shop)
    assert deal["ball"] == "customer"
    assert days_since(deal["ball_since"], datetime.now(UTC).date()) in (1, 2, 3)


def test_a_deal_and_its_submitted_quote_made_offline_arrive_in_one_push(shop):
    rep = shop["rep"]
    deal = rep.mutation("deals", customer_id=shop["customer"]["id"], title="ロボット架台")
    quote = rep.mutation(
        "quotes", customer_id=shop["customer"]["id"], deal_id=deal["record_id"], status="submitted"
    )
    assert [r["status"] for r in rep.push(deal, quote)] == ["applied", "applied"]
    stored = everything(shop["manager"])[deal["record_id"]]
    assert (stored["ball"], stored["version"]) == ("customer", 2)
    assert [h["record_version"] for h in history_of(shop["manager"], stored["id"])] == [1, 2]


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "draft"},
        {"status": "accepted"},
    ],
)
def test_a_quote_that_is_not_submitted_leaves_the_ball_alone(shop, changes):
    quote_for(shop, **changes)
    assert deal_now(shop)["ball"] == "ours"


def test_a_quote_naming_another_customers_deal_is_refused_and_does_not_move_that_deal(shop):
    rep = shop["rep"]
    other = rep.create("customers", name="三条精工")
    [result] = rep.push(
        rep.mutation("quotes", customer_id=other["id"], deal_id=shop["deal"]["id"], status="submitted")
    )
    assert result["status"] == "rejected"
    assert result["errors"] == {"deal_id": [f"deals {shop['deal']['id']} belongs to another customer"]}
    assert deal_now(shop)["ball"] == "ours"


# --- customer-side events -----------------------------------------------------------------


def test_a_competitor_event_with_its_price_is_kept_and_shows_on_the_board(client, device, shop):
    event = shop["rep"].create(
        "deal_events",
        customer_id=shop["customer"]["id"],
        deal_id=shop["deal"]["id"],
        kind="competitor",
        competitor_name="丸栄精機工業",
        competitor_product="同等品",
        competitor_price=980000,
        occurred_at="2026-11-20T10:00:00+09:00",
    )
    assert event["author_id"] == shop["rep"].user["id"]
    assert board(client, device)[0]["競合（製品・価格）"] == "丸栄精機工業（同等品） ¥980,000"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "rumour"}, "kind"),
        ({"kind": "competitor", "competitor_price": -5}, "competitor_price"),
        ({"kind": "competitor", "competitor_price": "安い"}, "competitor_price"),
        ({"kind": None}, "kind"),
        ({"kind": "note", "deal_id": None}, "deal_id"),
    ],
)
def test_bad_deal_events_are_rejected_by_field(shop, changes, field):
    mutation = shop["rep"].mutation(
        "deal_events", **{"customer_id": shop["customer"]["id"], "deal_id": shop["deal"]["id"], **changes}
    )
    result = shop["rep"].push(mutation)[0]
    assert result["status"] == "rejected" and field in result["errors"]


def test_a_deal_event_must_name_a_deal_of_its_customer(shop):
    other = shop["rep"].create("customers", name="三条精工")
    result = shop["rep"].push(
        shop["rep"].mutation(
            "deal_events", customer_id=other["id"], deal_id=shop["deal"]["id"], kind="note", note="x"
        )
    )[0]
    assert result == {
        **result,
        "status": "rejected",
        "errors": {"deal_id": [f"deals {shop['deal']['id']} belongs to another customer"]},
    }


def test_a_rep_of_another_team_cannot_add_events_to_the_deal(device, shop):
    result = device("rep_b").push(
        device("rep_b").mutation(
            "deal_events", customer_id=shop["customer"]["id"], deal_id=shop["deal"]["id"], kind="budget_tight"
        )
    )[0]
    assert result["status"] == "rejected" and "customer_id" in result["errors"]


def test_deal_events_reach_the_team_and_not_other_teams(device, shop):
    shop["rep"].create(
        "deal_events",
        customer_id=shop["customer"]["id"],
        deal_id=shop["deal"]["id"],
        kind="postponed",
        note="来期に延期",
    )

    def kinds(login):
        return [c["record"]["kind"] for c in device(login).sync() if c.get("entity") == "deal_events"]

    assert kinds("rep_a2") == ["postponed"]
    assert kinds("rep_b") == []


# --- follow-up rules, in calendar days in Asia/Tokyo ---------------------------------------

TODAY = date(2026, 11, 27)


def open_deal(ball, since, **extra):
    return {"id": extra.pop("id", "d"), "stage": "needs_hearing", "ball": ball, "ball_since": since, **extra}


@pytest.mark.parametrize(
    "since, days",
    [
        ("2026-11-23T23:30:00+09:00", 4),  # 23:30 JST counts from that JST day
        ("2026-11-23T14:30:00Z", 4),  # the same moment written in UTC
        ("2026-11-23T15:30:00Z", 3),  # 00:30 JST on the 24th
        ("2026-11-27T00:00:00+09:00", 0),
        ("2026-11-26T23:59:00+09:00", 1),
    ],
)
def test_days_are_calendar_days_in_tokyo(since, days):
    assert days_since(since, TODAY) == days


@pytest.mark.parametrize(
    "deal, activity, reasons",
    [
        (open_deal("ours", "2026-11-23T23:30:00+09:00"), None, [("ours", 4, 3)]),
        (open_deal("ours", "2026-11-23T15:30:00Z"), None, []),  # 3 days: not yet
        (open_deal("customer", "2026-11-12T09:00:00+09:00"), None, [("customer", 15, 14)]),
        (open_deal("customer", "2026-11-13T09:00:00+09:00"), None, []),
        (open_deal("customer", "2026-11-13T09:00:00+09:00"), "2026-10-27T22:00:00+09:00", [("idle", 31, 30)]),
        (open_deal("ours", "2026-10-01T09:00:00+09:00", stage="won"), None, []),  # closed deals rest
        (open_deal("ours", "2026-10-01T09:00:00+09:00", stage="lost"), None, []),
    ],
)
def test_follow_up_rules_use_the_default_thresholds(deal, activity, reasons):
    assert follow_up(deal, activity or deal["ball_since"], TODAY, FOLLOW_UP_DEFAULTS) == reasons


def test_follow_up_list_puts_the_most_overdue_first():
    deals = [
        open_deal("customer", "2026-11-10T09:00:00+09:00", id="a"),  # 17 > 14: 3 over
        open_deal("ours", "2026-11-17T09:00:00+09:00", id="b"),  # 10 > 3: 7 over
        open_deal("ours", "2026-11-26T09:00:00+09:00", id="c"),  # 1: fine
        open_deal("ours", "2026-11-22T23:30:00+09:00", id="d"),
    ]  # 5 > 3: 2 over
    activities = {d["id"]: d["ball_since"] for d in deals}
    rows = follow_up_list(deals, activities, TODAY, FOLLOW_UP_DEFAULTS)
    assert [deal["id"] for deal, _ in rows] == ["b", "a", "d"]


def test_last_activity_is_the_latest_change_visit_or_event():
    deal = {"ball_since": "2026-10-01T09:00:00+09:00"}
    assert (
        last_activity(
            deal,
            history=[{"at": "2026-10-05T01:00:00Z"}],
            visits=[
                {"visited_at": "2026-11-02T10:00:00+09:00"},
                {"visited_at": "2026-11-20T10:00:00+09:00", "deleted": True},
            ],
            events=[{"occurred_at": "2026-11-01T23:00:00Z"}],
        )
        == "2026-11-02T10:00:00+09:00"
    )


def test_follow_up_limits_are_read_from_the_setting():
    assert parse_follow_up("ours=5, idle=60") == {"ours": 5, "customer": 14, "idle": 60}
    with pytest.raises(ValueError, match="FOLLOW_UP_DAYS"):
        parse_follow_up("theirs=1")


def test_the_calendar_hands_the_follow_up_limits_to_devices(app, client, device):
    app.config["FOLLOW_UP_DAYS"] = parse_follow_up("ours=2,customer=10,idle=20")
    body = client.get("/api/v1/calendar", headers=device("rep_a").headers).get_json()
    assert body["follow_up_days"] == {"ours": 2, "customer": 10, "idle": 20}


# --- the board as CSV ---------------------------------------------------------------------


@pytest.fixture
def pipeline(device, shop):
    """Deals of two reps: rep_a's waits with us for 6 days, rep_b's is won, one is with the customer."""
    rep_b = device("rep_b")
    west = rep_b.create("customers", name="=西日本工業")
    rep_b.create("deals", customer_id=west["id"], title="検査ゲージ", stage="won", amount=500000)
    rep_b.clock_offset_ms = -20 * DAY_MS
    rep_b.create(
        "deals",
        customer_id=west["id"],
        title="溶接治具",
        stage="proposal_quote",
        ball="customer",
        amount=800000,
    )
    shop["rep"].clock_offset_ms = -6 * DAY_MS
    shop["rep"].update("deals", shop["deal"], stage="needs_hearing")
    shop["rep"].update("deals", everything(shop["rep"])[shop["deal"]["id"]], ball="customer")
    shop["rep"].update("deals", everything(shop["rep"])[shop["deal"]["id"]], ball="ours")
    return {**shop, "rep_b": rep_b}


def test_board_csv_is_utf8_with_bom_and_japanese_headers(client, device, pipeline):
    response = client.get("/api/v1/deals/export.csv", headers=device("office").headers)
    raw = response.get_data()
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.startswith("\ufeff案件ID,顧客,案件名,段階,ボール,ボール日数".encode()) and b"\r\n" in raw
    assert "%E6%A1%88%E4%BB%B6" in response.headers["Content-Disposition"]  # 案件ボード_


def test_board_lists_open_deals_longest_with_the_ball_first(client, device, pipeline):
    rows = board(client, device)
    assert [(r["案件名"], r["段階"], r["ボール"], r["ボール日数"]) for r in rows] == [
        ("溶接治具", "提案・見積提示", "顧客", "20"),
        ("治具プレート年間契約", "訪問・ヒアリング", "当社", "6"),
    ]
    assert rows[0]["顧客"] == "'=西日本工業" and rows[0]["担当"] == "田中 花子"
    assert rows[0]["要フォロー"] == "ボールが顧客に20日（基準14日）"
    assert rows[1]["要フォロー"] == "ボールが当社に6日（基準3日）" and rows[1]["金額（円）"] == "1200000"


@pytest.mark.parametrize(
    "query, titles",
    [
        ("?status=all", {"溶接治具", "治具プレート年間契約", "検査ゲージ"}),
        ("?stage=won", set()),
        ("?stage=won&status=all", {"検査ゲージ"}),
        ("?follow_up=false", set()),
    ],
)
def test_board_applies_its_filters(client, device, pipeline, query, titles):
    assert {r["案件名"] for r in board(client, device, query=query)} == titles


def test_board_filters_by_rep(client, device, pipeline, people):
    rows = board(client, device, "admin", f"?owner_id={people['rep_b']}")
    assert [r["案件名"] for r in rows] == ["溶接治具"]


def test_board_xlsx_has_the_csvs_rows_with_numbers_as_numbers_and_no_formula(client, device, pipeline):
    response = client.get("/api/v1/deals/export.xlsx", headers=device("manager").headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E6%A1%88%E4%BB%B6" in response.headers["Content-Disposition"]  # 案件ボード_
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["案件ボード"]
    header, *rows = [list(row) for row in book["案件ボード"].iter_rows(values_only=True)]
    csv_rows = board(client, device)
    assert header == list(csv_rows[0].keys())
    as_text = ["" if value is None else str(value) for value in rows[0]]
    assert as_text[header.index("案件名")] == csv_rows[0]["案件名"] == "溶接治具"
    assert [r[header.index("ボール日数")] for r in rows] == [20, 6]  # numbers Excel sorts and sums
    assert rows[1][header.index("金額（円）")] == 1200000
    cell = book["案件ボード"].cell(row=2, column=header.index("顧客") + 1)
    assert (cell.value, cell.data_type) == ("=西日本工業", "s")  # the name as typed, never a formula


@pytest.mark.parametrize("path", ["export.csv", "export.xlsx"])
@pytest.mark.parametrize("login", ["rep_a", "tech"])
def test_board_export_is_for_office_managers_and_admins_only(client, device, login, path):
    response = client.get(f"/api/v1/deals/{path}", headers=device(login).headers)
    body = response.get_json()
    assert response.status_code == 403
    assert body == {"code": 403, "status": "Forbidden", "message": body["message"], "reason": "forbidden"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("?owner_id=42", "owner_id"),
        ("?stage=maybe", "stage"),
        ("?status=closed", "status"),
        ("?follow_up=perhaps", "follow_up"),
    ],
)
@pytest.mark.parametrize("path", ["export.csv", "export.xlsx"])
def test_board_export_rejects_bad_filters_in_the_error_shape(client, device, query, field, path):
    response = client.get(f"/api/v1/deals/{path}{query}", headers=device("manager").headers)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422 and field in body["errors"]


@pytest.mark.parametrize("path", ["export.csv", "export.xlsx"])
def test_board_export_needs_a_token(client, path):
    response = client.get(f"/api/v1/deals/{path}")
    assert response.status_code == 401 and response.get_json()["code"] == 401
