"""A person's day as the reports show it: their visits, the requests they heard, the photos
and their daily report, read through the reader's scope."""

from dataclasses import dataclass, field
from datetime import date as Date

from sqlalchemy import select

from sync import live_record, live_records
from sync.models import Record

from server.core.calendar import company_day, company_time
from server.core.engine import ENGINE
from server.core.models import User
from server.reports.entities import daily_report_id


@dataclass
class Day:
    """Everything a daily report or a service report prints, already read."""

    user: dict
    date: str
    visits: list
    requests: list
    report: dict | None
    customers: dict = field(default_factory=dict)
    photos: dict = field(default_factory=dict)  # visit id -> its attachments

    def as_json(self):
        return {
            "user": self.user,
            "date": self.date,
            "visits": self.visits,
            "requests": self.requests,
            "report": self.report,
        }


def directory_entry(user):
    return {"id": user.id, "name": user.name, "role": user.role, "team": user.team}


def written_by(session, entity, user_id, actor):
    """The live records of ``entity`` a user wrote, as the actor may read them."""
    # The stored JSON is compact (sync.wire), so the author's id appears exactly like this.
    mark = Record.data.contains(f'"author_id":"{user_id}"')
    return live_records(session, entity, engine=ENGINE, actor=actor, where=[mark])


def in_days(instant, first, last):
    return instant is not None and first <= company_day(instant).isoformat() <= last


def read_days(session, actor, user, first, last):
    """The visits and requests ``user`` logged from ``first`` to ``last`` (dates, inclusive)."""
    visits = sorted(
        (
            v
            for v in written_by(session, "visits", user.id, actor)
            if in_days(v.get("visited_at"), first, last)
        ),
        key=lambda v: company_time(v["visited_at"]),
    )
    visit_ids = {v["id"] for v in visits}
    requests = sorted(
        (
            r
            for r in written_by(session, "requests", user.id, actor)
            if r.get("visit_id") in visit_ids
            or in_days(r.get("heard_at") or r.get("created_at"), first, last)
        ),
        key=lambda r: r.get("heard_at") or r.get("created_at"),
    )
    return visits, requests


def customers_of(session, records):
    ids = {r["customer_id"] for r in records if r.get("customer_id")}
    if not ids:
        return {}
    return {c["id"]: c for c in live_records(session, "customers", ids=ids)}


def photos_of(session, actor, visit_ids):
    """The attachments of the visits, by visit id, oldest first."""
    out = {}
    if not visit_ids:
        return out
    rows = live_records(
        session,
        "attachments",
        engine=ENGINE,
        actor=actor,
        where=[Record.data.contains('"owner_entity":"visits"')],
    )
    for row in rows:
        if row.get("owner_id") in visit_ids:
            out.setdefault(row["owner_id"], []).append(row)
    return out


def read_day(session, actor, user, date):
    """The day ``date`` (``YYYY-MM-DD``) of ``user`` as ``actor`` may read it."""
    visits, requests = read_days(session, actor, user, date, date)
    report = live_record(session, "daily_reports", daily_report_id(user.id, date), engine=ENGINE, actor=actor)
    return Day(
        directory_entry(user),
        date,
        visits,
        requests,
        report,
        customers_of(session, visits + requests),
        photos_of(session, actor, {v["id"] for v in visits}),
    )


def read_visit(session, actor, visit):
    """A single visit's service report: the visit, its requests, photos and author."""
    requests = [
        r
        for r in live_records(
            session, "requests", engine=ENGINE, actor=actor, scope_ids=[visit["customer_id"]]
        )
        if r.get("visit_id") == visit["id"]
    ]
    author = session.get(User, visit.get("author_id")) if visit.get("author_id") else None
    date = company_day(visit["visited_at"]).isoformat()
    return Day(
        directory_entry(author) if author else {},
        date,
        [visit],
        requests,
        None,
        customers_of(session, [visit]),
        photos_of(session, actor, {visit["id"]}),
    )


def month_bounds(month):
    """``YYYY-MM`` → its first and last dates as strings."""
    year, number = int(month[:4]), int(month[5:7])
    first = Date(year, number, 1)
    following = Date(year + number // 12, number % 12 + 1, 1)
    return first.isoformat(), Date.fromordinal(following.toordinal() - 1).isoformat()


def users_by_id(session, ids=None):
    query = select(User)
    if ids is not None:
        query = query.where(User.id.in_(sorted(ids)))
    return {u.id: u for u in session.execute(query).scalars()}
