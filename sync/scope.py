"""Who sees which customer.

Office, manager, admin and technicians see every customer; a rep sees the customers they own,
those of their team and those they follow. The records of a customer go with it.
"""
from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select, union

from .entities import SEES_EVERY_CUSTOMER
from .models import Record, ScopeEvent, User


@dataclass(frozen=True)
class Actor:
    """The signed-in user and the device they push from."""

    user_id: str
    role: str
    team: str | None
    device_id: str

    @property
    def sees_everything(self):
        return self.role in SEES_EVERY_CUSTOMER


def rep_sees(user_id, team, customer, following):
    """Whether a rep sees a customer (a dict with owner_id and team) they may follow."""
    return (customer.get("owner_id") == user_id
            or (team is not None and customer.get("team") == team)
            or following)


def customer_ids_in_scope(actor):
    """A selectable of the ids of the customers a rep sees now."""
    conditions = [Record.owner_id == actor.user_id]
    if actor.team:
        conditions.append(Record.team == actor.team)
    owned = select(Record.id).where(Record.entity == "customers", or_(*conditions))
    followed = select(Record.customer_id).where(
        Record.entity == "follows", Record.owner_id == actor.user_id, Record.deleted == false())
    return union(owned, followed)


def readable(actor, by_position=False):
    """A WHERE clause over ``Record`` for the records an actor may read.

    ``by_position`` keeps SQLite from answering the scope test with its customer index (which
    reads and sorts every record in scope), so a feed read walks ``seq`` from the cursor.
    """
    if actor.sees_everything:
        return Record.compacted == false()
    customer = func.coalesce(Record.customer_id, "") if by_position else Record.customer_id
    return and_(Record.compacted == false(), or_(
        Record.customer_id.is_(None),
        customer.in_(customer_ids_in_scope(actor)),
        and_(Record.entity == "conflicts", Record.owner_id == actor.user_id),
    ))


def was_in_scope(session, user_id, customer_id, hlc):
    """Whether a rep had the customer in scope at the moment ``hlc``."""
    last = session.execute(
        select(ScopeEvent.gained)
        .where(ScopeEvent.user_id == user_id, ScopeEvent.customer_id == customer_id,
               ScopeEvent.hlc <= hlc)
        .order_by(ScopeEvent.hlc.desc(), ScopeEvent.seq.desc()).limit(1)
    ).scalar()
    return bool(last)


def reps_seeing(session, customer, follower_ids):
    """The reps who see a customer (dict with owner_id, team) followed by ``follower_ids``."""
    conditions = []
    if customer.get("owner_id"):
        conditions.append(User.id == customer["owner_id"])
    if customer.get("team"):
        conditions.append(User.team == customer["team"])
    if follower_ids:
        conditions.append(User.id.in_(sorted(follower_ids)))
    if not conditions:
        return set()
    return set(session.execute(
        select(User.id).where(User.role == "rep", or_(*conditions))).scalars())
