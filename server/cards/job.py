"""The ``read_card`` job: read a business card's photo and write what it says onto the
attachment (``card_status``, ``card``) as a versioned change devices pull."""

import time

from flask import current_app

from sync import stored_record, write_changes

from server.attachments.storage import storage_for
from server.cards.reader import ReadFailed, read_card
from server.core.db import db, writing_session
from server.core.engine import ENGINE, server_actor


def run(payload):
    """Read the card once; a card already read is left alone (the job may run twice)."""
    attachment = stored_record(db.session, "attachments", payload["attachment_id"])
    db.session.rollback()  # no transaction stays open while Tesseract runs
    if attachment is None or attachment["deleted"] or attachment.get("card_status") != "pending":
        return
    try:
        with storage_for(current_app).blob_copy(attachment["sha256"]) as photo:  # any backend
            card = read_card(photo)
    except ReadFailed:
        current_app.logger.warning("could not read the card of attachment %s", attachment["id"])
        store(attachment, {"card_status": "failed"})
        return
    store(attachment, {"card_status": "done", "card": card})


def give_up(payload, error):
    """Tell the devices the card will not be read, so the app stops waiting for it."""
    attachment = stored_record(db.session, "attachments", payload["attachment_id"])
    db.session.rollback()
    if attachment is not None and attachment.get("card_status") == "pending":
        store(attachment, {"card_status": "failed"})


def store(attachment, values):
    now_ms = int(time.time() * 1000)
    node = current_app.config["SERVER_NODE"]
    session = writing_session()
    write_changes(
        session,
        ENGINE,
        server_actor(attachment["author_id"], node),
        [("attachments", attachment["id"], values)],
        now_ms=now_ms,
        server_node=node,
    )
    session.commit()
