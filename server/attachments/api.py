"""Attachment bytes: ``PUT``/``HEAD``/``GET /api/v1/attachments/{id}/content`` and thumbnails.

The ``attachments`` record syncs through push and pull; its bytes come here after the record
was accepted. A ``PUT`` carries the whole file, or one part with ``Content-Range`` so a cut
upload resumes where the server's copy ends (``HEAD`` answers ``Upload-Offset``). The body is
streamed to the storage in chunks, never held in memory. When the last byte arrives the server
checks the SHA-256 and the type, keeps the bytes once per SHA-256, and sets ``uploaded`` on the
record as a versioned change that reaches other devices by pull.
"""

import re
import time

from flask import Response, current_app, g, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import wrap_file

from sync import live_record, stored_record, write_changes
from sync.wire import dump_json, iso_from_ms

from server.attachments.schemas import UploadSchema
from server.attachments.storage import CHUNK, StorageUnavailable, UploadBusy, storage_for
from server.attachments.thumbnails import HEADER_BYTES, matches, pixels, placeholder, sniff, thumbnail
from server.core.auth import token_required
from server.core.blueprint import Blueprint
from server.core.db import db, writing_session
from server.core.engine import ENGINE, server_actor
from server.core.errors import ApiError, bad_request, handle_http_error
from server.core.sync_api import RETRIES, retryable
from server.core.words import Said
from server.jobs.queue import enqueue

bp = Blueprint("attachments", __name__)
RANGE = re.compile(r"^bytes (?:(\d{1,12})-(\d{1,12})|\*)/(\d{1,12})$")
YEAR_S = 365 * 24 * 3600
SNIFF_BYTES = 32
NOT_FOUND = "not_found: no such file in your scope; not_uploaded: its bytes are not here yet"
BYTES = {"type": "string", "format": "binary"}
CONTENT_RANGE = {
    "in": "header",
    "name": "Content-Range",
    "required": False,
    "schema": {"type": "string"},
    "description": "'bytes 0-1023/4096' for a part; 'bytes */4096' with no body to ask or finish",
}


@bp.errorhandler(StorageUnavailable)
def storage_unavailable(error):
    current_app.logger.warning("attachment storage unavailable: %s", error)
    return handle_http_error(
        ApiError(
            503,
            Said(
                "The server cannot reach its file store right now; the device keeps the file and "
                "sends it again later.",
                "サーバーが今はファイルの保存先に届きません。端末がファイルを持っていて、後でもう一度送ります。",
            ),
            reason="storage_unavailable",
        )
    )


def find_attachment(attachment_id):
    """The attachment's record if the user may read it; 404 otherwise (no hint it exists)."""
    row = live_record(db.session, "attachments", attachment_id, engine=ENGINE, actor=g.actor)
    db.session.rollback()  # no transaction stays open while bytes stream
    if row is None:
        raise ApiError(
            404,
            Said(
                "There is no photo or file with this id that you can see.",
                "見られる写真・ファイルの中に、このIDのものはありません。",
            ),
            reason="not_found",
        )
    return row


@bp.route("/attachments/<uuid:attachment_id>/content", methods=["GET"])
@token_required
@bp.alt_response(304, description="not modified (If-None-Match)")
@bp.error(404, NOT_FOUND)
@bp.response(
    200,
    BYTES,
    content_type="application/octet-stream",
    description=(
        "the bytes, as the record's content_type; ETag is the SHA-256, cached for a year. HEAD "
        "answers Upload-Offset, Upload-Length and Upload-Complete: how much the server has"
    ),
)
def get_content(attachment_id):
    """The bytes of an uploaded attachment (ETag: their SHA-256; never in the HTTP cache); HEAD: upload offset."""
    attachment = find_attachment(str(attachment_id))
    storage = storage_for(current_app)
    if request.method == "HEAD":
        return upload_state(attachment, storage)
    if not attachment["uploaded"] or not storage.has(attachment["sha256"]):
        raise ApiError(
            404,
            Said(
                "This file has not reached the server yet; the device that took it sends it when it is online.",
                "このファイルはまだサーバーに届いていません。撮った端末が電波のあるときに送ります。",
            ),
            reason="not_uploaded",
        )
    return immutable(send_blob(storage, attachment))


def send_blob(storage, attachment):
    """Stream the blob from the storage (nothing read when the device already has it)."""
    sha = attachment["sha256"]
    response = Response(mimetype=attachment["content_type"], direct_passthrough=True)
    response.set_etag(sha)
    response.cache_control.max_age = YEAR_S
    if request.if_none_match.contains(sha):
        response.status_code = 304
        return response
    response.response = wrap_file(request.environ, storage.open_blob(sha), CHUNK)
    response.content_length = attachment["size"]
    return response


def upload_state(attachment, storage):
    done = bool(attachment["uploaded"]) and storage.has(attachment["sha256"])
    offset = attachment["size"] if done else storage.received(attachment["id"])
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(offset)
    response.headers["Upload-Length"] = str(attachment["size"])
    response.headers["Upload-Complete"] = "?1" if done else "?0"
    response.headers["Cache-Control"] = "no-store"
    return response


def immutable(response):
    """The bytes never change (the ETag is their SHA-256), but the browser's HTTP cache must not
    keep them: a wiped device would still show them. The app keeps its own copies, which a
    wipe erases."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/attachments/<uuid:attachment_id>/thumbnail")
@token_required
@bp.alt_response(304, description="not modified (If-None-Match)")
@bp.error(404, NOT_FOUND)
@bp.response(200, BYTES, content_type="image/jpeg")
def get_thumbnail(attachment_id):
    """A JPEG thumbnail (longest side 320 px) for the timeline; a labelled placeholder for PDF/HEIC."""
    attachment = find_attachment(str(attachment_id))
    storage = storage_for(current_app)
    sha = attachment["sha256"]
    if not attachment["uploaded"] or not storage.has(sha):
        raise ApiError(
            404,
            Said("This file has not reached the server yet.", "このファイルはまだサーバーに届いていません。"),
            reason="not_uploaded",
        )

    def make():
        label = "PDF" if attachment["content_type"] == "application/pdf" else "HEIC"
        with storage.blob_copy(sha) as source:
            return thumbnail(source, current_app.config["MAX_IMAGE_PIXELS"]) or placeholder(label)

    response = Response(storage.derived(f"{sha}-thumb.jpg", make), mimetype="image/jpeg")
    response.set_etag(f"{sha}-thumb")
    response.cache_control.max_age = YEAR_S
    return immutable(response.make_conditional(request))


@bp.put("/attachments/<uuid:attachment_id>/content")
@token_required
@bp.doc(
    parameters=[CONTENT_RANGE],
    requestBody={"required": True, "content": {"application/octet-stream": {"schema": BYTES}}},
)
@bp.error(400, "a malformed Content-Range, or a body shorter than it says")
@bp.error(403, "only the person who added the file sends its bytes")
@bp.error(404, NOT_FOUND)
@bp.error(409, "offset_mismatch: continue from Upload-Offset; upload_busy: another connection sends it")
@bp.error(413, "too_large")
@bp.error(415, "unsupported_type: not JPEG, PNG, HEIC, WebP or PDF, or not the record's content_type")
@bp.error(422, "sha256_mismatch (the bytes are discarded) or size_mismatch")
@bp.response(200, UploadSchema)
def put_content(attachment_id):
    """Receive the file, or one part of it (``Content-Range``); verify and keep it when complete."""
    attachment = find_attachment(str(attachment_id))
    if attachment["author_id"] != g.actor.user_id:
        raise ApiError(
            403,
            Said(
                "Only the person who added this file sends its bytes.",
                "ファイルの中身を送れるのは、それを追加した人だけです。",
            ),
            reason="forbidden",
        )
    size, limit = attachment["size"], current_app.config["MAX_ATTACHMENT_BYTES"]
    if size > limit:
        raise ApiError(
            413,
            Said(
                f"This file is {size:,} bytes; the server takes files of at most "
                f"{limit:,} bytes. Make it smaller and add it again.",
                f"このファイルは {size:,} バイトです。サーバーが受け付けるのは {limit:,} バイトまでです。小さくしてから追加し直してください。",
            ),
            reason="too_large",
        )
    start, length = requested_range(attachment["id"], size)
    storage = storage_for(current_app)
    if attachment["uploaded"] and storage.has(attachment["sha256"]):
        drain(length)
        return answer(attachment, size)
    request.max_content_length = limit
    try:
        with storage.receiving(attachment["id"]) as partial:
            received = receive(partial, attachment, start, length)
            if received < size:
                return answer(attachment, received)
            verify(partial, attachment, storage)
            partial.keep(attachment["sha256"])
    except UploadBusy:
        raise ApiError(
            409,
            "This file is being sent by another connection; wait a moment, ask "
            "HEAD for the offset and continue from there.",
            reason="upload_busy",
        )
    return answer(record_uploaded(attachment), size)


def requested_range(attachment_id, size):
    """``(start, length)`` of the body from ``Content-Range`` (none: the whole file)."""
    header = request.headers.get("Content-Range")
    length = request.content_length
    if header is None:
        start, total = 0, size
        if length is not None and length != size:
            raise ApiError(
                422,
                f"The body is {length} bytes but the file is {size} bytes; send "
                "the whole file or a part with Content-Range.",
                errors={"Content-Length": [f"must be {size} without Content-Range"]},
                reason="size_mismatch",
            )
        length = size
    else:
        match = RANGE.match(header.strip())
        if not match:
            raise bad_request(
                "Content-Range must look like 'bytes 0-1023/4096' (or 'bytes */4096' with an empty body).",
                {"Content-Range": ["malformed"]},
            )
        first, last, total = match.groups()
        total = int(total)
        if first is None:
            start, length_expected = None, 0
        else:
            start, last = int(first), int(last)
            if last < start or last >= total:
                raise bad_request(
                    "Content-Range must name bytes inside the file.",
                    {"Content-Range": ["first byte after last, or past the end"]},
                )
            length_expected = last - start + 1
        if total != size:
            raise ApiError(
                422,
                f"The file's record says {size} bytes but Content-Range says "
                f"{total}; send the file the record describes.",
                errors={"Content-Range": [f"total must be {size}"]},
                reason="size_mismatch",
            )
        if (length or 0) != length_expected:
            raise bad_request(
                "The body's length must match Content-Range.",
                {"Content-Length": [f"must be {length_expected}"]},
            )
        length = length_expected
        if start is None:
            start = storage_for(current_app).received(attachment_id)
    return start, length


def receive(partial, attachment, start, length):
    """Append the body at ``start``; return how many bytes of the file the server now has."""
    have = partial.size
    if start > have:
        raise ApiError(
            409,
            f"The server has the first {have} bytes of this file; continue from "
            f"byte {have} (ask HEAD for Upload-Offset).",
            errors={"Content-Range": [f"must start at {have} or before"]},
            reason="offset_mismatch",
        )
    partial.truncate(start)
    stream = request.stream
    offset, head = start, b""
    try:
        while offset < start + length:
            chunk = stream.read(min(CHUNK, start + length - offset))
            if not chunk:
                break
            if offset < SNIFF_BYTES:
                head = (head + chunk)[:SNIFF_BYTES]
                if len(head) >= 12 and offset == start == 0:
                    check_type(attachment, head, partial)
            partial.write(chunk)
            offset += len(chunk)
    except ClientDisconnected:
        partial.sync()  # keep what came: the device resumes from here
        raise
    partial.sync()
    if offset < start + length:
        raise bad_request("The body ended before Content-Length; send the rest from Upload-Offset.")
    return offset


def check_type(attachment, head, partial):
    kind = sniff(head)
    if kind is None or not matches(attachment["content_type"], kind):
        partial.truncate(0)
        shown = kind or "a type the server does not take"
        raise ApiError(
            415,
            Said(
                f"This file is {shown}, not {attachment['content_type']}: the server "
                "takes JPEG, PNG, HEIC, WebP and PDF files whose record names "
                "their type.",
                f"このファイルは {attachment['content_type']} ではなく {shown} です。"
                "受け付けるのは JPEG・PNG・HEIC・WebP・PDF で、記録の種類と中身が合うものです。",
            ),
            reason="unsupported_type",
        )


def verify(partial, attachment, storage):
    check_type(attachment, partial.head(SNIFF_BYTES), partial)
    if partial.sha256() != attachment["sha256"]:
        storage.discard(attachment["id"])
        raise ApiError(
            422,
            Said(
                "The bytes that arrived do not match the file's SHA-256; they were "
                "discarded, send the file again from the start.",
                "届いた中身がファイルの SHA-256 と合わないため捨てました。最初から送り直してください。",
            ),
            errors={"sha256": ["does not match the bytes received"]},
            reason="sha256_mismatch",
        )
    check_pixels(partial, attachment, storage)


def check_pixels(partial, attachment, storage):
    """Refuse an image whose header declares more pixels than the server will ever decode."""
    limit = current_app.config["MAX_IMAGE_PIXELS"]
    count = pixels(partial.head(HEADER_BYTES)) if attachment["content_type"].startswith("image/") else None
    if count is not None and count > limit:
        storage.discard(attachment["id"])
        raise ApiError(
            422,
            Said(
                f"This picture has more than {limit:,} pixels; make it smaller (a "
                "phone's normal photo size is fine) and add it again.",
                f"この画像は {limit:,} 画素を超えています。小さくしてから（スマートフォンの通常の写真の大きさなら大丈夫です）追加し直してください。",
            ),
            errors={"size": ["too many pixels"]},
            reason="image_too_large",
        )


def record_uploaded(attachment):
    """Set ``uploaded`` on the record in its own transaction (retried like a push)."""
    for attempt in range(RETRIES):
        session = writing_session()
        try:
            record = mark_uploaded(
                session,
                g.actor.user_id,
                attachment["id"],
                now_ms=int(time.time() * 1000),
                node=current_app.config["SERVER_NODE"],
            )
            session.commit()
            return record or attachment
        except (IntegrityError, DBAPIError) as err:
            session.rollback()
            if attempt == RETRIES - 1 or not retryable(err):
                raise
            time.sleep(0.01 * (2**attempt))


def mark_uploaded(session, user_id, attachment_id, now_ms, node):
    """Set ``uploaded`` once the bytes are complete; return the record (None if unknown).

    A business card is queued for reading in the same transaction, so it is read exactly
    when its upload is recorded.
    """
    current = stored_record(session, "attachments", attachment_id)
    if current is None or current.get("uploaded"):
        return current
    values = {"uploaded": iso_from_ms(now_ms)}
    if current.get("purpose") == "business_card":
        values["card_status"] = "pending"
        enqueue(session, "read_card", {"attachment_id": attachment_id})
    (stored,) = write_changes(
        session,
        ENGINE,
        server_actor(user_id, node),
        [("attachments", attachment_id, values)],
        now_ms=now_ms,
        server_node=node,
    )
    return stored


def answer(attachment, received):
    body = {
        "id": attachment["id"],
        "received": received,
        "size": attachment["size"],
        "uploaded": attachment["uploaded"] if received >= attachment["size"] else None,
    }
    if received >= attachment["size"]:
        body["record"] = attachment
    response = Response(dump_json(body), mimetype="application/json")
    response.headers["Upload-Offset"] = str(received)
    return response


def drain(length):
    """Read and drop a body the server does not need, so the connection stays usable."""
    request.max_content_length = current_app.config["MAX_ATTACHMENT_BYTES"]
    remaining = length
    while remaining > 0:
        chunk = request.stream.read(min(CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
