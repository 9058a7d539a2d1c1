"""The load a submitted quote puts on the factory, kept in step with its quote and deal.

A quote with ``process_hours`` and a ``delivery_week`` that is submitted (or accepted) puts one
``likely`` entry per group in its delivery week; the entries are ``firm`` once its deal is won
and gone when the deal is lost, the quote rejected, drafted again or deleted. Entry ids are
derived from the quote and the group, so writing the same state twice changes nothing.
"""

import uuid

from sync import Rules, live_records

ENTRY_NAMESPACE = uuid.UUID("5d0c6f43-1a8e-4c57-9b1d-2f6e8a4b7c90")
LOADING_STATUSES = ("submitted", "accepted")


def entry_id(quote_id, group_id):
    """The id of a quote's entry for one group."""
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"genba:load:{quote_id}:{group_id}"))


def wanted_entries(quote, deal):
    """``{group_id: values}`` of the entries the quote should have now (empty: none)."""
    if quote.get("deleted") or quote.get("status") not in LOADING_STATUSES:
        return {}
    if not quote.get("delivery_week") or not quote.get("process_hours"):
        return {}
    stage = deal.get("stage") if deal else None
    if stage == "lost" or (deal and deal.get("deleted")):
        return {}
    label = quote.get("product") or (deal or {}).get("title")
    return {
        group: {
            "resource_group_id": group,
            "week": quote["delivery_week"],
            "hours": hours,
            "confidence": "firm" if stage == "won" else "likely",
            "deal_id": quote.get("deal_id"),
            "quote_id": quote["id"],
            "label": label,
            "source": "quote",
        }
        for group, hours in sorted(quote["process_hours"].items())
        if hours
    }


def sync_entries(ctx, before, quote, hlc):
    """Write the quote's entries as they should be; remove those it no longer wants."""
    deal = ctx.get("deals", quote["deal_id"]) if quote.get("deal_id") else None
    wanted = wanted_entries(quote, deal.data if deal else None)
    groups = set((before or {}).get("process_hours") or {}) | set(quote.get("process_hours") or {})
    for group in sorted(groups):
        record_id = entry_id(quote["id"], group)
        if group in wanted and ctx.get("resource_groups", group) is not None:
            ctx.change("load_entries", record_id, {**wanted[group], "deleted": False}, hlc)
        elif ctx.get("load_entries", record_id) is not None:
            ctx.change("load_entries", record_id, {}, hlc, delete=True)


class QuoteLoad(Rules):
    """A quote's entries follow the quote."""

    def after_write(self, ctx, before, quote, hlc):
        sync_entries(ctx, before, quote.data, hlc)


class DealLoad(Rules):
    """A deal won or lost changes the entries of its quotes."""

    def after_write(self, ctx, before, deal, hlc):
        if before is None or before.get("stage") == deal.data.get("stage"):
            return
        for quote in quotes_of(ctx, deal):
            sync_entries(ctx, quote, quote, hlc)


def quotes_of(ctx, deal):
    """The deal's quotes as the push sees them (stored ones and those written in this push)."""
    ids = {
        q["id"]
        for q in live_records(ctx.session, "quotes", scope_ids=[deal.scope_id])
        if q.get("deal_id") == deal.id
    }
    ids |= {
        w.id
        for (entity, _), w in ctx.records.items()
        if entity == "quotes" and w.data.get("deal_id") == deal.id
    }
    found = (ctx.get("quotes", quote_id) for quote_id in sorted(ids))
    return [q.data for q in found if q is not None and q.data.get("deal_id") == deal.id]
