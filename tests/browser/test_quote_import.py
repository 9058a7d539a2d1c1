"""Past quotes from Excel in the field app: the office finds the import on the quote screen,
checks a Shift_JIS 見積台帳, imports it, and the device's quote search answers from it offline."""

import io

import openpyxl
from playwright.sync_api import expect

from .helpers import sign_in, wait_synced

LIST = (
    "顧客名,見積番号,見積日,図番,品名,材質,寸法,金額,状態\r\n"
    '山田製作所,Q-2023-0153,令和5年4月5日,YS-2023-0153,シャフト,SUS304,φ45×120,"￥128,000",受注\r\n'
    "山田製作所,Q-2023-0160,2023/4/12,YS-2023-0160,フランジ,SS400,t20×φ200,12万円,失注\r\n"
)


def test_the_office_imports_a_quote_list_and_finds_it_in_the_search(page, live, customers, tmp_path):
    path = tmp_path / "見積台帳.csv"
    path.write_bytes(LIST.encode("cp932"))
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/quotes")
    page.get_by_test_id("quote-import-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("過去見積の取り込み（Excel・CSV）")
    page.get_by_test_id("quote-import-file").set_input_files(str(path))
    page.get_by_test_id("quote-import-check").click()
    expect(page.get_by_test_id("quote-import-preview")).to_contain_text(
        "2行：新しい見積 2件、取り込み済み 0件"
    )
    expect(page.get_by_test_id("quote-import-rows").get_by_role("listitem").first).to_contain_text(
        "山田製作所・シャフト"
    )
    page.get_by_test_id("quote-import-run").click()
    expect(page.get_by_test_id("quote-import-done")).to_contain_text("新しい見積 2件")
    wait_synced(page)
    page.get_by_role("link", name="過去見積へ").click()
    page.context.set_offline(True)  # the device's own search answers
    page.get_by_label("キーワード").fill("前回と同じシャフト")
    expect(page.get_by_test_id("quote-results").get_by_role("listitem").first).to_contain_text("YS-2023-0153")
    page.get_by_test_id("quote-results").get_by_role("link").first.click()
    # 令和5年4月5日 is the day it was quoted: no time of day the ledger never had.
    expect(page.get_by_test_id("quote-facts")).to_contain_text("提出日2023/04/05")
    expect(page.get_by_test_id("quote-facts")).not_to_contain_text("12:00")


def test_a_quote_list_naming_an_unknown_customer_imports_nothing(page, live, tmp_path):
    path = tmp_path / "quotes.csv"
    path.write_bytes(LIST.encode("cp932"))  # no customer is kept yet
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/quotes/import")
    page.get_by_test_id("quote-import-file").set_input_files(str(path))
    page.get_by_test_id("quote-import-check").click()
    errors = page.get_by_test_id("quote-import-errors")
    expect(errors).to_contain_text("何も取り込んでいません")
    expect(errors.get_by_role("listitem").first).to_contain_text(
        "2行目：顧客名：「山田製作所」という顧客がいません。先に顧客を取り込んでください。"
    )


def test_a_rep_sees_no_quote_import(page, live):
    sign_in(page, live, "rep_a")
    page.goto(f"{live.url}/#/quotes")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("quote-import-link")).to_have_count(0)
    page.goto(f"{live.url}/#/quotes/import")
    expect(page.get_by_test_id("import-forbidden")).to_be_visible()


def test_the_ledger_again_moves_a_quotes_outcome_forward_and_shows_what_differs(
    page, live, customers, tmp_path
):
    office = live.device("office")
    first = office.client.post(
        "/api/v1/quotes/import",
        headers=office.headers,
        data={"file": (io.BytesIO(LIST.replace("受注", "提出").encode("cp932")), "quotes.csv")},
        content_type="multipart/form-data",
    )
    assert first.status_code == 200, first.get_json()
    path = tmp_path / "見積台帳.csv"  # the シャフト won since; the フランジ's price was typed again
    path.write_bytes(LIST.replace("12万円", "13万円").encode("cp932"))
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/quotes/import")
    page.get_by_test_id("quote-import-file").set_input_files(str(path))
    page.get_by_test_id("quote-import-check").click()
    expect(page.get_by_test_id("quote-import-preview")).to_contain_text(
        "取り込み済みの見積 1件の空欄・結果を埋めます。"
    )
    rows = page.get_by_test_id("quote-import-rows").get_by_role("listitem")
    expect(rows.first).to_contain_text("取り込み済み・反映する：状態")
    expect(rows.nth(1)).to_contain_text("ファイルと違う（変えません）：金額")
    page.get_by_test_id("quote-import-run").click()
    expect(page.get_by_test_id("quote-import-done")).to_contain_text("空欄・結果を埋めた見積 1件。")
    shaft = next(q for q in office.records("quotes").values() if q["product"] == "シャフト")
    assert shaft["status"] == "accepted"


def test_the_office_exports_the_quote_ledger_to_excel(page, live, customers, tmp_path):
    path = tmp_path / "見積台帳.csv"
    path.write_bytes(LIST.encode("cp932"))
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/quotes/import")
    page.get_by_test_id("quote-import-file").set_input_files(str(path))
    page.get_by_test_id("quote-import-check").click()
    page.get_by_test_id("quote-import-run").click()
    expect(page.get_by_test_id("quote-import-done")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Excel に書き出す").click()
    expect(page.get_by_test_id("quote-export-status")).to_have_text("書き出しました。")
    with open(download.value.path(), "rb") as file:
        sheet = openpyxl.load_workbook(file)["見積台帳"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("見積ID", "顧客ID", "顧客名", "見積日")
    assert [(r[2], r[3], r[5]) for r in rows[1:]] == [
        ("山田製作所", "2023/04/05", "シャフト"),
        ("山田製作所", "2023/04/12", "フランジ"),
    ]
