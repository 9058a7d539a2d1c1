"""Merge one customer into another: its records move to the survivor as versioned changes, and
it becomes a tombstone naming the survivor (``merged_into``), so devices that still hold it
keep working: the engine redirects what they push later (``ScopeModel.redirect_field``)."""

from sync import live_record, live_records, write_changes

from server.core.engine import ENGINE, server_actor
from server.core.errors import ApiError
from server.core.words import Said

# Records that may belong to a customer itself (besides its scope field): entity -> the fields
# naming what the record is attached to. A business card's photo is an attachment of the
# customer, and the screens list attachments by owner: left on the tombstone it would vanish.
OWNED_BY = {"attachments": ("owner_entity", "owner_id")}

# A follow's statuses, the one that grants most first: of a person's two follows of the merged
# customers, the survivor keeps the one that grants most (the survivor's own on a tie).
FOLLOW_RANK = ["approved", "requested"]

# Fields of the merged customer that fill the survivor's empty ones.
FILLED = ["name_kana", "address", "postal_code", "phone", "email", "url", "notes", "source"]


def merge_customer(session, user_id, loser_id, survivor_id, *, now_ms, node):
    """Move every live record of ``loser_id`` to ``survivor_id``; return the survivor."""
    if loser_id == survivor_id:
        raise ApiError(
            422,
            Said("Choose another customer to merge into.", "統合先には別の顧客を選んでください。"),
            errors={"into": ["must be another customer"]},
            reason="same_customer",
        )
    loser = live_record(session, "customers", loser_id)
    survivor = live_record(session, "customers", survivor_id)
    if loser is None:
        raise ApiError(
            404,
            Said(
                "There is no such customer, or it was already merged or deleted.",
                "その顧客はありません。すでに統合されたか削除されています。",
            ),
            reason="not_found",
        )
    if survivor is None:
        raise ApiError(
            422,
            Said(
                "The customer to merge into does not exist or was deleted.",
                "統合先の顧客がないか、削除されています。",
            ),
            errors={"into": ["no such customer"]},
            reason="not_found",
        )
    changes = []
    for name in ENGINE.order:
        entity = ENGINE.entity(name)
        if entity.scope_field is None or entity.scope_field not in entity.fields:
            continue
        owner_fields = OWNED_BY.get(name)
        if name == "follows":
            changes.extend(merged_follows(session, loser_id, survivor))
            continue
        for record in live_records(session, name, scope_ids=[loser_id]):
            moved = {entity.scope_field: survivor_id}
            if owner_fields and (record[owner_fields[0]], record[owner_fields[1]]) == ("customers", loser_id):
                moved[owner_fields[1]] = survivor_id
            changes.append((name, record["id"], moved))
    filled = {k: loser[k] for k in FILLED if loser.get(k) and not survivor.get(k)}
    if loser.get("status") == "active" and survivor.get("status") == "prospect":
        filled["status"] = "active"
    if filled:
        changes.append(("customers", survivor_id, filled))
    changes.append(("customers", loser_id, {"merged_into": survivor_id}))
    changes.append(("customers", loser_id, None))
    write_changes(session, ENGINE, server_actor(user_id, node), changes, now_ms=now_ms, server_node=node)
    return live_record(session, "customers", survivor_id)


def merged_follows(session, loser_id, survivor):
    """The changes that leave each follower one follow of the survivor: a follow of the merged
    customer moves unless its follower already follows the survivor; of two, the one that
    grants most stays (the survivor's on a tie) and the other is removed."""
    survivor_id = survivor["id"]
    held = {f["user_id"]: f for f in live_records(session, "follows", scope_ids=[survivor_id])}
    changes = []
    for follow in live_records(session, "follows", scope_ids=[loser_id]):
        other = held.get(follow["user_id"])
        if other is None or rank(follow) < rank(other):
            moved = {"customer_id": survivor_id, "customer_name": survivor.get("name")}
            changes.append(("follows", follow["id"], moved))
            if other is not None:
                changes.append(("follows", other["id"], None))
            held[follow["user_id"]] = follow
        else:
            changes.append(("follows", follow["id"], None))
    return changes


def rank(follow):
    status = follow.get("status")
    return FOLLOW_RANK.index(status) if status in FOLLOW_RANK else len(FOLLOW_RANK)
