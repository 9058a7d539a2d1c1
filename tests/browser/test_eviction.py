"""A record that leaves the user's scope while the device still holds an unsent edit of it
stays until the edit is answered, then leaves the device too."""

from .helpers import idb_all, idb_get, outbox, sign_in, wait_synced


def save_on_device(page, entity, record_id, changes):
    """A save through the app's own outbox, as a screen does (and a sync asked for after it)."""
    page.evaluate(
        """async ([entity, id, changes]) => {
        const base = document.querySelector('script[type=module]').src;
        const outbox = await import(new URL("outbox.js", base));
        await outbox.save([{ entity, id, changes }]);
    }""",
        [entity, record_id, changes],
    )


def test_a_visit_edited_while_its_customer_is_reassigned_lands_then_leaves_the_device(
    page, context, live, customers
):
    yamada = customers["yamada"]
    sign_in(page, live, "rep_a")
    visit = next(v for v in idb_all(page, "visits") if v["customer_id"] == yamada["id"])
    held = []
    context.route("**/api/v1/sync/pull*", lambda route: held.append(route))
    page.get_by_test_id("sync-now").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the sync's pull never started"
    # The rep writes down what was agreed while the sync's pull is still on its way ...
    save_on_device(page, "visits", visit["id"], {"notes": "来月に再訪問"})
    # ... and the manager hands the customer to the west team just after.
    rep_b = live.device("rep_b")
    manager = live.device("manager")
    assert manager.update("customers", yamada, owner_id=rep_b.user["id"], team="west")["status"] == "applied"
    held[0].continue_()
    context.unroute("**/api/v1/sync/pull*")
    wait_synced(page)
    assert outbox(page) == []
    assert idb_get(page, "visits", visit["id"]) is None
    assert idb_get(page, "customers", yamada["id"]) is None
    assert idb_get(page, "meta", "evict_when_sent") == []
    stored = {c["record"]["id"]: c["record"] for c in rep_b.sync() if "record" in c}
    assert stored[visit["id"]]["notes"] == "来月に再訪問"
