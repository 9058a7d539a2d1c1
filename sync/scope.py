"""Who sees which scope root, and so every record that goes with it.

Users whose role sees everything read every record; everyone else reads the roots they own,
those of their team and those they are members of (with the records of each). Private
records (and the conflicts of their fields) are stored with ``team`` set to ``PRIVATE``: only
the user in ``owner_id`` and actors who read private records read them, whatever else they see.
Personal ones, with ``PERSONAL``, only the user in ``owner_id``.
"""

from sqlalchemy import and_, false, func, or_, select, union
from sqlalchemy.orm import aliased

from . import hlc as hlcs
from .models import Record, ScopeEvent

# Never a team's name: the team column of a private record holds one of these instead of a team.
PRIVATE = "~private"
PERSONAL = "~personal"
MARKER = "~"  # what both begin with, and so no team's name may
TEAM_HELP = "must not begin with ~, which marks private records"


def a_marker(team):
    """Whether a team's name would be read as a private or personal record's marker."""
    return isinstance(team, str) and team.startswith(MARKER)


def sees(actor, owner_id, team, member):
    """Whether a scope-limited actor sees a root with this owner and team."""
    return owner_id == actor.user_id or (actor.team is not None and team == actor.team) or member


def privacy(entities, entity, data):
    """``PERSONAL``, ``PRIVATE`` or None: as the record's entity is, or for a conflict of a
    field, as that field's entity is."""
    of = data.get("entity") if entity == "conflicts" else entity
    if of not in entities or not entities[of].private:
        return None
    return PERSONAL if entities[of].personal else PRIVATE


def is_private(entities, entity, data):
    """Whether a record is private (personal records are): of a private entity, or a conflict
    of one's field."""
    return privacy(entities, entity, data) is not None


def root_ids_in_scope(engine, actor):
    """A selectable of the ids of the roots a scope-limited actor sees now."""
    conditions = [Record.owner_id == actor.user_id]
    if actor.team is not None:  # as ``sees`` has it
        conditions.append(Record.team == actor.team)
    owned = select(Record.id).where(Record.entity == engine.scope.root, or_(*conditions))
    members = select(Record.customer_id).where(
        Record.entity == engine.scope.membership, Record.owner_id == actor.user_id, Record.deleted == false()
    )
    if engine.scope.pending is not None:
        members = members.where(or_(Record.team.is_(None), Record.team != engine.scope.pending))
    return union(owned, members)


def memberships_readable(engine, actor):
    """A WHERE clause over ``Record`` keeping, of the memberships, those an actor who does not
    read private records may read: their own, and those of the roots they own (whose owner
    decides on them). Whoever else sees the root does not see who asked to follow it."""
    root = aliased(Record)
    owned = select(root.id).where(root.entity == engine.scope.root, root.owner_id == actor.user_id)
    return or_(
        Record.entity != engine.scope.membership,
        Record.owner_id == actor.user_id,
        Record.customer_id.in_(owned),
    )


def owned_anywhere(engine):
    """The entities whose records their owner reads outside the scope: a conflict its
    ``lost_by`` user lost, a membership its member asked for (before it grants anything)."""
    return ("conflicts", engine.scope.membership)


def readable(engine, actor, by_position=False):
    """A WHERE clause over ``Record`` for the records an actor may read.

    ``by_position`` keeps SQLite from answering the scope test with its scope index (which
    reads and sorts every record in scope), so a feed read walks ``seq`` from the cursor.
    """
    if actor.sees_everything:
        clause = Record.compacted == false()
    else:
        scope_id = func.coalesce(Record.customer_id, "") if by_position else Record.customer_id
        clause = and_(
            Record.compacted == false(),
            or_(
                Record.customer_id.is_(None),
                scope_id.in_(root_ids_in_scope(engine, actor)),
                and_(Record.entity.in_(owned_anywhere(engine)), Record.owner_id == actor.user_id),
            ),
        )
    if not actor.reads_private:
        clause = and_(clause, memberships_readable(engine, actor))
    hidden = Record.team != PERSONAL if actor.reads_private else Record.team.not_in([PRIVATE, PERSONAL])
    return and_(clause, or_(Record.team.is_(None), hidden, Record.owner_id == actor.user_id))


def was_in_scope(session, user_id, scope_id, hlc):
    """Whether a scope-limited user had the root in scope at the moment ``hlc``."""
    last = session.execute(
        select(ScopeEvent.gained)
        .where(
            ScopeEvent.user_id == user_id,
            ScopeEvent.customer_id == scope_id,
            ScopeEvent.hlc <= hlc,
            ScopeEvent.part.is_(None),
        )
        .order_by(ScopeEvent.hlc.desc(), ScopeEvent.seq.desc())
        .limit(1)
    ).scalar()
    return bool(last)


def within_grace(session, actor, scope_id, hlc, *, now_ms, grace_ms):
    """Whether a write made at ``hlc`` to a root the actor no longer sees may still land.

    It may when the root was in scope at ``hlc``, the device has not pulled past the change
    that took it away (so it could not know), and that change is younger than ``grace_ms``
    (``None``: no limit). A loss not yet in the feed (made earlier in the same push) counts as
    just now.
    """
    if not was_in_scope(session, actor.user_id, scope_id, hlc):
        return False
    loss = session.execute(
        select(ScopeEvent.seq, ScopeEvent.hlc)
        .where(
            ScopeEvent.user_id == actor.user_id,
            ScopeEvent.customer_id == scope_id,
            ScopeEvent.gained == false(),
            ScopeEvent.part.is_(None),
            ScopeEvent.hlc > hlc,
        )
        .order_by(ScopeEvent.hlc, ScopeEvent.seq)
        .limit(1)
    ).first()
    if loss is None:
        return True
    young = grace_ms is None or hlcs.physical_ms(loss.hlc) > now_ms - grace_ms
    return loss.seq >= actor.pulled_seq and young


def loss_between(user_id, pulled_seq, start):
    """The test for a loss of scope of ``user_id`` at a feed position from ``pulled_seq`` up to
    ``start`` (column expressions or bound parameters), to be put in an ``exists`` or a WHERE."""
    return and_(
        ScopeEvent.user_id == user_id,
        ScopeEvent.gained == false(),
        ScopeEvent.part.is_(None),
        ScopeEvent.seq >= pulled_seq,
        ScopeEvent.seq < start,
    )
