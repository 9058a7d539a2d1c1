"""Limits against a signed-in attacker: image bombs, dead letters, sign-in throttling."""

import struct
import uuid
import zlib

import pytest

from conftest import PASSWORD
from server import create_app
from server.attachments.thumbnails import pixels, thumbnail
from test_attachments import (  # noqa: F401  (fixtures)
    assert_error,
    attach,
    jpeg,
    put,
    rep,
    visit,
)


def png_header(width, height):
    """A PNG whose header declares ``width`` × ``height``; its few bytes decode to nothing."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_pixels_are_read_from_the_header_alone():
    assert pixels(png_header(13000, 13000)) == 169_000_000
    assert pixels(png_header(100000, 100000)) == float("inf")
    assert pixels(jpeg()) == 640 * 480
    assert pixels(b"%PDF-1.4") is None


def test_an_image_bomb_is_refused_when_its_upload_completes(rep, visit):  # noqa: F811
    bomb = png_header(13000, 13000)
    attachment = attach(rep, visit, bomb, content_type="image/png")
    assert_error(put(rep, attachment, bomb), 422, "image_too_large")


def test_a_normal_photo_still_uploads(rep, visit):  # noqa: F811
    photo = jpeg()
    attachment = attach(rep, visit, photo)
    assert put(rep, attachment, photo).status_code in (200, 201)


def test_a_thumbnail_is_never_made_of_an_image_over_the_limit(tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(size=(2000, 1000)))
    assert thumbnail(path, max_pixels=1_000_000) is None
    assert thumbnail(path, max_pixels=40_000_000)[:3] == b"\xff\xd8\xff"


def test_a_dead_letter_keeps_at_most_64_kb_with_size_and_hash(client, device):
    rep, admin = device("rep_a"), device("admin")  # noqa: F811 - not the fixture
    huge = "x" * 2_000_000
    result = rep.push(rep.mutation("customers", name="x", notes=huge))[0]
    assert result["status"] == "rejected"
    letters = client.get("/api/v1/admin/dead-letters", headers=admin.headers).get_json()["dead_letters"]
    assert letters[0]["size"] > 2_000_000 and len(letters[0]["sha256"]) == 64
    assert len(letters[0]["mutation"]) <= 64 * 1024


def sign_in(client, login, password, address="10.0.0.1", **headers):
    return client.post(
        "/api/v1/auth/token",
        json={"login": login, "password": password, "device": {"id": str(uuid.uuid4()), "name": "t"}},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


@pytest.fixture
def limited(database_url, tmp_path):
    from server.core.auth import limiter

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GENBA_DATA_DIR": str(tmp_path),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "ADDRESS_RATE_LIMIT": "15 per hour",
        }
    )
    with app.app_context():
        limiter.reset()
    yield app.test_client()
    with app.app_context():
        limiter.reset()
        from server.core.db import db

        db.session.remove()
        db.engine.dispose()


def test_failed_sign_ins_are_throttled_per_login_with_retry_after(limited):
    for _ in range(10):
        assert sign_in(limited, "rep_a", "wrong").status_code == 401
    response = sign_in(limited, "rep_a", PASSWORD, address="10.0.0.2")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_one_address_failing_does_not_lock_out_a_colleague_who_types_the_right_password(limited):
    for _ in range(10):
        sign_in(limited, "rep_a", "wrong")
    assert sign_in(limited, "rep_b", PASSWORD).status_code == 200


def test_the_address_limit_is_loose_and_comes_from_the_proxy_only_when_trusted(limited):
    for login in ["rep_a", "rep_b"] * 7 + ["tech"]:
        sign_in(limited, login, "wrong", **{"X-Forwarded-For": "1.2.3.4"})
    response = sign_in(limited, "office", PASSWORD)
    assert response.status_code == 429  # X-Forwarded-For is not trusted: all came from 10.0.0.1


def test_an_unknown_login_is_checked_against_a_hash_like_a_wrong_password(monkeypatch, client, people):
    from server.core import auth

    checked = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert sign_in(client, "nobody", "whatever").status_code == 401
    method = client.application.config["PASSWORD_HASH_METHOD"]
    assert checked == [auth.DUMMY_HASHES[method]] and checked[0].startswith(method.split(":")[0])


def test_database_errors_hide_their_parameters(app):
    from server.core.db import db

    with app.app_context():
        assert db.engine.hide_parameters is True


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(database_url, tmp_path):
    from server.core.network import client_address

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GENBA_DATA_DIR": str(tmp_path),
            "TRUSTED_PROXIES": 1,
        }
    )
    forwarded = {"X-Forwarded-For": "6.6.6.6, 1.2.3.4"}  # the client wrote the first entry itself
    with app.test_request_context(headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        assert client_address() == "1.2.3.4"
    app.config["TRUSTED_PROXIES"] = 0
    with app.test_request_context(headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        assert client_address() == "10.0.0.9"
