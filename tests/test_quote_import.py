"""Importing past quotes from Excel (見積台帳): the quote search answers 「以前と同じもの」 from the
history kept before Genba; Japanese dates (令和), yen as written, all rows or none, the same
file twice creates nothing."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook

from conftest import records_by_id

LIST = (
    "見積台帳,,,,,,,,,,,,\r\n"
    "顧客名,見積番号,見積日,図番,品名,材質,寸法,加工方法,数量,金額,原価,状態,担当\r\n"
    '山田製作所,Q-2023-0153,令和5年4月5日,YS-2023-0153,シャフト,SUS304,φ45×120,旋盤,10個,"￥128,000",96000,受注,佐藤\r\n'
    "株式会社山田製作所,Q-2023-0160,2023/4/12,YS-2023-0160,フランジ,ＳＳ４００,t20×φ200,フライス,2,12万円,,失注,佐藤\r\n"
    '東和精機,Q-2024-0007,R6.1.9,,架台,SS400,1200×800×700,溶接,1,"\\1,850,000",,提出,\r\n'  # ¥ as Shift_JIS writes it
)


def send(client, device, content, filename="quotes.csv", dry_run=False, language=None):
    return client.post(
        "/api/v1/quotes/import" + ("?dry_run=true" if dry_run else ""),
        headers={**device.headers, **({"Accept-Language": language} if language else {})},
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def office(device):
    office = device("office")
    office.create("customers", name="山田製作所", phone="048-222-1111")
    office.create("customers", name="東和精機")
    return office


def quotes(device):
    device.cursor = None
    changes = [c for c in device.sync() if c.get("entity") == "quotes"]
    return {r["drawing_no"] or r["product"]: r for r in records_by_id(changes).values()}


def test_a_quote_list_from_excel_becomes_past_quotes_the_search_finds(client, office):
    response = send(client, office, LIST.encode("cp932"))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["rows"], answer["quotes_created"], answer["quotes_existing"]) == (3, 3, 0)
    assert answer["notes_columns"] == ["担当"]
    assert [p["name"] for p in answer["preview"]] == [
        "山田製作所・シャフト",
        "山田製作所・フランジ",
        "東和精機・架台",
    ]
    stored = quotes(office)
    shaft, flange, frame = stored["YS-2023-0153"], stored["YS-2023-0160"], stored["架台"]
    assert shaft["submitted_at"].startswith("2023-04-05T12:00:00")  # 令和5年
    assert (shaft["quantity"], shaft["amount"], shaft["actual_cost"], shaft["status"]) == (
        10,
        128000,
        96000,
        "accepted",
    )
    assert shaft["processing_details"] == "見積番号: Q-2023-0153\n担当: 佐藤"
    assert (flange["material"], flange["amount"], flange["status"]) == (
        "SS400",
        120000,
        "rejected",
    )  # 全角, 万円
    assert frame["submitted_at"].startswith("2024-01-09") and frame["status"] == "submitted"  # R6
    assert frame["amount"] == 1850000
    # 「以前と同じもの」: the imported history is searched like any quote, by drawing or words.
    found = client.get(
        "/api/v1/quotes/search", query_string={"q": "前回と同じシャフト SUS"}, headers=office.headers
    )
    assert found.status_code == 200
    assert found.get_json()["results"][0]["quote"]["id"] == shaft["id"]
    by_number = client.get("/api/v1/quotes/search", query_string={"q": "Q-2024-0007"}, headers=office.headers)
    assert [r["quote"]["id"] for r in by_number.get_json()["results"]] == [frame["id"]]


def test_the_owner_of_the_customer_sees_its_imported_quotes(client, device):
    rep = device("rep_a")
    rep.create("customers", name="山田製作所")
    office = device("office")
    office.create("customers", name="東和精機")
    assert send(client, office, LIST.encode("utf-8-sig")).status_code == 200
    assert set(quotes(rep)) == {"YS-2023-0153", "YS-2023-0160"}  # 東和精機 is not theirs


def test_an_xlsx_list_with_excels_dates_and_numbers_is_imported(client, office):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["得意先名", "見積日", "品名", "数量", "見積金額", "納期日数"])
    sheet.append(["東和精機", datetime(2022, 11, 30), "ブラケット", 50, 43000.0, 20])
    content = io.BytesIO()
    book.save(content)
    response = send(client, office, content.getvalue(), "見積台帳.xlsx")
    assert response.status_code == 200, response.get_json()
    bracket = quotes(office)["ブラケット"]
    assert bracket["submitted_at"].startswith("2022-11-30")
    assert (bracket["quantity"], bracket["amount"], bracket["lead_time_days"]) == (50, 43000, 20)


def test_a_preview_writes_nothing_and_the_same_file_twice_creates_nothing(client, office):
    preview = send(client, office, LIST.encode("cp932"), dry_run=True)
    assert preview.status_code == 200 and preview.get_json()["quotes_created"] == 3
    assert quotes(office) == {}
    send(client, office, LIST.encode("cp932"))
    before = quotes(office)
    again = send(client, office, LIST.encode("cp932")).get_json()
    assert (again["quotes_created"], again["quotes_existing"]) == (0, 3)
    assert [p["action"] for p in again["preview"]] == ["existing"] * 3
    assert quotes(office) == before


def test_a_row_without_a_number_is_the_same_quote_when_it_comes_again(client, office):
    rows = "顧客名,品名,金額\r\n東和精機,カバー,5000\r\n"
    assert send(client, office, rows.encode("cp932")).get_json()["quotes_created"] == 1
    again = rows + "東和精機,カバー,5200\r\n"  # another price: another quote
    assert send(client, office, again.encode("cp932")).get_json()["quotes_created"] == 1


def test_bad_rows_import_nothing_and_each_is_named(client, office, device):
    device("rep_b").create("customers", name="丸一工業")
    device("rep_a").create("customers", name="丸一工業")
    rows = LIST + (
        "北斗工業,,,,ブラケット,,,,,,,,\r\n"  # no such customer
        "丸一工業,,,,ブラケット,,,,,,,,\r\n"  # two of that name
        "東和精機,,2023/2/30,,ブラケット,,,,,,,,\r\n"  # no such day
        "東和精機,,23/4/5,,ブラケット,,,,,,,,\r\n"  # which century?
        "東和精機,,,,ブラケット,,,,十個,,,,\r\n"
        "東和精機,,,,ブラケット,,,,,￥12.5,,,\r\n"
        "東和精機,,,,ブラケット,,,,,,,たぶん,\r\n"
        ",,,,ブラケット,,,,,,,,\r\n"
    )
    response = send(client, office, rows.encode("cp932"))
    body = response.get_json()
    assert response.status_code == 422 and body["message"].startswith("Nothing was imported")
    assert sorted(body["errors"], key=int) == [str(n) for n in range(6, 14)]
    assert "import the customer list first" in body["errors"]["6"][0]
    assert "2 customers" in body["errors"]["7"][0]
    assert "見積日" in body["errors"]["8"][0] and "見積日" in body["errors"]["9"][0]
    assert "数量" in body["errors"]["10"][0] and "金額" in body["errors"]["11"][0]
    assert "状態" in body["errors"]["12"][0] and "顧客名" in body["errors"]["13"][0]
    assert quotes(office) == {}


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "quotes.csv"),
        ("品名,金額\r\nシャフト,1\r\n".encode("cp932"), "quotes.csv"),
        ("顧客名,品名\r\n".encode("cp932"), "quotes.csv"),
        (b"PK\x03\x04broken", "quotes.xlsx"),
    ],
)
def test_an_unreadable_file_answers_422(client, office, content, filename):
    response = send(client, office, content, filename)
    assert response.status_code == 422 and response.get_json()["errors"]["file"]


def test_only_the_office_imports_quotes(client, device, office):
    assert send(client, device("rep_a"), LIST.encode("cp932")).status_code == 403
    assert send(client, device("tech"), LIST.encode("cp932")).status_code == 403


def test_the_command_line_imports_quotes_as_the_screen_does(runner, tmp_path, office):
    path = tmp_path / "見積台帳.csv"
    path.write_bytes(LIST.encode("cp932"))
    dry = runner.invoke(args=["import-quotes", str(path), "--as", "office", "--dry-run"])
    assert dry.exit_code == 0 and "3 rows: would create 3 quotes; 0 were there already" in dry.output, (
        dry.output
    )
    assert quotes(office) == {}
    done = runner.invoke(args=["import-quotes", str(path), "--as", "office"])
    assert done.exit_code == 0 and "created 3 quotes" in done.output
    assert len(quotes(office)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes("顧客名,品名\r\n北斗工業,ブラケット\r\n".encode("cp932"))
    refused = runner.invoke(args=["import-quotes", str(bad), "--as", "office"])
    assert refused.exit_code == 1 and "row 2: 顧客名" in refused.output


def test_a_japanese_request_reads_each_rows_errors_in_japanese(client, office):
    rows = "顧客名,見積日,数量\r\n北斗工業,,\r\n東和精機,2023/2/30,十個\r\n"
    response = send(client, office, rows.encode("cp932"), "quotes.csv", language="ja")
    body = response.get_json()
    assert response.status_code == 422 and body["message"].startswith("何も取り込んでいません")
    assert body["errors"] == {
        "2": ["顧客名：「北斗工業」という顧客がいません。先に顧客を取り込んでください。"],
        "3": [
            "見積日：「2023/2/30」は 2023/4/5 や 令和5年4月5日 のような日付ではありません。",
            "数量：「十個」は整数ではありません。",
        ],
    }


def test_a_quote_imported_and_deleted_since_is_not_brought_back_by_the_same_file(client, office):
    send(client, office, LIST.encode("cp932"))
    shaft = quotes(office)["YS-2023-0153"]
    office.push(office.mutation("quotes", shaft["id"], op="delete", base_version=shaft["version"]))
    again = send(client, office, LIST.encode("cp932")).get_json()
    assert (again["quotes_created"], again["quotes_existing"], again["quotes_deleted"]) == (0, 2, 1)
    assert [p["action"] for p in again["preview"]] == ["deleted", "existing", "existing"]
    assert "YS-2023-0153" not in quotes(office)


def test_the_ledger_again_fills_a_kept_quotes_blanks_and_moves_its_outcome_forward(client, office):
    send(client, office, LIST.encode("cp932"))
    # Months later: the 架台 was won and its cost is known; an older copy of the シャフト's row
    # says 提出 and another material, which the app's record (受注, SUS304) is newer than.
    ledger = (
        "顧客名,見積番号,品名,材質,原価,状態\r\n"
        '東和精機,Q-2024-0007,架台,SS400,"1,500,000",受注\r\n'
        "山田製作所,Q-2023-0153,シャフト,SUS316,,提出\r\n"
    )
    preview = send(client, office, ledger.encode("cp932"), dry_run=True).get_json()
    assert (preview["quotes_created"], preview["quotes_existing"], preview["quotes_updated"]) == (0, 2, 1)
    assert [(p["filled"], p["differs"]) for p in preview["preview"]] == [
        (["原価", "状態"], []),
        ([], ["材質", "状態"]),
    ]
    before = quotes(office)["架台"]
    answer = send(client, office, ledger.encode("cp932")).get_json()
    assert answer["quotes_updated"] == 1
    kept = quotes(office)
    frame, shaft = kept["架台"], kept["YS-2023-0153"]
    assert (frame["status"], frame["actual_cost"], frame["amount"]) == ("accepted", 1500000, 1850000)
    assert frame["version"] == before["version"] + 1  # one change, as the office made it
    assert (shaft["status"], shaft["material"]) == ("accepted", "SUS304")  # never moved back
    assert send(client, office, ledger.encode("cp932")).get_json()["quotes_updated"] == 0


def export(client, device):
    response = client.get("/api/v1/quotes/export.xlsx", headers=device.headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "見積台帳" in unquote(response.headers["Content-Disposition"])
    return response.get_data()


def test_the_exported_ledger_comes_back_with_nothing_new_and_fills_what_excel_added(client, office):
    send(client, office, LIST.encode("cp932"))
    towa = next(c for c in synced_customers(office) if c["name"] == "東和精機")
    # A quote made in the app, on a tablet, with full-width letters and no cost yet.
    cover = office.create(
        "quotes",
        customer_id=towa["id"],
        product="カバー",
        material="ＳＵＳ３０４",
        amount=52000,
        status="submitted",
        submitted_at="2026-11-30T23:30:00Z",  # 12月1日 in Japan
    )
    content = export(client, office)
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["見積ID", "顧客ID", "顧客名", "見積日"] and len(sheet["A"]) == 5
    rows = {row[header.index("品名")].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["カバー"][header.index("見積日")].value == "2026/12/01"
    assert (
        rows["シャフト"][header.index("金額")].value == 128000
        and rows["シャフト"][header.index("状態")].value == "受注"
    )
    again = send(client, office, content, "見積台帳.xlsx").get_json()
    assert (again["quotes_created"], again["quotes_existing"], again["quotes_updated"]) == (0, 4, 0), again
    assert all(not p["differs"] for p in again["preview"]), again["preview"]
    # In Excel: the カバー was won and its cost is known; a new row for another quote.
    rows["カバー"][header.index("原価")].value = 41000
    rows["カバー"][header.index("状態")].value = "受注"
    rows["カバー"][header.index("加工内容")].value = "曲げ R5、バリ取り"
    sheet.append(["", towa["id"], "東和精機", "2026/12/02", "", "ブラケット", "SS400"])
    edited = io.BytesIO()
    book.save(edited)
    answer = send(client, office, edited.getvalue(), "見積台帳.xlsx").get_json()
    assert (answer["quotes_created"], answer["quotes_updated"]) == (1, 1), answer
    kept = quotes(office)
    assert (kept["カバー"]["id"], kept["カバー"]["actual_cost"], kept["カバー"]["status"]) == (
        cover["id"],
        41000,
        "accepted",
    )
    assert kept["カバー"]["processing_details"] == "曲げ R5、バリ取り"
    assert kept["ブラケット"]["customer_id"] == towa["id"]


def test_a_quote_id_not_ours_is_kept_in_the_details(client, office):
    rows = "見積ID,顧客名,品名\r\nM-0042,東和精機,カバー\r\n"
    assert send(client, office, rows.encode("cp932")).get_json()["quotes_created"] == 1
    assert quotes(office)["カバー"]["processing_details"] == "見積ID: M-0042"


def test_only_the_office_exports_quotes_and_each_export_is_audited(client, device, office, people):
    send(client, office, LIST.encode("cp932"))
    assert client.get("/api/v1/quotes/export.xlsx", headers=device("rep_a").headers).status_code == 403
    export(client, office)
    events = client.get(
        "/api/v1/admin/audit?since=2000-01-01T00:00:00Z", headers=device("admin").headers
    ).get_json()["events"]
    exports = [e for e in events if e["action"] == "export"]
    assert [(e["user_id"], e["detail"]) for e in exports] == [
        (people["office"], {"what": "quotes", "rows": 3})
    ]


def synced_customers(device):
    device.cursor = None
    changes = [c for c in device.sync() if c.get("entity") == "customers"]
    return list(records_by_id(changes).values())


def test_with_no_quotes_the_export_is_a_template_of_the_headers_the_import_reads(client, office):
    book = load_workbook(io.BytesIO(export(client, office)))
    sheet = book.worksheets[0]
    assert sheet.max_row == 1
    sheet.append(["", "", "東和精機", "令和6年1月9日", "", "架台", "SS400"])
    filled = io.BytesIO()
    book.save(filled)
    answer = send(client, office, filled.getvalue(), "見積台帳.xlsx").get_json()
    assert answer["quotes_created"] == 1 and answer["notes_columns"] == []
