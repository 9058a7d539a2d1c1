"""Staff come and go: devices belong to one person, passwords end sign-ins, the admin API,
the audit trail."""

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sync.models import SeenMutation

from conftest import PASSWORD, Device, records_by_id
from server.core.db import db
from test_errors import assert_error_shape

USERS = "/api/v1/admin/users"
# No one has this id (a fixed one: parameters are the same in every pytest-xdist worker).
NOBODY = "00000000-0000-4000-8000-000000000000"


def sign_in(client, login, device_id, password=PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        json={"login": login, "password": password, "device": {"id": device_id, "name": "tablet"}},
    )


def pulled(client, who):
    return client.get("/api/v1/sync/pull", headers=who.headers)


def test_a_device_id_belongs_to_the_first_person_who_signed_in_with_it(client, device):
    first = device("rep_a")
    response = sign_in(client, "rep_b", first.id)
    assert response.status_code == 409 and response.get_json()["reason"] == "device_in_use"
    assert sign_in(client, "rep_a", first.id).status_code == 200


def test_a_changed_password_ends_every_sign_in(client, device, people):
    rep, admin = device("rep_a"), device("admin")
    response = client.patch(
        f"{USERS}/{people['rep_a']}", json={"password": "a-new-password"}, headers=admin.headers
    )
    assert response.status_code == 200
    answer = pulled(client, rep)
    assert answer.status_code == 401 and answer.get_json()["reason"] == "token_expired"
    assert sign_in(client, "rep_a", rep.id, "a-new-password").status_code == 200


def test_create_user_on_an_existing_login_ends_the_old_sign_ins(client, runner, device):
    office = device("office")
    runner.invoke(args=["create-user", "office", "--password", "a-new-password", "--role", "office"])
    assert pulled(client, office).get_json()["reason"] == "token_expired"


def test_a_deactivated_user_is_wiped_and_cannot_sign_in(client, device, people):
    rep, admin = device("rep_a"), device("admin")
    client.patch(f"{USERS}/{people['rep_a']}", json={"active": False}, headers=admin.headers)
    assert pulled(client, rep).get_json()["reason"] == "token_revoked"
    response = sign_in(client, "rep_a", str(uuid.uuid4()))
    assert response.status_code == 401 and response.get_json()["reason"] == "bad_credentials"


def test_the_admin_lists_creates_and_changes_users(client, device):
    admin = device("admin")
    made = client.post(
        USERS,
        json={
            "login": "kimura",
            "name": "木村 拓也",
            "role": "technician",
            "team": "service",
            "password": "kimura-pass-1",
        },
        headers=admin.headers,
    )
    assert made.status_code == 201
    user = made.get_json()
    assert {k: user[k] for k in ("login", "name", "role", "team", "active")} == {
        "login": "kimura",
        "name": "木村 拓也",
        "role": "technician",
        "team": "service",
        "active": True,
    }
    Device(client, "kimura", password="kimura-pass-1")
    listed = {u["login"]: u for u in client.get(USERS, headers=admin.headers).get_json()["users"]}
    assert listed["kimura"]["last_seen"] is not None and listed["rep_a"]["last_seen"] is None
    changed = client.patch(
        f"{USERS}/{user['id']}", json={"role": "office", "team": "office"}, headers=admin.headers
    )
    assert (changed.get_json()["role"], changed.get_json()["team"]) == ("office", "office")


@pytest.mark.parametrize(
    "method, path, body, code",
    [
        ("post", USERS, {"login": "rep_a", "name": "x", "role": "rep", "password": "long-enough"}, 409),
        ("post", USERS, {"login": "x", "name": "x", "role": "boss", "password": "long-enough"}, 422),
        ("post", USERS, {"login": "x", "name": "x", "role": "rep", "password": "short"}, 422),
        ("patch", f"{USERS}/{NOBODY}", {"name": "x"}, 404),
        ("patch", "USER", {"active": "no"}, 422),
        ("get", f"{USERS}/{NOBODY}/devices", None, 404),
    ],
)
def test_admin_api_refusals(client, device, people, method, path, body, code):
    path = path.replace("USER", f"{USERS}/{people['rep_a']}")
    response = getattr(client, method)(path, json=body, headers=device("admin").headers)
    assert response.status_code == code, response.get_json()


@pytest.mark.parametrize("action", ["add", "change"])
def test_a_team_named_like_the_apps_marker_is_refused_on_the_team_field(client, device, people, action):
    # 「~personal」 would make every customer of the team personal: no one's but its owner's.
    admin = device("admin").headers
    if action == "add":
        body = {"login": "x", "name": "x", "role": "rep", "team": "~personal", "password": "long-enough"}
        response = client.post(USERS, json=body, headers=admin)
    else:
        response = client.patch(f"{USERS}/{people['rep_a']}", json={"team": "~personal"}, headers=admin)
    assert_error_shape(response, 422)
    assert set(response.get_json()["errors"]) == {"team"}  # the admin screen shows it under チーム
    assert response.get_json()["message"].startswith("Team ")


@pytest.mark.parametrize(
    "login, reads, writes", [("office", 200, 403), ("rep_a", 403, 403), ("manager", 403, 403)]
)
def test_office_may_read_and_only_the_admin_changes(client, device, people, login, reads, writes):
    who = device(login)
    assert client.get(USERS, headers=who.headers).status_code == reads
    assert client.get(f"{USERS}/{people['rep_a']}/devices", headers=who.headers).status_code == reads
    assert (
        client.patch(f"{USERS}/{people['rep_a']}", json={"name": "x"}, headers=who.headers).status_code
        == writes
    )
    assert client.get("/api/v1/admin/audit", headers=who.headers).status_code == 403


def test_devices_are_listed_with_first_and_last_seen_and_revoked(client, device, people):
    rep, admin = device("rep_a"), device("admin")
    listed = client.get(f"{USERS}/{people['rep_a']}/devices", headers=admin.headers).get_json()["devices"]
    assert [(d["id"], d["revoked"]) for d in listed] == [(rep.id, False)]
    assert listed[0]["first_seen"] and listed[0]["last_seen"]
    assert client.post(f"/api/v1/admin/devices/{rep.id}/revoke", headers=admin.headers).status_code == 200
    listed = client.get(f"{USERS}/{people['rep_a']}/devices", headers=admin.headers).get_json()["devices"]
    assert listed[0]["revoked"] is True


def test_the_audit_lists_sign_ins_failures_admin_changes_and_revocations(client, device, people):
    rep, admin = device("rep_a"), device("admin")
    sign_in(client, "rep_b", str(uuid.uuid4()), "wrong password")
    client.patch(f"{USERS}/{people['rep_b']}", json={"team": "east"}, headers=admin.headers)
    client.post(f"/api/v1/admin/devices/{rep.id}/revoke", headers=admin.headers)
    events = client.get(
        "/api/v1/admin/audit", query_string={"since": "2020-01-01T00:00:00Z"}, headers=admin.headers
    ).get_json()["events"]
    actions = [(e["action"], e["user_id"]) for e in events]
    assert ("sign_in", people["rep_a"]) in actions and ("sign_in_failed", people["rep_b"]) in actions
    assert ("user_changed", people["admin"]) in actions and ("device_revoked", people["admin"]) in actions
    assert (
        client.get("/api/v1/admin/audit", query_string={"limit": 1}, headers=admin.headers).get_json()[
            "events"
        ][0]["action"]
        == "sign_in"
    )
    assert (
        client.get(
            "/api/v1/admin/audit", query_string={"since": "yesterday"}, headers=admin.headers
        ).status_code
        == 422
    )


def test_a_team_change_moves_the_reps_customers_through_the_feed(client, device, people):
    east, west, admin = device("rep_a"), device("rep_b"), device("admin")
    eastern = east.create("customers", name="東日本精工")
    western = west.create("customers", name="西日本精工")
    east.sync()
    client.patch(f"{USERS}/{people['rep_a']}", json={"team": "west"}, headers=admin.headers)
    changes = east.sync()
    assert western["id"] in records_by_id(changes)
    assert eastern["id"] not in {c["id"] for c in changes if c.get("evict")}  # still theirs: they own it
    client.patch(f"{USERS}/{people['rep_a']}", json={"role": "manager"}, headers=admin.headers)
    client.patch(f"{USERS}/{people['rep_a']}", json={"role": "rep", "team": "south"}, headers=admin.headers)
    evicted = {c["id"] for c in east.sync(limit=1) if c.get("evict")}
    assert western["id"] in evicted


def test_an_office_user_made_a_rep_no_longer_holds_others_follow_requests(client, device, people):
    """Made a rep of the east team, an office user keeps the team's customers but no longer reads
    who asks to follow them: their next pull evicts the request, and nothing else of the customer."""
    east, west, office, admin = device("rep_a"), device("rep_b"), device("office"), device("admin")
    customer = east.create("customers", name="東日本精工")
    west.sync()
    follow = west.create("follows", customer_id=customer["id"])
    assert follow["id"] in records_by_id(office.sync())  # the office reads every follow
    changed = client.patch(
        f"{USERS}/{people['office']}", json={"role": "rep", "team": "east"}, headers=admin.headers
    )
    assert changed.status_code == 200
    evicted = {c["id"] for c in office.sync() if c.get("evict")}
    assert follow["id"] in evicted and customer["id"] not in evicted


def test_an_office_user_made_a_technician_no_longer_holds_others_follow_requests(client, device, people):
    """A technician sees every customer but not who asks to follow one: made a technician, an
    office user's next pull evicts the follow requests they held, and no customer."""
    east, west, office, admin = device("rep_a"), device("rep_b"), device("office"), device("admin")
    customer = east.create("customers", name="東日本精工")
    unfollowed = east.create("customers", name="北日本精工")
    west.sync()
    follow = west.create("follows", customer_id=customer["id"])
    assert follow["id"] in records_by_id(office.sync())
    changed = client.patch(
        f"{USERS}/{people['office']}", json={"role": "technician", "team": "service"}, headers=admin.headers
    )
    assert changed.status_code == 200
    evicted = {c["id"] for c in office.sync() if c.get("evict")}
    assert follow["id"] in evicted
    assert not evicted & {customer["id"], unfollowed["id"]}


def test_cli_user_commands(runner, device, people):
    rep = device("rep_a")
    assert "rep_a\trep\teast\tactive" in runner.invoke(args=["user", "list"]).output
    assert rep.id in runner.invoke(args=["user", "devices", "rep_a"]).output
    result = runner.invoke(args=["user", "set", "rep_a", "--team", "west", "--inactive"])
    assert result.exit_code == 0 and "west" in result.output and "inactive" in result.output
    assert "0 device(s) of rep_b revoked" in runner.invoke(args=["user", "revoke-devices", "rep_b"]).output
    assert runner.invoke(args=["user", "add", "rep_b", "--password", "x" * 8, "--role", "rep"]).exit_code != 0
    assert runner.invoke(args=["user", "add", "sato2", "--password", "x" * 8, "--role", "rep"]).exit_code == 0
    assert runner.invoke(args=["user", "set", "nobody", "--name", "x"]).exit_code != 0


def test_the_users_list_counts_each_persons_devices_still_in_use(client, device, people):
    _kept, second, admin = device("rep_a"), device("rep_a"), device("admin")
    client.post(f"/api/v1/admin/devices/{second.id}/revoke", headers=admin.headers)
    listed = {u["login"]: u for u in client.get(USERS, headers=admin.headers).get_json()["users"]}
    assert (listed["rep_a"]["devices"], listed["rep_b"]["devices"]) == (1, 0)
    changed = client.patch(f"{USERS}/{people['rep_a']}", json={"name": "佐藤"}, headers=admin.headers)
    assert changed.get_json()["devices"] == 1 and changed.get_json()["last_seen"]


def test_every_admin_time_says_its_offset_so_the_app_shows_it_in_tokyo_time(client, device, people):
    device("rep_a")  # signs in: a device with first and last use
    admin = device("admin")
    user = next(
        u for u in client.get(USERS, headers=admin.headers).get_json()["users"] if u["login"] == "rep_a"
    )
    devices = client.get(f"{USERS}/{people['rep_a']}/devices", headers=admin.headers).get_json()["devices"]
    events = client.get("/api/v1/admin/audit", headers=admin.headers).get_json()["events"]
    times = [user["last_seen"], devices[0]["first_seen"], devices[0]["last_seen"], events[0]["at"]]
    assert all(datetime.fromisoformat(moment).utcoffset() == timedelta(0) for moment in times), times


def test_the_audit_pages_newest_first_and_filters_by_action(client, device, people):
    admin = device("admin")
    for team in ("west", "south", "north"):
        client.patch(f"{USERS}/{people['rep_b']}", json={"team": team}, headers=admin.headers)

    def audit(**query):
        answer = client.get("/api/v1/admin/audit", query_string=query, headers=admin.headers)
        return answer.get_json()["events"]

    newest = audit(order="newest", action="user_changed", limit=2)
    assert [e["detail"]["team"] for e in newest] == ["north", "south"]
    older = audit(order="newest", action="user_changed", before=newest[-1]["id"])
    assert [e["detail"]["team"] for e in older] == ["west"]
    assert {e["action"] for e in audit(action="sign_in")} == {"sign_in"}


def test_a_revocation_in_the_audit_names_whose_device_it_was(client, device, people):
    rep, admin = device("rep_a"), device("admin")
    client.post(f"/api/v1/admin/devices/{rep.id}/revoke", headers=admin.headers)
    events = client.get(
        "/api/v1/admin/audit", query_string={"action": "device_revoked"}, headers=admin.headers
    ).get_json()["events"]
    assert [(e["user_id"], e["detail"]) for e in events] == [
        (people["admin"], {"target": people["rep_a"], "device_id": rep.id})
    ]


@pytest.mark.parametrize(
    "query", [{"action": "coffee"}, {"order": "sideways"}, {"before": 0}, {"before": "x"}]
)
def test_audit_queries_that_cannot_be_answered(client, device, query):
    response = client.get("/api/v1/admin/audit", query_string=query, headers=device("admin").headers)
    assert response.status_code == 422 and response.get_json()["code"] == 422


@pytest.mark.parametrize("change, field", [({"role": "office"}, "role"), ({"active": False}, "active")])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, device, people, change, field):
    admin = device("admin")
    response = client.patch(f"{USERS}/{people['admin']}", json=change, headers=admin.headers)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == 422
    assert list(body["errors"]) == [field] and "last active admin" in body["message"]
    listed = {u["login"]: u for u in client.get(USERS, headers=admin.headers).get_json()["users"]}
    assert (listed["admin"]["role"], listed["admin"]["active"]) == ("admin", True)
    # With a second admin, the first may step down.
    promoted = client.patch(f"{USERS}/{people['office']}", json={"role": "admin"}, headers=admin.headers)
    assert promoted.status_code == 200
    assert client.patch(f"{USERS}/{people['admin']}", json=change, headers=admin.headers).status_code == 200


def test_the_cli_keeps_the_last_active_admin_too(runner, people):
    result = runner.invoke(args=["user", "set", "admin", "--inactive"])
    assert result.exit_code != 0 and "last active admin" in result.output
    result = runner.invoke(args=["user", "set", "admin", "--role", "rep"])
    assert result.exit_code != 0 and "last active admin" in result.output
    assert "admin\tadmin\toffice\tactive" in runner.invoke(args=["user", "list"]).output


def test_compact_forgets_what_revoked_devices_pushed_and_still_answers_the_others_repeats(
    app, client, device, runner
):
    lost, kept, admin = device("rep_a"), device("rep_b"), device("admin")
    lost_push = [lost.mutation("customers", name=f"紛失端末の顧客{n}") for n in range(3)]
    kept_push = kept.mutation("customers", name="残る端末の顧客")
    lost.push(*lost_push)
    kept.push(kept_push)
    client.post(f"/api/v1/admin/devices/{lost.id}/revoke", headers=admin.headers)

    output = runner.invoke(args=["compact"]).output
    assert "forgot 3 mutations pushed by revoked devices" in output, output
    with app.app_context():
        seen = db.session.execute(select(SeenMutation.device_id)).scalars().all()
        db.session.remove()
    assert lost.id not in seen and kept.id in seen
    assert kept.push(kept_push)[0]["status"] == "duplicate"
    office = device("office")
    names = {r.get("name") for r in records_by_id(office.sync()).values()}
    assert {"紛失端末の顧客0", "紛失端末の顧客2", "残る端末の顧客"} <= names  # the records stay
    assert "forgot 0 mutations" in runner.invoke(args=["compact"]).output
