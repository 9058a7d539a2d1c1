"""What every import of a list kept in Excel does around its own rules (the customer list,
past quotes): take the uploaded file, read it or say why not, one import at a time, all rows
or none, and the records with their audit event in one transaction."""

import time

from flask import current_app, request
from sqlalchemy import text

from sync import empty, write_changes

from server.core import audit
from server.core.db import db, writing_session
from server.core.engine import ENGINE, server_actor
from server.core.errors import ApiError
from server.core.spreadsheet import UnreadableFile
from server.core.words import Said, say

# The OpenAPI description of an import's body: one file in the form field ``file``.
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            }
        },
    }
}
MISSING = Said(
    "Send the list as a file (CSV or .xlsx) in the form field 'file'.",
    "ファイルを選んでください。",
)
NOTHING_IMPORTED = Said(
    "Nothing was imported: correct the rows listed and import the file again.",
    "何も取り込んでいません。次の行を直して、もう一度取り込んでください。",
)


PREVIEW_ROWS = 100


class Preview(list):
    """The rows a check shows, each with what it does: the first ``PREVIEW_ROWS``, then, up
    to as many again, the later rows the office must look at (a value the file gives otherwise,
    a deleted record, a customer moved to another rep), marked ``later``: in a list of
    thousands they would be out of sight."""

    def add(self, row):
        if len(self) < PREVIEW_ROWS:
            self.append(row)
        elif len(self) < 2 * PREVIEW_ROWS and (
            row.get("differs") or row.get("action") == "deleted" or row.get("reassigned_to")
        ):
            self.append({**row, "later": True})


def gaps(kept, values, fields, labels, alike):
    """What a row says of a record kept already: ``(fills, differs)``, the fields it gives that
    the record leaves empty, and the headers (``labels``) of those it gives otherwise, as
    ``alike(field, kept, value)`` compares them. Only the empty are filled: the record may
    have been changed in the app since the file was written."""
    fills, differs = {}, []
    for field in fields:
        value = values.get(field)
        if empty(value):
            continue
        if empty(kept.get(field)):  # as the fill will find it when it is written
            fills[field] = value
        elif not alike(field, kept[field], value):
            differs.append(labels[field])
    return fills, differs


def uploaded():
    """``(bytes, filename)`` of the file in the form field ``file``, else the raw body."""
    upload = request.files.get("file")
    return (upload.read(), upload.filename or "") if upload else (request.get_data(), "")


def refused(message, field="file"):
    """A 422 whose message is also the error of ``field``, in the request's language."""
    said = say(message)
    return ApiError(422, said, errors={field: [said]})


def read_list(content, filename, rows_of, empty):
    """The list's ``(rows, other headers)`` by ``rows_of``; a 422 when there is no file, it
    cannot be read, or it has no rows (``empty`` says what it lacks)."""
    if not content:
        raise ApiError(422, say(MISSING), errors={"file": ["missing"]})
    try:
        rows, others = rows_of(content, filename)
    except UnreadableFile as err:
        raise refused(err.args[0]) from None
    if not rows:
        raise refused(empty)
    return rows, others


def import_session(dry_run, lock_key):
    """The session an import reads and writes in: the request's for a preview; for an import a
    writing one, holding ``lock_key`` on PostgreSQL (SQLite's one writer already runs imports
    one after the other) so two people sending one file at once do not both create it."""
    if dry_run:
        return db.session
    session = writing_session()
    if db.engine.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
    return session


def check_rows(errors):
    """All rows or none: any row's errors refuse the whole file."""
    if errors:
        raise ApiError(422, say(NOTHING_IMPORTED), errors=errors)


def write_import(session, user_id, changes, *, what, fills=(), via=None, **counts):
    """Write ``changes`` as the server, on behalf of ``user_id``, and ``fills`` where the records
    are still empty (an edit made in the app before it arrived wins: ``sync.write.put``), with
    the audit event of the import, and commit."""
    node = current_app.config["SERVER_NODE"]
    now_ms = int(time.time() * 1000)
    actor = server_actor(user_id, node)
    write_changes(session, ENGINE, actor, changes, now_ms=now_ms, server_node=node, fills=fills)
    audit.record(session, "import", user_id, what=what, **counts, **({"via": via} if via else {}))
    session.commit()
