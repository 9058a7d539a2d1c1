"""The factory's load: weeks of capacity and load per group, the earliest week an order fits,
and the production plan's import."""

import time
import uuid
from collections import Counter
from datetime import date

from flask import current_app, g
from marshmallow import fields, validate

from sync import live_records, write_changes
from sync.wire import iso_from_ms

from server.core.auth import role_required, token_required
from server.core.blueprint import Blueprint
from server.core.calendar import japanese_holidays, today
from server.core.db import db, writing_session
from server.core.engine import ENGINE, server_actor
from server.core.errors import ApiError
from server.core.list_import import FILE_BODY, check_rows, refused, uploaded
from server.core.schemas import Arguments
from server.core.spreadsheet import UnreadableFile
from server.core.vocabulary import OFFICE_ROLES
from server.core.words import Said
from server.load.capacity import fit, load_table, public
from server.load.entities import IsoWeek, hours
from server.load.importer import read_plan
from server.load.weeks import monday_of, week_of, weeks_from

bp = Blueprint("load", __name__)
FIT_WEEKS = 52


class LoadQuerySchema(Arguments):
    invalid_message = Said(
        "Ask as from=YYYY-Www&weeks=N, with N from 1 to 52.",
        "週は YYYY-Www の形、週数は1〜52で指定してください。",
    )

    from_ = IsoWeek(data_key="from")
    weeks = fields.Integer(load_default=12, validate=validate.Range(min=1, max=52))


class FitSchema(Arguments):
    invalid_message = Said(
        "Send process_hours as {resource group id: hours} and from as YYYY-Www.",
        "工程ごとの時間を数で、開始週を YYYY-Www の形で入れてください。",
    )

    process_hours = fields.Dict(
        keys=fields.UUID(),
        values=hours(required=True),
        required=True,
        validate=validate.Length(min=1, max=50),
    )
    from_ = IsoWeek(data_key="from")


def groups():
    """The active resource groups in their order."""
    found = [g_ for g_ in live_records(db.session, "resource_groups") if g_.get("active") is not False]
    return sorted(found, key=lambda g_: (g_.get("sort") or 0, g_.get("name") or "", g_["id"]))


def days_off(weeks):
    """Japanese public holidays and company holidays over the weeks."""
    first, last = monday_of(weeks[0]), monday_of(weeks[-1])
    off = set(japanese_holidays(first.year, last.year + 1))
    off |= {date.fromisoformat(h["date"]) for h in live_records(db.session, "company_holidays")}
    return off


def table(weeks):
    wanted = set(weeks)
    entries = [e for e in live_records(db.session, "load_entries") if e.get("week") in wanted]
    return load_table(weeks, groups(), entries, days_off(weeks), current_app.config["LOAD_WEIGHTS"])


@bp.get("/load")
@token_required
@bp.arguments(LoadQuerySchema, location="query")
@bp.alt_response(
    200,
    schema={"type": "object"},
    description="as_of and weeks: capacity, firm, likely, possible and utilisation per resource group",
)
def load(query):
    """Capacity, load by confidence and utilisation per group for ``weeks`` weeks from ``from``."""
    weeks = weeks_from(query.get("from_") or week_of(today()), query["weeks"])
    return {"as_of": iso_from_ms(int(time.time() * 1000)), "weeks": public(table(weeks))}


@bp.post("/load/fit")
@token_required
@bp.arguments(FitSchema, location="json")
@bp.alt_response(
    200, schema={"type": "object"}, description="week (null: none within 52 weeks) and utilisation_after"
)
def fit_order(order):
    """The earliest week from ``from`` in which the order's hours keep every group within the limit."""
    process_hours = {str(k): v for k, v in order["process_hours"].items()}
    known = {g_["id"] for g_ in groups()}
    unknown = sorted(set(process_hours) - known)
    if unknown:
        raise ApiError(
            422,
            Said(
                "Name only active resource groups in process_hours.",
                "工程には使用中の工程グループだけを指定してください。",
            ),
            errors={"process_hours": [f"unknown resource group {u}" for u in unknown]},
        )
    weeks = weeks_from(order.get("from_") or week_of(today()), FIT_WEEKS)
    week, after = fit(
        table(weeks), process_hours, current_app.config["LOAD_WEIGHTS"], current_app.config["LOAD_LIMIT"]
    )
    return {"week": week, "utilisation_after": after}


@bp.post("/load/import")
@role_required(*OFFICE_ROLES)
@bp.doc(**FILE_BODY)
@bp.error(422, "an unreadable file, or rows to correct (errors keyed by row number)")
@bp.alt_response(200, schema={"type": "object"}, description="rows, weeks, created, deleted")
def import_plan():
    """Replace the imported load of the weeks a production plan covers; all rows or none.

    A CSV in UTF-8 (with or without BOM) or Shift_JIS as Excel saves it, or an .xlsx; columns
    工程, 週 or 日付, 時間, 確度 (確定/内示/見込), 件名.
    """
    content, filename = uploaded()
    if not content:
        raise ApiError(
            422,
            Said(
                "Send the plan as a file (CSV or .xlsx) in the form field 'file'.",
                "生産計画をファイル（CSV か .xlsx）で送ってください。",
            ),
            errors={"file": ["missing"]},
        )
    names = {g_["name"]: g_["id"] for g_ in groups()}
    try:
        entries, errors = read_plan(content, filename, names)
    except UnreadableFile as err:
        raise refused(err.args[0]) from None
    check_rows(errors)
    session = writing_session()
    changes = replacement(entries, live_records(session, "load_entries"))
    write_changes(
        session,
        ENGINE,
        server_actor(g.user.id, current_app.config["SERVER_NODE"]),
        changes,
        now_ms=int(time.time() * 1000),
        server_node=current_app.config["SERVER_NODE"],
    )
    session.commit()
    created = sum(1 for _, _, values in changes if values is not None)
    return {
        "rows": len(entries),
        "weeks": sorted({e["week"] for e in entries}),
        "created": created,
        "deleted": len(changes) - created,
    }


def key(entry):
    return (
        entry["resource_group_id"],
        entry["week"],
        float(entry["hours"]),
        entry["confidence"],
        entry.get("label"),
    )


def replacement(entries, stored):
    """The changes that make the imported entries of the plan's weeks exactly the plan's rows;
    rows already there stay as they are."""
    weeks = {e["week"] for e in entries}
    wanted = Counter(key(e) for e in entries)
    changes = []
    for entry in stored:
        if entry.get("source") != "import" or entry.get("week") not in weeks:
            continue
        if wanted[key(entry)] > 0:
            wanted[key(entry)] -= 1
        else:
            changes.append(("load_entries", entry["id"], None))
    for entry in entries:
        if wanted[key(entry)] > 0:
            wanted[key(entry)] -= 1
            changes.append(("load_entries", str(uuid.uuid4()), entry))
    return changes
