"""The pager always progresses: any page size delivers what one big page does, however many
changes share one feed position (scope events expand to every record of a customer)."""

from hypothesis import HealthCheck, given, settings, strategies as st

PAGES_AT_MOST = 5000
CUSTOMERS = 5
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["hand_to_rep_a", "hand_to_rep_b", "follow", "unfollow", "move_team", "add_visit"]),
        st.integers(0, CUSTOMERS - 1),
    ),
    min_size=1,
    max_size=6,
)


def pages(device, cursor, limit):
    """Every change after ``cursor`` in pages of ``limit``; each page must make progress."""
    changes = []
    for _ in range(PAGES_AT_MOST):
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = device.client.get("/api/v1/sync/pull", query_string=query, headers=device.headers).get_json()
        if body["has_more"]:
            assert body["changes"] or body["cursor"] != cursor, "a page that does not move"
        changes.extend(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor
    raise AssertionError("the pager did not finish")


def laid_over(held, changes):
    """What a device holding ``held`` holds after taking in ``changes``."""
    out = dict(held)
    for change in changes:
        if change.get("evict"):
            out.pop(change["id"], None)
        else:
            record = change["record"]
            if record["id"] not in out or out[record["id"]] <= record["version"]:
                out[record["id"]] = record["version"]
    return out


class World:
    """Customers the office hands around, follows it makes for rep_a, rep_a's team moving."""

    def __init__(self, device, people, client):
        self.office, self.admin, self.rep = device("office"), device("admin"), device("rep_a")
        self.people, self.client = people, client
        self.customers = [
            self.office.create("customers", name=f"顧客{i}", owner_id=people["rep_b"])
            for i in range(CUSTOMERS)
        ]
        self.follows, self.team = {}, "east"
        self.cursor, self.held = None, {}

    def apply(self, operation, index):
        customer = self.customers[index]
        current = {c["record"]["id"]: c["record"] for c in self.office.sync() if "record" in c}.get(
            customer["id"], customer
        )
        if operation.startswith("hand_to_"):
            self.office.update("customers", current, owner_id=self.people[operation[8:]])
        elif operation == "follow" and index not in self.follows:
            # Several follows in one push: scope events sharing the push's positions.
            made = self.office.push(
                *[
                    self.office.mutation("follows", customer_id=c["id"], user_id=self.people["rep_a"])
                    for c in self.customers[index : index + 2]
                ]
            )
            for offset, result in enumerate(made):
                self.follows.setdefault(index + offset, result["record"]["id"])
        elif operation == "unfollow" and index in self.follows:
            follow_id = self.follows.pop(index)
            self.office.push(self.office.mutation("follows", follow_id, op="delete", base_version=1))
        elif operation == "move_team":
            self.team = "west" if self.team == "east" else "east"
            self.client.patch(
                f"/api/v1/admin/users/{self.people['rep_a']}",
                json={"team": self.team},
                headers=self.admin.headers,
            )
        elif operation == "add_visit":
            self.office.create(
                "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
            )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_page_size_delivers_what_one_big_page_does(client, device, people, data):
    world = getattr(test_any_page_size_delivers_what_one_big_page_does, "world", None)
    if world is None or world.client is not client:
        world = World(device, people, client)
        test_any_page_size_delivers_what_one_big_page_does.world = world
    for operation, index in data.draw(OPERATIONS, label="operations"):
        world.apply(operation, index)
    limit = data.draw(st.integers(1, 500), label="limit")
    whole, end = pages(world.rep, world.cursor, 100000)
    paged, _ = pages(world.rep, world.cursor, limit)
    assert laid_over(world.held, paged) == laid_over(world.held, whole)
    world.held, world.cursor = laid_over(world.held, whole), end


def test_two_follows_in_one_push_page_through_one_change_at_a_time(device, people):
    office, rep = device("office"), device("rep_a")
    customers = [office.create("customers", name=f"西{i}", owner_id=people["rep_b"]) for i in range(2)]
    for customer in customers:
        office.create(
            "visits", customer_id=customer["id"], kind="sales", visited_at="2026-11-27T10:00:00+09:00"
        )
    _, cursor = pages(rep, None, 500)
    office.push(
        *[office.mutation("follows", customer_id=c["id"], user_id=people["rep_a"]) for c in customers]
    )
    changes, _ = pages(rep, cursor, 1)
    assert {c["id"] for c in customers} <= set(laid_over({}, changes))
