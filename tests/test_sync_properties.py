"""Any devices, any interleaving, faults and wrong clocks: every replica converges, nothing is lost.

A Hypothesis state machine drives 3 to 8 reference clients (``sync.client.Client``) of reps of
two teams, a technician, office staff and a manager, each with its own clock (minutes to hours
off), through a network that duplicates answers, loses answers, loses requests and delivers them
late (after newer pushes), and through apps that crash between a push and taking in its answer
(a fresh client with the same device id and what it persisted), pulling in pages of 1 to 500.
Meanwhile the office hands customers to other owners and teams, approves follow requests and
merges customers (online, while devices hold edits and new records of the merged one), and an
admin moves reps and the manager between roles and teams (their scope moves through the feed).
After everyone syncs:

- every replica equals the server's view for its user: record by record against a fresh full
  pull, and by digest (``verify``);
- every acknowledged write is in the server's record, or is a ``conflicts`` record's
  ``lost_value``, or was overwritten by a later write of the same device or by a write that had
  seen it (its ``base_version`` at least the version it wrote); a write to a merged customer is
  looked for on its survivor too; no acknowledged delete is undone by a write that had not seen it;
- every mutation was applied once (a repeat answers ``duplicate`` with the first outcome);
- no record id exists twice, on the server or in a replica.

The server's clock is the test's: it moves a second a step, so an example replays exactly and
shrinks. Profiles: ``ci`` (default) and ``long`` (``HYPOTHESIS_PROFILE=long``).
"""

import contextlib
import copy
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sync.client import Client, FlaskTransport, SyncError

import hypothesis_profiles
from conftest import PASSWORD, PEOPLE
from sync_harness import (
    PUSH_PATH,
    REQUESTS_PER_STEP,
    Crashed,
    Device,
    Network,
    Oracle,
    World,
    compact,
    conflict_order,
    differences,
    live_records,
)

IDS = uuid.UUID("5d0f3c0e-6a55-4c53-9b8e-1f2b7e5c9a01")  # record ids that replay the same
STEP_MS = 1000
LOGINS = ["rep_a", "rep_a2", "rep_b", "tech", "office", "manager"]
ROUTERS = {"office", "manager", "admin"}  # roles that hand customers over and merge them
OWNERS = ["rep_a", "rep_a2", "rep_b", "office"]
TEAMS = [None, "east", "west"]
MOVABLE = ["rep_a", "rep_a2", "rep_b", "manager"]
POSTS = [("rep", "east"), ("rep", "west"), ("manager", "east")]
EDITABLE = {
    "customers": ["name", "phone", "address", "notes"],
    "contacts": ["name", "title", "phone", "department"],
    "visits": ["purpose", "notes", "next_action", "next_action_due"],
    "requests": ["details", "urgency", "status", "response"],
    "deals": ["title", "stage", "amount", "ball", "lost_reason"],
}
CHOICES = {
    "next_action_due": ["2026-12-01", "2026-12-24"],
    "urgency": ["low", "normal", "high"],
    "status": ["new", "triaged", "in_progress", "answered"],
    "stage": ["first_contact", "proposal_quote", "won", "lost"],
    "amount": [0, 120000, 3500000],
    "ball": ["ours", "customer"],
}
SKEW_MINUTES = st.one_of(st.just(0), st.sampled_from([-420, -90, -3, 3, 90, 420]), st.integers(-600, 600))
FAULTS = [None, None, "duplicate", "lost_response", "lost_request", "crash", "clock a day off"]


# --- the machine ------------------------------------------------------------------------------


class Devices(RuleBasedStateMachine):
    world = None  # set by the test

    def __init__(self):
        super().__init__()
        self.world.reset()
        self.oracle = Oracle()
        self.devices = []
        self.counter = 0
        self.compacted = self.deletes_compacted = 0
        self.roles = {login: (role, team) for login, (role, team, _) in PEOPLE.items()}
        self.moved = set()  # logins whose role or team changed in this example
        self.world.stats["examples"] += 1

    @initialize(
        specs=st.lists(
            st.tuples(st.sampled_from(LOGINS), SKEW_MINUTES, st.sampled_from([500, 500, 2])),
            min_size=3,
            max_size=8,
        ),
        first=st.lists(st.integers(0, 7), max_size=3),
        synced=st.booleans(),
    )
    def start(self, specs, first, synced):
        """The devices; maybe a few customers made first, maybe everyone synced once."""
        slots = Counter()
        for login, skew, batch_size in specs:
            device = Device(self.world, login, slots[login], skew * 60_000, batch_size)
            slots[login] += 1
            device.network = Network(self.world, self.oracle, device)
            device.client = self.world.client(device.network, login, device.slot, device.clock, batch_size)
            self.devices.append(device)
        self.world.stats["devices"] += len(specs)
        for index in first:
            self.devices[index % len(self.devices)].client.save(
                "customers", self.new_id(), name=self.text("customer")
            )
        for device in self.devices if synced else ():
            device.client.sync()

    def step(self):
        """The clock moves on a second; every device may make a step's worth of requests."""
        self.world.clock_ms += STEP_MS
        self.world.stats["steps"] += 1
        for device in self.devices:
            device.network.budget = REQUESTS_PER_STEP

    def some(self, test):
        return [d for d in self.devices if test(d)]

    def choose(self, data, test=lambda d: True, what=None):
        """One device among those that can take the step; the clock moves on a second."""
        self.step()
        if what:
            self.world.stats[what] += 1
        devices = {repr(d): d for d in self.some(test)}
        return devices[data.draw(st.sampled_from(sorted(devices)), label="device")]

    def routes(self, device):
        """Whether the device's user may hand customers over and merge them (their role now)."""
        return self.roles[device.login][0] in ROUTERS

    def new_id(self):
        self.counter += 1
        return str(uuid.uuid5(IDS, str(self.counter)))

    def text(self, name):
        self.counter += 1
        return f"{name}-{self.counter}"

    def value(self, name, data):
        if name in CHOICES:
            return data.draw(st.sampled_from(CHOICES[name]), label=name)
        return self.text(name)

    # --- edits ---------------------------------------------------------------------------

    @rule(data=st.data(), owner=st.sampled_from(OWNERS))
    def create_customer(self, data, owner):
        device = self.choose(data)
        changes = {"name": self.text("customer"), "phone": self.text("phone")}
        if self.routes(device):
            changes["owner_id"] = self.world.people[owner]
        device.client.save("customers", self.new_id(), **changes)

    @precondition(lambda self: self.some(lambda d: d.shows("customers")))
    @rule(data=st.data(), entity=st.sampled_from(["contacts", "visits", "requests", "deals"]))
    def create_record_of_a_customer(self, data, entity):
        device = self.choose(data, lambda d: d.shows("customers"))
        customer_id = data.draw(
            st.sampled_from(sorted(r for _, r in device.shows("customers"))), label="customer"
        )
        changes = {"customer_id": customer_id}
        if entity == "contacts":
            changes["name"] = self.text("contact")
        elif entity == "visits":
            contacts = sorted(
                rid for (_, rid), r in device.shows("contacts").items() if r.get("customer_id") == customer_id
            )
            changes.update(
                kind=data.draw(st.sampled_from(["sales", "aftercare", "phone"])),
                visited_at="2026-11-27T10:00:00+09:00",
                purpose=self.text("purpose"),
                contact_ids=data.draw(st.lists(st.sampled_from(contacts), max_size=2, unique=True))
                if contacts
                else [],
            )
        elif entity == "requests":
            changes.update(
                kind=data.draw(st.sampled_from(["request", "complaint", "question"])),
                title=self.text("title"),
                urgency=self.value("urgency", data),
            )
        else:
            changes.update(
                title=self.text("deal"), stage=self.value("stage", data), amount=self.value("amount", data)
            )
        device.client.save(entity, self.new_id(), **changes)

    def record_of(self, device, data):
        """One of the records a device shows, those other devices show too more often."""
        held = device.shows(*EDITABLE)
        shared = [k for k in self.shared() if k in held]
        return data.draw(
            st.sampled_from(shared) | st.sampled_from(sorted(held))
            if shared
            else st.sampled_from(sorted(held)),
            label="record",
        )

    def edit_fields(self, device, key, names, data):
        device.client.save(*key, **{n: self.value(n, data) for n in names})

    @precondition(lambda self: self.some(lambda d: d.shows(*EDITABLE)))
    @rule(data=st.data())
    def edit(self, data):
        device = self.choose(data, lambda d: d.shows(*EDITABLE))
        key = self.record_of(device, data)
        names = data.draw(
            st.lists(st.sampled_from(EDITABLE[key[0]]), min_size=1, max_size=3, unique=True), label="fields"
        )
        self.edit_fields(device, key, names, data)

    def shared(self):
        count = Counter(k for d in self.devices for k in d.shows(*EDITABLE))
        return sorted(k for k, n in count.items() if n > 1)

    @precondition(lambda self: self.shared())
    @rule(data=st.data())
    def edit_one_field_on_two_devices(self, data):
        """Concurrent writes of the same field: one wins by HLC, the other is a conflict."""
        self.step()
        key = data.draw(st.sampled_from(self.shared()), label="record")
        name = data.draw(st.sampled_from(EDITABLE[key[0]]), label="field")
        holders = {repr(d): d for d in self.devices if key in d.shows(key[0])}
        for device in data.draw(
            st.lists(st.sampled_from(sorted(holders)), min_size=2, max_size=2, unique=True), label="devices"
        ):
            self.edit_fields(holders[device], key, [name], data)

    @precondition(lambda self: self.some(lambda d: d.shows(*EDITABLE)))
    @rule(data=st.data())
    def delete(self, data):
        device = self.choose(data, lambda d: d.shows(*EDITABLE))
        device.client.delete(*self.record_of(device, data))

    def to_follow(self, device):
        """Customers on the server that a rep does not see (found by the online search)."""
        if self.roles[device.login][0] != "rep":
            return []
        created = {
            a.mutation["record_id"]
            for a in self.oracle.first.values()
            if a.mutation["entity"] == "customers" and a.version == 1
        }
        return sorted(created - {rid for _, rid in device.shows("customers")})

    @precondition(lambda self: self.some(self.to_follow))
    @rule(data=st.data())
    def follow(self, data):
        device = self.choose(data, self.to_follow)
        customer_id = data.draw(st.sampled_from(self.to_follow(device)), label="customer")
        device.client.save("follows", self.new_id(), customer_id=customer_id)

    def pending_follows(self, device):
        if not self.routes(device):
            return []
        return sorted(
            k
            for k, r in device.shows("follows").items()
            if r.get("status") == "requested" and not r.get("deleted")
        )

    @precondition(lambda self: self.some(self.pending_follows))
    @rule(data=st.data())
    def approve_follow(self, data):
        """The office approves a rep's follow request: the customer arrives with its history."""
        device = self.choose(data, self.pending_follows)
        device.client.save(
            *data.draw(st.sampled_from(self.pending_follows(device)), label="follow"), status="approved"
        )

    @staticmethod
    def own_follows(device):
        me = device.client.user["id"]
        return sorted(k for k, r in device.shows("follows").items() if r.get("user_id", me) == me)

    @precondition(lambda self: self.some(self.own_follows))
    @rule(data=st.data())
    def unfollow(self, data):
        device = self.choose(data, self.own_follows)
        device.client.delete(*data.draw(st.sampled_from(self.own_follows(device)), label="follow"))

    @precondition(lambda self: self.some(lambda d: self.routes(d) and d.shows("customers")))
    @rule(data=st.data(), owner=st.sampled_from(OWNERS), team=st.sampled_from(TEAMS))
    def reassign(self, data, owner, team):
        """The office hands a customer to another owner, maybe naming another team."""
        device = self.choose(data, lambda d: self.routes(d) and d.shows("customers"))
        customer_id = data.draw(
            st.sampled_from(sorted(r for _, r in device.shows("customers"))), label="customer"
        )
        changes = {"owner_id": self.world.people[owner]} | ({"team": team} if team else {})
        device.client.save("customers", customer_id, **changes)

    @precondition(lambda self: self.some(lambda d: self.routes(d) and len(d.shows("customers")) > 1))
    @rule(data=st.data())
    def merge_two_customers(self, data):
        """The office merges a customer into another (online) while devices may hold edits and
        new records of the merged one: what they push later lands on the survivor."""
        device = self.choose(data, lambda d: self.routes(d) and len(d.shows("customers")) > 1, "merge")
        loser, survivor = data.draw(
            st.lists(
                st.sampled_from(sorted(r for _, r in device.shows("customers"))),
                min_size=2,
                max_size=2,
                unique=True,
            ),
            label="merged, survivor",
        )
        status, answer = self.world.transport.request(
            "POST", f"/api/v1/customers/{loser}/merge", {"into": survivor}, device.client.token
        )
        # The device's list may be behind the server: a customer deleted or merged meanwhile.
        assert status in (200, 404, 422), (status, answer)
        if status == 200:
            self.oracle.merged[loser] = survivor
            self.world.stats["merged"] += 1

    @rule(data=st.data(), login=st.sampled_from(MOVABLE), post=st.sampled_from(POSTS))
    def move_a_person(self, data, login, post):
        """An admin changes someone's role or team: their scope moves through the feed."""
        self.step()
        if self.roles[login] == post:
            return
        role, team = post
        status, answer = self.world.admin(
            "PATCH", f"/api/v1/admin/users/{self.world.people[login]}", {"role": role, "team": team}
        )
        assert status == 200, answer
        self.roles[login] = post
        self.moved.add(login)
        self.world.stats["people moved"] += 1

    @staticmethod
    def open_conflicts(device):
        return sorted(
            (k for k, r in device.shows("conflicts").items() if not r.get("resolved")),
            key=lambda k: conflict_order(device, k),
        )

    @precondition(lambda self: self.some(self.open_conflicts))
    @rule(data=st.data(), restore=st.booleans())
    def resolve_a_conflict(self, data, restore):
        """Mark a conflict resolved, maybe restoring its losing value in the same push."""
        device = self.choose(data, self.open_conflicts)
        key = data.draw(st.sampled_from(self.open_conflicts(device)), label="conflict")
        conflict = device.client.view(*key)
        target = (conflict["entity"], conflict["record_id"])
        if restore and conflict["field"] in EDITABLE.get(target[0], ()) and target in device.shows(*EDITABLE):
            device.client.save(*target, **{conflict["field"]: conflict["lost_value"]})
        device.client.save(*key, resolved=True)

    # --- sync, faults and clocks -------------------------------------------------------

    @precondition(lambda self: self.some(Device.unsent))
    @rule(data=st.data(), fault=st.sampled_from(FAULTS), keep=st.integers(0, 3))
    def push(self, data, fault, keep):
        device = self.choose(data, Device.unsent, f"push ({fault or 'ok'})")
        if fault == "clock a day off":
            return self.push_with_a_clock_a_day_off(
                device, data.draw(st.sampled_from([-30, 26]), label="hours off")
            )
        device.network.fault, device.network.keep = fault, keep
        with contextlib.suppress(ConnectionError, Crashed):
            device.client.push()
        device.network.fault = None
        if device.network.crashed:
            self.restart(device)

    def restart(self, device):
        """The app starts again from what it persisted: records, outbox, cursor, clock, token."""
        replica = copy.deepcopy(device.client.replica)
        for entry in replica.outbox:
            entry.sent_revision = None  # an in-memory mark: gone with the process
        old = device.client
        device.network.crashed = False
        device.client = Client(
            device.network,
            device.login,
            PASSWORD,
            device_id=old.device_id,
            clock=device.clock,
            batch_size=device.batch_size,
        )
        device.client.replica, device.client.token, device.client.user = replica, old.token, old.user

    @rule(
        data=st.data(),
        how=st.sampled_from(["push and pull", "pull", "pull in pages", "pull, answer lost"]),
        limit=st.one_of(st.integers(1, 5), st.integers(1, 500)),
    )
    def sync(self, data, how, limit):
        device = self.choose(data, what=how)
        if how == "push and pull":
            return device.client.sync()
        device.network.fault = "lost_response" if how == "pull, answer lost" else None
        with contextlib.suppress(ConnectionError):
            device.client.pull(limit=limit if how != "pull" else None)
        device.network.fault = None

    @precondition(lambda self: self.some(lambda d: d.network.late))
    @rule(data=st.data())
    def deliver_a_late_push(self, data):
        """A push the device gave up on arrives now, maybe after newer ones: nothing twice."""
        device = self.choose(data, lambda d: d.network.late, "late delivery")
        index = data.draw(st.integers(0, len(device.network.late) - 1), label="late push")
        device.network.send(*device.network.late.pop(index))

    @staticmethod
    def push_with_a_clock_a_day_off(device, hours):
        """Refused with ``clock_skew``, nothing applied; once the clock is fixed it all goes."""
        unsent = device.unsent()
        skew, device.skew_ms = device.skew_ms, hours * 3_600_000
        try:
            device.client.push()
            raise AssertionError("a clock more than a day off was not refused")
        except SyncError as err:
            assert (err.status, err.reason) == (409, "clock_skew"), err.body
        finally:
            device.skew_ms = skew
        assert device.unsent() == unsent

    @rule(data=st.data(), skew=SKEW_MINUTES)
    def set_the_clock(self, data, skew):
        self.choose(data).skew_ms = skew * 60_000

    @invariant()
    def no_record_twice_in_a_replica(self):
        for device in self.devices:
            ids = Counter(rid for _, rid in device.client.replica.records)
            assert [rid for rid, n in ids.items() if n > 1] == [], device

    @precondition(lambda self: self.oracle.deletes() > self.deletes_compacted)
    @rule(data=st.data())
    def compact_tombstones(self, data):
        """An admin compacts tombstones: cursors before it answer 410, their ids stay dead."""
        self.choose(data, what="compaction")
        self.deletes_compacted = self.oracle.deletes()
        self.compacted += self.world.compact()

    def explained(self, login, m, errors):
        """Whether a rejection is one the contract calls for here. The harness sends valid data,
        so only scope (a rep's customer taken away meanwhile, or a record made on it), a
        request's triage by someone other than the office,
        compaction (an edit of a compacted record, or a reference to one) and an earlier
        rejected create (a later edit of that record is a create without its fields) reject."""
        never_created = {
            r["record_id"]
            for _, r, _ in self.oracle.rejected
            if r["op"] == "upsert" and r["base_version"] is None
        }
        for messages in errors.values():
            for message in messages:
                limited = login.startswith("rep") or login in self.moved
                scope = limited and (message == "out_of_scope" or "does not exist" in message)
                compaction = self.compacted and (message == "deleted" or "does not exist" in message)
                cascade = m["record_id"] in never_created and message.startswith("Missing data")
                # a request's status, or an owner change by someone who no longer routes
                triage = message == "not_allowed" and (login not in ROUTERS or login in self.moved)
                if not (scope or compaction or cascade or triage):
                    return False
        return True

    # --- everyone syncs ----------------------------------------------------------------

    def teardown(self):
        if not self.devices:
            return
        self.step()
        for device in self.devices:
            for _ in range(5):
                if device.client.replica.outbox:
                    device.client.push()
            assert device.client.replica.outbox == [], device
        for device in self.devices:
            device.client.pull()
        server = self.world.records()
        fresh = {}
        for device in self.devices:
            if device.login not in fresh:
                reader = self.world.client(self.world.transport, device.login, "reader")
                reader.pull()
                fresh[device.login] = live_records(reader)
            assert differences(live_records(device.client), fresh[device.login], server) == [], device
            assert device.client.verify() == [], f"{device}: digest differs from the server's"
        assert self.oracle.lost(server) == []
        unexpected = [
            (login, m, errors)
            for login, m, errors in self.oracle.rejected
            if not self.explained(login, m, errors)
        ]
        assert unexpected == [], "mutations rejected for no reason the test can see"
        self.world.stats["acknowledged mutations"] += len(self.oracle.acknowledged)
        self.world.stats["rejected (scope, compaction)"] += len(self.oracle.rejected)
        self.world.stats["tombstones compacted"] += self.compacted
        self.world.stats["conflicts"] += sum(1 for e, _ in server if e == "conflicts")


# --- what the machine found, pinned as plain examples ------------------------------------------


class LosesAnAnswer(FlaskTransport):
    """The server applies the next push, and its answer never reaches the device."""

    lose = False

    def request(self, method, path, body=None, token=None):
        status, answer = super().request(method, path, body, token)
        if self.lose and path == PUSH_PATH:
            self.lose = False
            raise ConnectionResetError("the answer to a push was lost")
        return status, answer


@pytest.fixture
def make_client(client, people):
    return lambda login, transport=None: Client(transport or FlaskTransport(client), login, PASSWORD)


def a_moment_passes():
    """Let the wall clock move on, so the next edit's HLC is later than the last one's."""
    time.sleep(0.005)


def test_an_edit_made_after_a_lost_answer_reaches_the_server(client, make_client):
    network = LosesAnAnswer(client)
    rep, office = make_client("rep_a", network), make_client("office")
    customer_id = rep.save("customers", name="三河精機")
    network.lose = True
    with pytest.raises(ConnectionError):
        rep.push()
    rep.save("customers", customer_id, phone="0566-00-0000")
    rep.sync(), office.sync()
    assert office.live("customers")[customer_id]["phone"] == "0566-00-0000"


def test_a_record_evicted_while_edited_offline_leaves_once_the_edit_is_answered(make_client, people):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = office.save("customers", name="三河精機", owner_id=people["rep_a"])
    office.sync(), rep.sync()
    rep.save("customers", customer_id, notes="訪問メモ")
    office.save("customers", customer_id, owner_id=people["rep_b"])
    office.sync()
    rep.pull()  # the eviction comes while the edit is unsent: the record stays for it, for now
    rep.sync()
    assert customer_id not in rep.live("customers") and rep.verify() == []


def test_a_first_pull_forgets_records_deleted_since_the_device_pushed_them(make_client):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = rep.save("customers", name="三河精機")
    rep.push()
    office.sync()
    office.delete("customers", customer_id)
    office.sync()
    rep.pull()
    assert customer_id not in rep.live("customers") and rep.verify() == []


def compact_now(app):
    return compact(app, datetime.now(UTC) + timedelta(seconds=1))


def test_a_first_pull_in_pages_goes_through_after_a_compaction(app, client, make_client):
    office = make_client("office")
    for i in range(4):
        office.save("customers", name=f"顧客{i}")
    gone = office.save("customers", name="閉鎖")
    office.sync()
    office.delete("customers", gone)
    office.sync()
    assert compact_now(app) == 1
    fresh = make_client("office")
    first = fresh.call("GET", "/api/v1/sync/pull?limit=2")
    status, body = FlaskTransport(client).request(
        "GET", f"/api/v1/sync/pull?limit=2&cursor={first['cursor']}", token=fresh.token
    )
    assert (status, body.get("reason")) == (200, None)


def test_unfollowing_a_compacted_customer_keeps_what_its_owner_still_reads(app, make_client):
    """Found by the machine: a rep follows their own customer, then deletes it and a request of
    it; the tombstones are compacted, and the request's history (kept for good) still goes with
    the customer. Unfollowing then took the customer out of the rep's scope in the feed, though
    the rep owns it: their devices evicted the history a fresh pull still sends."""
    rep = make_client("rep_b")
    customer = rep.save("customers", name="閉鎖した工場")
    request = rep.save("requests", customer_id=customer, kind="request", title="部品の見積")
    follow = rep.save("follows", customer_id=customer)
    rep.sync()
    rep.delete("requests", request), rep.delete("customers", customer)
    rep.sync()
    history = set(rep.live("history"))
    assert history and compact_now(app) == 2
    rep.delete("follows", follow)
    rep.sync()
    assert set(rep.live("history")) == history and rep.verify() == []


def test_a_record_kept_through_a_fresh_pull_for_an_unsent_edit_leaves_once_answered(app, make_client):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = rep.save("customers", name="閉鎖予定")
    rep.sync(), office.sync()
    rep.save("customers", customer_id, notes="オフラインのメモ")
    office.delete("customers", customer_id)
    office.sync()
    assert compact_now(app) == 1
    rep.pull()  # 410: afresh; the record stays for the unsent edit, which is then rejected
    rep.sync()
    assert customer_id not in rep.live("customers") and rep.verify() == []


def test_a_push_touching_a_compacted_follow_while_following_again_is_answered(app, make_client, people):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = office.save("customers", name="西の顧客", owner_id=people["rep_b"])
    office.sync()
    follow_id = rep.save("follows", customer_id=customer_id)
    rep.sync()
    rep.delete("follows", follow_id)
    rep.sync()
    assert compact_now(app) == 1
    rep.delete("follows", follow_id)  # a second device's unfollow, say, arriving late
    rep.save("follows", customer_id=customer_id)
    assert [r["status"] for r in rep.push()] == ["applied", "applied"]


class DiesAfterOneAnswer(FlaskTransport):
    """The server applies the next push; the app takes in its first answer, then dies."""

    die = False

    def request(self, method, path, body=None, token=None):
        status, answer = super().request(method, path, body, token)
        if self.die and path == PUSH_PATH:
            self.die = False
            answer = {**answer, "results": answer["results"][:1]}
        return status, answer


def test_a_follow_answered_before_a_crash_leaves_once_its_unfollow_is_answered(client, make_client, people):
    network = DiesAfterOneAnswer(client)
    rep, office = make_client("rep_a", network), make_client("office")
    customer_id = office.save("customers", name="西の顧客", owner_id=people["rep_b"])
    office.sync(), rep.sync()
    follow_id = rep.save("follows", customer_id=customer_id)
    rep.delete("follows", follow_id)
    network.die = True
    rep.push()  # both applied; the device heard only that the follow was made
    for entry in rep.replica.outbox:
        entry.sent_revision = None  # the app starts again with its outbox
    assert [r["original_status"] for r in rep.push()] == ["applied"]  # the unfollow: no record now
    rep.pull()
    assert follow_id not in rep.live("follows") and rep.verify() == []


def merge(client, office, loser, survivor):
    status, answer = FlaskTransport(client).request(
        "POST", f"/api/v1/customers/{loser}/merge", {"into": survivor}, office.token
    )
    assert status == 200, answer


def test_records_merged_into_a_customer_a_rep_does_not_see_leave_the_reps_device(client, make_client, people):
    rep, office = make_client("rep_a"), make_client("office")
    mine = office.save("customers", name="東の顧客", owner_id=people["rep_a"])
    theirs = office.save("customers", name="西の顧客", owner_id=people["rep_b"])
    contact_id = office.save("contacts", customer_id=mine, name="佐藤 健太")
    office.sync(), rep.sync()
    merge(client, office, mine, theirs)
    rep.sync()
    assert contact_id not in rep.live("contacts") and rep.verify() == []


def test_a_customer_a_rep_followed_leaves_the_reps_device_once_merged_into_one_they_own(
    client, make_client, people
):
    rep, west, office = make_client("rep_a"), make_client("rep_b"), make_client("office")
    followed = west.save("customers", name="西の顧客")
    contact_id = west.save("contacts", customer_id=followed, name="佐藤 健太")
    west.sync()
    follow = rep.save("follows", customer_id=followed)
    rep.push()
    own = office.save("customers", name="東の顧客", owner_id=people["rep_a"])
    office.sync()
    office.save("follows", follow, status="approved")
    office.sync(), rep.sync()
    assert followed in rep.live("customers")
    merge(client, office, followed, own)
    rep.sync()
    # The follow moved to the survivor, so it grants the merged customer nothing any more.
    assert followed not in rep.live("customers") and contact_id in rep.live("contacts")
    assert rep.live("follows")[follow]["customer_id"] == own and rep.verify() == []


def test_a_follow_of_a_merged_customer_leaves_its_owners_device_once_moved_to_one_they_do_not_see(
    client, make_client, people
):
    asker, owner, office = make_client("rep_a"), make_client("rep_b"), make_client("office")
    merged = owner.save("customers", name="西の顧客")
    owner.sync()
    follow = asker.save("follows", customer_id=merged)
    asker.push()
    survivor = office.save("customers", name="東の顧客", owner_id=people["rep_a"])
    office.sync(), owner.sync()
    assert follow in owner.live("follows")  # the owner sees who asks to follow their customer
    merge(client, office, merged, survivor)
    owner.sync(), asker.sync()
    assert follow not in owner.live("follows") and owner.verify() == []
    assert asker.live("follows")[follow]["customer_id"] == survivor and asker.verify() == []


def test_a_rep_who_sees_both_merged_customers_keeps_every_record_of_the_survivor(client, make_client, people):
    rep, office = make_client("rep_a"), make_client("office")
    merged = office.save("customers", name="株式会社みらい精機", owner_id=people["rep_a"])
    survivor = office.save("customers", name="みらい精機", owner_id=people["rep_a"])
    contact_id = office.save("contacts", customer_id=survivor, name="佐藤 健太")
    moved_id = office.save("contacts", customer_id=merged, name="鈴木 一郎")
    office.sync(), rep.sync()
    merge(client, office, merged, survivor)
    rep.sync()
    assert {contact_id, moved_id} <= set(rep.live("contacts")) and rep.verify() == []


def test_an_edit_of_a_merged_customer_keeps_what_the_same_device_wrote_on_the_survivor(client, make_client):
    office = make_client("office")
    survivor = office.save("customers", name="みらい精機")
    merged = office.save("customers", name="株式会社みらい精機")
    office.sync()
    office.save("customers", merged, name="みらい精機株式会社")  # offline, before the merge
    merge(client, office, merged, survivor)
    office.sync()
    conflicts = [(c["record_id"], c["lost_value"]) for c in office.live("conflicts").values()]
    assert office.live("customers")[survivor]["name"] == "みらい精機株式会社"
    assert conflicts == [(survivor, "みらい精機")]


def test_a_record_made_before_its_customer_left_the_rep_does_not_stay_once_the_eviction_came(
    make_client, people
):
    rep, office = make_client("rep_a"), make_client("office")
    customer_id = office.save("customers", name="東の顧客", owner_id=people["rep_a"])
    office.sync(), rep.sync()
    a_moment_passes()
    contact_id = rep.save("contacts", customer_id=customer_id, name="佐藤 健太")  # offline
    a_moment_passes()
    office.save("customers", customer_id, owner_id=people["rep_b"])
    office.sync()
    rep.pull()  # the eviction comes while the new contact is still unsent
    assert [(r["status"], r.get("errors")) for r in rep.push()] == [("applied", None)]  # within the grace
    assert contact_id not in rep.live("contacts") and rep.verify() == []


def test_handing_a_customer_to_the_owner_it_has_is_no_change_and_no_conflict(make_client, people):
    """Found by the machine: a manager hands a rep's customer to that rep (nothing changes), and
    an office device, offline since it saw the rep as owner, hands it to the office. The office
    replaced the owner it saw: the customer is the office's, and nobody is shown a conflict."""
    manager, office = make_client("manager"), make_client("office")
    customer_id = office.save("customers", name="北村鉄工", owner_id=people["rep_a"])
    office.sync(), manager.sync()
    a_moment_passes()
    manager.save("customers", customer_id, owner_id=people["rep_a"])
    (answer,) = manager.push()
    assert (answer["status"], answer["record"]["version"]) == ("applied", 1)
    a_moment_passes()
    office.save("customers", customer_id, owner_id=people["office"])
    office.sync(), manager.sync()
    assert manager.live("customers")[customer_id]["owner_id"] == people["office"]
    assert [c for c in manager.live("conflicts").values() if c["record_id"] == customer_id] == []


def test_a_handover_to_the_owner_a_customer_has_still_wins_over_an_older_concurrent_one(client, people):
    """Found by the machine: a manager, offline since version 1, hands a customer to another
    rep; meanwhile the office, at version 2, confirms the owner it has (nothing changes). The
    two are concurrent and the office's is the later: the owner stays, and the manager's
    handover is a conflict to see, not a silent undoing of the office's word."""
    transport = FlaskTransport(client)
    office = Client(transport, "office", PASSWORD)
    manager = Client(transport, "manager", PASSWORD, clock=lambda: int(time.time() * 1000) - 60_000)
    customer_id = office.save("customers", name="北村鉄工", owner_id=people["rep_a"])
    office.sync(), manager.sync()
    manager.save("customers", customer_id, owner_id=people["rep_b"])  # offline, a minute behind
    office.save("customers", customer_id, phone="0586-11-2222")
    office.sync()
    a_moment_passes()
    office.save("customers", customer_id, owner_id=people["rep_a"])
    (answer,) = office.push()
    assert (answer["status"], answer["record"]["version"]) == ("applied", 2)  # no change
    manager.sync(), office.sync()
    customer = office.live("customers")[customer_id]
    assert (customer["owner_id"], customer["team"]) == (people["rep_a"], "east")
    lost = [(c["field"], c["lost_value"]) for c in office.live("conflicts").values()]
    assert ("owner_id", people["rep_b"]) in lost


def test_a_value_two_devices_gave_unseen_is_not_replaced_silently_by_either(client, make_client, people):
    """Found by the machine: two office devices hand a customer to the same rep, neither having
    seen the other's; the second device, its answer lost, then hands it to another rep. That
    replaced the first device's word too, which the second had never seen: it is kept as a
    conflict, not replaced silently as if it were the second device's own."""
    first, lossy = make_client("office"), LosesAnAnswer(client)
    second = make_client("office", lossy)
    customer_id = first.save("customers", name="北村鉄工", owner_id=people["rep_b"])
    first.sync(), second.sync()
    first.save("customers", customer_id, owner_id=people["rep_a"])
    first.push()
    a_moment_passes()
    second.save("customers", customer_id, owner_id=people["rep_a"], phone="0586-11-2222")
    lossy.lose = True
    with pytest.raises(ConnectionError):
        second.push()
    a_moment_passes()
    second.save("customers", customer_id, owner_id=people["rep_a2"])  # based on version 1 still
    second.sync(), first.sync()
    assert first.live("customers")[customer_id]["owner_id"] == people["rep_a2"]
    lost = [(c["field"], c["lost_value"]) for c in first.live("conflicts").values()]
    assert ("owner_id", people["rep_a"]) in lost


def test_a_later_edit_of_the_survivor_keeps_what_the_same_device_sent_to_the_merged_customer(
    client, make_client
):
    office = make_client("office")
    survivor = office.save("customers", name="みらい精機")
    merged = office.save("customers", name="株式会社みらい精機")
    office.sync()
    office.save("customers", merged, phone="052-111-2222")  # offline, before the merge
    office.save("customers", survivor, phone="052-333-4444")  # later, the same device
    merge(client, office, merged, survivor)
    office.sync()  # both land on the survivor: the later wins, the other is kept
    lost = [c["lost_value"] for c in office.live("conflicts").values() if c["field"] == "phone"]
    assert office.live("customers")[survivor]["phone"] == "052-333-4444" and "052-111-2222" in lost


# --- the machine, run ----------------------------------------------------------------------------


def test_devices_converge_and_no_acknowledged_write_is_lost(app, client, people, monkeypatch):
    world = World(app, client, people)
    monkeypatch.setattr("server.core.sync_api.now_ms", world.now)
    for module in ("server.customers.api", "server.core.users"):  # merges and moves of people
        monkeypatch.setattr(f"{module}.time", SimpleNamespace(time=world.time))
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            type("Devices", (Devices,), {"world": world}), settings=hypothesis_profiles.chosen()
        )
    finally:
        backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
        stats = ", ".join(f"{k}: {v}" for k, v in sorted(world.stats.items()))
        print(f"\n[{backend}] {time.monotonic() - started:.1f} s; {stats}")
