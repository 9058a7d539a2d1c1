"""The manager's board as CSV that Excel opens in Japanese: every deal with its stage, who holds
the ball and for how many days, last activity, owner and follow-up."""

from collections import defaultdict

from flask import current_app, g, request
from sqlalchemy import select

from sync import live_records

from server.core.audit import note
from server.core.auth import role_required
from server.core.blueprint import Blueprint
from server.core.calendar import today
from server.core.db import db
from server.core.engine import ENGINE
from server.core.models import User
from server.core.spreadsheet import XLSX, dated_export, excel_csv, workbook
from server.core.vocabulary import OFFICE_ROLES, labels
from server.deals.follow_up import days_since, follow_up, last_activity, overdue_by
from server.deals.schemas import BoardQuerySchema
from server.requests.api import local_time

bp = Blueprint("deals", __name__)

COLUMNS = [
    ("id", "案件ID"),
    ("customer", "顧客"),
    ("title", "案件名"),
    ("stage", "段階"),
    ("ball", "ボール"),
    ("ball_days", "ボール日数"),
    ("ball_since", "ボールの起点"),
    ("last_activity", "最終活動"),
    ("idle_days", "活動なし日数"),
    ("amount", "金額（円）"),
    ("expected_close", "受注予定日"),
    ("owner", "担当"),
    ("follow_up", "要フォロー"),
    ("competitors", "競合（製品・価格）"),
]
STAGE_LABELS = labels("deal.stage")
BALL_LABELS = {"ours": "当社", "customer": "顧客"}
RULE_LABELS = {
    "ours": "ボールが当社に{days}日（基準{limit}日）",
    "customer": "ボールが顧客に{days}日（基準{limit}日）",
    "idle": "活動なし{days}日（基準{limit}日）",
}


def live(actor, entity):
    """The live records of an entity the actor may read, as dicts."""
    return live_records(db.session, entity, engine=ENGINE, actor=actor)


def board_rows(actor, filters, limits, until=None):
    """Deals in scope that pass the filters, longest with the ball first."""
    until = until or today()
    related = defaultdict(lambda: {"history": [], "visits": [], "events": []})
    for item in live(actor, "history"):
        if item.get("entity") == "deals":
            related[item["record_id"]]["history"].append(item)
    for item in live(actor, "visits"):
        if item.get("deal_id"):
            related[item["deal_id"]]["visits"].append(item)
    for item in live(actor, "deal_events"):
        related[item["deal_id"]]["events"].append(item)
    rows = []
    for deal in live(actor, "deals"):
        if not passes(deal, filters):
            continue
        links = related[deal["id"]]
        activity = last_activity(deal, **links)
        reasons = follow_up(deal, activity, until, limits)
        if filters.get("follow_up") is not None and bool(reasons) != filters["follow_up"]:
            continue
        rows.append(
            {
                "deal": deal,
                "events": links["events"],
                "activity": activity,
                "reasons": reasons,
                "ball_days": days_since(deal.get("ball_since"), until),
                "idle_days": days_since(activity, until),
            }
        )
    rows.sort(key=lambda r: (-r["ball_days"], -overdue_by(r["reasons"]), r["deal"]["id"]))
    return rows


def passes(deal, filters):
    stage = deal.get("stage") or "card_exchange"
    if filters["status"] == "open" and stage in ("won", "lost"):
        return False
    if "stage" in filters and stage != filters["stage"]:
        return False
    return "owner_id" not in filters or deal.get("owner_id") == str(filters["owner_id"])


def competitors_text(deal, events):
    """Competitors named on the deal and in its events: 「名前（製品）¥価格」."""
    named = [(c.get("name"), c.get("product"), c.get("price")) for c in deal.get("competitors") or []]
    named += [
        (e.get("competitor_name"), e.get("competitor_product"), e.get("competitor_price"))
        for e in sorted(events, key=lambda e: e.get("occurred_at") or "")
        if e.get("kind") == "competitor"
    ]
    parts = []
    for name, product, price in named:
        if not name:
            continue
        text = name + (f"（{product}）" if product else "") + (f" ¥{price:,}" if price is not None else "")
        if text not in parts:
            parts.append(text)
    return " / ".join(parts)


def export_table(filters):
    """The board's headers and rows as the exports write them, longest with the ball first;
    the export is noted in the audit trail."""
    rows = board_rows(g.actor, filters, current_app.config["FOLLOW_UP_DAYS"])
    customers = {c["id"]: c.get("name") or "" for c in live(g.actor, "customers")} if rows else {}
    names = dict(db.session.execute(select(User.id, User.name)).all())
    note(g.user.id, "export", what="deals", rows=len(rows), filters=request.args.to_dict())
    table = []
    for row in rows:
        deal = row["deal"]
        values = {
            **{k: deal.get(k) for k, _ in COLUMNS},
            "customer": customers.get(deal["customer_id"], ""),
            "stage": STAGE_LABELS.get(deal.get("stage"), deal.get("stage")),
            "ball": BALL_LABELS.get(deal.get("ball"), deal.get("ball")),
            "ball_days": row["ball_days"],
            "ball_since": local_time(deal.get("ball_since")),
            "last_activity": local_time(row["activity"]),
            "idle_days": row["idle_days"],
            "owner": names.get(deal.get("owner_id"), ""),
            "follow_up": "、".join(
                RULE_LABELS[rule].format(days=days, limit=limit) for rule, days, limit in row["reasons"]
            ),
            "competitors": competitors_text(deal, row["events"]),
        }
        table.append([values[k] for k, _ in COLUMNS])
    return [header for _, header in COLUMNS], table


@bp.get("/deals/export.csv")
@role_required(*OFFICE_ROLES)
@bp.arguments(BoardQuerySchema, location="query")
@bp.response(
    200,
    {"type": "string"},
    content_type="text/csv",
    description=("UTF-8 with a BOM, Japanese headers; longest with the ball first, days in Asia/Tokyo"),
)
def export_csv(filters):
    """The manager's board as CSV (UTF-8 with BOM, Japanese headers) for Excel."""
    return dated_export(excel_csv(*export_table(filters)), "csv", "deals", "案件ボード")


@bp.get("/deals/export.xlsx")
@role_required(*OFFICE_ROLES)
@bp.arguments(BoardQuerySchema, location="query")
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type=XLSX,
    description="one sheet 案件ボード, the CSV's rows and headers",
)
def export_xlsx(filters):
    """The manager's board as an Excel workbook (amounts and days as numbers, text never a formula)."""
    headers, table = export_table(filters)
    return dated_export(workbook("案件ボード", headers, table), "xlsx", "deals", "案件ボード")
