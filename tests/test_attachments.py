"""Photos and files: the ``attachments`` record syncs, its bytes go through the content endpoint.

Every test runs with the bytes on the local disk and in an S3-compatible object store.
"""

import hashlib
import io
from datetime import UTC

import pytest
from PIL import Image

from conftest import records_by_id
from server.attachments.storage import storage_for


def jpeg(seed=0, size=(640, 480)):
    """A real JPEG made by Pillow (a different picture for each seed)."""
    image = Image.new("RGB", size, ((seed * 40) % 256, 120, (255 - seed * 30) % 256))
    for x in range(0, size[0], 16):
        image.putpixel((x, (x * (seed + 3)) % size[1]), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GIF = b"GIF89a" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["file", "s3"])
def storage_settings(request):
    return request.getfixturevalue("s3_settings") if request.param == "s3" else {}


@pytest.fixture
def rep(device):
    return device("rep_a")


@pytest.fixture
def visit(rep):
    customer = rep.create("customers", name="山田製作所")
    return rep.create(
        "visits", customer_id=customer["id"], kind="aftercare", visited_at="2026-11-27T10:00:00+09:00"
    )


def attach(dev, visit, data, content_type="image/jpeg", **changes):
    fields = dict(
        customer_id=visit["customer_id"],
        owner_entity="visits",
        owner_id=visit["id"],
        filename="photo.jpg",
        content_type=content_type,
        size=len(data),
        sha256=sha(data),
        taken_at="2026-11-27T10:05:00+09:00",
    )
    fields.update(changes)
    return dev.create("attachments", **fields)


def put(dev, attachment, body, content_range=None):
    headers = dict(dev.headers)
    if content_range:
        headers["Content-Range"] = content_range
    return dev.client.put(
        f"/api/v1/attachments/{attachment['id']}/content",
        data=body,
        headers=headers,
        content_type="application/octet-stream",
    )


def offset(dev, attachment):
    response = dev.client.head(f"/api/v1/attachments/{attachment['id']}/content", headers=dev.headers)
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def content(dev, attachment, **headers):
    return dev.client.get(
        f"/api/v1/attachments/{attachment['id']}/content", headers={**dev.headers, **headers}
    )


def assert_error(response, code, reason=None):
    body = response.get_json()
    assert response.status_code == code, body
    assert body["code"] == code and body["status"] and body["message"]
    if reason:
        assert body["reason"] == reason


def blobs(app):
    return sorted(sha256 for sha256, _ in storage_for(app).blobs())


def test_a_whole_upload_is_kept_and_marked_uploaded_for_every_device(rep, visit, device):
    photo = jpeg()
    attachment = attach(rep, visit, photo)
    assert attachment["uploaded"] is None and attachment["author_id"] == rep.user["id"]
    colleague = device("rep_a2")
    colleague.sync()

    response = put(rep, attachment, photo)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["received"] == len(photo)
    assert response.get_json()["record"]["uploaded"]
    changes = records_by_id(colleague.sync())
    assert changes[attachment["id"]]["uploaded"] and changes[attachment["id"]]["version"] == 2
    got = content(colleague, attachment)
    assert got.status_code == 200 and got.data == photo and got.mimetype == "image/jpeg"


def test_a_cut_upload_resumes_from_the_bytes_the_server_has(rep, visit):
    photo = jpeg(1, (1200, 900))
    attachment = attach(rep, visit, photo)
    half = len(photo) // 2

    first = put(rep, attachment, photo[:half], f"bytes 0-{half - 1}/{len(photo)}")

    assert first.status_code == 200 and first.get_json()["uploaded"] is None
    assert offset(rep, attachment) == half
    assert content(rep, attachment).status_code == 404
    rest = put(rep, attachment, photo[half:], f"bytes {half}-{len(photo) - 1}/{len(photo)}")
    assert rest.status_code == 200 and rest.get_json()["record"]["uploaded"]
    assert offset(rep, attachment) == len(photo)
    assert content(rep, attachment).data == photo


def test_a_part_sent_again_after_a_lost_answer_overwrites_its_own_bytes(rep, visit):
    photo = jpeg(2)
    attachment = attach(rep, visit, photo)
    put(rep, attachment, photo[:1000], f"bytes 0-999/{len(photo)}")
    put(rep, attachment, photo[500:1000], f"bytes 500-999/{len(photo)}")
    assert offset(rep, attachment) == 1000
    put(rep, attachment, photo[1000:], f"bytes 1000-{len(photo) - 1}/{len(photo)}")
    assert content(rep, attachment).data == photo


def test_the_same_bytes_uploaded_twice_are_stored_once(app, rep, visit):
    photo = jpeg(3)
    first, second = attach(rep, visit, photo), attach(rep, visit, photo)

    assert put(rep, first, photo).status_code == 200
    assert put(rep, second, photo).status_code == 200
    assert put(rep, first, photo).status_code == 200  # a resend after a lost answer

    assert blobs(app) == [sha(photo)]
    assert content(rep, second).data == photo


def test_bytes_that_do_not_match_the_sha256_are_discarded_and_can_be_sent_again(app, rep, visit):
    photo = jpeg(4)
    attachment = attach(rep, visit, photo)
    broken = photo[:-10] + b"\x00" * 10

    response = put(rep, attachment, broken)

    assert_error(response, 422, "sha256_mismatch")
    assert offset(rep, attachment) == 0 and blobs(app) == []
    assert put(rep, attachment, photo).status_code == 200
    assert content(rep, attachment).data == photo


@pytest.mark.parametrize(
    "declared, body, code, reason",
    [
        ("image/jpeg", GIF, 415, "unsupported_type"),
        ("image/png", jpeg(5), 415, "unsupported_type"),
        ("application/pdf", b"MZ\x90\x00" + b"\x00" * 60, 415, "unsupported_type"),
    ],
)
def test_files_of_other_types_than_their_record_says_are_refused(rep, visit, declared, body, code, reason):
    attachment = attach(rep, visit, body, content_type=declared)
    assert_error(put(rep, attachment, body), code, reason)
    assert offset(rep, attachment) == 0


@pytest.mark.parametrize(
    "content_range, body_slice, code, reason",
    [
        ("bytes 0-9/999999", slice(0, 10), 422, "size_mismatch"),
        ("bytes=0-9", slice(0, 10), 400, None),
        ("bytes 9-0/{n}", slice(0, 10), 400, None),
        ("bytes 0-99/{n}", slice(0, 10), 400, None),
        ("bytes 2000-2009/{n}", slice(2000, 2010), 409, "offset_mismatch"),
        (None, slice(0, 10), 422, "size_mismatch"),
    ],
)
def test_parts_that_do_not_fit_the_file_are_refused(rep, visit, content_range, body_slice, code, reason):
    photo = jpeg(6)
    attachment = attach(rep, visit, photo)
    header = content_range.format(n=len(photo)) if content_range else None
    assert_error(put(rep, attachment, photo[body_slice], header), code, reason)


def test_files_over_the_size_limit_are_refused_with_413(app, rep, visit):
    app.config["MAX_ATTACHMENT_BYTES"] = 4096
    photo = jpeg(7)
    assert len(photo) > 4096
    attachment = attach(rep, visit, photo)
    assert_error(put(rep, attachment, photo), 413, "too_large")
    assert_error(put(rep, attachment, photo[:100], f"bytes 0-99/{len(photo)}"), 413, "too_large")


@pytest.mark.parametrize(
    "content_type, sha256, refused",
    [
        ("image/gif", "not-a-sha", {"content_type", "sha256"}),
        ("image/jpeg", sha(b"photo") + "\n", {"sha256"}),  # Python's $ matches before a final newline
    ],
)
def test_a_push_refuses_attachments_with_a_bad_type_or_checksum(rep, visit, content_type, sha256, refused):
    (result,) = rep.push(
        rep.mutation(
            "attachments",
            customer_id=visit["customer_id"],
            owner_entity="visits",
            owner_id=visit["id"],
            content_type=content_type,
            size=10,
            sha256=sha256,
        )
    )
    assert result["status"] == "rejected" and set(result["errors"]) == refused, result


def test_rep_cannot_fetch_other_teams_photo(rep, visit, device):
    photo = jpeg(8)
    attachment = attach(rep, visit, photo)
    put(rep, attachment, photo)
    other_team = device("rep_b")

    for response in (
        content(other_team, attachment),
        other_team.client.get(
            f"/api/v1/attachments/{attachment['id']}/thumbnail", headers=other_team.headers
        ),
        put(other_team, attachment, photo),
    ):
        assert_error(response, 404, "not_found")
    head = other_team.client.head(
        f"/api/v1/attachments/{attachment['id']}/content", headers=other_team.headers
    )
    assert head.status_code == 404 and "Upload-Offset" not in head.headers
    assert content(device("tech"), attachment).data == photo


def test_only_the_person_who_added_a_photo_sends_its_bytes(rep, visit, device):
    photo = jpeg(9)
    attachment = attach(rep, visit, photo)
    assert_error(put(device("rep_a2"), attachment, photo), 403, "forbidden")


def test_unknown_attachments_and_missing_tokens_answer_in_the_error_shape(rep, client):
    missing = "00000000-0000-4000-8000-000000000000"
    assert_error(client.get(f"/api/v1/attachments/{missing}/content", headers=rep.headers), 404)
    assert_error(client.get(f"/api/v1/attachments/{missing}/content"), 401)
    assert_error(client.put(f"/api/v1/attachments/{missing}/content", data=b"x"), 401)


def test_photo_bytes_are_tagged_by_their_sha256_and_never_kept_in_the_http_cache(rep, visit):
    photo = jpeg(10)
    attachment = attach(rep, visit, photo)
    put(rep, attachment, photo)

    response = content(rep, attachment)

    assert response.headers["ETag"] == f'"{sha(photo)}"'
    assert response.headers["Cache-Control"] == "private, no-store"  # a wipe leaves nothing behind
    assert content(rep, attachment, **{"If-None-Match": f'"{sha(photo)}"'}).status_code == 304


def test_the_timeline_gets_a_small_jpeg_thumbnail(rep, visit):
    photo = jpeg(11, (2048, 1536))
    attachment = attach(rep, visit, photo)
    put(rep, attachment, photo)

    response = rep.client.get(f"/api/v1/attachments/{attachment['id']}/thumbnail", headers=rep.headers)

    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(response.data)).size == (320, 240)


@pytest.mark.parametrize(
    "data, content_type", [(PDF, "application/pdf"), (HEIC, "image/heic"), (HEIC, "image/heif")]
)
def test_pdf_and_heic_files_get_a_placeholder_thumbnail(rep, visit, data, content_type):
    attachment = attach(rep, visit, data, content_type=content_type, filename="図面")
    assert put(rep, attachment, data).status_code == 200

    response = rep.client.get(f"/api/v1/attachments/{attachment['id']}/thumbnail", headers=rep.headers)

    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).format == "JPEG"
    assert content(rep, attachment).data == data


def test_a_second_connection_writing_the_same_upload_is_told_to_wait(app, rep, visit, storage_settings):
    if storage_settings:
        pytest.skip("object-store parts are named by offset: two writers cannot interleave bytes")
    photo = jpeg(12)
    attachment = attach(rep, visit, photo)
    with app.app_context(), storage_for(app).receiving(attachment["id"]):
        assert_error(put(rep, attachment, photo), 409, "upload_busy")
    assert put(rep, attachment, photo).status_code == 200


def test_devices_cannot_set_uploaded_themselves(rep, visit):
    photo = jpeg(13)
    attachment = attach(rep, visit, photo)
    result = rep.update("attachments", attachment, uploaded="2026-11-27T10:00:00+09:00")
    assert result["ignored"] == ["uploaded"] and result["record"]["uploaded"] is None
    assert_error(content(rep, attachment), 404, "not_uploaded")


def collect(app, hours_later=2, days=7):
    from datetime import datetime, timedelta

    from server.attachments.collect import collect_attachments
    from server.core.db import writing_session

    with app.app_context():
        now = datetime.now(UTC) + timedelta(hours=hours_later)
        return collect_attachments(writing_session(), storage_for(app), now, days)


def test_compact_deletes_the_bytes_of_deleted_photos_and_keeps_the_rest(app, rep, visit):
    kept, dropped = jpeg(14), jpeg(15)
    keeper, goner = attach(rep, visit, kept), attach(rep, visit, dropped)
    put(rep, keeper, kept)
    goner = put(rep, goner, dropped).get_json()["record"]
    [deleted] = rep.push(rep.mutation("attachments", goner["id"], op="delete", base_version=goner["version"]))
    assert deleted["status"] == "applied"

    assert collect(app, hours_later=0) == (0, 0)  # just written: left alone
    assert collect(app) == (1, 0)
    assert blobs(app) == [sha(kept)]
    assert content(rep, keeper).data == kept


def test_compact_deletes_partial_uploads_idle_past_the_limit_or_of_deleted_records(app, rep, visit):
    photo = jpeg(16)
    waiting, deleted = attach(rep, visit, photo), attach(rep, visit, jpeg(17))
    put(rep, waiting, photo[:1000], f"bytes 0-999/{len(photo)}")
    put(rep, deleted, jpeg(17)[:1000], f"bytes 0-999/{len(jpeg(17))}")
    rep.push(rep.mutation("attachments", deleted["id"], op="delete", base_version=deleted["version"]))

    assert collect(app) == (0, 1)
    assert offset(rep, waiting) == 1000
    assert collect(app, hours_later=8 * 24) == (0, 1)
    assert offset(rep, waiting) == 0


def test_genba_compact_reports_what_it_collected(runner):
    result = runner.invoke(args=["compact"])
    assert result.exit_code == 0, result.output
    assert "deleted 0 unreferenced attachment files and 0 stale partial uploads" in result.output


def test_an_upload_cut_on_one_node_resumes_on_another_sharing_the_bucket_and_database(
    app, rep, visit, storage_settings, tmp_path
):
    from types import SimpleNamespace

    from server import create_app

    if not storage_settings:
        pytest.skip("a node's local disk is its own: only a shared store resumes elsewhere")
    other_node = create_app({**app.config, "GENBA_DATA_DIR": str(tmp_path / "other")})
    photo = jpeg(18, (1600, 1200))
    attachment = attach(rep, visit, photo)
    half = len(photo) // 2
    on_other = SimpleNamespace(client=other_node.test_client(), headers=rep.headers)

    put(rep, attachment, photo[:half], f"bytes 0-{half - 1}/{len(photo)}")

    assert offset(on_other, attachment) == half
    rest = put(on_other, attachment, photo[half:], f"bytes {half}-{len(photo) - 1}/{len(photo)}")
    assert rest.status_code == 200 and rest.get_json()["record"]["uploaded"]
    assert content(rep, attachment).data == photo


def test_an_object_store_that_does_not_answer_gives_503_and_the_device_retries_later(
    app, rep, visit, storage_settings
):
    import socket

    if not storage_settings:
        pytest.skip("the local disk has no outage of its own to answer")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app.config["S3_ENDPOINT_URL"] = dead
    app.extensions.pop("genba_storage", None)
    photo = jpeg(19)
    attachment = attach(rep, visit, photo)

    assert_error(put(rep, attachment, photo), 503, "storage_unavailable")
    head = rep.client.head(f"/api/v1/attachments/{attachment['id']}/content", headers=rep.headers)
    assert head.status_code == 503
