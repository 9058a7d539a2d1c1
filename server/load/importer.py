"""Reading a production plan as Japanese offices keep it: CSV from Excel (UTF-8, with or without
BOM, or Shift_JIS/CP932) or an ``.xlsx``, one row per load (工程, 週 or 日付, 時間, 確度, 件名)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from sync.entity import Text, within_years

from server.core.spreadsheet import UnreadableFile, read_table
from server.core.words import Said, row_errors, say
from server.load.entities import IsoWeek, hours
from server.load.weeks import week_of

CONFIDENCE_LABELS = {"確定": "firm", "内示": "likely", "見込": "possible"}


class PlanRowSchema(Schema):
    """One row of the plan; the headers are the Japanese ones Excel shows."""

    group = Text(100, required=True, data_key="工程")
    week = IsoWeek(data_key="週")
    day = fields.Date(allow_none=True, data_key="日付", validate=within_years)
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


class UnreadablePlan(UnreadableFile):
    """The file cannot be read, or has no usable header."""


def rows_of(content, filename=""):
    """The rows as ``(row number, {header: text})``, the header being row 1."""
    table = read_table(content, filename)
    if not table:
        raise UnreadablePlan(
            Said(
                "The file is empty: save the plan with a header row 工程, 週 or 日付, 時間.",
                "ファイルが空です。見出しの行（工程、週か日付、時間）を入れて保存してください。",
            )
        )
    headers = [str(h or "").strip() for h in table[0]]
    missing = [name for name in ("工程", "時間") if name not in headers]
    if missing or ("週" not in headers and "日付" not in headers):
        raise UnreadablePlan(
            Said(
                "The first row must name the columns 工程, 週 or 日付, 時間 (and 確度, 件名).",
                "最初の行に見出し 工程、週か日付、時間（と確度、件名）を入れてください。",
            )
        )
    for number, cells in enumerate(table[1:], start=2):
        row = {h: cell for h, cell in zip(headers, cells, strict=False) if h in HEADERS}
        if any(cell not in (None, "") for cell in row.values()):
            yield number, row


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
            errors[str(number)] = row_errors(err.messages)
            continue
        group = group_ids.get(row["group"])
        if group is None:
            errors[str(number)] = [
                say(
                    "工程: no resource group is named 「{group}」",
                    "工程：「{group}」という工程がありません。",
                    group=row["group"],
                )
            ]
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
