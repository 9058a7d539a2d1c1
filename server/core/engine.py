"""The sync engine as Genba configures it: every entity, its rules, and who sees what.

A new entity is added to its domain's ``entities.py`` and listed in ``ENTITIES`` here
(parents before children, so a device applying a page in order never meets a dangling
reference). Business rules hang on the entity as ``sync.Rules``.
"""
from sqlalchemy import or_, select

from server.attachments.entities import ATTACHMENTS
from server.core.models import User
from server.core.vocabulary import SEES_EVERY_CUSTOMER
from server.customers.entities import CONTACTS, CUSTOMERS, FOLLOWS
from server.deals.entities import DEAL_EVENTS, DEALS
from server.quotes.entities import QUOTES
from server.quotes.index import records_written as index_quotes
from server.requests.entities import REQUESTS
from server.visits.entities import VISITS
from sync import Actor, Engine, Entity, ScopeModel

USERS = Entity("users", None, extra_fields=["name", "role", "team"], writable=False,
               scoped=False, team_field="team")

ENTITIES = [USERS, CUSTOMERS, CONTACTS, DEALS, DEAL_EVENTS, VISITS, REQUESTS, QUOTES, FOLLOWS,
            ATTACHMENTS]


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
    return set(session.execute(select(User.id).where(
        User.role.not_in(sorted(SEES_EVERY_CUSTOMER)), or_(*conditions))).scalars())


ENGINE = Engine.build(
    ENTITIES,
    ScopeModel(root="customers", membership="follows", watchers=reps_seeing, field="customer_id",
               out_of_scope="this customer is not in your scope: ask its owner or follow it",
               redirect_field="merged_into"),
    records_written=[index_quotes],
)


def actor(user_id, role, team, device_id):
    """The engine's view of a signed-in user on one device."""
    return Actor(user_id=user_id, role=role, team=team, device_id=device_id,
                 sees_everything=role in SEES_EVERY_CUSTOMER)


def server_actor(user_id, node):
    """The server writing on behalf of ``user_id`` (its clock's device is the server node)."""
    return Actor(user_id=user_id, role="admin", team=None, device_id=node, sees_everything=True)
