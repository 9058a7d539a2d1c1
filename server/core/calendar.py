"""The company calendar: Japanese public holidays, business days, and response targets
(business days per team and urgency).

Holidays come from the maintained ``holidays`` library (the Cabinet Office's list, substitute
and citizens' holidays included), never from a hand-written table. A business day is a weekday
that is not a public holiday; ages count business days in the company's time zone.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from server.core.vocabulary import ROUTES

COMPANY_TZ = ZoneInfo("Asia/Tokyo")
URGENCIES = ("high", "normal", "low")
# A request whose status is one of these has been answered: it is never overdue.
DONE_STATUSES = ("answered", "closed")


DEFAULT_TARGETS = {"high": 1, "normal": 3, "low": 10}


def parse_targets(text):
    """``"high=1,normal=3,manufacturing.high=2"`` → business days per team and urgency.

    A bare ``urgency=days`` sets it for every team; ``team.urgency=days`` overrides it for one
    team (``sales``, ``manufacturing``, ``service``, ``triage``) whatever the order.
    """
    base, overrides = dict(DEFAULT_TARGETS), []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, days = (piece.strip() for piece in part.partition("="))
        team, _, urgency = name.rpartition(".")
        if urgency not in URGENCIES or not days.isdigit() or (team and team not in ROUTES):
            raise ValueError(
                f"RESPONSE_TARGET_DAYS: {part!r} is not urgency=days or team.urgency=days "
                f"(urgencies {', '.join(URGENCIES)}; teams {', '.join(ROUTES)})"
            )
        if team:
            overrides.append((team, urgency, int(days)))
        else:
            base[urgency] = int(days)
    targets = {team: dict(base) for team in ROUTES}
    for team, urgency, days in overrides:
        targets[team][urgency] = days
    return targets


def target_days(request, targets):
    """Business days within which the request's team should answer it."""
    team = targets.get(request.get("route_to") or "triage", targets["triage"])
    return team.get(request.get("urgency") or "normal", team["normal"])


def japanese_holidays(first_year, last_year):
    """``{date: name}`` of the Japanese public holidays of the years, names in Japanese."""
    return dict(sorted(holidays.Japan(years=range(first_year, last_year + 1), language="ja").items()))


def company_time(instant):
    """An RFC 3339 instant (naive means UTC) in the company's time zone."""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(COMPANY_TZ)


def company_day(instant):
    """The company-calendar date of an instant."""
    return company_time(instant).date()


def today():
    return datetime.now(COMPANY_TZ).date()


def business_days_between(start, end, days_off):
    """Business days after ``start`` up to and including ``end`` (0 on the same day)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in days_off:
            count += 1
    return count


def age_of(heard_at, until=None, days_off=None):
    """A request's age in business days, counted from when it was heard on site."""
    if not heard_at:
        return 0
    start, end = company_day(heard_at), until or today()
    if days_off is None:
        days_off = japanese_holidays(start.year, max(end.year, start.year))
    return business_days_between(start, end, days_off)


def is_overdue(request, age, targets):
    """Beyond its team's target for its urgency and not answered yet."""
    if request.get("status") in DONE_STATUSES:
        return False
    return age > target_days(request, targets)


def calendar(first_year, last_year, targets):
    """What a device needs to count ages and overdue requests offline."""
    return {
        "time_zone": str(COMPANY_TZ),
        "from": first_year,
        "to": last_year,
        "weekend": [6, 0],  # Saturday and Sunday (JavaScript's getDay numbers)
        "holidays": [
            {"date": d.isoformat(), "name": name}
            for d, name in japanese_holidays(first_year, last_year).items()
        ],
        # Per team and urgency; ``response_targets`` (per urgency, as for triage) is what
        # devices of protocol 1 before team targets read.
        "team_targets": {team: dict(days) for team, days in targets.items()},
        "response_targets": dict(targets["triage"]),
    }
