"""Protocol versions: old clients are upgraded or told to update, and keep their outbox."""

import pytest

from sync import protocol
from sync.client import Client, FlaskTransport, SyncError

from conftest import PASSWORD


@pytest.fixture
def rep(client, people):
    return Client(FlaskTransport(client), "rep_a", PASSWORD)


def test_every_answer_names_the_servers_protocol(client):
    assert client.get("/api/v1/openapi.json").headers["Genba-Protocol"] == str(protocol.CURRENT)


def test_a_client_older_than_the_minimum_is_told_to_update_and_keeps_its_outbox(app, rep):
    rep.save("customers", name="旧アプリ工業")
    app.config["MIN_PROTOCOL_VERSION"] = protocol.CURRENT + 1
    with pytest.raises(SyncError) as refused:
        rep.push()
    assert (refused.value.status, refused.value.reason) == (426, "client_outdated")
    assert len(rep.replica.outbox) == 1
    app.config["MIN_PROTOCOL_VERSION"] = protocol.CURRENT  # the app was updated
    assert [r["status"] for r in rep.push()] == ["applied"]


@pytest.mark.parametrize("header", ["abc", "-1", "1.5", "99999"])
def test_a_malformed_protocol_header_is_a_clear_400(device, header):
    rep = device("rep_a")
    response = rep.client.get("/api/v1/sync/pull", headers={**rep.headers, "Genba-Protocol": header})
    assert response.status_code == 400 and "Genba-Protocol" in response.get_json()["errors"]


def test_a_client_newer_than_the_server_is_refused(device):
    rep = device("rep_a")
    newer = str(protocol.CURRENT + 1)
    response = rep.client.get("/api/v1/sync/pull", headers={**rep.headers, "Genba-Protocol": newer})
    assert response.status_code == 400


def test_previous_version_mutations_are_upgraded_before_they_apply(monkeypatch, device):
    """A stand-in version 2 renamed a field; a version-1 client's push still lands."""

    def rename_tel(mutation):
        changes = dict(mutation.get("changes") or {})
        if "tel" in changes:
            changes["phone"] = changes.pop("tel")
        return {**mutation, "changes": changes}

    monkeypatch.setattr(protocol, "CURRENT", 2)
    monkeypatch.setitem(protocol.UPGRADES, 1, rename_tel)
    rep = device("rep_a")
    body = {"device_id": rep.id, "mutations": [rep.mutation("customers", name="旧形式", tel="052-1")]}
    response = rep.client.post("/api/v1/sync/push", json=body, headers={**rep.headers, "Genba-Protocol": "1"})
    assert response.get_json()["results"][0]["record"]["phone"] == "052-1"
