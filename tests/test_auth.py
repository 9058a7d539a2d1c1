"""Signing in, bearer tokens, revoked devices, idle expiry, roles and login rate limiting."""

import hashlib
import uuid
from datetime import timedelta

import flask
import pytest
from sqlalchemy import select, update

from sync.models import utcnow

from conftest import CHEAP_HASH, PASSWORD, Device
from server import create_app
from server.core.config import Config
from server.core.db import db
from server.core.models import Token, User
from test_errors import assert_error_shape

LOGIN = "/api/v1/auth/token"
# No device has this id (fixed, so every pytest-xdist worker collects the same tests).
NO_DEVICE = "00000000-0000-4000-8000-000000000000"


def sign_in(client, login, password=PASSWORD, device_id=None):
    return client.post(
        LOGIN,
        json={
            "login": login,
            "password": password,
            "device": {"id": device_id or str(uuid.uuid4()), "name": "タブレット"},
        },
    )


def set_last_used(app, device, days_ago):
    with app.app_context():
        db.session.execute(
            update(Token)
            .where(Token.device_id == device.id)
            .values(last_used_at=utcnow() - timedelta(days=days_ago))
        )
        db.session.commit()


def last_used(app, device):
    with app.app_context():
        moment = db.session.execute(
            select(Token.last_used_at).where(Token.device_id == device.id)
        ).scalar_one()
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def test_sign_in_answers_a_token_and_the_user(client, people):
    response = sign_in(client, "rep_a")
    body = response.get_json()
    assert response.status_code == 200 and set(body) == {"token", "user"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["user"] == {"id": people["rep_a"], "name": "佐藤 健太", "role": "rep", "team": "east"}


def test_login_ignores_case_and_character_width(client, people):
    response = sign_in(client, "ＲＥＰ＿Ａ")
    assert response.status_code == 200
    assert response.get_json()["user"]["id"] == people["rep_a"]


@pytest.mark.parametrize(
    "login, password",
    [
        ("rep_a", "wrong horse battery"),
        ("rep_a", PASSWORD.upper()),
        ("rep_a", PASSWORD + " "),
        ("nobody", PASSWORD),
        ("rep_a2 ", "x"),
    ],
)
def test_bad_credentials_answer_401(client, people, login, password):
    assert_error_shape(sign_in(client, login, password), 401, "bad_credentials")


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, {"login", "password", "device"}),
        ({"login": "rep_a"}, {"password", "device"}),
        ({"login": "rep_a", "password": PASSWORD}, {"device"}),
        ({"password": PASSWORD, "device": {"id": str(uuid.uuid4())}}, {"login"}),
        ({"login": "", "password": PASSWORD, "device": {"id": str(uuid.uuid4())}}, {"login"}),
    ],
)
def test_missing_fields_answer_422_naming_them(client, people, body, fields):
    response = client.post(LOGIN, json=body)
    assert_error_shape(response, 422)
    assert set(response.get_json()["errors"]) == fields


def test_the_password_is_stored_only_as_a_hash_of_the_configured_method(app, people):
    with app.app_context():
        stored = db.session.execute(select(User.password_hash).where(User.login == "rep_a")).scalar_one()
    assert stored.startswith(CHEAP_HASH + "$") and PASSWORD not in stored


def test_passwords_are_hashed_with_scrypt_unless_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert Config(str(tmp_path)).PASSWORD_HASH_METHOD == "scrypt"


def test_the_token_is_stored_only_as_its_hash(app, device):
    rep = device("rep_a")
    with app.app_context():
        stored = db.session.execute(select(Token.token_hash).where(Token.device_id == rep.id)).scalars().all()
    assert stored == [hashlib.sha256(rep.token.encode()).hexdigest()]


TOKEN = "<the device's token>"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic cmVwX2E6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5",
        TOKEN,
        f"Token {TOKEN}",
        f"Bearer {TOKEN}x",
        f"Bearer x{TOKEN}",
        "Bearer not-a-token-this-server-issued",
        "Bearer " + "a" * 10_000,
    ],
)
def test_missing_or_malformed_bearer_answers_token_invalid(shared_client, header):
    rep = Device(shared_client, "rep_a")
    headers = {} if header is None else {"Authorization": header.replace(TOKEN, rep.token)}
    assert_error_shape(shared_client.get("/api/v1/sync/pull", headers=headers), 401, "token_invalid")


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/sync/push"),
        ("GET", "/api/v1/sync/pull"),
        ("GET", "/api/v1/customers/search?q=山田"),
        ("GET", "/api/v1/admin/dead-letters"),
        ("POST", f"/api/v1/admin/devices/{NO_DEVICE}/revoke"),
    ],
)
def test_every_call_but_sign_in_needs_a_token(client, method, path):
    assert_error_shape(client.open(path, method=method, json={}), 401, "token_invalid")


def test_a_device_revoked_by_an_admin_is_cut_off_while_the_users_other_device_works(client, device):
    lost, kept, admin = device("rep_a"), device("rep_a"), device("admin")
    response = client.post(f"/api/v1/admin/devices/{lost.id}/revoke", headers=admin.headers)
    assert response.get_json() == {"device_id": lost.id, "revoked": True}
    assert_error_shape(lost.pull(), 401, "token_revoked")
    assert_error_shape(lost.push_raw({"device_id": lost.id, "mutations": []}), 401, "token_revoked")
    assert kept.pull().status_code == 200 and kept.push() == []


def test_a_device_revoked_on_the_command_line_is_cut_off_while_the_users_other_device_works(runner, device):
    lost, kept = device("rep_a"), device("rep_a")
    result = runner.invoke(args=["revoke-device", lost.id])
    assert (result.exit_code, result.output) == (0, f"device {lost.id} revoked\n")
    assert_error_shape(lost.pull(), 401, "token_revoked")
    assert_error_shape(lost.push_raw({"device_id": lost.id, "mutations": []}), 401, "token_revoked")
    assert kept.pull().status_code == 200 and kept.push() == []


def test_every_token_of_a_revoked_device_stops_working(client, device):
    first = device("rep_a")
    second = device("rep_a", device_id=first.id)
    client.post(f"/api/v1/admin/devices/{first.id}/revoke", headers=device("admin").headers)
    assert_error_shape(first.pull(), 401, "token_revoked")
    assert_error_shape(second.pull(), 401, "token_revoked")


def test_signing_out_ends_that_token_only_and_is_in_the_audit_trail(client, device, people):
    """A sign-out on a shared tablet leaves no token that works: the one sent is refused from
    then on, the device's next sign-in and the person's other devices go on, and an admin sees
    the sign-out in the audit trail."""
    rep, other = device("rep_a"), device("rep_a")
    response = client.delete(LOGIN, headers=rep.headers)
    assert (
        response.status_code == 204 and response.get_data() == b"" and response.mimetype != "application/json"
    )
    assert_error_shape(rep.pull(), 401, "token_invalid")
    assert_error_shape(client.delete(LOGIN, headers=rep.headers), 401, "token_invalid")
    assert other.pull().status_code == 200
    again = sign_in(client, "rep_a", device_id=rep.id)
    assert again.status_code == 200
    assert (
        client.get(
            "/api/v1/sync/pull", headers={"Authorization": "Bearer " + again.get_json()["token"]}
        ).status_code
        == 200
    )
    events = client.get("/api/v1/admin/audit", headers=device("admin").headers).get_json()["events"]
    signed_out = [e for e in events if e["action"] == "sign_out"]
    assert [(e["user_id"], e["detail"]["device_id"]) for e in signed_out] == [(people["rep_a"], rep.id)]


def test_signing_out_without_a_token_that_works_answers_401(client, device):
    assert_error_shape(client.delete(LOGIN), 401, "token_invalid")
    revoked = device("rep_a")
    client.post(f"/api/v1/admin/devices/{revoked.id}/revoke", headers=device("admin").headers)
    assert_error_shape(client.delete(LOGIN, headers=revoked.headers), 401, "token_revoked")


def digest_of(device):
    return hashlib.sha256(device.token.encode()).hexdigest()


def test_a_sign_out_made_offline_ends_the_token_by_its_digest_once_online(client, device, people):
    """Signed out with no signal, the app erased the token and kept its SHA-256: sent later, it
    ends that sign-in (and no other), and the audit trail says the sign-out came later."""
    rep, other = device("rep_a"), device("rep_a")
    ended = f"/api/v1/auth/tokens/{digest_of(rep)}"
    response = client.delete(ended)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error_shape(rep.pull(), 401, "token_invalid")
    assert other.pull().status_code == 200
    assert client.delete(ended).status_code == 204  # sent again (two tabs, say): still ended
    events = client.get("/api/v1/admin/audit", headers=device("admin").headers).get_json()["events"]
    signed_out = [e for e in events if e["action"] == "sign_out"]
    assert [(e["user_id"], e["detail"]["device_id"], e["detail"]["later"]) for e in signed_out] == [
        (people["rep_a"], rep.id, True)
    ]


@pytest.mark.parametrize("digest", ["not-a-digest", "A" * 64, "0" * 63, "0" * 65, "g" * 64])
def test_a_sign_in_is_ended_only_by_a_digest_in_the_right_form(client, device, digest):
    rep = device("rep_a")
    response = client.delete(f"/api/v1/auth/tokens/{digest}")
    assert_error_shape(response, 400)
    assert "64" in response.get_json()["message"]
    assert rep.pull().status_code == 200


def test_a_digest_no_token_has_ends_nothing_and_signs_nobody_in(client, device):
    rep = device("rep_a")
    assert client.delete(f"/api/v1/auth/tokens/{'0' * 64}").status_code == 204
    assert rep.pull().status_code == 200
    assert_error_shape(
        client.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {digest_of(rep)}"}),
        401,
        "token_invalid",
    )


@pytest.mark.parametrize("login", ["rep_a", "rep_b"])
def test_a_revoked_device_id_cannot_sign_in_again(client, device, login):
    lost = device("rep_a")
    client.post(f"/api/v1/admin/devices/{lost.id}/revoke", headers=device("admin").headers)
    assert_error_shape(sign_in(client, login, device_id=lost.id), 403, "device_revoked")


def test_a_token_unused_longer_than_the_idle_period_expires(app, device):
    rep = device("rep_a")
    set_last_used(app, rep, app.config["TOKEN_IDLE_DAYS"] + 1)
    assert_error_shape(rep.pull(), 401, "token_expired")
    assert_error_shape(rep.push_raw({"device_id": rep.id, "mutations": []}), 401, "token_expired")


def test_after_expiry_signing_in_again_lets_the_outbox_through(app, device):
    rep = device("rep_a")
    outbox = [rep.mutation("customers", name="オフライン中に登録")]
    set_last_used(app, rep, app.config["TOKEN_IDLE_DAYS"] + 1)
    assert_error_shape(rep.push_raw({"device_id": rep.id, "mutations": outbox}), 401, "token_expired")
    rep.sign_in()
    assert [r["status"] for r in rep.push(*outbox)] == ["applied"]


def test_the_idle_period_is_at_least_the_tombstone_window(app):
    assert app.config["TOKEN_IDLE_DAYS"] >= max(app.config["TOMBSTONE_DAYS"], 90)


def test_using_a_token_slides_its_expiry(app, device):
    rep = device("rep_a")
    set_last_used(app, rep, app.config["TOKEN_IDLE_DAYS"] - 1)
    assert rep.pull().status_code == 200
    assert utcnow() - last_used(app, rep) < timedelta(minutes=1)
    assert rep.pull().status_code == 200


@pytest.mark.parametrize("login", ["rep_a", "tech", "office", "manager"])
def test_only_admins_list_dead_letters(client, device, login):
    assert_error_shape(client.get("/api/v1/admin/dead-letters", headers=device(login).headers), 403)


@pytest.mark.parametrize("login", ["rep_a", "tech", "office", "manager"])
def test_only_admins_revoke_devices(client, device, login):
    target = device("rep_a2")
    response = client.post(f"/api/v1/admin/devices/{target.id}/revoke", headers=device(login).headers)
    assert_error_shape(response, 403)
    assert target.pull().status_code == 200


@pytest.fixture
def limited_client(database_url, tmp_path):
    """A client of an app that allows 3 failed logins a minute (the ``app`` fixture has no limit)."""
    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GENBA_DATA_DIR": str(tmp_path),
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    yield limited.test_client()
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_fourth_failed_login_in_a_minute_answers_429(limited_client):
    failures = [sign_in(limited_client, "rep_a", "wrong password") for _ in range(3)]
    for response in failures:
        assert_error_shape(response, 401, "bad_credentials")
    assert_error_shape(sign_in(limited_client, "rep_a", "wrong password"), 429)


def test_successful_logins_do_not_count_toward_the_limit(limited_client):
    assert [sign_in(limited_client, "rep_a").status_code for _ in range(4)] == [200] * 4
    assert [sign_in(limited_client, "rep_a", "wrong").status_code for _ in range(3)] == [401] * 3
    assert_error_shape(sign_in(limited_client, "rep_a", "wrong"), 429)


def test_no_request_can_keep_a_cookie_session_sign_ins_are_bearer_tokens(bare_app):
    with bare_app.test_request_context("/"):
        assert dict(flask.session) == {}
        with pytest.raises(RuntimeError, match="bearer token"):
            flask.session["user_id"] = str(uuid.uuid4())
