"""The demo factory: four resource groups, the company's holidays and a production plan that
keeps the shop about half full, with 溶接 over capacity in three weeks' time."""

import datetime as dt
import random

from server.core.calendar import japanese_holidays
from server.load.weeks import working_days

GROUPS = [  # name, hours per working day (people x hours), efficiency
    ("機械加工", 24, 0.85),
    ("溶接", 16, 0.85),
    ("組立", 16, 0.9),
    ("塗装", 8, 0.8),
]
# Share of each group's capacity already booked (firm, likely, possible) in an ordinary week.
BOOKED = {
    "機械加工": (0.35, 0.15, 0.08),
    "溶接": (0.32, 0.14, 0.1),
    "組立": (0.3, 0.12, 0.08),
    "塗装": (0.28, 0.1, 0.1),
}
JOBS = ["治具プレート", "SUSフレーム", "ロボット架台", "検査ゲージ", "装置カバー", "搬送ユニット部品"]
WEEKS = 12


def week_of(day):
    year, number, _ = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def full_weeks(today):
    """Weeks 1 to 8 ahead with five working days, but the one already over: delivery wishes."""
    days_off = set(japanese_holidays(today.year, today.year + 1))
    days_off |= {dt.date.fromisoformat(changes["date"]) for _, changes in company_holidays(today)}
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [week_of(monday + dt.timedelta(weeks=n)) for n in range(1, 9) if n != 3]
    return [week for week in weeks if working_days(week, days_off) == 5]


def company_holidays(today):
    """年末年始 and 夏季休暇 around this year and the next."""
    days = []
    for year in (today.year, today.year + 1):
        days += [(dt.date(year, 12, d), "年末年始休暇") for d in (29, 30, 31)]
        days += [(dt.date(year + 1, 1, d), "年末年始休暇") for d in (2, 3)]
        days += [(dt.date(year, 8, d), "夏季休暇") for d in (13, 14, 15)]
    return [(f"holiday-{day.isoformat()}", {"date": day.isoformat(), "name": name}) for day, name in days]


def factory_records(today, group_id):
    """``(key, entity, changes)`` of the groups, the holidays and the planned load;
    ``group_id(name)`` gives the record id a group will have."""
    rng = random.Random(17)
    records = [
        (
            f"group-{name}",
            "resource_groups",
            {"name": name, "hours_per_day": hours, "efficiency": efficiency, "sort": index},
        )
        for index, (name, hours, efficiency) in enumerate(GROUPS, start=1)
    ]
    holidays = company_holidays(today)
    records += [(key, "company_holidays", changes) for key, changes in holidays]
    days_off = set(japanese_holidays(today.year, today.year + 1))
    days_off |= {dt.date.fromisoformat(changes["date"]) for _, changes in holidays}
    monday = today - dt.timedelta(days=today.weekday())
    for offset in range(WEEKS):
        week = week_of(monday + dt.timedelta(weeks=offset))
        for name, hours, efficiency in GROUPS:
            capacity = working_days(week, days_off) * hours * efficiency  # holiday weeks hold less
            shares = BOOKED[name]
            spread = (0.8, 1.2)
            if name == "溶接" and offset == 3:
                shares, spread = (0.95, 0.3, 0.1), (1, 1.05)  # a big frame order lands here: over capacity
            for confidence, share in zip(("firm", "likely", "possible"), shares, strict=False):
                if offset > 6 and confidence == "firm":
                    share *= 0.5  # further out, less is confirmed
                load = round(capacity * share * rng.uniform(*spread))
                if load:
                    records.append(
                        (
                            f"load-{week}-{name}-{confidence}",
                            "load_entries",
                            {
                                "resource_group_id": group_id(name),
                                "week": week,
                                "hours": load,
                                "confidence": confidence,
                                "label": rng.choice(JOBS),
                                "source": "import",
                            },
                        )
                    )
    return records


def process_hours(rng, group_id):
    """Hours per group for a quoted job: most need machining, some welding, assembly, paint."""
    hours = {group_id("機械加工"): rng.choice((8, 12, 16, 24, 32))}
    for name, chance in (("溶接", 0.6), ("組立", 0.5), ("塗装", 0.4)):
        if rng.random() < chance:
            hours[group_id(name)] = rng.choice((4, 6, 8, 12))
    return hours
