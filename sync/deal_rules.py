"""Rules that tie records to their deal inside a push.

- A deal event belongs to a deal of its own customer.
- Submitting a quote puts the ball with the customer: when a quote linked to a deal is created
  as, or changed to, ``submitted``, the deal's ``ball`` becomes ``customer`` in the same
  transaction, as an ordinary versioned change (``ball_since`` from the quote's HLC, a history
  record by the quote's author), so every device gets it by pull.
"""
from .batch import Rejected, load_records


def check_deal_link(batch, entity, values, current):
    """Reject a deal event whose deal belongs to another customer."""
    if entity.name != "deal_events" or current is not None:
        return
    deal = batch.records.get(("deals", values.get("deal_id")))
    if deal is not None and deal.customer_id != values.get("customer_id"):
        raise Rejected({"deal_id": ["belongs to another customer"]})


def before_upsert(entity, current):
    """What ``after_upsert`` needs of the record as it was (only a quote's status and deal)."""
    if entity.name != "quotes" or current is None:
        return None
    return {"status": current.data.get("status"), "deal_id": current.data.get("deal_id")}


def after_upsert(batch, entity, before, working, mutation):
    """Apply what a stored write implies for its deal."""
    if entity.name == "quotes":
        ball_to_customer_on_submit(batch, before or {}, working, mutation)


def ball_to_customer_on_submit(batch, before, quote, mutation):
    """A quote that has just become ``submitted`` hands the ball of its deal to the customer."""
    data = quote.data
    if data.get("deleted") or data.get("status") != "submitted" or not data.get("deal_id"):
        return
    if before.get("status") == "submitted" and before.get("deal_id") == data["deal_id"]:
        return
    deal = batch.records.get(("deals", data["deal_id"]))
    if deal is None or not deal.dirty:
        # Read it again under a row lock: it may have been loaded only as a reference.
        load_records(batch, [data["deal_id"]], lock=True)
        deal = batch.records.get(("deals", data["deal_id"]))
    if deal is None or deal.compacted or deal.deleted or deal.customer_id != quote.customer_id:
        return
    if deal.data.get("ball") == "customer":
        return
    from .entities import ENTITIES
    from .push import update_existing  # the one way a deal changes: versions, clocks, history
    update_existing(batch, ENTITIES["deals"], deal,
                    {"hlc": mutation["hlc"], "base_version": deal.version}, {"ball": "customer"})
