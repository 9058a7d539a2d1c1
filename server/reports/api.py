"""The reports of a day and of a visit: ``/api/v1/reports/daily`` (JSON, PDF, the month as
CSV) and ``/api/v1/visits/{id}/report.pdf``. A person reads their own; office, managers and
admins read everyone's."""

import io
import re
from urllib.parse import quote

from flask import Response, current_app, g
from marshmallow import fields

from sync import live_record
from sync.entity import Whole, within_years

from server.attachments.storage import storage_for
from server.core.auth import token_required
from server.core.blueprint import Blueprint
from server.core.calendar import company_day, company_time, today
from server.core.db import db
from server.core.engine import ENGINE
from server.core.errors import ApiError
from server.core.schemas import Arguments
from server.core.spreadsheet import download, excel_csv
from server.core.vocabulary import OFFICE_ROLES, label
from server.core.words import NO_USER, Said
from server.reports import day as days, pdf
from server.reports.entities import daily_report_id

bp = Blueprint("reports", __name__)
# Not \d: it takes full-width digits. Years 1900-2199, as every date (sync.entity.YEARS).
MONTH = re.compile(r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$")


QUERY_HELP = Said(
    "Check the query: user_id is a user's id, date is YYYY-MM-DD, month is YYYY-MM.",
    "条件を確かめてください：user_id は利用者のID、date は YYYY-MM-DD、month は YYYY-MM です。",
)


class DayQuerySchema(Arguments):
    invalid_message = QUERY_HELP

    user_id = fields.UUID()
    date = fields.Date(validate=within_years)


class MonthQuerySchema(Arguments):
    invalid_message = QUERY_HELP

    user_id = fields.UUID()
    month = fields.String(required=True, validate=Whole(MONTH, error="must be YYYY-MM, e.g. 2026-12"))


def day_reader(view):
    """Document and check what every view of one person's day shares."""
    for decorate in (
        bp.error(404, "no such user"),
        bp.error(403, "another person's report: you read only your own"),
        bp.arguments(DayQuerySchema, location="query"),
        token_required,
    ):
        view = decorate(view)
    return view


def reported_user(user_id):
    """The user whose report is asked for: oneself, or anyone for office, managers, admins."""
    user_id = str(user_id) if user_id else g.user.id
    if user_id != g.user.id and g.user.role not in OFFICE_ROLES:
        raise ApiError(
            403,
            Said(
                "You can read only your own daily reports; office staff and managers read everyone's.",
                "読めるのは自分の日報だけです。事務と管理者は全員の日報を読めます。",
            ),
            reason="forbidden",
        )
    user = days.users_by_id(db.session, [user_id]).get(user_id)
    if user is None:
        raise ApiError(404, NO_USER, reason="not_found")
    return user


def company():
    config = current_app.config
    return {
        "name": config["COMPANY_NAME"],
        "address": config["COMPANY_ADDRESS"],
        "phone": config["COMPANY_PHONE"],
        "logo": config["COMPANY_LOGO"],
    }


def asked_day(query):
    date = (query.get("date") or today()).isoformat()
    return days.read_day(db.session, g.actor, reported_user(query.get("user_id")), date)


def pdf_response(make, filename):
    try:
        body = make()
    except pdf.FontMissing as err:
        raise ApiError(
            503,
            Said(
                f"Reports cannot be printed on this server: {err}.",
                f"このサーバーでは帳票を印刷できません：{err}。",
            ),
            reason="font_missing",
        )
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"inline; filename=\"report.pdf\"; filename*=UTF-8''{quote(filename)}"
        },
    )


@bp.get("/reports/daily")
@day_reader
@bp.alt_response(200, schema={"type": "object"}, description="user, date, visits, requests and report")
def daily(query):
    """A person's day: their visits, the requests they heard and their daily report."""
    return asked_day(query).as_json()


@bp.get("/reports/daily.pdf")
@day_reader
@bp.alt_response(
    200,
    schema={"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="the day as a printed A4 report",
)
def daily_pdf(query):
    """The day as a printed 作業日報 / 営業日報."""
    day = asked_day(query)
    return pdf_response(lambda: pdf.daily_report(day, company()), f"日報_{day.user['name']}_{day.date}.pdf")


@bp.get("/visits/<uuid:visit_id>/report.pdf")
@token_required
@bp.error(404, "no such visit in your scope")
@bp.alt_response(
    200,
    schema={"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="the service report, A4",
)
def visit_report(visit_id):
    """The service report (作業報告書) of one visit, with the customer's signature."""
    visit = live_record(db.session, "visits", str(visit_id), engine=ENGINE, actor=g.actor)
    if visit is None:
        raise ApiError(
            404,
            Said(
                "There is no visit with this id that you can see.",
                "見られる訪問の中に、このIDのものはありません。",
            ),
            reason="not_found",
        )
    day = days.read_visit(db.session, g.actor, visit)
    attachments = day.photos.get(visit["id"], [])
    signature = next((path for path in files(attachments, "signature")), None)
    photos = list(files(attachments, "photo"))
    issued = today().strftime("%Y年%m月%d日")
    customer = day.customers.get(visit["customer_id"], {}).get("name", "")
    return pdf_response(
        lambda: pdf.service_report(day, company(), signature, photos, issued),
        f"作業報告書_{customer}_{day.date}.pdf",
    )


def files(attachments, purpose):
    """The uploaded images among ``attachments`` with this purpose, as files, newest last."""
    storage = storage_for(current_app)
    for item in sorted(attachments, key=lambda a: a.get("taken_at") or a.get("created_at") or ""):
        if (
            (item.get("purpose") or "photo") == purpose
            and item.get("uploaded")
            and item.get("content_type") in ("image/png", "image/jpeg")
            and storage.has(item["sha256"])
        ):
            with storage.blob_copy(item["sha256"]) as source:  # any backend: bytes, not a path
                yield io.BytesIO(source.read())


CSV_COLUMNS = [
    "日付",
    "担当者",
    "開始",
    "顧客",
    "区分",
    "目的",
    "作業内容",
    "作業時間（分）",
    "使用部品",
    "署名者",
    "次回対応",
    "日報の状況",
]


@bp.get("/reports/daily.csv")
@token_required
@bp.arguments(MonthQuerySchema, location="query")
@bp.error(403, "another person's month: you read only your own")
@bp.error(404, "no such user")
@bp.alt_response(200, schema={"type": "string"}, content_type="text/csv", description="UTF-8 with BOM")
def month_csv(query):
    """A month of visits, one row each, for payroll and the monthly review (UTF-8 with BOM).

    Office, managers and admins get everyone's when they name no user.
    """
    first, last = days.month_bounds(query["month"])
    if query.get("user_id") or g.user.role not in OFFICE_ROLES:
        people = [reported_user(query.get("user_id"))]
    else:
        people = sorted(days.users_by_id(db.session).values(), key=lambda u: u.name)
    rows = []
    for user in people:
        visits, _ = days.read_days(db.session, g.actor, user, first, last)
        customers = days.customers_of(db.session, visits)
        statuses = report_statuses(user, visits)
        for v in visits:
            date = company_day(v["visited_at"]).isoformat()
            rows.append(
                [
                    date,
                    user.name,
                    company_time(v["visited_at"]).strftime("%H:%M"),
                    customers.get(v["customer_id"], {}).get("name", ""),
                    label("visit.kind", v.get("kind")),
                    v.get("purpose"),
                    v.get("handling"),
                    v.get("work_minutes"),
                    "、".join(f"{p['name']}×{pdf.quantity(p.get('quantity'))}" for p in v.get("parts") or []),
                    v.get("signed_by"),
                    v.get("next_action"),
                    label("daily_report.status", statuses.get(date)) if statuses.get(date) else "",
                ]
            )
    month = query["month"]
    return download(excel_csv(CSV_COLUMNS, rows), "text/csv", f"daily_{month}.csv", f"日報_{month}.csv")


def report_statuses(user, visits):
    """The status of the user's daily report of each day that has visits."""
    dates = {company_day(v["visited_at"]).isoformat() for v in visits}
    out = {}
    for date in dates:
        report = live_record(
            db.session, "daily_reports", daily_report_id(user.id, date), engine=ENGINE, actor=g.actor
        )
        if report:
            out[date] = report.get("status")
    return out
