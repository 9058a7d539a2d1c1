"""Reading a production plan as Japanese offices keep it: CSV from Excel (UTF-8, with or without
BOM, or Shift_JIS/CP932) or an ``.xlsx``, one row per load (工程, 週 or 日付, 時間, 確度, 件名)."""

import csv
import io
from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from openpyxl import load_workbook

from sync.entity import Text

from server.load.entities import IsoWeek, hours
from server.load.weeks import week_of

CONFIDENCE_LABELS = {"確定": "firm", "内示": "likely", "見込": "possible"}
XLSX_MAGIC = b"PK\x03\x04"


class PlanRowSchema(Schema):
    """One row of the plan; the headers are the Japanese ones Excel shows."""

    group = Text(100, required=True, data_key="工程")
    week = IsoWeek(data_key="週")
    day = fields.Date(allow_none=True, data_key="日付")
    hours = hours(required=True, data_key="時間")
    confidence = fields.String(
        allow_none=True, data_key="確度", validate=validate.OneOf(list(CONFIDENCE_LABELS))
    )
    label = Text(data_key="件名")

    @validates_schema
    def has_a_week(self, data, **kwargs):
        if not data.get("week") and not data.get("day"):
            raise ValidationError("give the week (週, e.g. 2027-W05) or a date (日付)", "週")


plan_row = PlanRowSchema()
HEADERS = {"工程", "週", "日付", "時間", "確度", "件名"}


class UnreadablePlan(ValueError):
    """The file is neither a CSV nor an .xlsx this reader understands, or has no usable header."""


def rows_of(content, filename=""):
    """The rows as ``(row number, {header: text})``, the header being row 1."""
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        table = xlsx_rows(content)
    else:
        # newline="": the reader takes CR, LF and CRLF as row ends itself (a CSV that old Mac
        # Excel saved ends its rows with CR alone).
        try:
            table = list(csv.reader(io.StringIO(decode(content), newline="")))
        except csv.Error as err:
            raise UnreadablePlan(
                f"The file is not a CSV this reader understands ({err}): save it again as CSV or .xlsx."
            ) from None
    if not table:
        raise UnreadablePlan("The file is empty: save the plan with a header row 工程, 週 or 日付, 時間.")
    headers = [str(h or "").strip() for h in table[0]]
    missing = [name for name in ("工程", "時間") if name not in headers]
    if missing or ("週" not in headers and "日付" not in headers):
        raise UnreadablePlan("The first row must name the columns 工程, 週 or 日付, 時間 (and 確度, 件名).")
    for number, cells in enumerate(table[1:], start=2):
        row = {h: cell for h, cell in zip(headers, cells, strict=False) if h in HEADERS}
        if any(cell not in (None, "") for cell in row.values()):
            yield number, row


def decode(content):
    """Text of a CSV as Excel saves it: UTF-8 (BOM or not), else Shift_JIS (CP932)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp932")
    except UnicodeDecodeError:
        raise UnreadablePlan(
            "The file is neither UTF-8 nor Shift_JIS text: save it as CSV or .xlsx."
        ) from None


def xlsx_rows(content):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UnreadablePlan("The .xlsx file cannot be read: save it again from Excel.") from None
    return [[cell_text(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]


def cell_text(value):
    """A cell as the text a CSV would hold."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def read_plan(content, filename, group_ids):
    """``(entries, errors)``: the load entries of the plan, or the errors keyed by row number.

    ``group_ids`` maps a resource group's name to its id.
    """
    entries, errors = [], {}
    for number, raw in rows_of(content, filename):
        cleaned = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in raw.items()}
        try:
            row = plan_row.load(cleaned)
        except ValidationError as err:
            errors[str(number)] = [
                f"{field}: {', '.join(messages) if isinstance(messages, list) else messages}"
                for field, messages in err.messages.items()
            ]
            continue
        group = group_ids.get(row["group"])
        if group is None:
            errors[str(number)] = [f"工程: no resource group is named {row['group']!r}"]
            continue
        entries.append(
            {
                "resource_group_id": group,
                "week": row.get("week") or week_of(row["day"]),
                "hours": row["hours"],
                "confidence": CONFIDENCE_LABELS[row.get("confidence") or "確定"],
                "label": row.get("label"),
                "source": "import",
            }
        )
    return entries, errors
