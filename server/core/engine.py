"""The sync engine as Genba configures it: every entity, its rules, and who sees what.

A new entity is added to its domain's ``entities.py`` and listed in ``ENTITIES`` here
(parents before children, so a device applying a page in order never meets a dangling
reference). Business rules hang on the entity as ``sync.Rules``.
"""

from sqlalchemy import or_, select

from sync import Actor, Engine, Entity, Rejected, Rules, ScopeModel

from server.attachments.entities import ATTACHMENTS
from server.core.models import User
from server.core.vocabulary import OFFICE_ROLES, SEES_EVERY_CUSTOMER
from server.customers.entities import CONTACTS, CUSTOMERS, FOLLOWS
from server.deals.entities import DEAL_EVENTS, DEALS
from server.load.entities import COMPANY_HOLIDAYS, LOAD_ENTRIES, RESOURCE_GROUPS
from server.quotes.entities import QUOTES
from server.quotes.index import records_written as index_quotes
from server.reports.entities import DAILY_REPORTS
from server.requests.entities import REQUEST_READS, REQUESTS
from server.visits.entities import VISITS

USERS = Entity(
    "users", None, extra_fields=["name", "role", "team"], writable=False, scoped=False, team_field="team"
)

ENTITIES = [
    USERS,
    RESOURCE_GROUPS,
    COMPANY_HOLIDAYS,
    CUSTOMERS,
    CONTACTS,
    DEALS,
    DEAL_EVENTS,
    VISITS,
    REQUESTS,
    QUOTES,
    LOAD_ENTRIES,
    FOLLOWS,
    ATTACHMENTS,
    DAILY_REPORTS,
    REQUEST_READS,
]


def reps_seeing(session, customer, follower_ids):
    """The users limited to their scope who see a customer (its owner, its team's reps, the
    reps following it)."""
    conditions = []
    if customer.get("owner_id"):
        conditions.append(User.id == customer["owner_id"])
    if customer.get("team"):
        conditions.append(User.team == customer["team"])
    if follower_ids:
        conditions.append(User.id.in_(sorted(follower_ids)))
    if not conditions:
        return set()
    return set(
        session.execute(
            select(User.id).where(User.role.not_in(sorted(SEES_EVERY_CUSTOMER)), or_(*conditions))
        ).scalars()
    )


class ConflictRules(Rules):
    """A conflict is resolved by one of its two parties or by the office."""

    def check(self, ctx, current, values):
        actor = ctx.actor
        if (
            "resolved" in values
            and actor.role not in OFFICE_ROLES
            and actor.user_id not in (current.data.get("lost_by"), current.data.get("kept_by"))
        ):
            raise Rejected({"resolved": ["not_allowed"]})


ENGINE = Engine.build(
    ENTITIES,
    ScopeModel(
        root="customers",
        membership="follows",
        watchers=reps_seeing,
        field="customer_id",
        out_of_scope="out_of_scope",
        redirect_field="merged_into",
        decisive_fields=frozenset({"status"}),
        pending="requested",
    ),
    records_written=[index_quotes],
    conflict_rules=[ConflictRules()],
    # A new device lists and searches customers (with their contacts and the people's names)
    # while visits, requests and the rest stream in.
    first=["users", "customers", "contacts", "follows"],
)


def actor(user_id, role, team, device_id, pulled_seq=0):
    """The engine's view of a signed-in user on one device."""
    return Actor(
        user_id=user_id,
        role=role,
        team=team,
        device_id=device_id,
        sees_everything=role in SEES_EVERY_CUSTOMER,
        reads_private=role in OFFICE_ROLES,
        pulled_seq=pulled_seq,
    )


def server_actor(user_id, node):
    """The server writing on behalf of ``user_id`` (its clock's device is the server node)."""
    return Actor(
        user_id=user_id, role="admin", team=None, device_id=node, sees_everything=True, reads_private=True
    )
