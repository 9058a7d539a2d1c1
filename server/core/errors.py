"""One error shape for every failure: ``{"code", "status", "message", "errors"?, "reason"?}``."""

from http import HTTPStatus

from flask import jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from server.core.words import Said, spoken


class ApiError(HTTPException):
    """An error answer with a sentence a person can act on: a ``Said`` is answered in the
    request's language (the app sends its own as ``Accept-Language``)."""

    def __init__(self, code, message, errors=None, reason=None):
        super().__init__(description=message)
        self.code = code
        self.errors = errors
        self.reason = reason


def bad_request(message, errors=None):
    return ApiError(400, message, errors)


def unauthorized(reason, message):
    return ApiError(401, message, reason=reason)


def forbidden(message):
    return ApiError(403, message, reason="forbidden")


def body(code, message, errors=None, reason=None):
    payload = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        payload["errors"] = errors
    if reason:
        payload["reason"] = reason
    return payload


MESSAGES = {
    400: Said(
        "The request could not be read; send a JSON object as the API describes.",
        "要求を読み取れませんでした。API の説明どおり JSON のオブジェクトを送ってください。",
    ),
    404: Said(
        "There is nothing at this address; check the URL.",
        "このアドレスには何もありません。URL を確かめてください。",
    ),
    405: Said("This address does not accept that method.", "このアドレスはその方法の要求を受け付けません。"),
    413: Said(
        "The request is too large; send it in smaller parts.",
        "要求が大きすぎます。小さく分けて送ってください。",
    ),
    415: Said(
        "Send the body as JSON with Content-Type: application/json.",
        "本文は Content-Type: application/json の JSON で送ってください。",
    ),
    426: Said(
        "Update the app to sync with this server.", "このサーバーと同期するにはアプリを更新してください。"
    ),
    429: Said(
        "Too many attempts; wait a minute and try again.",
        "試行が多すぎます。1分ほど待ってからやり直してください。",
    ),
}


UNEXPECTED = Said(
    "Something went wrong on the server; your data on the device is safe. Try again later.",
    "サーバーで問題が起きました。端末のデータは無事です。しばらくしてからやり直してください。",
)


def handle_http_error(error):
    code = error.code or 500
    if isinstance(error, ApiError):
        payload = body(code, spoken(error.description), error.errors, error.reason)
    else:
        message = spoken(MESSAGES.get(code) or error.description or HTTPStatus(code).phrase)
        payload = body(code, message, reason="rate_limited" if code == 429 else None)
    response = jsonify(payload)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="genba"'
    for name, value in error.get_headers() if not isinstance(error, ApiError) else []:
        if name.lower() == "retry-after":
            response.headers[name] = value
    return response


def handle_unexpected(error):
    from flask import current_app

    if isinstance(error, DBAPIError) and error.connection_invalidated:
        # The database went away under a connection (a restart): the pool reconnects.
        current_app.logger.warning("database connection lost: %s", type(error.orig).__name__)
        return try_again(
            Said(
                "The server lost its database for a moment; try again.",
                "サーバーが一瞬データベースにつながらなくなりました。もう一度お試しください。",
            )
        )

    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        # SQLite's write lock held past the busy timeout by another writer (a long import, a
        # stuck process): nothing was written, and the device keeps its changes and retries.
        current_app.logger.warning("database locked past the busy timeout")
        return try_again(
            Said(
                "The server is busy writing; your changes are kept. Try again.",
                "サーバーが書き込みで混んでいます。変更は残っています。もう一度お試しください。",
            )
        )

    current_app.logger.exception("unhandled error")
    response = jsonify(body(500, spoken(UNEXPECTED)))
    response.status_code = 500
    return response


def try_again(message):
    """A 503 the client retries a second later: nothing was written."""
    response = jsonify(body(503, spoken(message)))
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    return response


def register(app):
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
