"""Importing a customer list (顧客台帳) from Excel: Shift_JIS or UTF-8 CSV and .xlsx, Japanese
headers under a title row, one row per contact person; all rows or none; the same file twice
creates nothing; a preview writes nothing."""

import io
import threading
import zipfile
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, text

from conftest import records_by_id
from server.customers.importer import IMPORT_LOCK

# As an office keeps it: a title row, half-width kana, full-width digits, a column the app has
# no field for (業種), two people of one company on two rows, a company with no person named.
LIST = (
    "顧客一覧（2026年12月）,,,,,,,,,,,,,\r\n"
    "会社名,ﾌﾘｶﾞﾅ,郵便番号,住所,住所2,電話番号,ＦＡＸ,営業担当,区分,担当者名,部署,役職,携帯,業種\r\n"
    "株式会社山田製作所,ﾔﾏﾀﾞｾｲｻｸｼｮ,３３２－００１２,埼玉県川口市本町1-2-3,山田ビル2F,048-222-1111,048-222-1112,"
    "佐藤健太,取引中,山田 太郎,製造部,部長,090-1111-2222,金属加工\r\n"
    "株式会社山田製作所,,,,,048-222-1111,,,,山田 花子,購買部,,,\r\n"
    "東和精機,とうわせいき,,大阪府東大阪市高井田,,06-6789-0000,06-6789-0001,,見込,,,,,産業機械\r\n"
)


def send(
    client,
    device,
    content,
    filename="customers.csv",
    dry_run=False,
    language=None,
    reassign=False,
    owner=None,
):
    query = "&".join(name for name, on in (("dry_run=true", dry_run), ("reassign=true", reassign)) if on)
    query += f"&owner={owner}" if owner else ""
    return client.post(
        "/api/v1/customers/import" + (f"?{query}" if query else ""),
        headers={**device.headers, **({"Accept-Language": language} if language else {})},
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def synced(device):
    """``(customers by name, contacts by name)`` on a device synced from the start."""
    device.cursor = None
    changes = device.sync()
    found = []
    for entity in ("customers", "contacts"):
        records = records_by_id([c for c in changes if c.get("entity") == entity])
        found.append({r["name"]: r for r in records.values()})
    return tuple(found)


@pytest.fixture
def office(device):
    return device("office")


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_a_customer_list_from_excel_becomes_customers_and_their_people(
    client, office, device, people, encoding
):
    rep = device("rep_a")
    response = send(client, office, LIST.encode(encoding))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["rows"], answer["customers_created"], answer["contacts_created"]) == (3, 2, 2)
    assert answer["customers_existing"] == 0 and answer["notes_columns"] == ["業種"]
    assert answer["customers_unowned"] == 1  # 東和精機: told before it lands on no rep's device
    assert [(p["row"], p["action"], p["same_as_row"]) for p in answer["preview"]] == [
        (3, "create", None),
        (4, "same_as_row", 3),
        (5, "create", None),
    ]
    customers, contacts = synced(office)
    yamada, towa = customers["株式会社山田製作所"], customers["東和精機"]
    assert yamada["name_kana"] == "ヤマダセイサクショ"  # half-width kana made full-width
    assert yamada["postal_code"] == "332-0012"  # full-width digits made ASCII
    assert yamada["address"] == "埼玉県川口市本町1-2-3 山田ビル2F"
    assert yamada["status"] == "active" and yamada["owner_id"] == people["rep_a"] and yamada["team"] == "east"
    assert yamada["notes"] == "業種: 金属加工"
    assert towa["name_kana"] == "トウワセイキ"  # a hiragana reading written in katakana
    # No 営業担当: the one who imported it owns it, as a customer the office enters in the app.
    assert towa["status"] == "prospect" and towa["owner_id"] == people["office"]
    # Towa names no person: its FAX has no contact to go to, so the notes keep it.
    assert towa["notes"] == "FAX: 06-6789-0001\n業種: 産業機械"
    taro, hanako = contacts["山田 太郎"], contacts["山田 花子"]
    assert taro["customer_id"] == hanako["customer_id"] == yamada["id"]
    assert (taro["department"], taro["title"], taro["mobile"], taro["fax"]) == (
        "製造部",
        "部長",
        "090-1111-2222",
        "048-222-1112",
    )
    assert hanako["department"] == "購買部"
    # The owner's devices get their new customer and its people; another team's rep does not.
    mine, _ = synced(rep)
    assert "株式会社山田製作所" in mine and "東和精機" not in mine
    theirs, _ = synced(device("rep_b"))
    assert "株式会社山田製作所" not in theirs


@pytest.mark.parametrize("named_by", ["login", "name", "id"])
def test_new_customers_with_no_rep_go_to_the_rep_the_office_names(client, office, device, people, named_by):
    # An exhibition's list for 田中 花子: no 営業担当 column on most rows.
    owner = {"login": "rep_b", "name": "田中 花子", "id": people["rep_b"]}[named_by]
    answer = send(client, office, LIST.encode("cp932"), owner=owner).get_json()
    assert (answer["customers_created"], answer["customers_unowned"]) == (2, 0)
    customers, _ = synced(office)
    towa, yamada = customers["東和精機"], customers["株式会社山田製作所"]
    assert (towa["owner_id"], towa["team"]) == (people["rep_b"], "west")
    assert yamada["owner_id"] == people["rep_a"]  # its row names 佐藤健太: the row decides
    assert "東和精機" in synced(device("rep_b"))[0]


def test_an_owner_who_is_no_one_imports_nothing(client, office):
    response = send(client, office, LIST.encode("cp932"), owner="山田 誰か")
    assert response.status_code == 422
    assert "山田 誰か" in response.get_json()["errors"]["owner"][0]
    assert synced(office)[0] == {}


def test_an_xlsx_list_is_imported_with_the_zeros_excel_took_from_numbers(client, office):
    book = Workbook()
    sheet = book.active
    sheet.append(["会社名", "郵便番号", "電話番号", "担当者名", "役職", "携帯", None])
    # Typed as numbers, Excel keeps 0600001 as 600001 and 0256331234 as 256331234.
    sheet.append(["有限会社三条精工", 600001, 256331234, "三条 一郎", "社長", 9011112222.0, "要予約"])
    content = io.BytesIO()
    book.save(content)
    response = send(client, office, content.getvalue(), "顧客台帳.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["notes_columns"] == ["列7"]  # a column with no header is not lost
    customers, contacts = synced(office)
    sanjo = customers["有限会社三条精工"]
    assert (sanjo["postal_code"], sanjo["phone"], sanjo["notes"]) == ("060-0001", "0256331234", "列7: 要予約")
    assert (contacts["三条 一郎"]["title"], contacts["三条 一郎"]["mobile"]) == ("社長", "09011112222")


def test_a_companys_later_rows_fill_what_its_first_row_left_empty(client, office):
    rows = (
        "会社名,電話番号,住所,担当者名,業種\r\n"
        "丸一工業,,,丸 一郎,板金\r\n"
        "丸一工業,011-111-1111,札幌市,丸 二郎,溶接\r\n"
        "丸一工業,011-111-1111,,丸 三郎,板金\r\n"
    )
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert (answer["customers_created"], answer["contacts_created"]) == (1, 3)
    customers, _ = synced(office)
    maru = customers["丸一工業"]
    assert (maru["phone"], maru["address"], maru["notes"]) == (
        "011-111-1111",
        "札幌市",
        "業種: 板金\n業種: 溶接",
    )


def test_a_persons_later_row_fills_what_their_first_row_left_empty(client, office):
    rows = "会社名,担当者名,役職,携帯\r\n丸一工業,丸 一郎,,\r\n丸一工業,丸　一郎,部長,090-1234-5678\r\n"
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert (answer["customers_created"], answer["contacts_created"], answer["contacts_updated"]) == (1, 1, 0)
    _, contacts = synced(office)
    assert (contacts["丸 一郎"]["title"], contacts["丸 一郎"]["mobile"]) == ("部長", "090-1234-5678")


def test_a_preview_answers_what_the_import_does_and_writes_nothing(client, office):
    preview = send(client, office, LIST.encode("cp932"), dry_run=True)
    assert preview.status_code == 200 and preview.get_json()["dry_run"] is True
    assert synced(office) == ({}, {})
    done = send(client, office, LIST.encode("cp932"))
    assert {**preview.get_json(), "dry_run": False} == done.get_json()


def test_the_same_file_twice_creates_nothing(client, office):
    send(client, office, LIST.encode("cp932"))
    before = synced(office)
    again = send(client, office, LIST.encode("cp932")).get_json()
    assert (again["customers_created"], again["contacts_created"], again["customers_existing"]) == (0, 0, 2)
    assert [p["action"] for p in again["preview"]] == ["existing", "existing", "existing"]
    assert office.sync() == [] and synced(office) == before


def test_a_customer_already_kept_gains_the_people_it_lacks_and_no_twin(client, office):
    # Entered on a tablet, with 全角 spaces and no 株式会社: the same company by the app's rules.
    customer_id = office.create("customers", name="山田製作所", phone="048-222-1111")["id"]
    office.create("contacts", customer_id=customer_id, name="山田　太郎")
    office.sync()
    answer = send(client, office, LIST.encode("cp932")).get_json()
    assert (answer["customers_created"], answer["customers_existing"], answer["contacts_created"]) == (
        1,
        1,
        1,
    )
    assert answer["preview"][0]["customer_id"] == customer_id
    customers, contacts = synced(office)
    assert "株式会社山田製作所" not in customers  # not a second 山田製作所
    assert contacts["山田 花子"]["customer_id"] == customer_id
    assert (customers["山田製作所"]["name"], customers["山田製作所"]["phone"]) == (
        "山田製作所",
        "048-222-1111",
    )


def test_a_kept_customer_gets_only_its_empty_fields_filled_and_its_values_stay(client, office, people):
    # Entered on a tablet at an exhibition: a name, a phone, an address the rep corrected since
    # the office's Excel list was last updated, and one person with only a name.
    customer_id = office.create(
        "customers", name="山田製作所", phone="048-222-1111", address="埼玉県川口市本町1-2-5"
    )["id"]
    taro_id = office.create("contacts", customer_id=customer_id, name="山田　太郎")["id"]
    office.sync()
    preview = send(client, office, LIST.encode("cp932"), dry_run=True).get_json()
    assert (preview["customers_updated"], preview["contacts_updated"]) == (1, 1)
    first = preview["preview"][0]
    assert first["action"] == "existing"
    assert first["filled"] == ["フリガナ", "郵便番号", "備考", "山田 太郎: 部署", "山田 太郎: 役職"] + [
        "山田 太郎: 携帯",
        "山田 太郎: FAX",
    ]
    assert first["differs"] == ["住所", "営業担当"]  # shown to the office, not written
    assert office.sync() == []  # the preview wrote nothing
    answer = send(client, office, LIST.encode("cp932")).get_json()
    assert (answer["customers_updated"], answer["contacts_updated"], answer["customers_created"]) == (1, 1, 1)
    # The tablet that has the customer gets the filled fields by its next sync, as any edit.
    pulled = {(c["entity"], c["record"]["id"]) for c in office.sync() if not c.get("evict")}
    assert {("customers", customer_id), ("contacts", taro_id)} <= pulled
    customers, contacts = synced(office)
    yamada = customers["山田製作所"]
    assert yamada["address"] == "埼玉県川口市本町1-2-5"  # the rep's correction stays
    assert yamada["owner_id"] == people["office"]  # the file's 営業担当 does not move it
    assert (yamada["name_kana"], yamada["postal_code"], yamada["notes"]) == (
        "ヤマダセイサクショ",
        "332-0012",
        "業種: 金属加工",
    )
    taro = contacts["山田　太郎"]
    assert taro["id"] == taro_id and (taro["department"], taro["title"], taro["mobile"]) == (
        "製造部",
        "部長",
        "090-1111-2222",
    )
    # Filled once: the same file again writes nothing, and still shows what differs.
    again = send(client, office, LIST.encode("cp932")).get_json()
    assert (again["customers_updated"], again["contacts_updated"], again["customers_created"]) == (0, 0, 0)
    assert again["preview"][0]["filled"] == [] and again["preview"][0]["differs"] == ["住所", "営業担当"]


def test_a_blank_filled_on_a_tablet_before_the_import_keeps_the_tablets_value(client, office, device, people):
    # At the customer's, offline, the technician writes down the address; the office imports
    # its list (an older address) before the tablet is back online.
    customer = office.create("customers", name="山田製作所", phone="048-222-1111")
    tablet = device("tech")
    tablet.sync()
    on_site = tablet.mutation(
        "customers", customer["id"], base_version=customer["version"], address="川口市本町1-2-5"
    )
    answer = send(client, office, LIST.encode("cp932")).get_json()
    assert answer["customers_updated"] == 1  # 住所 among the blanks the file fills
    [result] = tablet.push(on_site)
    assert result["status"] == "applied" and result["record"]["address"] == "川口市本町1-2-5"
    # The file's address is not lost: it is the conflict, for the office to look at.
    conflicts = [c["record"] for c in office.sync() if c.get("entity") == "conflicts"]
    customers, _ = synced(office)
    assert customers["山田製作所"]["address"] == "川口市本町1-2-5"
    assert customers["山田製作所"]["postal_code"] == "332-0012"  # the rest of the fill stands
    assert [(c["field"], c["lost_value"], c["lost_by"]) for c in conflicts] == [
        ("address", "埼玉県川口市本町1-2-3 山田ビル2F", people["office"])
    ]


def test_past_the_first_100_rows_the_check_shows_the_rows_that_differ(client, office):
    rows = ["会社名,電話番号,住所"] + [f"会社{n:03d},03-0000-{n:04d},東京都大田区{n}" for n in range(150)]
    send(client, office, "\r\n".join(rows).encode("cp932"))
    rows[141] = rows[141].replace("東京都大田区140", "神奈川県川崎市")  # Excel row 142, moved since
    answer = send(client, office, "\r\n".join(rows).encode("cp932"), dry_run=True).get_json()
    preview = answer["preview"]
    assert len(preview) == 101 and not any(p.get("later") for p in preview[:100])
    assert (preview[100]["row"], preview[100]["differs"], preview[100]["later"]) == (142, ["住所"], True)


def test_cells_past_the_headers_and_line_breaks_in_a_cell_are_kept(client, office):
    rows = '会社名,備考\r\n丸一工業,"月末締め\r翌月払い",要予約\r\n'  # old Mac Excel: CR in a cell
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert answer["notes_columns"] == ["列3"]
    customers, _ = synced(office)
    assert customers["丸一工業"]["notes"] == "月末締め\n翌月払い\n列3: 要予約"


def test_two_companies_of_one_name_with_two_phone_numbers_stay_two(client, office):
    rows = "会社名,電話番号,住所\r\n丸一工業,011-111-1111,札幌市\r\n丸一工業,092-222-2222,福岡市\r\n"
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert answer["customers_created"] == 2


def test_bad_rows_import_nothing_and_each_is_named(client, office):
    rows = LIST + (
        ",,,,,,,,,山田 次郎,,,,\r\n"  # a person with no company
        "丸二工業,,,,,,,田中,,,,,,\r\n"  # no user is named 田中 alone
        "丸三工業,,,,,,,,お得意様,,,,,\r\n"  # no such status
        "丸四工業,,,,," + "0" * 41 + ",,,,,,,,\r\n"  # a phone number too long for the field
    )
    response = send(client, office, rows.encode("cp932"))
    body = response.get_json()
    assert response.status_code == 422 and body["message"].startswith("Nothing was imported")
    assert sorted(body["errors"], key=int) == ["6", "7", "8", "9"]
    assert "会社名" in body["errors"]["6"][0]
    assert "営業担当" in body["errors"]["7"][0] and "田中" in body["errors"]["7"][0]
    assert "区分" in body["errors"]["8"][0] and "お得意様" in body["errors"]["8"][0]
    assert "電話番号" in body["errors"]["9"][0]
    assert synced(office) == ({}, {})


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "customers.csv"),
        ("名前,電話\r\n山田,1\r\n".encode("cp932"), "customers.csv"),  # no column names the company
        ("会社名,電話番号\r\n".encode("cp932"), "customers.csv"),  # a header and no rows
        (b"\xff\xfe\x00\x81\xff", "customers.csv"),
        (b"PK\x03\x04broken", "customers.xlsx"),
    ],
)
def test_an_unreadable_file_answers_422(client, office, content, filename):
    response = send(client, office, content, filename)
    assert response.status_code == 422 and response.get_json()["errors"]["file"]


def test_a_list_too_long_is_refused_whole(client, office):
    rows = "会社名\r\n" + "".join(f"会社{n}\r\n" for n in range(5001))
    response = send(client, office, rows.encode("cp932"))
    assert response.status_code == 422 and "5,000" in response.get_json()["message"]
    assert synced(office) == ({}, {})


def test_only_the_office_imports_and_each_import_is_audited(client, device, office, people):
    assert send(client, device("rep_a"), LIST.encode("cp932")).status_code == 403
    assert send(client, device("tech"), LIST.encode("cp932")).status_code == 403
    send(client, office, LIST.encode("cp932"))
    admin = device("admin")
    events = client.get("/api/v1/admin/audit?since=2000-01-01T00:00:00Z", headers=admin.headers).get_json()[
        "events"
    ]
    imports = [e for e in events if e["action"] == "import"]
    assert len(imports) == 1 and imports[0]["user_id"] == people["office"]
    assert imports[0]["detail"] == {
        "what": "customers",
        "rows": 3,
        "customers": 2,
        "contacts": 2,
        "customers_updated": 0,
        "contacts_updated": 0,
    }


def export(client, device):
    response = client.get("/api/v1/customers/export.xlsx", headers=device.headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "顧客一覧" in unquote(response.headers["Content-Disposition"])
    return response.get_data()


def sheet_rows(content):
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [
        [cell if cell is not None else "" for cell in row]
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]


def test_the_export_lists_each_person_under_the_imports_headers(client, office, device, people):
    rep = device("rep_a")
    yamada = rep.create("customers", name="山田製作所", name_kana="ヤマダセイサクショ", phone="048-222-1111")
    rep.create("contacts", customer_id=yamada["id"], name="山田 太郎", title="部長", mobile="090-1111-2222")
    rep.create("contacts", customer_id=yamada["id"], name="山田 花子", department="購買部")
    rep.create(
        "customers", name='=HYPERLINK("x")', name_kana="ア", status="prospect"
    )  # text, never a formula
    header, *rows = sheet_rows(export(client, office))
    assert header[:4] == ["顧客ID", "会社名", "フリガナ", "区分"] and "担当者名" in header
    column = {name: header.index(name) for name in header}
    assert [(r[column["会社名"]], r[column["担当者名"]]) for r in rows] == [
        ('=HYPERLINK("x")', ""),
        ("山田製作所", "山田 太郎"),
        ("山田製作所", "山田 花子"),
    ]
    taro = rows[1]
    assert (taro[column["顧客ID"]], taro[column["区分"]], taro[column["営業担当"]]) == (
        yamada["id"],
        "取引先",
        "佐藤 健太",
    )
    assert (taro[column["役職"]], taro[column["携帯"]]) == ("部長", "090-1111-2222")
    assert rows[0][column["区分"]] == "見込み客"


def test_an_exported_list_comes_back_through_the_import_as_it_went(client, office):
    send(client, office, LIST.encode("cp932"))
    # Two companies of one name and no phone: only their ids tell them apart.
    for person in ("丸 一郎", "丸 二郎"):
        twin = office.create("customers", name="丸一工業")
        office.create("contacts", customer_id=twin["id"], name=person)
    office.sync()
    content = export(client, office)
    answer = send(client, office, content, "顧客一覧.xlsx").get_json()
    assert (answer["customers_created"], answer["contacts_created"]) == (0, 0), answer
    assert answer["customers_existing"] == 4
    _, contacts = synced(office)
    assert contacts["丸 一郎"]["customer_id"] != contacts["丸 二郎"]["customer_id"]
    assert office.sync() == []


def test_rows_added_to_an_export_in_excel_are_imported(client, office):
    send(client, office, LIST.encode("cp932"))
    book = load_workbook(io.BytesIO(export(client, office)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    yamada_id = next(
        row[0].value for row in sheet.iter_rows(min_row=2) if row[1].value == "株式会社山田製作所"
    )
    blank = dict.fromkeys(header)
    for row in (
        {
            **blank,
            "顧客ID": yamada_id,
            "会社名": "株式会社山田製作所",
            "担当者名": "山田 三郎",
        },  # a new person
        {**blank, "会社名": "西都製作所", "電話番号": "092-555-0000"},  # a new company
        {**blank, "顧客ID": "C-0042", "会社名": "南海鉄工"},  # another system's code
    ):
        sheet.append([row[h] for h in header])
    edited = io.BytesIO()
    book.save(edited)
    answer = send(client, office, edited.getvalue(), "顧客一覧.xlsx").get_json()
    assert (answer["customers_created"], answer["contacts_created"]) == (2, 1), answer
    customers, contacts = synced(office)
    assert contacts["山田 三郎"]["customer_id"] == yamada_id
    assert customers["南海鉄工"]["notes"] == "顧客ID: C-0042"  # kept, not taken for ours


def test_people_who_left_are_exported_marked_after_the_others_and_come_back_as_they_went(client, office):
    yamada = office.create("customers", name="山田製作所", name_kana="ヤマダセイサクショ")
    office.create(
        "contacts", customer_id=yamada["id"], name="山田 一郎", name_kana="ヤマダ イチロウ", left=True
    )
    office.create("contacts", customer_id=yamada["id"], name="山田 太郎", name_kana="ヤマダ タロウ")
    office.sync()
    content = export(client, office)
    header, *rows = sheet_rows(content)
    name, mark = header.index("担当者名"), header.index("退職・異動")
    assert [(r[name], r[mark]) for r in rows] == [("山田 太郎", ""), ("山田 一郎", "退職・異動")]

    answer = send(client, office, content, "顧客一覧.xlsx").get_json()
    assert (answer["contacts_created"], answer["contacts_updated"]) == (0, 0), answer
    assert [p["differs"] for p in answer["preview"]] == [[], []]
    assert office.sync() == []


def test_a_list_marks_who_left_on_the_people_it_adds_and_names_the_others_it_would_change(client, office):
    rows = "会社名,担当者名,退職・異動\r\n東和精機,東 一郎,退職\r\n東和精機,東 二郎,\r\n"
    assert send(client, office, rows.encode("cp932")).status_code == 200
    _, contacts = synced(office)
    assert (contacts["東 一郎"].get("left"), contacts["東 二郎"].get("left")) == (True, None)

    # A person kept here and marked in a later list: said, not changed (as any value that differs).
    again = send(client, office, "会社名,担当者名,退職・異動\r\n東和精機,東 二郎,○\r\n".encode("cp932"))
    assert again.get_json()["preview"][0]["differs"] == ["東 二郎: 退職・異動"]
    assert office.sync() == []

    unclear = send(
        client, office, "会社名,担当者名,退職・異動\r\n東和精機,東 三郎,たぶん\r\n".encode("cp932")
    )
    assert unclear.status_code == 422
    assert (
        "退職・異動" in unclear.get_json()["errors"]["2"][0]
        and "たぶん" in unclear.get_json()["errors"]["2"][0]
    )


def test_only_the_office_exports_and_each_export_is_audited(client, device, office, people):
    assert client.get("/api/v1/customers/export.xlsx", headers=device("rep_a").headers).status_code == 403
    export(client, office)
    admin = device("admin")
    events = client.get("/api/v1/admin/audit?since=2000-01-01T00:00:00Z", headers=admin.headers).get_json()[
        "events"
    ]
    exports = [e for e in events if e["action"] == "export"]
    assert [(e["user_id"], e["detail"]) for e in exports] == [
        (people["office"], {"what": "customers", "rows": 0})
    ]


def test_the_command_line_imports_a_list_as_the_screen_does(app, runner, tmp_path, device):
    path = tmp_path / "顧客台帳.csv"
    path.write_bytes(LIST.encode("cp932"))
    refused = runner.invoke(args=["import-customers", str(path), "--as", "rep_a"])
    assert refused.exit_code != 0 and "office, manager or admin" in refused.output
    dry = runner.invoke(args=["import-customers", str(path), "--as", "office", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 rows: would create 2 customers and 2 contact people" in dry.output
    assert "kept in words: 業種" in dry.output
    office = device("office")
    assert synced(office) == ({}, {})
    done = runner.invoke(args=["import-customers", str(path), "--as", "office"])
    assert done.exit_code == 0 and "created 2 customers" in done.output, done.output
    customers, contacts = synced(office)
    assert set(customers) == {"株式会社山田製作所", "東和精機"} and len(contacts) == 2
    again = runner.invoke(args=["import-customers", str(path), "--as", "office"])
    assert "created 0 customers and 0 contact people; 2 customers were there already" in again.output


def test_with_reassign_a_kept_customer_moves_to_the_rep_its_row_names(client, office, device, people):
    send(client, office, LIST.encode("cp932"))  # 山田製作所 is 佐藤 健太's (east)
    east, west = device("rep_a"), device("rep_b")
    assert "株式会社山田製作所" in synced(east)[0] and "株式会社山田製作所" not in synced(west)[0]
    moved = LIST.replace("佐藤健太", "田中 花子").encode("cp932")  # 担当替え: to 田中 花子 (west)
    kept = send(client, office, moved).get_json()  # without reassign: shown, not written
    assert kept["customers_reassigned"] == 0 and kept["preview"][0]["differs"] == ["営業担当"]
    preview = send(client, office, moved, dry_run=True, reassign=True).get_json()
    assert preview["customers_reassigned"] == 1 and preview["customers_updated"] == 0
    assert (preview["preview"][0]["reassigned_to"], preview["preview"][0]["differs"]) == ("田中 花子", [])
    assert preview["preview"][1]["reassigned_to"] is None  # the company's second row: moved once
    answer = send(client, office, moved, reassign=True).get_json()
    assert answer["customers_reassigned"] == 1
    yamada = synced(office)[0]["株式会社山田製作所"]
    assert (yamada["owner_id"], yamada["team"]) == (people["rep_b"], "west")
    # The new rep's devices get it and its people; the former rep's evict it by their next pull.
    customers, contacts = synced(west)
    assert "株式会社山田製作所" in customers and "山田 太郎" in contacts
    assert any(c.get("evict") for c in east.sync())
    assert "株式会社山田製作所" not in synced(east)[0]
    assert send(client, office, moved, reassign=True).get_json()["customers_reassigned"] == 0


def test_one_import_swapping_two_reps_customers_moves_each_to_the_right_devices(client, office, device):
    ledger = "会社名,電話番号,営業担当,担当者名\r\n東工業,03-1111-0000,{east},東 一郎\r\n西工業,06-2222-0000,{west},西 二郎\r\n"
    send(client, office, ledger.format(east="佐藤健太", west="田中花子").encode("cp932"))
    east, west = device("rep_a"), device("rep_b")
    held = {dev: set(synced(dev)[0]) for dev in (east, west)}
    assert held == {east: {"東工業"}, west: {"西工業"}}
    swapped = ledger.format(east="田中花子", west="佐藤健太").encode("cp932")  # April's 担当替え
    assert send(client, office, swapped, reassign=True).get_json()["customers_reassigned"] == 2
    for dev, gone, came, person in (
        (east, "東工業", "西工業", "西 二郎"),
        (west, "西工業", "東工業", "東 一郎"),
    ):
        changes = dev.sync()  # from where each device was: the feed's scope events decide
        names = {c["record"].get("name") for c in changes if not c.get("evict")}
        assert {came, person} <= names and gone not in names
        evicted = {c["id"] for c in changes if c.get("evict")}
        assert {r["id"] for r in records_by_id(changes).values() if r.get("name") == came}.isdisjoint(evicted)
        assert len(evicted) >= 2  # the customer it lost and that customer's person


def test_the_command_line_reassigns_with_its_flag(runner, tmp_path, client, office, people):
    send(client, office, LIST.encode("cp932"))
    path = tmp_path / "担当替え.csv"
    path.write_bytes(LIST.replace("佐藤健太", "田中 花子").encode("cp932"))
    done = runner.invoke(args=["import-customers", str(path), "--as", "office", "--reassign"])
    assert done.exit_code == 0 and "1 moved to another rep" in done.output, done.output
    assert synced(office)[0]["株式会社山田製作所"]["owner_id"] == people["rep_b"]


def test_the_command_line_gives_new_customers_with_no_rep_to_its_owner(runner, tmp_path, office, people):
    path = tmp_path / "展示会.csv"
    path.write_bytes("会社名,電話番号\r\n北斗工業,011-333-4444\r\n".encode("cp932"))
    done = runner.invoke(args=["import-customers", str(path), "--as", "office", "--owner", "rep_b"])
    assert done.exit_code == 0, done.output
    assert synced(office)[0]["北斗工業"]["owner_id"] == people["rep_b"]
    refused = runner.invoke(args=["import-customers", str(path), "--as", "office", "--owner", "nobody"])
    assert refused.exit_code == 1 and "nobody" in refused.output


def test_the_command_line_names_the_rows_to_correct(runner, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes((LIST + "丸二工業,,,,,,,田中,,,,,,\r\n").encode("cp932"))
    result = runner.invoke(args=["import-customers", str(path), "--as", "office"])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and "row 6: 営業担当" in result.output


def test_on_postgresql_an_import_waits_for_one_under_way(client, office, database_url):
    # Two office staff sending one file at once would each find none of it stored: one waits.
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's one writer already runs imports one after the other")
    engine = create_engine(database_url)
    answered = {}
    with engine.connect() as other_import:
        other_import.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        waiting = threading.Thread(
            target=lambda: answered.update(r=send(client, office, LIST.encode("cp932")))
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not answered
        other_import.rollback()
    waiting.join(10)
    engine.dispose()
    assert answered["r"].status_code == 200 and answered["r"].get_json()["customers_created"] == 2


def test_a_japanese_request_reads_each_rows_errors_in_japanese(client, office):
    rows = LIST + ",,,,,,,,,山田 次郎,,,,\r\n丸四工業,,,,," + "0" * 41 + ",,,,,,,,\r\n"
    response = send(client, office, rows.encode("cp932"), "customers.csv", language="ja")
    body = response.get_json()
    assert response.status_code == 422 and body["message"].startswith("何も取り込んでいません")
    assert body["errors"] == {
        "6": ["会社名：空です。会社名は必須です。"],
        "7": ["電話番号：40文字までです。"],
    }
    unreadable = send(
        client, office, "名前\r\n山田\r\n".encode("cp932"), "customers.csv", language="ja,en;q=0.5"
    )
    assert unreadable.get_json()["message"].startswith("会社名の列がありません")


def damaged_xlsx():
    """A workbook whose sheet breaks off in its middle, as a file cut short in a mail."""
    book = Workbook()
    book.active.append(["会社名"])
    for n in range(200):
        book.active.append([f"会社{n}"])
    content = io.BytesIO()
    book.save(content)
    source = zipfile.ZipFile(io.BytesIO(content.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(member, data)
    return out.getvalue()


def zip_bomb():
    """A small file that unpacks to 64 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (64 * 2**20 // 6))
    return out.getvalue()


@pytest.mark.parametrize(
    "content, words",
    [
        (zip_bomb(), "more than 50 MB"),
        (damaged_xlsx(), "cannot be read"),
        (b"\r\n" * 30_000, "more than 20,000 rows"),  # blank lines: nothing to keep, all to read
        (("会社名," + ",".join(f"列{n}" for n in range(300)) + "\r\n山田製作所\r\n").encode("cp932"), None),
    ],
    ids=["zip bomb", "damaged sheet", "blank lines", "300 columns"],
)
def test_files_that_would_fill_a_worker_are_refused_and_wide_ones_read(client, office, content, words):
    response = send(
        client, office, content, "customers.xlsx" if content.startswith(b"PK") else "customers.csv"
    )
    if words is None:  # the first 200 columns are read; the rest of a row are not
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["customers_created"] == 1
    else:
        assert response.status_code == 422 and words in response.get_json()["message"], response.get_json()


def compact(runner, when):
    """Past the tombstone window (``genba compact``), or not yet."""
    if when == "past the tombstone window":
        assert "compacted 1 tombstones" in runner.invoke(args=["compact", "--days", "0"]).output


SINCE = pytest.mark.parametrize("when", ["this month", "past the tombstone window"])


@SINCE
def test_a_row_naming_a_customer_merged_since_goes_to_the_one_it_was_merged_into(
    client, office, runner, when
):
    # The old list still spells it 「山田精工所」; the office merged that one into 「山田製作所」.
    survivor = office.create("customers", name="山田製作所", phone="048-222-1111")
    typo = office.create("customers", name="山田精工所", phone="048-222-1111")
    merged = client.post(
        f"/api/v1/customers/{typo['id']}/merge", json={"into": survivor["id"]}, headers=office.headers
    )
    assert merged.status_code == 200, merged.get_json()
    compact(runner, when)
    rows = (
        f"顧客ID,会社名,担当者名,住所\r\n,山田精工所,山田 一,川口市\r\n{typo['id']},山田精工所,山田 二,\r\n"
    )
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert (answer["customers_created"], answer["contacts_created"], answer["customers_existing"]) == (
        0,
        2,
        1,
    )
    assert answer["customers_updated"] == 1  # the survivor's empty address, filled once
    customers, contacts = synced(office)
    assert "山田精工所" not in customers and customers["山田製作所"]["address"] == "川口市"
    assert contacts["山田 一"]["customer_id"] == contacts["山田 二"]["customer_id"] == survivor["id"]


@SINCE
def test_a_customer_deleted_since_is_not_brought_back_by_an_old_list(client, office, runner, when):
    send(client, office, LIST.encode("cp932"))
    customers, _ = synced(office)
    towa = customers["東和精機"]  # closed down: the office deleted it in the app
    office.push(office.mutation("customers", towa["id"], op="delete", base_version=towa["version"]))
    compact(runner, when)
    rows = LIST + "東和精機,,,,,06-6789-0000,,,,東 一郎,,,,\r\n"  # and a person added in Excel
    answer = send(client, office, rows.encode("cp932")).get_json()
    assert (answer["customers_created"], answer["contacts_created"], answer["customers_deleted"]) == (0, 0, 1)
    assert [p["action"] for p in answer["preview"]] == ["existing", "existing", "deleted", "deleted"]
    assert answer["preview"][2]["customer_id"] is None
    customers, contacts = synced(office)
    assert "東和精機" not in customers and "東 一郎" not in contacts
    # Another company of that name (another phone number) is a new customer, as before.
    other = send(client, office, "会社名,電話番号\r\n東和精機,03-1111-2222\r\n".encode("cp932")).get_json()
    assert (other["customers_created"], other["customers_deleted"]) == (1, 0)


def test_a_companys_rows_that_say_too_much_together_are_refused_at_its_first_row(client, office):
    # Each row's notes fit; the company's two rows together pass the notes' 10,000 characters.
    rows = f"会社名,備考\r\n丸一工業,{'あ' * 6000}\r\n丸一工業,{'い' * 6000}\r\n"
    response = send(client, office, rows.encode("cp932"))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["2"] and "備考" in response.get_json()["errors"]["2"][0]
