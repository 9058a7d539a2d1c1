"""Reading a customer list (顧客台帳) as Japanese offices keep it in Excel: a CSV (UTF-8 or
Shift_JIS) or an ``.xlsx``, one row per customer or per contact person, under headers such as
会社名, フリガナ, 電話番号, 住所, 営業担当, 担当者名, 部署, 役職; and writing it out again.

Reading is pure: ``plan_import`` turns the table and what is stored into the records to create
(customers and their contacts) or the errors of each row, so a preview and the import itself
answer alike and the import writes all rows or none. ``import_list`` runs it for the API and
the command line.
"""

import json
import re
import uuid

from sqlalchemy import select

from sync import live_records
from sync.models import Record

from server.core.errors import ApiError
from server.core.list_import import Preview, check_rows, gaps, import_session, read_list, write_import
from server.core.models import User
from server.core.spreadsheet import Headers, read_rows
from server.core.text import digits, fold
from server.core.vocabulary import CUSTOMER_STATUSES, labels
from server.core.words import Said, row_errors, say
from server.customers.duplicates import company_key
from server.customers.entities import ContactSchema, CustomerSchema

MAX_ROWS = 5000
IMPORT_LOCK = 0x67656E6261_01  # PostgreSQL's advisory lock key of the import ("genba", 1)

# What each column means, by the headers people give it (compared folded: width, case, kana
# and spaces do not matter). 担当 alone is left out: it names our rep in some lists and the
# customer's person in others.
COLUMNS = {
    "id": ("顧客ID", "id"),  # ours, as the export writes it: the row is that customer
    "name": ("会社名", "顧客名", "得意先名", "取引先名", "社名", "会社", "name", "company"),
    "name_kana": ("フリガナ", "カナ", "会社名フリガナ", "会社名カナ", "顧客名フリガナ", "顧客名カナ", "kana"),
    "postal_code": ("郵便番号", "〒", "postal code", "zip"),
    "address": ("住所", "所在地", "住所1", "address"),
    "address2": ("住所2", "建物名", "番地以降", "address2"),
    "phone": ("電話番号", "電話", "tel", "phone", "代表電話"),
    "fax": ("fax", "fax番号"),
    "email": ("メールアドレス", "メール", "e-mail", "email", "mail"),
    "url": ("url", "ホームページ", "hp", "webサイト", "website"),
    "owner": ("営業担当", "担当営業", "営業担当者", "自社担当", "弊社担当", "owner"),
    "status": ("区分", "状態", "ステータス", "顧客区分", "status"),
    "source": ("出所", "経路", "きっかけ", "source"),
    "notes": ("備考", "メモ", "notes"),
    "contact": ("担当者名", "担当者", "先方担当者", "ご担当者", "contact"),
    "contact_kana": ("担当者フリガナ", "担当者カナ", "担当者名フリガナ"),
    "department": ("部署", "部署名", "所属", "department"),
    "title": ("役職", "title"),
    "mobile": ("携帯", "携帯電話", "携帯番号", "mobile"),
    "contact_phone": ("担当者電話", "直通", "直通電話"),
    "contact_email": ("担当者メール", "担当者メールアドレス"),
    "contact_left": ("退職・異動", "退職", "異動", "left"),  # the person no longer works with the customer
}
CUSTOMER_FIELDS = ("name", "name_kana", "postal_code", "phone", "email", "url", "source")
CONTACT_FIELDS = {  # the contact's field: the column it comes from
    "name": "contact",
    "name_kana": "contact_kana",
    "department": "department",
    "title": "title",
    "mobile": "mobile",
    "phone": "contact_phone",
    "email": "contact_email",
    "fax": "fax",
}
# A status as people write it, besides the app's own labels (見込み客, 取引先, 休眠).
STATUS_WORDS = {
    "prospect": ("見込", "見込み", "見込客", "見込み客", "新規", "prospect"),
    "active": ("取引中", "既存", "顧客", "得意先", "取引先", "active", "customer"),
    "inactive": ("休眠", "取引停止", "停止", "inactive"),
}
STATUS_OF = {fold(word): code for code, words in STATUS_WORDS.items() for word in words}
# A contact's 退職・異動 cell as people write it: a mark or a word says the person left; an empty
# cell or one of STAYED says they did not (and, like any empty cell, changes no one stored).
LEFT_MARK = "退職・異動"
LEFT = {
    fold(w)
    for w in (
        LEFT_MARK,
        "退職",
        "異動",
        "退職済",
        "異動済",
        "済",
        "○",
        "〇",
        "◯",
        "✓",
        "✔",
        "1",
        "yes",
        "true",
        "left",
    )
}
STAYED = {fold(w) for w in ("在籍", "在籍中", "現職", "-", "ー", "×", "0", "no", "false")}
STATUS_OF.update({fold(label): code for code, label in labels("customer.status").items()})
STATUS_OF.update({fold(label): code for code, label in labels("customer.status", "en").items()})
assert set(STATUS_OF.values()) == set(CUSTOMER_STATUSES)

HIRAGANA = re.compile(r"[\u3041-\u3096]")
HEADERS = Headers(
    COLUMNS,
    "name",
    Said(
        "No header row names the company: the first rows must include a column 会社名 (or 顧客名, "
        "得意先名), with others such as フリガナ, 電話番号, 住所, 営業担当, 担当者名.",
        "会社名の列がありません。最初の行に「会社名」（または顧客名、得意先名）の見出しを入れてください"
        "（ほかにフリガナ、電話番号、住所、営業担当、担当者名など）。",
    ),
)


def katakana(text):
    """フリガナ is written in katakana: hiragana readings become katakana."""
    return HIRAGANA.sub(lambda m: chr(ord(m.group()) + 0x60), text) if text else text


def rows_of(content, filename=""):
    """The list's rows under the customer columns, and the other headers (kept in the notes)."""
    return read_rows(content, filename, HEADERS, max_rows=MAX_ROWS, convert=NUMBERS)


def phone_number(text):
    """A Japanese number that Excel kept as a number lost its leading 0 (0482221111 shows as
    482221111): digits alone that do not start with 0 get it back."""
    return "0" + text if text.isdigit() and 8 <= len(text) <= 10 and not text.startswith("0") else text


def postal_code(text):
    """A postal code as 〒 writes it (332-0012); one Excel kept as a number (0600001 as
    600001) gets its leading 0 back."""
    if text.isdigit() and 5 <= len(text) <= 7:
        text = text.zfill(7)
        return f"{text[:3]}-{text[3:]}"
    return text


NUMBERS = {"phone": phone_number, "fax": phone_number, "mobile": phone_number, "contact_phone": phone_number}
NUMBERS["postal_code"] = postal_code


# A field as the errors name it: by its column's usual header.
CUSTOMER_LABELS = {"name": "会社名", "name_kana": "フリガナ", "postal_code": "郵便番号", "address": "住所"}
CUSTOMER_LABELS |= {"phone": "電話番号", "email": "メール", "url": "URL", "source": "出所", "notes": "備考"}
CONTACT_LABELS = {"name": "担当者名", "name_kana": "担当者フリガナ", "department": "部署", "title": "役職"}
CONTACT_LABELS |= {"mobile": "携帯", "phone": "担当者電話", "email": "担当者メール", "fax": "FAX"}


CUSTOMER_SCHEMA, CONTACT_SCHEMA = CustomerSchema(), ContactSchema()


class Company:
    """A customer the file names: stored already, or to be created from its first row."""

    def __init__(self, key, phone, values=None, stored=None, first_row=None):
        self.key, self.phone = key, phone
        self.values, self.stored, self.first_row = values, stored, first_row
        self.id = stored["id"] if stored else str(uuid.uuid4())
        self.people: dict[str, Person] = {}  # by folded name
        self.aliases: list[tuple[str, str]] = []  # (name, phone) of customers merged into it
        self.filled = False  # a later row added to what its first row said
        self.deleted = False  # a customer deleted in the app
        self.fills: dict = {}  # for a stored customer: what the file gives that it leaves empty

    def same(self, key, phone):
        """The same company: the same name, and no two different phone numbers; or the name
        of a customer merged into it."""
        return any(
            key == known and (not phone or not known_phone or phone == known_phone)
            for known, known_phone in [(self.key, self.phone), *self.aliases]
        )

    def fill(self, values):
        """A later row of a company being created fills what its first rows left empty, and
        adds the lines of its notes they do not have."""
        for field, value in values.items():
            if field == "notes" and self.values.get("notes"):
                lines = self.values["notes"].split("\n")
                self.values["notes"] = "\n".join(lines + [x for x in value.split("\n") if x not in lines])
            elif not self.values.get(field) and field != "status":
                self.values[field] = value
        self.phone = self.phone or digits(values.get("phone"))
        self.filled = True


class Person:
    """A contact person of a company the file names: stored, or created by an earlier row."""

    def __init__(self, values, stored=False):
        self.values, self.stored = values, stored
        self.id = values["id"] if stored else str(uuid.uuid4())
        self.fills: dict = {}


def alike(field, kept, value):
    """Two values of a field that say the same: numbers by their digits, a company's name as
    the match compares it (株式会社 or not), text folded."""
    if field == "name":
        return company_key(kept) == company_key(value)
    if field in ("phone", "fax", "mobile", "postal_code"):
        return digits(kept) == digits(value)
    return fold(str(kept)) == fold(str(value))


def user_matcher(users):
    """A function from an 営業担当 cell to ``(id, team)``: a user's name (spaces ignored) or
    login, active users only; None if no user or more than one is so named."""
    by_name: dict[str, list] = {}
    for user in users:
        if user["active"]:
            for name in {fold(user["name"]), fold(user["login"])}:
                by_name.setdefault(name, []).append(user)

    def match(text):
        found = by_name.get(fold(text), [])
        return (found[0]["id"], found[0]["team"]) if len(found) == 1 else None

    return match


def import_list(content, filename, user_id, *, dry_run, reassign=False, owner=None, via=None):
    """Import a customer list as ``user_id``; answer what it created, or with ``dry_run`` what it
    would and write nothing. A new customer whose rows name no 営業担当 is ``owner``'s (a user's
    id, login or name), else the importer's. ``reassign`` makes a kept customer the rep's its row
    names (担当替え). An unreadable file, an unknown ``owner`` or any bad row raises
    ``ApiError`` (422) and imports nothing."""
    rows, notes_columns = read_list(content, filename, rows_of, EMPTY)
    session = import_session(dry_run, IMPORT_LOCK)
    users = [
        {"id": u.id, "login": u.login, "name": u.name, "team": u.team, "active": u.active}
        for u in session.execute(select(User)).scalars()
    ]
    default_owner = None if owner is None else owner_named(users, owner)
    customers, contacts = live_records(session, "customers"), live_records(session, "contacts")
    plan = plan_import(
        rows, customers, contacts, users, deleted_customers(session), reassign=reassign, owner=default_owner
    )
    check_rows(plan.errors)
    answer = {
        "dry_run": dry_run,
        "rows": len(rows),
        "customers_created": plan.count("customers"),
        "customers_existing": len(plan.existing),
        "customers_deleted": len(plan.deleted),
        "contacts_created": plan.count("contacts"),
        "customers_updated": plan.count("customers", plan.filled),
        "customers_reassigned": len(plan.reassigned),
        "customers_unowned": sum(  # no row of theirs names a 営業担当: the importer's
            1 for entity, _, values in plan.changes if entity == "customers" and not values.get("owner_id")
        ),
        "contacts_updated": plan.count("contacts", plan.filled),
        "notes_columns": notes_columns,
        "preview": plan.preview,
    }
    if not dry_run:
        write_import(
            session,
            user_id,
            plan.changes + plan.moved,
            what="customers",
            fills=plan.filled,
            via=via,
            rows=len(rows),
            customers=answer["customers_created"],
            contacts=answer["contacts_created"],
            customers_updated=answer["customers_updated"],
            contacts_updated=answer["contacts_updated"],
            **({"customers_reassigned": answer["customers_reassigned"]} if reassign else {}),
        )
    return answer


def owner_named(users, owner):
    """``(id, team)`` of the active user ``owner`` names (their id, login or name); 422 if none
    or more than one."""
    found = next(((u["id"], u["team"]) for u in users if u["active"] and u["id"] == owner), None)
    found = found or user_matcher(users)(owner)
    if found is None:
        said = say(
            "owner: no one active user has the id, name or login 「{owner}」.",
            "新しい顧客の担当：「{owner}」というID・名前・ログインIDのユーザーが一人に決まりません。",
            owner=owner,
        )
        raise ApiError(422, said, errors={"owner": [said]})
    return found


def deleted_customers(session):
    """The customers deleted or merged into another: their tombstones' names and phones (and
    survivors), which compaction keeps."""
    query = select(Record.id, Record.data).where(
        Record.entity == "customers", Record.deleted.is_(True), Record.data.is_not(None)
    )
    return [{**json.loads(data), "id": record_id} for record_id, data in session.execute(query)]


EMPTY = Said("The file has a header row but no customers under it.", "見出しの行の下に顧客がありません。")


class Plan:
    """What an import writes: ``changes`` (``(entity, id, values)`` for ``write_changes``),
    records created then the empty fields of kept ones filled; the stored customers it names,
    a preview of its first rows, and each bad row's errors."""

    def __init__(self):
        self.changes: list[tuple[str, str, dict]] = []
        self.existing: set[str] = set()
        self.preview = Preview()
        self.errors: dict[str, list[str]] = {}
        self.deleted: set[str] = set()  # deleted customers rows name: not brought back
        self.reassigned: set[str] = set()  # kept customers given the rep their row names
        self.filled: list[tuple[str, str, dict]] = []  # kept records' empty fields, filled
        self.moved: list[tuple[str, str, dict]] = []  # kept customers' new rep and team

    def count(self, entity, changes=None):
        return sum(1 for name, _, _ in (self.changes if changes is None else changes) if name == entity)


CUSTOMER_GAPS = (*CUSTOMER_FIELDS, "address")
MOVE = ("owner_id", "team")  # 担当替え: not a fill of what is empty
CUSTOMER_HEADERS = {**CUSTOMER_LABELS, "status": "区分", "owner_id": "営業担当"}
CONTACT_GAPS = tuple(field for field in CONTACT_FIELDS if field != "name")


def plan_import(rows, customers, contacts, users, deleted=(), reassign=False, owner=None):
    """What importing ``rows`` writes, as a ``Plan``.

    ``customers`` and ``contacts`` are the live records stored; ``users`` the people who may
    own a customer (``id``, ``login``, ``name``, ``team``, ``active``); ``deleted`` the
    customers' tombstones: a row naming one merged into another (``merged_into``) is its
    survivor's, as a push naming it is, and a row naming one deleted brings nothing back (the
    office deleted it; an old list must not make it again). A row of a customer stored
    already (its 顧客ID, else the same name and no other phone number) or of one an earlier
    row named adds its contact person if that person is not there yet, and fills the fields
    the customer and the person leave empty;
    what it says otherwise of them is shown, not written (the app may hold newer values than
    the file). With ``reassign`` a kept customer whose row names another 営業担当 becomes that
    rep's, with their team (担当替え: the rep's devices get it, the former rep's lose it). A new
    customer whose rows name no 営業担当 is ``owner``'s (``(id, team)``), if given. The same
    file imported twice writes nothing the second time. The errors map a row number as
    Excel shows it to what is wrong with that row.
    """
    owner_of = user_matcher(users)
    companies, by_id = known_companies(customers, contacts, deleted)
    plan = Plan()
    for number, row, others in rows:
        ours = by_id.get(row.get("id", "").lower())
        if row.get("id") and ours is None:  # not a customer kept here: the value stays, in the notes
            others = [("顧客ID", row["id"]), *others]
        values, contact, problems = row_values(row, others, owner_of)
        if problems:
            plan.errors[str(number)] = problems
            continue
        key, phone = company_key(row["name"]), digits(row.get("phone"))
        company = ours or next((c for c in companies.get(key, ()) if c.same(key, phone)), None)
        filled, differs, reassigned_to = [], [], None
        if company is None:
            company = Company(key, phone, values=values, first_row=number)
            companies.setdefault(key, []).append(company)
            plan.changes.append(("customers", company.id, values))
            action = "create"
        elif company.deleted:
            plan.deleted.add(company.id)
            action = "deleted"
        elif company.stored:
            plan.existing.add(company.id)
            action = "existing"
            owned = company.fills.get("owner_id")
            filled, differs = fill_customer(company, row, values, reassign)
            if company.fills.get("owner_id") != owned:
                plan.reassigned.add(company.id)
                reassigned_to = row["owner"]
        else:
            company.fill(values)
            action = "same_as_row"
        added = None
        if contact and not company.deleted:
            person = company.people.get(fold(contact["name"]))
            if person is None:
                person = company.people[fold(contact["name"])] = Person(
                    {**contact, "customer_id": company.id}
                )
                plan.changes.append(("contacts", person.id, person.values))
                added = contact["name"]
            else:
                more, other = fill_person(person, contact)
                filled += more
                differs += other
        plan.preview.add(
            {
                "row": number,
                "action": action,
                "name": row.get("name"),
                "customer_id": company.id if company.stored and not company.deleted else None,
                "same_as_row": company.first_row if action == "same_as_row" else None,
                "contact": added,
                "filled": filled,
                "differs": differs,
                "reassigned_to": reassigned_to,
            }
        )
    for company in (by_id[customer["id"]] for customer in customers):  # by_id also maps the merged
        filled = {k: v for k, v in company.fills.items() if k not in MOVE}
        if filled:
            plan.filled.append(("customers", company.id, filled))
        if company.fills.keys() & MOVE:
            plan.moved.append(("customers", company.id, {k: company.fills[k] for k in MOVE}))
        plan.filled += [("contacts", p.id, p.fills) for p in company.people.values() if p.fills]
    if owner is not None:
        for entity, _, values in plan.changes:
            if entity == "customers" and not values.get("owner_id"):
                values["owner_id"], values["team"] = owner
    # A company's rows together may say more than a field holds (each row alone was checked).
    for company in {id(c): c for cs in companies.values() for c in cs if c.filled}.values():
        problems = row_errors(CUSTOMER_SCHEMA.validate(company.values), CUSTOMER_LABELS)
        if problems:
            plan.errors.setdefault(str(company.first_row), []).extend(problems)
    return plan


def known_companies(customers, contacts, deleted):
    """The companies a row may name, ``(by folded name, by id)``: the stored customers with
    their people; merged ones as their survivor (by their old name, and their id in an old
    export); deleted ones, after the live ones of their name, to bring nothing back."""
    companies: dict[str, list[Company]] = {}  # by folded name: a few of each name at most
    by_id = {}
    for customer in customers:
        company = Company(company_key(customer.get("name")), digits(customer.get("phone")), stored=customer)
        companies.setdefault(company.key, []).append(company)
        by_id[customer["id"]] = company
    for contact in contacts:
        if contact.get("customer_id") in by_id:
            by_id[contact["customer_id"]].people.setdefault(
                fold(contact.get("name")), Person(contact, stored=True)
            )
    for loser in deleted:
        if not loser.get("merged_into"):
            gone = Company(company_key(loser.get("name")), digits(loser.get("phone")), stored=loser)
            gone.deleted = True
            companies.setdefault(gone.key, []).append(gone)
            by_id.setdefault(loser["id"], gone)
            continue
        survivor = by_id.get(loser.get("merged_into"))
        if survivor is not None:
            key = company_key(loser.get("name"))
            survivor.aliases.append((key, digits(loser.get("phone"))))
            companies.setdefault(key, []).append(survivor)
            by_id.setdefault(loser["id"], survivor)
    return companies, by_id


def fill_customer(company, row, values, reassign=False):
    """A row of a stored customer: the headers of the fields it fills (the customer's empty
    ones, an earlier row's fill kept; with ``reassign`` its 営業担当) and of those it says
    otherwise (not written)."""
    kept = {**company.stored, **company.fills}
    fills, differs = gaps(kept, values, CUSTOMER_GAPS, CUSTOMER_HEADERS, alike)
    if values.get("notes") and not kept.get("notes"):
        fills["notes"] = values["notes"]
    if row.get("status") and values["status"] != (kept.get("status") or "active"):
        differs.append(CUSTOMER_HEADERS["status"])
    if values.get("owner_id") and values["owner_id"] != kept.get("owner_id"):
        if reassign and "owner_id" not in company.fills:  # the first row naming one decides
            fills.update(owner_id=values["owner_id"], team=values.get("team"))
        else:
            differs.append(CUSTOMER_HEADERS["owner_id"])
    company.fills.update(fills)
    return [CUSTOMER_HEADERS[f] for f in fills if f not in MOVE], differs


def fill_person(person, contact):
    """A row naming a contact person the company has already: fills what a stored person
    leaves empty, or what a person an earlier row created lacks; the headers of both lists
    name the person (「港 一郎: 役職」)."""
    if not person.stored:  # created by this file: its first rows are not yet anyone's edits
        for field, value in contact.items():
            person.values.setdefault(field, value)
        return [], []
    fills, differs = gaps({**person.values, **person.fills}, contact, CONTACT_GAPS, CONTACT_LABELS, alike)
    if contact.get("left") and not person.values.get("left"):  # said, not done: as a differing value
        differs.append(LEFT_MARK)
    person.fills.update(fills)
    name = contact["name"]  # as the file writes it
    return [f"{name}: {CONTACT_LABELS[f]}" for f in fills], [f"{name}: {label}" for label in differs]


def row_values(row, others, owner_of):
    """``(customer values, contact values or None, problems)`` of one row."""
    problems, values = [], customer_values(row, others)
    if not row.get("name"):
        problems.append(
            say("会社名: missing; every row needs the company's name.", "会社名：空です。会社名は必須です。")
        )
    if row.get("owner"):
        owner = owner_of(row["owner"])
        if owner is None:
            problems.append(
                say(
                    "営業担当: no one active user has the name or login 「{owner}」.",
                    "営業担当：「{owner}」という名前かログインIDのユーザーが一人に決まりません。",
                    owner=row["owner"],
                )
            )
        else:
            values["owner_id"], values["team"] = owner
    if row.get("status") and fold(row["status"]) not in STATUS_OF:
        problems.append(
            say(
                "区分: 「{status}」 is none of 見込み客, 取引先, 休眠.",
                "区分：「{status}」は 見込み客・取引先・休眠 のどれでもありません。",
                status=row["status"],
            )
        )
    values["status"] = STATUS_OF.get(fold(row.get("status")), "active")
    named = {**values, "name": values.get("name") or "-"}  # a missing name is said above
    problems += row_errors(CUSTOMER_SCHEMA.validate(named), CUSTOMER_LABELS)
    if row.get("contact_left") and fold(row["contact_left"]) not in LEFT | STAYED:
        problems.append(
            say(
                "退職・異動: 「{mark}」 says neither; write 退職・異動 (or ○) for a person who left, or leave it empty.",
                "退職・異動：「{mark}」ではわかりません。退職・異動した人には「退職・異動」（または ○）、在籍の人は空欄にしてください。",
                mark=row["contact_left"],
            )
        )
    contact = contact_values(row)
    if contact:
        problems += row_errors(
            CONTACT_SCHEMA.validate({**contact, "customer_id": str(uuid.uuid4())}), CONTACT_LABELS
        )
    return values, contact, problems


def customer_values(row, others):
    """The customer's fields from a row; what has no field of its own goes into the notes as
    「見出し: 値」 lines, so nothing in the file is left behind."""
    values = {field: row.get(field) for field in CUSTOMER_FIELDS if row.get(field)}
    if values.get("name_kana"):
        values["name_kana"] = katakana(values["name_kana"])
    address = " ".join(part for part in (row.get("address"), row.get("address2")) if part)
    if address:
        values["address"] = address
    notes = [row["notes"]] if row.get("notes") else []
    if not row.get("contact"):  # a person's details with no person: kept in the notes
        notes += [f"{header}: {row[column]}" for header, column in CONTACT_ONLY if row.get(column)]
    notes += [f"{header}: {text}" for header, text in others]
    if notes:
        values["notes"] = "\n".join(notes)
    return values


CONTACT_ONLY = [("部署", "department"), ("役職", "title"), ("携帯", "mobile"), ("FAX", "fax")]
CONTACT_ONLY += [
    ("担当者電話", "contact_phone"),
    ("担当者メール", "contact_email"),
    ("退職・異動", "contact_left"),
]


def contact_values(row):
    """The contact person a row names, or None."""
    if not row.get("contact"):
        return None
    contact = {field: row.get(column) for field, column in CONTACT_FIELDS.items() if row.get(column)}
    if contact.get("name_kana"):
        contact["name_kana"] = katakana(contact["name_kana"])
    if fold(row.get("contact_left")) in LEFT:
        contact["left"] = True
    return contact


# The export's columns, as the import reads them back: (header, where the value comes from).
EXPORT_COLUMNS = [
    ("顧客ID", "customer", "id"),
    ("会社名", "customer", "name"),
    ("フリガナ", "customer", "name_kana"),
    ("区分", "customer", "status"),
    ("郵便番号", "customer", "postal_code"),
    ("住所", "customer", "address"),
    ("電話番号", "customer", "phone"),
    ("メール", "customer", "email"),
    ("URL", "customer", "url"),
    ("営業担当", "customer", "owner_id"),
    ("出所", "customer", "source"),
    ("備考", "customer", "notes"),
    ("担当者名", "contact", "name"),
    ("担当者フリガナ", "contact", "name_kana"),
    ("部署", "contact", "department"),
    ("役職", "contact", "title"),
    ("担当者電話", "contact", "phone"),
    ("携帯", "contact", "mobile"),
    ("FAX", "contact", "fax"),
    ("担当者メール", "contact", "email"),
    (LEFT_MARK, "contact", "left"),
]


def export_table(customers, contacts, users):
    """``(headers, rows)`` of the customer list: a row per contact person (a customer with
    none has one row of its own), customers by フリガナ then name, the import's headers, so the
    file comes back through the import as it went (nothing new). 営業担当 is the owner's name,
    or their login where another active user has the same name; empty for a deactivated one."""
    people = {}
    for contact in contacts:
        people.setdefault(contact.get("customer_id"), []).append(contact)
    active = [u for u in users if u["active"]]
    named = {}
    for user in active:
        named.setdefault(fold(user["name"]), []).append(user)
    owners = {u["id"]: u["name"] if len(named[fold(u["name"])]) == 1 else u["login"] for u in active}
    statuses = labels("customer.status")
    rows = []
    for customer in sorted(customers, key=lambda c: (c.get("name_kana") or c.get("name") or "", c["id"])):
        shown = {
            **customer,
            "status": statuses.get(customer.get("status") or "active", ""),
            "owner_id": owners.get(customer.get("owner_id"), ""),
        }
        persons = sorted(  # those who left after the others
            people.get(customer["id"], []),
            key=lambda p: (bool(p.get("left")), p.get("name_kana") or p.get("name") or ""),
        )
        for person in persons or [{}]:
            source = {
                "customer": shown,
                "contact": {**person, "left": LEFT_MARK if person.get("left") else ""},
            }
            rows.append([source[kind].get(field) or "" for _, kind, field in EXPORT_COLUMNS])
    return [header for header, _, _ in EXPORT_COLUMNS], rows
