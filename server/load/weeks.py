"""ISO weeks (``YYYY-Www``) and the working days in them.

A working day is a weekday that is neither a Japanese public holiday nor a company holiday;
the device counts the same way (``pwa/js/load.js``).
"""

import re
from datetime import date, timedelta

from sync.entity import YEARS, YEARS_HELP

WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})\Z")  # not \d: it takes full-width digits, never counted
WEEK_HELP = "must be an ISO week such as 2027-W05 (week 01 to 52, or 53 in long years)"


def monday_of(week):
    """The Monday of an ISO week ``YYYY-Www``; ValueError if there is no such week."""
    found = WEEK.match(week) if isinstance(week, str) else None
    if found is None:
        raise ValueError(WEEK_HELP)
    year, number = int(found[1]), int(found[2])
    if year not in YEARS:
        raise ValueError(YEARS_HELP)
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(WEEK_HELP) from None


def week_of(day):
    """The ISO week a date falls in."""
    year, number, _ = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def add_weeks(week, count):
    """The week ``count`` weeks after ``week``."""
    return week_of(monday_of(week) + timedelta(weeks=count))


def weeks_from(week, count):
    """``count`` consecutive weeks starting with ``week``."""
    monday = monday_of(week)
    return [week_of(monday + timedelta(weeks=n)) for n in range(count)]


def working_days(week, days_off):
    """Weekdays of the week that are not in ``days_off`` (a set of dates)."""
    monday = monday_of(week)
    return sum(1 for n in range(5) if monday + timedelta(days=n) not in days_off)
