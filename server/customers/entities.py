"""Customers, their contacts, and follows: who a rep sees beyond their own and their team's."""
from marshmallow import Schema

from server.core.vocabulary import CUSTOMER_STATUSES, OFFICE_ROLES
from sync import Entity, Rejected, Rules
from sync.entity import LONG, MEDIUM, Text, Uuid, choice


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


class FollowSchema(Schema):
    customer_id = Uuid(required=True)
    user_id = Uuid()


def team_of(ctx, user_id):
    """The team of a user, from the directory."""
    user = ctx.get("users", user_id)
    return user.data.get("team") if user else None


class CustomerRules(Rules):
    """A new customer is owned by its creator unless it says otherwise, in the owner's team; a
    customer handed to a new owner goes to the new owner's team unless the change names one."""

    def on_create(self, ctx, data, hlc):
        data["owner_id"] = data["owner_id"] or ctx.actor.user_id
        data["team"] = data["team"] or team_of(ctx, data["owner_id"])

    def prepare_update(self, ctx, current, values):
        if "owner_id" in values and "team" not in values \
                and values["owner_id"] != current.data.get("owner_id"):
            values["team"] = team_of(ctx, values["owner_id"])


class FollowRules(Rules):
    """A user follows for themselves; the office may follow for anyone. Only the follower or
    the office changes or removes a follow."""

    def check(self, ctx, current, values):
        actor = ctx.actor
        if current is None:
            if (values.get("user_id") or actor.user_id) != actor.user_id \
                    and actor.role not in OFFICE_ROLES:
                raise Rejected({"user_id": ["you can only follow customers yourself"]})
        elif not self.may_change(actor, current):
            raise Rejected({"record_id": ["only the follower or the office can change a follow"]})

    def check_delete(self, ctx, current):
        if not self.may_change(ctx.actor, current):
            raise Rejected({"record_id": ["only the follower or the office can remove a follow"]})

    def on_create(self, ctx, data, hlc):
        data["user_id"] = data["user_id"] or ctx.actor.user_id

    @staticmethod
    def may_change(actor, follow):
        return actor.role in OFFICE_ROLES or follow.data.get("user_id") == actor.user_id


CUSTOMERS = Entity("customers", CustomerSchema(), extra_fields=["merged_into"],
                   references={"owner_id": "users"}, defaults={"status": "active"},
                   server_fields={"merged_into"}, owner_field="owner_id", team_field="team",
                   rules=[CustomerRules()])
CONTACTS = Entity("contacts", ContactSchema(), references={"customer_id": "customers"},
                  immutable={"customer_id"})
FOLLOWS = Entity("follows", FollowSchema(),
                 references={"customer_id": "customers", "user_id": "users"},
                 immutable={"customer_id", "user_id"}, owner_field="user_id",
                 rules=[FollowRules()])
