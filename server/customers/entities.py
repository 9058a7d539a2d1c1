"""Customers, their contacts, and follows: who a rep sees beyond their own and their team's."""

from marshmallow import Schema
from sqlalchemy import select

from sync import Entity, Rejected, Rules
from sync.entity import LONG, MEDIUM, Flag, Text, Uuid, choice
from sync.models import Record

from server.core.vocabulary import CUSTOMER_STATUSES, FOLLOW_STATUSES, OFFICE_ROLES


class CustomerSchema(Schema):
    name = Text(required=True)
    name_kana = Text()
    address = Text(MEDIUM)
    phone = Text(40)
    owner_id = Uuid()
    team = Text(64)
    notes = Text(LONG)
    status = choice(CUSTOMER_STATUSES)
    source = Text()
    postal_code = Text(16)
    email = Text(254)
    url = Text(MEDIUM)


class ContactSchema(Schema):
    customer_id = Uuid(required=True)
    name = Text(required=True)
    name_kana = Text()
    department = Text()
    title = Text()
    phone = Text(40)
    mobile = Text(40)
    fax = Text(40)
    email = Text(254)
    # No longer the customer's person (退職・異動): kept, so the visits that name them still do.
    left = Flag(allow_none=True)


class FollowSchema(Schema):
    customer_id = Uuid(required=True)
    user_id = Uuid()
    status = choice(FOLLOW_STATUSES)


def team_of(ctx, user_id):
    """The team of a user, from the directory."""
    user = ctx.get("users", user_id)
    return user.data.get("team") if user else None


NOT_ALLOWED = "not_allowed"


def check_owner(ctx, current, values, names):
    """A rep's create is owned by that rep; after create only the office hands a record over.

    ``names`` are the fields that say who owns the record (the first names the owner).
    """
    actor = ctx.actor
    if actor.role in OFFICE_ROLES:
        return
    if current is None:
        owner = values.get(names[0])
        if actor.role == "rep" and owner not in (None, actor.user_id):
            raise Rejected({names[0]: [NOT_ALLOWED]})
        team = values.get("team") if "team" in names else None
        if actor.role == "rep" and team not in (None, actor.team):
            raise Rejected({"team": [NOT_ALLOWED]})
        return
    for name in names:
        if name in values and values[name] != current.data.get(name):
            raise Rejected({name: [NOT_ALLOWED]})


class CustomerRules(Rules):
    """A new customer is owned by its creator unless the office says otherwise, in the owner's
    team; a customer handed to a new owner goes to the new owner's team unless the change
    names one. Only the office hands a customer over."""

    def check(self, ctx, current, values):
        check_owner(ctx, current, values, ("owner_id", "team"))

    def on_create(self, ctx, data, hlc):
        data["owner_id"] = data["owner_id"] or ctx.actor.user_id
        data["team"] = data["team"] or team_of(ctx, data["owner_id"])

    def prepare_update(self, ctx, current, values):
        # A handover names the team too: the new owner's, or for the owner the customer has, the
        # team it has (nothing changes, but the two are said together, so a concurrent handover
        # loses or wins both: never an owner of one and a team of the other).
        if "owner_id" in values and "team" not in values:
            if values["owner_id"] != current.data.get("owner_id"):
                values["team"] = team_of(ctx, values["owner_id"])
            else:
                values["team"] = current.data.get("team")


class FollowRules(Rules):
    """A user follows for themselves; the office may follow for anyone. A rep's follow of a
    customer beyond their own and their team's is a request that grants nothing until the
    customer's owner or the office approves it (refusing is deleting it). Only the follower,
    the customer's owner or the office removes a follow."""

    def same_as(self, ctx, values):
        """A user's live follow of the customer, if they have one: one per user and customer,
        so a second request (another device, an old retry) is the same request, not another."""
        user_id, customer_id = values.get("user_id") or ctx.actor.user_id, values["customer_id"]
        ctx.get("customers", customer_id, lock=True)  # one push at a time decides for a customer
        stored = ctx.session.scalars(
            select(Record.id).where(
                Record.entity == "follows",
                Record.customer_id == customer_id,
                Record.owner_id == user_id,
                Record.deleted.is_(False),
            )
        )
        in_batch = [w.id for (entity, _), w in ctx.records.items() if entity == "follows" and w.dirty]
        for follow_id in sorted({*stored, *in_batch}):
            follow = ctx.get("follows", follow_id)
            if (
                follow is not None
                and not follow.deleted
                and follow.data.get("customer_id") == customer_id
                and follow.data.get("user_id") == user_id
            ):
                return follow
        return None

    def check(self, ctx, current, values):
        actor = ctx.actor
        if current is None:
            if (values.get("user_id") or actor.user_id) != actor.user_id and actor.role not in OFFICE_ROLES:
                raise Rejected({"user_id": ["you can only follow customers yourself"]})
        elif current.deleted and not self.may_approve(ctx, current):
            # Refused, or its approval withdrawn: brought back it would grant the customer
            # again. Whoever approves may restore it; the follower asks again (a new request).
            raise Rejected({"record_id": ["this follow was removed: ask to follow the customer again"]})
        elif "status" in values and values["status"] != current.data.get("status"):
            if not self.may_approve(ctx, current):
                raise Rejected({"status": [NOT_ALLOWED]})
        elif not self.may_change(ctx, current):
            raise Rejected({"record_id": ["only the follower or the office can change a follow"]})

    def check_delete(self, ctx, current):
        if not self.may_change(ctx, current):
            raise Rejected(
                {"record_id": ["only the follower, the customer's owner or the office can remove a follow"]}
            )

    def on_create(self, ctx, data, hlc):
        actor = ctx.actor
        data["user_id"] = data["user_id"] or actor.user_id
        customer = ctx.get("customers", data["customer_id"])
        if customer is not None:  # the asker may hold no copy of the customer: keep its name
            data["customer_name"] = customer.data.get("name")
        own = customer is not None and (
            customer.data.get("owner_id") == actor.user_id
            or (actor.team is not None and customer.data.get("team") == actor.team)
        )
        approved = actor.role in OFFICE_ROLES or actor.role != "rep" or own
        data["status"] = "approved" if approved else "requested"

    @staticmethod
    def may_approve(ctx, follow):
        if ctx.actor.role in OFFICE_ROLES:
            return True
        customer = ctx.get("customers", follow.data.get("customer_id"))
        return customer is not None and customer.data.get("owner_id") == ctx.actor.user_id

    @classmethod
    def may_change(cls, ctx, follow):
        return follow.data.get("user_id") == ctx.actor.user_id or cls.may_approve(ctx, follow)


CUSTOMERS = Entity(
    "customers",
    CustomerSchema(),
    extra_fields=["merged_into"],
    references={"owner_id": "users"},
    defaults={"status": "active"},
    server_fields={"merged_into"},
    owner_field="owner_id",
    team_field="team",
    # Past the tombstone window a deleted customer is still known by name and phone, so an old
    # Excel list does not create it again (and a merged one's by its survivor, as the engine keeps).
    kept_when_compacted={"name", "phone"},
    rules=[CustomerRules()],
)
CONTACTS = Entity(
    "contacts", ContactSchema(), references={"customer_id": "customers"}, immutable={"customer_id"}
)
FOLLOWS = Entity(
    "follows",
    FollowSchema(),
    references={"customer_id": "customers", "user_id": "users"},
    extra_fields=["customer_name"],  # the customer's name when asked: the asker may hold no copy
    server_fields={"customer_name"},
    create_only_server_fields={"status"},
    immutable={"customer_id", "user_id"},
    owner_field="user_id",
    team_field="status",
    rules=[FollowRules()],
)
