"""Deals at a glance: days with the ball, last activity, and the follow-up rules.

Days are calendar days in the company's time zone (Asia/Tokyo): a change at 23:30 JST counts
from that JST day. Nothing here is stored; whoever shows a deal computes its days, and the
device does the same in ``pwa/js/deals.js``.
"""

from server.core.calendar import company_day, company_time

CLOSED_STAGES = ("won", "lost")
# ours: the ball has been with us this long; customer: with the customer; idle: nothing happened.
FOLLOW_UP_RULES = ("ours", "customer", "idle")
FOLLOW_UP_DEFAULTS = {"ours": 3, "customer": 14, "idle": 30}


def parse_follow_up(text):
    """``"ours=3,customer=14,idle=30"`` → ``{"ours": 3, "customer": 14, "idle": 30}``."""
    limits = dict(FOLLOW_UP_DEFAULTS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, days = part.partition("=")
        if name.strip() not in FOLLOW_UP_RULES or not days.strip().isdigit():
            raise ValueError(f"FOLLOW_UP_DAYS: {part!r} is not rule=days (ours, customer, idle)")
        limits[name.strip()] = int(days)
    return limits


def days_since(instant, today):
    """Calendar days from the company day of ``instant`` to ``today`` (0 the same day)."""
    if not instant:
        return 0
    return max(0, (today - company_day(instant)).days)


def last_activity(deal, history=(), visits=(), events=()):
    """The latest moment something happened on a deal: a change, a visit or an event."""
    moments = [deal.get("ball_since")]
    moments += [h.get("at") for h in history]
    moments += [v.get("visited_at") for v in visits if not v.get("deleted")]
    moments += [e.get("occurred_at") or e.get("created_at") for e in events if not e.get("deleted")]
    moments = [m for m in moments if m]
    return max(moments, key=company_time) if moments else deal.get("created_at")


def follow_up(deal, activity, today, limits):
    """Why an open deal needs following up: ``[(rule, days, limit)]``, empty when it does not."""
    if deal.get("deleted") or deal.get("stage") in CLOSED_STAGES:
        return []
    reasons = []
    ball_days = days_since(deal.get("ball_since") or deal.get("created_at"), today)
    ball = deal.get("ball") or "ours"
    if ball_days > limits[ball]:
        reasons.append((ball, ball_days, limits[ball]))
    idle_days = days_since(activity, today)
    if idle_days > limits["idle"]:
        reasons.append(("idle", idle_days, limits["idle"]))
    return reasons


def overdue_by(reasons):
    """How many days past its limit the most overdue rule is."""
    return max((days - limit for _, days, limit in reasons), default=0)


def follow_up_list(deals, activities, today, limits):
    """Deals that need following up, most overdue first: ``[(deal, reasons)]``."""
    out = []
    for deal in deals:
        reasons = follow_up(deal, activities.get(deal["id"]), today, limits)
        if reasons:
            out.append((deal, reasons))
    out.sort(
        key=lambda row: (-overdue_by(row[1]), -days_since(row[0].get("ball_since"), today), row[0]["id"])
    )
    return out
