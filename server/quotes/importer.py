"""Past quotes from Excel (見積台帳): a CSV (UTF-8 or Shift_JIS) or an ``.xlsx``, one row per
quote, under headers such as 顧客名, 見積番号, 見積日, 図番, 品名, 材質, 寸法, 加工方法, 数量,
金額, 原価, 苦労した点. A new deployment's quote search answers 「以前と同じもの」 from its first
day only with the history the office kept before.

``plan_quotes`` is pure: from the rows and the customers stored to the quotes to create or each
row's errors. A quote's id is derived from its customer and 見積番号 (or, without one, from
what the row says), so the same file twice adds nothing. ``import_quotes`` runs it.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from sync import live_records
from sync.models import Record

from server.core.calendar import COMPANY_TZ
from server.core.list_import import Preview, check_rows, gaps, import_session, read_list, write_import
from server.core.spreadsheet import Headers, read_rows
from server.core.text import fold
from server.core.vocabulary import labels
from server.core.words import Said, row_errors, say
from server.customers.duplicates import company_key
from server.quotes.entities import QuoteSchema

MAX_ROWS = 5000
IMPORT_LOCK = 0x67656E6261_02  # PostgreSQL's advisory lock key of the quote import ("genba", 2)
QUOTE_NAMESPACE = uuid.UUID("4b6f7465-2d69-6d70-6f72-742d67656e62")  # a quote's id from its row

COLUMNS = {
    "id": ("見積ID",),  # ours, as the export writes it: the row is that quote
    "customer_id": ("顧客ID",),
    "customer": ("顧客名", "会社名", "得意先名", "取引先名", "得意先", "客先", "customer"),
    "number": ("見積番号", "見積No", "見積No.", "見積書番号", "quote no", "number"),
    "quoted_on": ("見積日", "提出日", "見積提出日", "date"),
    "drawing_no": ("図番", "図面番号", "drawing no", "drawing"),
    "product": ("品名", "製品名", "品目", "product"),
    "material": ("材質", "材料", "material"),
    "dimensions": ("寸法", "サイズ", "dimensions"),
    "processing_method": ("加工方法", "工法", "method"),
    "processing_details": ("加工内容", "仕様", "details"),
    "quantity": ("数量", "個数", "quantity"),
    "amount": ("金額", "見積金額", "見積額", "売価", "amount"),
    "actual_cost": ("原価", "実績原価", "実際原価", "cost"),
    "lead_time_days": ("納期日数", "リードタイム", "lead time"),
    "difficulties": ("苦労した点", "注意点", "difficulties"),
    "status": ("状態", "結果", "受注", "status"),
}
HEADERS = Headers(
    COLUMNS,
    "customer",
    Said(
        "No header row names the customer: the first rows must include a column 顧客名 (or 会社名, "
        "得意先名), with others such as 見積番号, 見積日, 図番, 品名, 材質, 寸法, 数量, 金額.",
        "顧客名の列がありません。最初の行に「顧客名」（または会社名、得意先名）の見出しを入れてください"
        "（ほかに見積番号、見積日、図番、品名、材質、寸法、数量、金額など）。",
    ),
)
# The columns a quote's fields come from as they are (the others are read: dates, numbers).
TEXT_FIELDS = ("drawing_no", "product", "material", "dimensions", "processing_method", "difficulties")
# A quote's outcome as people write it, besides the app's own labels (提出済み, 受注, 不採用).
STATUS_WORDS = {
    "draft": ("下書き", "作成中", "draft"),
    "submitted": ("提出", "提出済", "提出済み", "見積済", "回答済", "submitted"),
    "accepted": ("受注", "成約", "〇", "○", "accepted", "won"),
    "rejected": ("失注", "不採用", "見送り", "×", "rejected", "lost"),
}
LABELS = {"customer": "顧客名", "number": "見積番号", "quoted_on": "見積日", "drawing_no": "図番"}
LABELS |= {"product": "品名", "material": "材質", "dimensions": "寸法", "processing_method": "加工方法"}
LABELS |= {"processing_details": "加工内容", "quantity": "数量", "amount": "金額", "actual_cost": "原価"}
LABELS |= {
    "lead_time_days": "納期日数",
    "difficulties": "苦労した点",
    "status": "状態",
    "submitted_at": "見積日",
}
ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
DAY = re.compile(
    r"(?P<era>令和|平成|昭和|[rhs])?\s*(?P<y>\d{1,4}|元)\s*[年/.\-]\s*(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})日?"
)
YEN = re.compile(r"^[¥\\]?(?P<n>\d+(?:\.\d+)?)(?P<man>万)?円?$")


def day_of(text):
    """A date as Japanese lists write it: 2023/4/5, 2023-04-05, 2023年4月5日, 令和5年4月5日,
    R5.4.5, 令和元年…; None if it is none of these or no such day."""
    found = DAY.fullmatch(text.strip().lower())
    if not found:
        return None
    year = 1 if found["y"] == "元" else int(found["y"])
    if found["era"]:
        year += ERAS[found["era"]]
    elif year < 100:
        return None  # 23/4/5: which century, or which era, is a guess
    try:
        return date(year, int(found["m"]), int(found["d"]))
    except ValueError:
        return None


def yen_of(text):
    """Whole yen from 1,200,000 / ¥1,200,000 / 1200000円 / 120万円 / 1200000.0; None if not."""
    found = YEN.fullmatch(text.replace(",", "").replace(" ", ""))
    if not found:
        return None
    value = float(found["n"]) * (10_000 if found["man"] else 1)
    return int(value) if value.is_integer() else None


def whole_of(text, unit):
    """A whole number written with its unit or not (10個, 1,000, 30日); None if not."""
    digits = text.replace(",", "").removesuffix(unit).strip()
    if digits.endswith(".0"):
        digits = digits[:-2]
    return int(digits) if digits.isdigit() else None


def status_codes():
    codes = {word.lower(): code for code, words in STATUS_WORDS.items() for word in words}
    for language in ("ja", "en"):
        codes |= {label.lower(): code for code, label in labels("quote.status", language).items()}
    return codes


STATUS_OF = status_codes()


def rows_of(content, filename=""):
    """The list's rows under the quote columns, and the other headers (kept in 加工内容)."""
    return read_rows(content, filename, HEADERS, max_rows=MAX_ROWS)


# How far along a quote is: a row moves a kept quote's outcome forward (提出 to 受注), never back.
PROGRESS = {"draft": 0, "submitted": 1, "accepted": 2, "rejected": 2}
FILLED = (
    *TEXT_FIELDS,
    "processing_details",
    "submitted_at",
    "quantity",
    "amount",
    "actual_cost",
    "lead_time_days",
)


@dataclass
class QuotePlan:
    changes: list  # (entity, id, values) of the quotes to create
    filled: list  # (entity, id, values) of kept quotes' empty fields to fill
    moved: list  # (entity, id, {"status"}) of kept quotes whose outcome moves forward
    updated: int  # kept quotes the file fills or moves forward
    preview: list  # the first rows, with what each does
    errors: dict  # a bad row's number: its errors
    deleted: int  # rows of quotes deleted since: not brought back


def plan_quotes(rows, customers, kept):
    """What importing ``rows`` writes, as a ``QuotePlan``: the quotes to create, and the
    fields of kept ones to fill; the first rows with what each does; each bad row's errors
    keyed by its number. ``kept(ids)`` answers which of those quote ids are stored:
    ``(live records by id, ids deleted)``. A kept quote gets the fields it leaves empty and an
    outcome further along (受注 where it was 提出済み); what the row says otherwise is shown,
    not written. A deleted one is not brought back."""
    by_id = {c["id"]: c for c in customers}
    by_name: dict[str, list] = {}
    for customer in customers:
        by_name.setdefault(company_key(customer.get("name")), []).append(customer)
    read, errors = [], {}
    schema = QuoteSchema()
    named = {row["id"].lower() for _, row, _ in rows if row.get("id")}
    stored, deleted = kept(named) if named else ({}, set())
    for number, row, others in rows:
        problems = []
        customer = find_customer(row, by_id, by_name, problems)
        # A 見積ID the export wrote is that quote (of the row's customer); another system's
        # code stays, in 加工内容.
        quote_id = (row.get("id") or "").lower()
        kept_quote = stored.get(quote_id)
        if quote_id not in deleted and not (
            kept_quote and customer and kept_quote["customer_id"] == customer["id"]
        ):
            if row.get("id"):
                others = [("見積ID", row["id"]), *others]
            quote_id = ""
        values = quote_values(row, others, problems)
        if customer:
            values["customer_id"] = customer["id"]
            problems += row_errors(schema.validate(values), LABELS)
        if problems:
            errors[str(number)] = problems
            continue
        quote_id = quote_id or str(uuid.uuid5(QUOTE_NAMESPACE, identity(customer["id"], row)))
        what = values.get("product") or values.get("drawing_no") or row.get("number") or ""
        read.append((number, row, quote_id, values, f"{customer['name']}・{what}".rstrip("・")))
    ids = {quote_id for _, _, quote_id, _, _ in read} - named
    if ids:
        found, found_deleted = kept(ids)
        stored, deleted = {**stored, **found}, deleted | found_deleted
    changes, fills, preview, gone, created = [], {}, Preview(), 0, {}
    for number, row, quote_id, values, name in read:
        filled, differs = [], []
        if quote_id in deleted:
            action, gone = "deleted", gone + 1
        elif quote_id in created:  # a second row of a quote this file creates: it adds to it
            action = "existing"
            created[quote_id].update(quote_gaps(created[quote_id], values, row)[0])
        elif quote_id in stored:
            action = "existing"
            kept_quote = {**stored[quote_id], **fills.get(quote_id, {})}
            more, differs = quote_gaps(kept_quote, values, row)
            fills.setdefault(quote_id, {}).update(more)
            filled = [LABELS[field] for field in more]
        else:
            action = "create"
            created[quote_id] = values
            changes.append(("quotes", quote_id, values))
        preview.add({"row": number, "action": action, "name": name, "filled": filled, "differs": differs})
    filled, moved = [], []  # the outcome is written as a change; the rest only where still empty
    for quote_id, values in fills.items():
        blanks = {field: value for field, value in values.items() if field != "status"}
        if blanks:
            filled.append(("quotes", quote_id, blanks))
        if "status" in values:
            moved.append(("quotes", quote_id, {"status": values["status"]}))
    updated = sum(1 for values in fills.values() if values)
    return QuotePlan(changes, filled, moved, updated, preview, errors, gone)


def quote_gaps(kept, values, row):
    """What a row says of a quote kept already, as ``gaps``: the fields it gives that the
    quote leaves empty, and its outcome when further along."""
    fills, differs = gaps(kept, values, FILLED, LABELS, same)
    if row.get("status") and values["status"] != kept.get("status"):
        if PROGRESS[values["status"]] > PROGRESS.get(kept.get("status") or "draft", 0):
            fills["status"] = values["status"]
        else:
            differs.append(LABELS["status"])
    return fills, differs


def same(field, kept, value):
    """Two values of a quote's field that say the same: a day by its date, 加工内容 when the
    quote's has every line the row's has (a ledger with fewer columns says no less), text
    folded."""
    if field == "submitted_at":
        return japan_day(kept) == japan_day(value)
    if field == "processing_details":
        return {fold(line) for line in value.split("\n")} <= {fold(line) for line in str(kept).split("\n")}
    return fold(str(kept)) == fold(str(value)) if isinstance(value, str) else kept == value


def find_customer(row, by_id, by_name, problems):
    """The stored customer a row names: by 顧客ID, else by its name when one customer has it."""
    if row.get("customer_id") and row["customer_id"].lower() in by_id:
        return by_id[row["customer_id"].lower()]
    name = row.get("customer")
    if not name:
        problems.append(
            say(
                "顧客名: missing; every row needs the customer it was quoted to.",
                "顧客名：空です。顧客名は必須です。",
            )
        )
        return None
    found = by_name.get(company_key(name), [])
    if not found:
        problems.append(
            say(
                "顧客名: no customer is named 「{name}」; import the customer list first.",
                "顧客名：「{name}」という顧客がいません。先に顧客を取り込んでください。",
                name=name,
            )
        )
    elif len(found) > 1:
        problems.append(
            say(
                "顧客名: {n} customers are named 「{name}」; give the 顧客ID of the one meant.",
                "顧客名：「{name}」という顧客が{n}件あります。どれか顧客IDで示してください。",
                n=len(found),
                name=name,
            )
        )
    return found[0] if len(found) == 1 else None


def quote_values(row, others, problems):
    """A quote's fields from a row. 見積番号 and the columns with no field of their own go
    into 加工内容 as 「見出し: 値」 lines, where the search finds them too."""
    values = {field: row[field] for field in TEXT_FIELDS if row.get(field)}
    if row.get("quoted_on"):
        day = day_of(row["quoted_on"])
        if day is None:
            problems.append(
                say(
                    "見積日: 「{day}」 is not a date such as 2023/4/5 or 令和5年4月5日.",
                    "見積日：「{day}」は 2023/4/5 や 令和5年4月5日 のような日付ではありません。",
                    day=row["quoted_on"],
                )
            )
        else:  # noon in Japan: the same day wherever the quote is shown
            values["submitted_at"] = f"{day.isoformat()}T12:00:00+09:00"
    for field, read, unit in (
        ("amount", yen_of, "円"),
        ("actual_cost", yen_of, "円"),
        ("quantity", whole_of, "個"),
        ("lead_time_days", whole_of, "日"),
    ):
        if row.get(field):
            value = read(row[field]) if read is yen_of else read(row[field], unit)
            if value is None:
                problem = NOT_AN_AMOUNT if read is yen_of else NOT_WHOLE
                problems.append(say(problem, column=LABELS[field], value=row[field]))
            else:
                values[field] = value
    status = row.get("status")
    if status and status.lower() not in STATUS_OF:
        problems.append(
            say(
                "状態: 「{status}」 is none of 提出済み, 受注, 不採用, 下書き.",
                "状態：「{status}」は 提出済み・受注・不採用・下書き のどれでもありません。",
                status=status,
            )
        )
    values["status"] = STATUS_OF.get((status or "").lower(), "submitted")
    details = [f"見積番号: {row['number']}"] if row.get("number") else []
    details += [row["processing_details"]] if row.get("processing_details") else []
    details += [f"{header}: {text}" for header, text in others]
    if details:
        values["processing_details"] = "\n".join(details)
    return values


NOT_AN_AMOUNT = Said(
    "{column}: 「{value}」 is not an amount such as 128000, ￥128,000 or 12万円.",
    "{column}：「{value}」は金額として読めません（128000、￥128,000、12万円 の形で）。",
)
NOT_WHOLE = Said(
    "{column}: 「{value}」 is not a whole number.", "{column}：「{value}」は整数ではありません。"
)


def identity(customer_id, row):
    """What makes a row the same quote when it comes again: its customer and 見積番号, or
    without one everything the row says."""
    if row.get("number"):
        return f"genba:quote-import:{customer_id}:{row['number']}"
    said = "\x1f".join(f"{k}={row[k]}" for k in sorted(row) if k not in ("customer", "customer_id", "id"))
    return f"genba:quote-import:{customer_id}:{said}"


def import_quotes(content, filename, user_id, *, dry_run, via=None):
    """Import past quotes as ``user_id``; answer what it created and filled, or with
    ``dry_run`` what it would. An unreadable file or any bad row raises ``ApiError`` (422) and
    imports nothing."""
    rows, others = read_list(content, filename, rows_of, EMPTY)
    session = import_session(dry_run, IMPORT_LOCK)

    def kept(ids):
        # Deleted quotes too: one imported and deleted since is not brought back by the same file.
        query = select(Record.id, Record.deleted).where(Record.entity == "quotes", Record.id.in_(sorted(ids)))
        found = dict(session.execute(query).all())
        live = [i for i, gone in found.items() if not gone]
        stored = {q["id"]: q for q in live_records(session, "quotes", ids=live)} if live else {}
        return stored, {i for i, gone in found.items() if gone}

    plan = plan_quotes(rows, live_records(session, "customers"), kept)
    check_rows(plan.errors)
    answer = {
        "dry_run": dry_run,
        "rows": len(rows),
        "quotes_created": len(plan.changes),
        "quotes_existing": len(rows) - len(plan.changes) - plan.deleted,
        "quotes_updated": plan.updated,
        "quotes_deleted": plan.deleted,
        "notes_columns": others,
        "preview": plan.preview,
    }
    if not dry_run:
        write_import(
            session,
            user_id,
            plan.changes + plan.moved,  # an outcome further along is written; the rest fills blanks
            what="quotes",
            fills=plan.filled,
            via=via,
            rows=len(rows),
            quotes=len(plan.changes),
            quotes_updated=plan.updated,
        )
    return answer


EMPTY = Said("The file has a header row but no quotes under it.", "見出しの行の下に見積がありません。")


# The export's columns, as the import reads them back: (header, field).
EXPORT_COLUMNS = [
    ("見積ID", "id"),
    ("顧客ID", "customer_id"),
    ("顧客名", "customer"),
    ("見積日", "submitted_at"),
    ("図番", "drawing_no"),
    ("品名", "product"),
    ("材質", "material"),
    ("寸法", "dimensions"),
    ("加工方法", "processing_method"),
    ("加工内容", "processing_details"),
    ("数量", "quantity"),
    ("金額", "amount"),
    ("原価", "actual_cost"),
    ("納期日数", "lead_time_days"),
    ("苦労した点", "difficulties"),
    ("状態", "status"),
]


def export_table(quotes, customers):
    """``(headers, rows)`` of the quote ledger (見積台帳): a row per quote of a kept customer,
    oldest first, under the import's headers, so the file comes back through the import as it
    went: a row whose 原価 or 状態 was filled in Excel fills the quote. 見積日 is the day in
    Japan (2023/04/05), 状態 its Japanese label; amounts and counts are numbers."""
    names = {c["id"]: c.get("name") or "" for c in customers}
    statuses = labels("quote.status")
    rows = []
    kept = [q for q in quotes if q.get("customer_id") in names]  # a row the import could not place, none
    for quote in sorted(kept, key=lambda q: (q.get("submitted_at") or "9999", q["id"])):
        shown = {
            **quote,
            "customer": names.get(quote.get("customer_id"), ""),
            "submitted_at": japan_day(quote.get("submitted_at")),
            "status": statuses.get(quote.get("status") or "draft", ""),
        }
        rows.append([shown.get(field) if shown.get(field) is not None else "" for _, field in EXPORT_COLUMNS])
    return [header for header, _ in EXPORT_COLUMNS], rows


def japan_day(instant):
    """An instant as the day it was in Japan, written as the import reads it: 2023/04/05."""
    if not instant:
        return ""
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return moment.astimezone(COMPANY_TZ).strftime("%Y/%m/%d")
