"""The Blueprint every API module uses: flask-smorest's, reading arguments the API's own way.

``@bp.arguments(Schema, location="query"|"json")`` loads and validates; when that fails the
schema's ``invalid(errors)`` names the answer (``server.core.schemas.Arguments``), so the error
keeps the one shape with flat field errors instead of webargs' ``{"json": {...}}``.
"""

from functools import wraps

import flask_smorest
from flask import request
from webargs.flaskparser import FlaskParser

from sync.entity import field_errors

from server.core.errors import bad_request
from server.core.schemas import ErrorSchema


def read_json():
    """The request's JSON body, or None when it cannot be read (bad JSON, absurd nesting)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def json_object():
    body = read_json()
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


class Parser(FlaskParser):
    """webargs' Flask parser with the API's rules for bodies, unknown fields and errors."""

    # None: each schema's own Meta.unknown decides (most raise on a field they do not know).
    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION)

    def load_json(self, req, schema):
        """Anything but a JSON object (bad JSON, a list, no body, text/plain) is a 400."""
        return json_object()

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        (messages,) = error.messages.values()  # webargs nests them under the location
        raise schema.invalid(field_errors(messages))


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, **kwargs):
        """Document the status the schema answers when it does not load (422 unless it says).

        A schema class is made into one instance here: webargs would build one per request
        (copying every field), a fifth of the CPU of an empty pull.
        """
        kwargs.setdefault("error_status_code", getattr(schema, "invalid_status", 422))
        instance = schema() if isinstance(schema, type) else schema
        documented = super().arguments(instance, **kwargs)
        quick = getattr(instance, "quick", None)
        if quick is None or kwargs.get("location") != "query":
            return documented
        return lambda view: quick_arguments(quick, view, documented(view))

    def error(self, status, description):
        """Document a failure the view answers in the one error shape."""
        return self.alt_response(status, schema=ErrorSchema, description=description)


def quick_arguments(quick, view, parsed):
    """``view`` given ``quick(request.args)`` when that reads the query, else ``parsed``: the
    view as ``@bp.arguments`` wraps it, documented and loading through the schema."""

    @wraps(parsed)
    def wrapper(*args, **kwargs):
        loaded = quick(request.args)
        if loaded is None:
            return parsed(*args, **kwargs)
        return view(*args, loaded, **kwargs)

    return wrapper
