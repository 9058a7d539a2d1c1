"""Whatever a node keeps between requests (pooled connections, anything cached), a sign-in an
administrator ends on one node is refused on the very next request on every other node."""

import pytest

from conftest import Device, make_app
from server.core.db import db
from test_errors import assert_error_shape


@pytest.fixture
def other_node(database_url, tmp_path):
    """A second app on the same database, as another node (or another worker) would be."""
    app = make_app(database_url, tmp_path)
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def revoke_device(client, admin, device, people):
    return client.post(f"/api/v1/admin/devices/{device.id}/revoke", headers=admin.headers)


def deactivate_user(client, admin, device, people):
    return client.patch(
        f"/api/v1/admin/users/{people['rep_a']}", json={"active": False}, headers=admin.headers
    )


def change_password(client, admin, device, people):
    return client.patch(
        f"/api/v1/admin/users/{people['rep_a']}",
        json={"password": "a new password 2026"},
        headers=admin.headers,
    )


@pytest.mark.parametrize(
    "end_sign_in, reason",
    [
        (revoke_device, "token_revoked"),
        (deactivate_user, "token_revoked"),
        (change_password, "token_expired"),
    ],
)
def test_a_sign_in_ended_on_one_node_is_refused_at_once_by_another(
    client, other_node, device, people, end_sign_in, reason
):
    admin, rep = device("admin"), device("rep_a")
    there = Device(other_node, "rep_a", device_id=rep.id)  # the same device, its requests sent to node B
    there.wire.token = rep.token
    for _ in range(3):  # node B has served this token: whatever it keeps is warm
        assert there.pull().status_code == 200
        assert there.push() == []
    there.sync()  # and it polls with nothing new (the pull answered from the token check's row)

    assert end_sign_in(client, admin, rep, people).status_code == 200

    assert_error_shape(there.pull(there.cursor), 401, reason)
    assert_error_shape(there.pull(), 401, reason)
    assert_error_shape(there.push_raw({"device_id": rep.id, "mutations": []}), 401, reason)
    assert_error_shape(rep.pull(), 401, reason)


def test_a_database_restart_under_a_busy_node_costs_one_retry_not_a_500(pg_database, tmp_path):
    """Busy connections are not pinged before use: one cut while pooled fails a request with 503
    (the app tries again), never a 500, and the next request reconnects."""
    from sqlalchemy import text

    from conftest import admin_engine

    app = make_app(pg_database, tmp_path)
    rep = Device(app.test_client(), "rep_a")
    assert rep.pull().status_code == 200
    with admin_engine().connect() as conn:  # what a restart does to every connection
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": pg_database.rsplit("/", 1)[1]},
        )
    answer = rep.pull()
    assert_error_shape(answer, 503)
    assert answer.headers["Retry-After"] == "1"
    assert rep.pull().status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
