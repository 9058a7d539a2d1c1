"""The office's view of requests: the company calendar devices count ages with, and the
inbox exported as CSV and as .xlsx that Excel opens in Japanese."""

from flask import current_app, g, request
from sqlalchemy import select

from sync import live_records

from server.core.audit import note
from server.core.auth import role_required, token_required
from server.core.blueprint import Blueprint
from server.core.calendar import (
    age_of,
    calendar,
    company_time,
    is_overdue,
    japanese_holidays,
    target_days,
    today,
)
from server.core.db import db
from server.core.engine import ENGINE
from server.core.errors import ApiError
from server.core.models import User
from server.core.schemas import MAX_CALENDAR_YEARS, CalendarQuerySchema, CalendarSchema
from server.core.spreadsheet import XLSX, dated_export, excel_csv, workbook
from server.core.vocabulary import OFFICE_ROLES, OPEN_REQUEST_STATUSES, labels
from server.requests.schemas import ExportQuerySchema
from server.requests.search import matches_search

bp = Blueprint("requests", __name__)
OPEN_STATUSES = list(OPEN_REQUEST_STATUSES)
MAX_YEARS = 10  # holidays this far back count in a request's age


@bp.get("/calendar")
@token_required
@bp.arguments(CalendarQuerySchema, location="query")
@bp.response(200, CalendarSchema)
def company_calendar(query):
    """Japanese public holidays of the years asked for, the response targets per team and urgency,
    and the company's name, address and phone.

    Devices cache it to count request ages and overdue requests, and print quotes, offline.
    """
    year = today().year
    first = query.get("from_", min(year - 1, query.get("to", year)))
    last = query.get("to", max(year + 1, first))
    if last < first or last - first >= MAX_CALENDAR_YEARS:
        raise ApiError(
            422,
            CalendarQuerySchema.invalid_message,
            errors={"to": [f"between from and from + {MAX_CALENDAR_YEARS - 1}"]},
        )
    return {
        **calendar(first, last, current_app.config["RESPONSE_TARGET_DAYS"]),
        "follow_up_days": current_app.config["FOLLOW_UP_DAYS"],
        "company": {
            key: current_app.config[f"COMPANY_{key.upper()}"] for key in ("name", "address", "phone")
        },
    }


# Japanese headers, in the order Excel shows them: the number people quote first, the
# record's UUID last (for matching rows with the app, not for reading out).
COLUMNS = [
    ("number", "受付番号"),
    ("customer", "顧客"),
    ("kind", "種別"),
    ("title", "件名"),
    ("details", "詳しい内容"),
    ("urgency", "緊急度"),
    ("status", "状況"),
    ("route_to", "振り分け先"),
    ("route_rule", "振り分けルール"),
    ("assignee", "担当"),
    ("author", "聞いた人"),
    ("heard_at", "聞いた日時"),
    ("age", "経過営業日"),
    ("target", "回答目標（営業日）"),
    ("overdue", "期限超過"),
    ("response", "回答"),
    ("updated_at", "更新日時"),
    ("id", "内部ID"),
]
LABELS = {
    "kind": labels("request.kind"),
    "urgency": labels("request.urgency"),
    "status": labels("request.status"),
    "route_to": labels("request.route"),
}


def inbox_rows(actor, filters, targets):
    """Requests in the actor's scope that pass the filters: overdue first, then oldest first."""
    rows = live_records(db.session, "requests", engine=ENGINE, actor=actor)
    until = today()
    days_off = japanese_holidays(until.year - MAX_YEARS, until.year)
    out = []
    for item in rows:
        if not passes(item, filters):
            continue
        age = age_of(item.get("heard_at") or item.get("created_at"), until, days_off)
        overdue = is_overdue(item, age, targets)
        if filters.get("overdue") is not None and overdue != filters["overdue"]:
            continue
        if age < filters.get("min_age", 0):
            continue
        out.append((item, age, overdue))
    out.sort(key=lambda row: (not row[2], row[0].get("heard_at") or row[0].get("created_at") or ""))
    return out


def passes(item, filters):
    status = filters["status"]
    if status == "open" and item.get("status", "new") not in OPEN_STATUSES:
        return False
    if status not in ("open", "all") and item.get("status", "new") != status:
        return False
    if "team" in filters and item.get("route_to") != filters["team"]:
        return False
    return "customer_id" not in filters or item.get("customer_id") == str(filters["customer_id"])


def local_time(instant):
    return company_time(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


def export_table(filters):
    """The filtered inbox as spreadsheet rows under Japanese headers, for the actor."""
    targets = current_app.config["RESPONSE_TARGET_DAYS"]
    rows = inbox_rows(g.actor, filters, targets)
    customer_ids = {item["customer_id"] for item, _, _ in rows}
    customers = (
        {c["id"]: c.get("name") or "" for c in live_records(db.session, "customers", ids=customer_ids)}
        if customer_ids
        else {}
    )
    names = dict(db.session.execute(select(User.id, User.name)).all())
    table = []
    for item, age, overdue in rows:
        if not matches_search(item, customers.get(item["customer_id"]), filters.get("q")):
            continue
        values = {
            **{
                k: LABELS[k].get(item.get(k), item.get(k)) if k in LABELS else item.get(k) for k, _ in COLUMNS
            },
            "customer": customers.get(item["customer_id"], ""),
            "assignee": names.get(item.get("assignee_id"), ""),
            "author": names.get(item.get("author_id"), ""),
            "heard_at": local_time(item.get("heard_at")),
            "updated_at": local_time(item.get("updated_at")),
            "age": age,
            "target": target_days(item, targets),
            "overdue": "超過" if overdue else "",
        }
        table.append([values[k] for k, _ in COLUMNS])
    note(g.user.id, "export", what="requests", rows=len(table), filters=request.args.to_dict())
    return [header for _, header in COLUMNS], table


@bp.get("/requests/export.csv")
@role_required(*OFFICE_ROLES)
@bp.arguments(ExportQuerySchema, location="query")
@bp.response(
    200,
    {"type": "string"},
    content_type="text/csv",
    description="UTF-8 with a BOM, Japanese headers; overdue first, then oldest first",
)
def export_csv(filters):
    """The inbox with its filters as CSV (UTF-8 with BOM, Japanese headers) for Excel."""
    return dated_export(excel_csv(*export_table(filters)), "csv", "requests", "依頼一覧")


@bp.get("/requests/export.xlsx")
@role_required(*OFFICE_ROLES)
@bp.arguments(ExportQuerySchema, location="query")
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type=XLSX,
    description="one sheet 依頼一覧, the CSV's rows and headers",
)
def export_xlsx(filters):
    """The inbox with its filters as an Excel workbook (numbers as numbers, text never a formula)."""
    headers, table = export_table(filters)
    return dated_export(workbook("依頼一覧", headers, table), "xlsx", "requests", "依頼一覧")
