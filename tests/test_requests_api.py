"""The office's view of requests: the company calendar and the inbox exported for Excel."""

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

import openpyxl
import pytest

from server.core.calendar import age_of, business_days_between, is_overdue, japanese_holidays, parse_targets
from test_errors import assert_error_shape

HOLIDAYS = japanese_holidays(2025, 2027)


# --- business days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, days",
    [
        (date(2026, 11, 24), date(2026, 11, 24), 0),  # heard today
        (date(2026, 11, 24), date(2026, 11, 25), 1),  # Tuesday → Wednesday
        (date(2026, 11, 20), date(2026, 11, 24), 1),  # Friday → Tuesday: weekend and 勤労感謝の日 (Mon 23rd)
        (date(2026, 4, 30), date(2026, 5, 7), 2),  # Golden Week: 5/1 and 5/7 only (5/6 振替休日)
        (date(2026, 9, 18), date(2026, 9, 24), 1),  # シルバーウィーク: 9/21, 9/22 国民の休日, 9/23
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # across the year, 元日 off
    ],
)
def test_business_days_skip_weekends_and_japanese_holidays(start, end, days):
    assert business_days_between(start, end, HOLIDAYS) == days


def test_age_is_counted_in_tokyo_from_when_it_was_heard():
    # 23:30 UTC on Friday 2026-11-20 is already Saturday 08:30 in Tokyo
    assert age_of("2026-11-20T23:30:00Z", until=date(2026, 11, 24), days_off=HOLIDAYS) == 1
    assert age_of("2026-11-20T14:00:00Z", until=date(2026, 11, 24), days_off=HOLIDAYS) == 1


@pytest.mark.parametrize(
    "request_, age, overdue",
    [
        ({"urgency": "high", "status": "new"}, 2, True),
        ({"urgency": "high", "status": "new"}, 1, False),
        ({"urgency": "normal", "status": "in_progress"}, 4, True),
        ({"urgency": "low", "status": "triaged"}, 10, False),
        ({"urgency": "high", "status": "answered"}, 30, False),
        ({"status": "new"}, 4, True),  # no urgency: normal
    ],
)
def test_a_request_is_overdue_beyond_its_urgencys_target_until_answered(request_, age, overdue):
    assert is_overdue(request_, age, parse_targets("high=1,normal=3,low=10")) is overdue


def test_response_targets_are_read_from_the_setting():
    targets = parse_targets("high=2, low=15")
    assert targets["sales"] == targets["triage"] == {"high": 2, "normal": 3, "low": 15}


def test_a_team_can_have_its_own_targets_whatever_the_order():
    targets = parse_targets("manufacturing.high=2,manufacturing.normal=5,normal=4")
    assert targets["manufacturing"] == {"high": 2, "normal": 5, "low": 10}
    assert targets["sales"] == {"high": 1, "normal": 4, "low": 10}


@pytest.mark.parametrize("setting", ["urgent=1", "high=soon", "accounting.high=2", "sales.urgent=2", "high"])
def test_a_bad_target_setting_stops_the_server_with_its_name(setting):
    with pytest.raises(ValueError, match="RESPONSE_TARGET_DAYS"):
        parse_targets(setting)


@pytest.mark.parametrize(
    "route_to, urgency, age, overdue",
    [
        ("manufacturing", "high", 2, False),  # manufacturing answers high urgency within 2 days
        ("manufacturing", "high", 3, True),
        ("sales", "high", 2, True),  # sales keeps the default 1
        (None, "normal", 4, True),  # no route yet: triage's targets
    ],
)
def test_overdue_counts_against_the_requests_team(route_to, urgency, age, overdue):
    targets = parse_targets("manufacturing.high=2")
    request_ = {"route_to": route_to, "urgency": urgency, "status": "new"}
    assert is_overdue(request_, age, targets) is overdue


# --- GET /calendar ------------------------------------------------------------------------


def test_calendar_lists_japanese_holidays_and_response_targets(client, device):
    response = client.get("/api/v1/calendar?from=2026&to=2026", headers=device("tech").headers)
    body = response.get_json()
    assert response.status_code == 200
    assert (body["time_zone"], body["from"], body["to"]) == ("Asia/Tokyo", 2026, 2026)
    assert body["response_targets"] == {"high": 1, "normal": 3, "low": 10}
    assert {"date": "2026-01-01", "name": "元日"} in body["holidays"]
    assert {"date": "2026-05-06", "name": "振替休日"} in body["holidays"]
    assert [h["date"] for h in body["holidays"]] == sorted(h["date"] for h in body["holidays"])


def test_calendar_defaults_to_last_this_and_next_year(client, device):
    body = client.get("/api/v1/calendar", headers=device("rep_a").headers).get_json()
    year = datetime.now(timezone(timedelta(hours=9))).year
    assert (body["from"], body["to"]) == (year - 1, year + 1)


@pytest.mark.parametrize("query", ["from=2000", "from=2030&to=2026", "from=2020&to=2030"])
def test_calendar_years_out_of_order_or_too_many_are_refused_in_the_error_shape(client, device, query):
    # from=2000 alone reaches to this year's next: more than ten years, though each part is valid.
    response = client.get(f"/api/v1/calendar?{query}", headers=device("tech").headers)
    assert_error_shape(response, 422)
    assert response.get_json()["message"] == "Ask for years as from=YYYY&to=YYYY, at most ten years apart."
    assert set(response.get_json()["errors"]) == {"to"}


def test_calendar_answers_the_configured_targets(app, client, device):
    app.config["RESPONSE_TARGET_DAYS"] = parse_targets("high=2,normal=5,low=20,service.low=30")
    body = client.get("/api/v1/calendar", headers=device("office").headers).get_json()
    assert body["response_targets"] == {"high": 2, "normal": 5, "low": 20}
    assert body["team_targets"]["service"] == {"high": 2, "normal": 5, "low": 30}
    assert body["team_targets"]["manufacturing"] == {"high": 2, "normal": 5, "low": 20}


def test_calendar_hands_devices_the_company_that_issues_quotes(app, client, device):
    app.config.update(
        COMPANY_NAME="有限会社 テスト工業", COMPANY_ADDRESS="静岡市葵区1-2-3", COMPANY_PHONE="054-123-4567"
    )
    body = client.get("/api/v1/calendar", headers=device("rep_a").headers).get_json()
    assert body["company"] == {
        "name": "有限会社 テスト工業",
        "address": "静岡市葵区1-2-3",
        "phone": "054-123-4567",
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=twenty", "from"),
        ("from=1999", "from"),
        ("from=2027&to=2026", "to"),
        ("from=2020&to=2030", "to"),
        ("to=2101", "to"),
    ],
)
def test_calendar_rejects_bad_years_in_the_error_shape(client, device, query, field):
    response = client.get(f"/api/v1/calendar?{query}", headers=device("office").headers)
    body = response.get_json()
    assert response.status_code == 422
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert field in body["errors"] and "from=YYYY" in body["message"]


def test_calendar_needs_a_token(client):
    response = client.get("/api/v1/calendar")
    assert response.status_code == 401 and response.get_json()["code"] == 401


# --- GET /requests/export.csv -------------------------------------------------------------

LONG_AGO = "2025-06-02T09:00:00+09:00"


@pytest.fixture
def inbox(device):
    """Requests of two customers heard by the technician: one long overdue, others fresh."""
    tech = device("tech")
    now = datetime.now(UTC).isoformat()
    yamada = tech.create("customers", name="山田製作所")
    sanjo = tech.create("customers", name="三条精工")
    made = {
        "noise": tech.create(
            "requests",
            customer_id=yamada["id"],
            kind="complaint",
            title="異音が再発",
            heard_at=now,
            urgency="high",
        ),
        "old": tech.create(
            "requests",
            customer_id=sanjo["id"],
            kind="complaint",
            title="寸法不良の件",
            heard_at=LONG_AGO,
            urgency="low",
        ),
        "quote": tech.create(
            "requests", customer_id=yamada["id"], kind="request", title="見積をください", heard_at=now
        ),
        "formula": tech.create(
            "requests", customer_id=sanjo["id"], kind="question", title='=HYPERLINK("http://x")', heard_at=now
        ),
    }
    done = tech.create("requests", customer_id=sanjo["id"], kind="complaint", title="漏れ", heard_at=LONG_AGO)
    device("office").update("requests", done, status="closed")
    return {"yamada": yamada, "sanjo": sanjo, **made}


def export(client, device, login="office", query=""):
    return client.get(f"/api/v1/requests/export.csv{query}", headers=device(login).headers)


def rows_of(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_is_utf8_csv_with_bom_and_japanese_headers_for_excel(client, device, inbox):
    response = export(client, device)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E4%BE%9D%E9%A0%BC%E4%B8%80%E8%A6%A7" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff受付番号,".encode()) and b"\r\n" in raw  # BOM, CRLF
    header = raw.decode("utf-8")[1:].splitlines()[0].split(",")
    assert header[:6] == ["受付番号", "顧客", "種別", "件名", "詳しい内容", "緊急度"]
    assert header[-1] == "内部ID"


def test_export_rows_carry_the_number_people_quote_on_the_phone(client, device, inbox):
    rows = {r["件名"]: r for r in rows_of(export(client, device))}
    assert rows["異音が再発"]["受付番号"] == str(inbox["noise"]["number"])
    assert rows["異音が再発"]["内部ID"] == inbox["noise"]["id"]
    sheet = client.get("/api/v1/requests/export.xlsx", headers=device("office").headers)
    numbers = [row[0] for row in sheet_of(sheet)[1:]]  # numbers Excel can sort
    assert sorted(numbers) == sorted(inbox[k]["number"] for k in ("noise", "old", "quote", "formula"))


def test_export_lists_open_requests_overdue_first_then_oldest(client, device, inbox):
    rows = rows_of(export(client, device))
    assert [r["件名"] for r in rows][0] == "寸法不良の件"
    assert {r["件名"] for r in rows} == {
        "異音が再発",
        "寸法不良の件",
        "見積をください",
        '\'=HYPERLINK("http://x")',
    }
    old = rows[0]
    assert (old["期限超過"], old["顧客"], old["種別"], old["緊急度"], old["状況"], old["振り分け先"]) == (
        "超過",
        "三条精工",
        "クレーム",
        "低",
        "新規",
        "製造",
    )
    assert (
        old["聞いた人"] == "高橋 修"
        and old["聞いた日時"] == "2025-06-02 09:00"
        and int(old["経過営業日"]) > 200
    )
    assert old["回答目標（営業日）"] == "10"
    assert all(r["期限超過"] == "" for r in rows[1:])


def test_export_neutralises_spreadsheet_formulas(client, device, inbox):
    titles = [r["件名"] for r in rows_of(export(client, device, query="?team=service"))]
    assert titles == ['\'=HYPERLINK("http://x")']


@pytest.mark.parametrize(
    "query, titles",
    [
        ("?team=manufacturing", {"異音が再発", "寸法不良の件"}),
        ("?team=sales", {"見積をください"}),
        ("?overdue=true", {"寸法不良の件"}),
        ("?overdue=false&team=manufacturing", {"異音が再発"}),
        ("?min_age=5", {"寸法不良の件"}),
        ("?status=closed", {"漏れ"}),
        ("?status=new&team=triage", set()),
        ("?q=No.3", {"見積をください"}),  # the number read out on the phone
        ("?q=受付番号 ２", {"寸法不良の件"}),
        ("?q=三条&team=manufacturing", {"寸法不良の件"}),  # words: the customer's name too
        ("?q=ｲｵﾝ", set()),
    ],
)
def test_export_applies_the_inbox_filters(client, device, inbox, query, titles):
    assert {r["件名"] for r in rows_of(export(client, device, query=query))} == titles


def test_export_filters_by_customer(client, device, inbox):
    rows = rows_of(export(client, device, "manager", f"?customer_id={inbox['yamada']['id']}"))
    assert {r["件名"] for r in rows} == {"異音が再発", "見積をください"}


@pytest.mark.parametrize("login", ["rep_a", "tech"])
def test_export_is_for_office_managers_and_admins_only(client, device, login):
    response = export(client, device, login)
    body = response.get_json()
    assert response.status_code == 403
    assert body == {"code": 403, "status": "Forbidden", "message": body["message"], "reason": "forbidden"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("?team=accounting", "team"),
        ("?status=lost", "status"),
        ("?customer_id=42", "customer_id"),
        ("?overdue=maybe", "overdue"),
        ("?min_age=-1", "min_age"),
        ("?q=" + "番" * 101, "q"),
    ],
)
def test_export_rejects_bad_filters_in_the_error_shape(client, device, query, field):
    response = export(client, device, query=query)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422 and field in body["errors"]


def test_export_uses_each_teams_target(app, client, device, inbox):
    app.config["RESPONSE_TARGET_DAYS"] = parse_targets("manufacturing.low=1000")
    rows = {r["件名"]: r for r in rows_of(export(client, device))}
    assert (rows["寸法不良の件"]["回答目標（営業日）"], rows["寸法不良の件"]["期限超過"]) == ("1000", "")
    assert rows["見積をください"]["回答目標（営業日）"] == "3"


@pytest.mark.parametrize("path", ["export.csv", "export.xlsx"])
def test_export_needs_a_token(client, path):
    response = client.get(f"/api/v1/requests/{path}")
    assert response.status_code == 401 and response.get_json()["reason"]


# --- GET /requests/export.xlsx ------------------------------------------------------------


def sheet_of(response):
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["依頼一覧"]
    return [list(row) for row in book["依頼一覧"].iter_rows(values_only=True)]


def test_xlsx_export_has_the_same_rows_as_the_csv(client, device, inbox):
    response = client.get("/api/v1/requests/export.xlsx?team=manufacturing", headers=device("office").headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E4%BE%9D%E9%A0%BC%E4%B8%80%E8%A6%A7" in response.headers["Content-Disposition"]
    rows = sheet_of(response)
    csv_rows = rows_of(export(client, device, query="?team=manufacturing"))
    assert rows[0] == list(csv_rows[0].keys())
    assert [r[3] for r in rows[1:]] == [r["件名"] for r in csv_rows] == ["寸法不良の件", "異音が再発"]
    age = rows[0].index("経過営業日")
    assert isinstance(rows[1][age], int) and rows[1][age] > 200  # a number Excel can sort and sum


def test_xlsx_export_keeps_a_formula_as_text(client, device, inbox):
    response = client.get("/api/v1/requests/export.xlsx?team=service", headers=device("office").headers)
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    cell = book["依頼一覧"]["D2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


@pytest.mark.parametrize(
    "login, query, code", [("rep_a", "", 403), ("tech", "", 403), ("office", "?team=x", 422)]
)
def test_xlsx_export_refuses_in_the_error_shape(client, device, login, query, code):
    response = client.get(f"/api/v1/requests/export.xlsx{query}", headers=device(login).headers)
    assert response.status_code == code and response.get_json()["code"] == code
