"""Importing a customer list from Excel in the field app: the office checks the file, sees what
it would create, imports it, and finds the customers on the device; a bad row imports nothing
and says which; a rep has no such screen."""

import io

import openpyxl
from playwright.sync_api import expect

from .helpers import go_to, sign_in, wait_synced

LIST = (
    "会社名,フリガナ,電話番号,営業担当,担当者名,役職,業種\r\n"
    "株式会社ミナト精密,ﾐﾅﾄｾｲﾐﾂ,045-111-2222,佐藤 健太,港 一郎,工場長,精密部品\r\n"
    "株式会社ミナト精密,,045-111-2222,,港 花子,,\r\n"
    "北斗工業,ほくとこうぎょう,011-333-4444,,,,\r\n"
)


def check_as_office(page, live, path):
    """Sign in as the office, open 顧客の取り込み, choose the file at ``path`` and press 「内容を確認」."""
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/customers/import")
    page.get_by_test_id("customer-import-file").set_input_files(str(path))
    page.get_by_test_id("customer-import-check").click()


def test_the_office_checks_a_list_then_imports_it_and_the_customers_are_on_the_device(page, live, tmp_path):
    path = tmp_path / "顧客台帳.csv"
    path.write_bytes(LIST.encode("cp932"))  # as Japanese Excel saves a CSV
    sign_in(page, live, "office")
    # A new office has no customers yet: the list says where they come from.
    page.get_by_test_id("import-hint").get_by_role("link", name="Excel の顧客台帳から取り込む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("顧客の取り込み（Excel・CSV）")
    page.get_by_test_id("customer-import-file").set_input_files(str(path))
    page.get_by_test_id("customer-import-check").click()
    preview = page.get_by_test_id("customer-import-preview")
    expect(preview).to_contain_text("3行：新しい顧客 2件、すでにある顧客 0件、新しい担当者 2人")
    # 北斗工業 names no 営業担当: the office is told before it lands on no rep's device.
    expect(preview).to_contain_text("営業担当が空の新しい顧客 1件は、あなたの担当になります。")
    expect(page.get_by_test_id("customer-import-notes")).to_have_text("備考に入る列：業種")
    rows = page.get_by_test_id("customer-import-rows").get_by_role("listitem")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("2行目と同じ会社・担当者 港 花子 を追加")
    assert live.device("office").records("customers") == {}  # a check writes nothing

    page.get_by_test_id("customer-import-run").click()
    expect(page.get_by_test_id("customer-import-done")).to_contain_text("新しい顧客 2件、新しい担当者 2人")
    wait_synced(page)
    page.get_by_role("link", name="顧客一覧へ").click()
    page.get_by_label("顧客を検索").fill("ﾐﾅﾄ")
    expect(page.get_by_role("link", name="株式会社ミナト精密")).to_be_visible()
    expect(page.get_by_test_id("import-hint")).to_be_hidden()

    # The same file again: nothing new, and no button to import it twice.
    go_to(page, "customer-import")
    page.get_by_test_id("customer-import-file").set_input_files(str(path))
    page.get_by_test_id("customer-import-check").click()
    expect(page.get_by_test_id("customer-import-nothing")).to_be_visible()
    expect(page.get_by_test_id("customer-import-run")).to_have_count(0)


def test_a_list_with_a_bad_row_imports_nothing_and_names_the_row(page, live, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes((LIST + "西都製作所,,,山本,,,\r\n").encode("cp932"))
    check_as_office(page, live, path)
    errors = page.get_by_test_id("customer-import-errors")
    expect(errors).to_contain_text("何も取り込んでいません")
    expect(errors.get_by_role("listitem")).to_have_text(
        ["5行目：営業担当：「山本」という名前かログインIDのユーザーが一人に決まりません。"]
    )
    expect(page.get_by_test_id("customer-import-run")).to_have_count(0)
    assert live.device("office").records("customers") == {}


def test_a_rep_has_no_import(page, live):
    sign_in(page, live, "rep_a")
    expect(page.get_by_test_id("no-customers")).to_be_visible()
    expect(page.get_by_test_id("import-hint")).to_have_count(0)
    page.get_by_test_id("menu-button").click()
    expect(page.get_by_test_id("nav-customer-import")).to_have_count(0)
    page.goto(f"{live.url}/#/customers/import")
    expect(page.get_by_test_id("import-forbidden")).to_be_visible()


def imported(live):
    """The list imported by the office through the API."""
    office = live.device("office")
    response = office.client.post(
        "/api/v1/customers/import",
        headers=office.headers,
        data={"file": (io.BytesIO(LIST.encode("cp932")), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()


def test_the_office_exports_the_list_to_excel_and_it_comes_back_with_nothing_new(page, live):
    imported(live)
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/customers/import")
    with page.expect_download() as download:
        page.get_by_test_id("customer-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    expect(page.get_by_test_id("customer-export-status")).to_have_text("書き出しました。")
    with open(download.value.path(), "rb") as file:
        sheet = openpyxl.load_workbook(file)["顧客一覧"]
    names = [(row[1], row[12]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [("北斗工業", None), ("株式会社ミナト精密", "港 一郎"), ("株式会社ミナト精密", "港 花子")]
    page.get_by_test_id("customer-import-file").set_input_files(download.value.path())
    page.get_by_test_id("customer-import-check").click()
    expect(page.get_by_test_id("customer-import-preview")).to_contain_text(
        "すでにある顧客 2件、新しい担当者 0人"
    )
    expect(page.get_by_test_id("customer-import-nothing")).to_be_visible()


def test_the_audit_trail_says_who_imported_how_many(page, live):
    imported(live)
    sign_in(page, live, "admin")
    page.goto(f"{live.url}/#/admin/audit")
    event = page.locator("[data-action=import]")
    expect(event).to_contain_text("取り込み")
    expect(event).to_contain_text("伊藤 美咲")
    expect(event).to_contain_text("顧客 2件・担当者 2人（3行）")


def test_offline_the_check_says_it_needs_the_network_and_keeps_the_file_chosen(page, live, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(LIST.encode("cp932"))
    sign_in(page, live, "office")
    page.goto(f"{live.url}/#/customers/import")
    page.get_by_test_id("customer-import-file").set_input_files(str(path))
    page.context.set_offline(True)
    page.get_by_test_id("customer-import-check").click()
    expect(page.get_by_test_id("customer-import-result")).to_have_text(
        "取り込みはオンラインのときだけできます。電波のある所でもう一度押してください。"
    )
    page.context.set_offline(False)
    page.get_by_test_id("customer-import-check").click()  # the file is still chosen
    expect(page.get_by_test_id("customer-import-preview")).to_contain_text("新しい顧客 2件")


def test_a_list_fills_the_empty_fields_of_kept_customers_and_shows_what_differs(page, live, tmp_path):
    imported(live)  # 北斗工業 has a phone and no address; the office owns it
    office = live.device("office")
    minato = next(c for c in office.records("customers").values() if c["name"] == "株式会社ミナト精密")
    office.push(office.mutation("customers", minato["id"], op="delete", base_version=minato["version"]))
    path = tmp_path / "顧客台帳.csv"
    path.write_bytes(
        (
            "会社名,電話番号,住所,営業担当\r\n北斗工業,011-333-4444,札幌市北区北7条,佐藤 健太\r\n"
            "株式会社ミナト精密,045-111-2222,横浜市,\r\n"
        ).encode("cp932")
    )
    check_as_office(page, live, path)
    expect(page.get_by_test_id("customer-import-preview")).to_contain_text(
        "空欄を埋める顧客 1件・担当者 0人。削除した顧客 1件の行は取り込みません。"
    )
    rows = page.get_by_test_id("customer-import-rows").get_by_role("listitem")
    expect(rows.first).to_contain_text("すでにある顧客・空欄を埋める：住所")
    expect(rows.first).to_contain_text("ファイルと違う（変えません）：営業担当")
    expect(rows.nth(1)).to_contain_text("削除した顧客（取り込みません）")
    page.get_by_test_id("customer-import-run").click()
    expect(page.get_by_test_id("customer-import-done")).to_contain_text("空欄を埋めた顧客 1件・担当者 0人。")
    wait_synced(page)
    page.get_by_role("link", name="顧客一覧へ").click()
    page.get_by_role("link", name="北斗工業").click()
    expect(page.get_by_text("札幌市北区北7条")).to_be_visible()
    assert "株式会社ミナト精密" not in {c["name"] for c in office.records("customers").values()}


def test_with_reassign_ticked_a_kept_customer_moves_to_the_rep_the_file_names(page, live, tmp_path):
    imported(live)  # 株式会社ミナト精密 is 佐藤 健太's (east)
    path = tmp_path / "担当替え.csv"
    path.write_bytes(LIST.replace("佐藤 健太", "田中 花子").encode("cp932"))
    check_as_office(page, live, path)
    rows = page.get_by_test_id("customer-import-rows").get_by_role("listitem")
    expect(rows.first).to_contain_text("ファイルと違う（変えません）：営業担当")
    page.get_by_label("営業担当の変更も反映する（担当替え）").check()
    expect(page.get_by_test_id("customer-import-preview")).to_have_count(
        0
    )  # that check is of the other choice
    page.get_by_test_id("customer-import-check").click()
    expect(page.get_by_test_id("customer-import-preview")).to_contain_text("担当替えする顧客 1件。")
    expect(rows.first).to_contain_text("すでにある顧客・担当替え：田中 花子")
    page.get_by_test_id("customer-import-run").click()
    expect(page.get_by_test_id("customer-import-done")).to_contain_text("担当替えした顧客 1件。")
    minato = next(
        c for c in live.device("rep_b").records("customers").values() if c["name"] == "株式会社ミナト精密"
    )
    assert minato["team"] == "west"


def test_a_row_that_differs_past_the_first_hundred_is_shown_under_its_own_heading(page, live, tmp_path):
    rows = ["会社名,電話番号,住所"] + [f"会社{n:03d},03-0000-{n:04d},東京都大田区{n}" for n in range(120)]
    office = live.device("office")
    first = office.client.post(
        "/api/v1/customers/import",
        headers=office.headers,
        data={"file": (io.BytesIO("\r\n".join(rows).encode("cp932")), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert first.status_code == 200, first.get_json()
    rows[111] = rows[111].replace("東京都大田区110", "神奈川県川崎市")  # Excel row 112
    path = tmp_path / "顧客台帳.csv"
    path.write_bytes("\r\n".join(rows).encode("cp932"))
    check_as_office(page, live, path)
    later = page.get_by_test_id("customer-import-later")
    expect(later).to_have_text("ここから先は、ファイルと違う行・削除した行・担当替えの行だけです。")
    last = page.get_by_test_id("customer-import-rows").locator(".import-row").last
    expect(last).to_contain_text("112行目")
    expect(last).to_contain_text("ファイルと違う（変えません）：住所")
    expect(page.get_by_test_id("customer-import-nothing")).to_be_visible()


def test_new_customers_with_no_rep_go_to_the_rep_the_office_chooses(page, live, tmp_path):
    path = tmp_path / "展示会.csv"
    path.write_bytes(LIST.encode("cp932"))
    check_as_office(page, live, path)
    preview = page.get_by_test_id("customer-import-preview")
    expect(preview).to_contain_text("営業担当が空の新しい顧客 1件は、あなたの担当になります。")
    page.get_by_label("営業担当が空の行の新しい顧客の担当").select_option(label="田中 花子（営業）")
    expect(preview).to_have_count(0)  # a check made with the other choice is no answer for this one
    page.get_by_test_id("customer-import-check").click()
    expect(preview).to_contain_text("新しい顧客 2件")
    expect(preview).not_to_contain_text("営業担当が空")
    page.get_by_test_id("customer-import-run").click()
    expect(page.get_by_test_id("customer-import-done")).to_be_visible()
    assert set(live.device("rep_b").records("customers")) == {
        c["id"] for c in live.device("office").records("customers").values() if c["name"] == "北斗工業"
    }
