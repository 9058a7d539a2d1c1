"""Capacity, load and utilisation per resource group and week, and the earliest week an order fits.

Pure functions over plain values; the device computes the same (``pwa/js/load.js``), and a
test runs both over one table of cases.
"""

import math

from server.load.weeks import working_days

CONFIDENCES = ("firm", "likely", "possible")


def round3(value):
    """Round half up to 3 decimals, as the device does (Python's ``round`` is half-even)."""
    return math.floor(value * 1000 + 0.5) / 1000


def parse_weights(text):
    """``"likely=0.6,possible=0.3"`` → the weights of unconfirmed load (firm always counts 1)."""
    weights = {"firm": 1.0, "likely": 0.6, "possible": 0.3}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = (piece.strip() for piece in part.partition("="))
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if name not in ("likely", "possible") or not 0 <= weight <= 1:
            raise ValueError(f"LOAD_WEIGHTS: {part!r} is not likely=W or possible=W with W between 0 and 1")
        weights[name] = weight
    return weights


def capacity_hours(days, group):
    """Hours a group can work in ``days`` working days."""
    return days * (group.get("hours_per_day") or 0) * (group.get("efficiency") or 0)


def utilisation(loads, capacity, weights):
    """Weighted load over capacity, or None where there is no capacity."""
    if capacity <= 0:
        return None
    weighted = sum(weights[c] * loads[c] for c in CONFIDENCES)
    return weighted / capacity


def load_table(weeks, groups, entries, days_off, weights):
    """Per week: working days and, per group, capacity, load by confidence and utilisation."""
    totals = {}
    for entry in entries:
        key = (entry.get("week"), entry.get("resource_group_id"))
        loads = totals.setdefault(key, dict.fromkeys(CONFIDENCES, 0.0))
        confidence = entry.get("confidence") or "firm"
        loads[confidence] = loads[confidence] + (entry.get("hours") or 0)
    table = []
    for week in weeks:
        days = working_days(week, days_off)
        rows = []
        for group in groups:
            loads = totals.get((week, group["id"]), dict.fromkeys(CONFIDENCES, 0.0))
            capacity = capacity_hours(days, group)
            used = utilisation(loads, capacity, weights)
            rows.append(
                {
                    "resource_group_id": group["id"],
                    "capacity_hours": round3(capacity),
                    **{c: round3(loads[c]) for c in CONFIDENCES},
                    "utilisation": None if used is None else round3(used),
                    "weighted": sum(weights[c] * loads[c] for c in CONFIDENCES),
                    "capacity": capacity,
                }
            )
        table.append({"week": week, "working_days": days, "groups": rows})
    return table


def utilisation_after(row, hours, weights):
    """A group's utilisation in a week once ``hours`` more are firm there (None: no capacity)."""
    if row["capacity"] <= 0:
        return None
    return round3((row["weighted"] + hours) / row["capacity"])


def fit(table, process_hours, weights, limit):
    """The first week of ``table`` where adding ``process_hours`` keeps every group it uses at
    or under ``limit``, with the utilisations after; ``(None, {})`` when no week does."""
    wanted = {group: hours for group, hours in process_hours.items() if hours > 0}
    for week in table:
        rows = {row["resource_group_id"]: row for row in week["groups"]}
        after = {group: utilisation_after(rows[group], hours, weights) for group, hours in wanted.items()}
        if all(u is not None and u <= limit for u in after.values()):
            return week["week"], after
    return None, {}


def public(table):
    """The table as the API answers it (without the unrounded working figures)."""
    return [
        {
            "week": week["week"],
            "working_days": week["working_days"],
            "groups": [
                {k: v for k, v in row.items() if k not in ("weighted", "capacity")} for row in week["groups"]
            ],
        }
        for week in table
    ]
