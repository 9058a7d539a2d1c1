"""Collect what no attachment needs any more: blobs no record names and abandoned uploads."""

from datetime import timedelta

from sync import live_records

# Anything written this recently is left alone: it may belong to a record made after the scan,
# and the store's clock may differ a little from this machine's.
SETTLE = timedelta(hours=1)


def collect_attachments(session, storage, now, stale_upload_days):
    """Delete unreferenced blobs and stale partial uploads; return ``(blobs, uploads)`` deleted."""
    attachments = live_records(session, "attachments")
    session.rollback()  # no transaction stays open while the store is listed
    referenced = {attachment["sha256"] for attachment in attachments}
    waiting = {attachment["id"] for attachment in attachments if not attachment.get("uploaded")}
    settled, stale = now - SETTLE, now - timedelta(days=stale_upload_days)
    blobs = [
        sha256 for sha256, modified in storage.blobs() if sha256 not in referenced and modified < settled
    ]
    uploads = [
        attachment_id
        for attachment_id, modified in storage.uploads()
        if modified < stale or (attachment_id not in waiting and modified < settled)
    ]
    for sha256 in blobs:
        storage.delete_blob(sha256)
    for attachment_id in uploads:
        storage.discard(attachment_id)
    return len(blobs), len(uploads)
