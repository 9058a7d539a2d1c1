"""Importing the production plan: Excel's CSV in Shift_JIS or UTF-8, .xlsx; all rows or none;
the same file twice changes nothing."""

import io

import pytest
from openpyxl import Workbook

from conftest import records_by_id


@pytest.fixture
def office(device):
    office = device("office")
    office.create("resource_groups", name="機械加工")
    office.create("resource_groups", name="溶接")
    return office


PLAN = (
    "工程,週,時間,確度,件名\r\n"
    "機械加工,2027-W16,20,確定,治具プレート\r\n"
    "溶接,2027-W16,12.5,内示,架台\r\n"
    "溶接,2027-W17,6,見込,\r\n"
)


def send(client, device, content, filename="plan.csv", language=None):
    return client.post(
        "/api/v1/load/import",
        headers={**device.headers, **({"Accept-Language": language} if language else {})},
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def imported(device):
    device.cursor = None
    return sorted(
        (r["week"], r["hours"], r["confidence"], r["label"])
        for r in records_by_id(device.sync()).values()
        if r.get("source") == "import"
    )


EXPECTED = [
    ("2027-W16", 12.5, "likely", "架台"),
    ("2027-W16", 20, "firm", "治具プレート"),
    ("2027-W17", 6, "possible", None),
]


@pytest.mark.parametrize(
    "encoding, line_end",
    [("cp932", "\r\n"), ("utf-8-sig", "\r\n"), ("utf-8", "\r\n"), ("cp932", "\r"), ("utf-8", "\n")],
)
def test_a_csv_plan_is_imported_whatever_excel_saved_it_as(client, office, encoding, line_end):
    # Old Mac Excel ends a CSV's rows with CR alone, other programs with LF alone.
    response = send(client, office, PLAN.replace("\r\n", line_end).encode(encoding))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"rows": 3, "weeks": ["2027-W16", "2027-W17"], "created": 3, "deleted": 0}
    assert imported(office) == EXPECTED


def test_dates_count_in_their_iso_week(client, office):
    plan = "工程,日付,時間\r\n機械加工,2027/04/23,8\r\n機械加工,2027-04-26,8\r\n".replace(
        "2027/04/23", "2027-04-23"
    )
    assert send(client, office, plan.encode("cp932")).status_code == 200
    assert [(w, h) for w, h, _, _ in imported(office)] == [("2027-W16", 8), ("2027-W17", 8)]


def test_an_xlsx_plan_is_imported(client, office):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["工程", "日付", "時間", "確度", "件名"])
    sheet.append(["機械加工", datetime(2027, 4, 19), 20, "確定", "治具プレート"])
    sheet.append(["溶接", datetime(2027, 4, 20), 12.5, "内示", "架台"])
    sheet.append(["溶接", datetime(2027, 4, 26), 6, "見込", None])
    content = io.BytesIO()
    book.save(content)
    response = send(client, office, content.getvalue(), "plan.xlsx")
    assert response.status_code == 200, response.get_json()
    assert imported(office) == EXPECTED


def test_the_same_file_twice_changes_nothing(client, office):
    send(client, office, PLAN.encode("cp932"))
    office.cursor = None
    office.sync()
    response = send(client, office, PLAN.encode("cp932"))
    assert response.get_json()["created"] == response.get_json()["deleted"] == 0
    assert office.sync() == []


def test_an_import_replaces_the_imported_load_of_its_weeks_only(client, office):
    send(client, office, PLAN.encode("cp932"))
    send(client, office, "工程,週,時間\r\n溶接,2027-W17,9\r\n".encode("cp932"))
    assert imported(office) == [
        ("2027-W16", 12.5, "likely", "架台"),
        ("2027-W16", 20, "firm", "治具プレート"),
        ("2027-W17", 9, "firm", None),
    ]


def test_a_bad_row_imports_nothing_and_names_the_rows(client, office):
    plan = (
        PLAN
        + "研磨,2027-W16,4,確定,\r\n機械加工,2027-W16,abc,確定,\r\n溶接,2027-W60,4,確定,\r\n溶接,2027-W18,4,たぶん,\r\n"
    )
    response = send(client, office, plan.encode("cp932"))
    body = response.get_json()
    assert response.status_code == 422 and body["message"]
    assert sorted(body["errors"], key=int) == ["5", "6", "7", "8"]
    assert (
        "研磨" in body["errors"]["5"][0]
        and "時間" in body["errors"]["6"][0]
        and "週" in body["errors"]["7"][0]
    )
    assert imported(office) == []


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "plan.csv"),
        ("名前,時間\r\nx,1\r\n".encode("cp932"), "plan.csv"),
        (b"\xff\xfe\x00\x81\xff", "plan.csv"),
        (b"PK\x03\x04broken", "plan.xlsx"),
        ('工程,週,時間\r\n"機械加工\r溶接,2027-W16,1\r\n'.encode("cp932"), "plan.csv"),  # unclosed quote
    ],
)
def test_an_unreadable_file_answers_422(client, office, content, filename):
    response = send(client, office, content, filename)
    assert response.status_code == 422 and response.get_json()["errors"]


def test_a_rep_may_not_import(client, device, office):
    response = send(client, device("rep_a"), PLAN.encode("cp932"))
    assert response.status_code == 403


def test_a_japanese_request_reads_each_rows_errors_in_japanese(client, office):
    plan = "工程,週,時間\r\n研磨,2027-W16,4\r\n機械加工,2027-W60,abc\r\n"
    response = send(client, office, plan.encode("cp932"), "plan.csv", language="ja")
    body = response.get_json()
    assert response.status_code == 422 and body["message"].startswith("何も取り込んでいません")
    assert body["errors"]["2"] == ["工程：「研磨」という工程がありません。"]
    assert sorted(body["errors"]["3"]) == [
        "時間：数値ではありません。",
        "週：2027-W05 の形の週にしてください（01〜52週、年により53週）。",
    ]
    header = send(client, office, "名前,時間\r\nx,1\r\n".encode("cp932"), "plan.csv", language="ja")
    assert header.get_json()["message"].startswith("最初の行に見出し")
