"""``GET /api/v1/openapi.json``: the API described by flask-smorest from its blueprints."""

from functools import cache

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, jsonify
from flask_smorest.spec.plugins import FlaskPlugin

from server.core.blueprint import Blueprint
from server.core.engine import ENGINE
from server.core.schemas import ErrorSchema

PREFIX = "/api/v1"
bp = Blueprint("openapi", __name__)


class RelativePaths(FlaskPlugin):
    """Paths relative to the server URL ``/api/v1``, as clients of the document have read them."""

    def path_helper(self, rule, operations, parameters, **kwargs):
        return super().path_helper(rule, operations, parameters, **kwargs).removeprefix(PREFIX)


def schema_name(schema):
    """``RuleSchema`` is ``Rule``; the same schema loaded partially (a PATCH body) ``RulePatch``."""
    name = (schema if isinstance(schema, type) else type(schema)).__name__.removesuffix("Schema")
    return name + "Patch" if getattr(schema, "partial", False) is True else name


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema


@cache
def document(blueprints):
    """The OpenAPI document of ``blueprints``, built once per process on a Flask app of its own:
    building it takes longer than the rest of ``create_app``, and most apps never serve it."""
    api = Api(
        Flask(__name__),
        spec_kwargs=dict(
            title="Genba sync API",
            version="1",
            openapi_version="3.0.3",
            servers=[{"url": PREFIX}],
            flask_plugin=RelativePaths(),
            marshmallow_plugin=MarshmallowPlugin(schema_name_resolver=schema_name),
        ),
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix=PREFIX)
    for name, entity in ENGINE.entities.items():
        if entity.schema is not None:
            api.spec.components.schema(f"{name}.changes", schema=type(entity.schema))
    return api.spec.to_dict()


@bp.get("/openapi.json")
@bp.doc(security=[])
@bp.response(200, {"type": "object"}, description="this OpenAPI 3 document")
def openapi():
    """Describe every endpoint of the API."""
    return jsonify(
        document(
            tuple(
                blueprint
                for blueprint in current_app.blueprints.values()
                if isinstance(blueprint, flask_smorest.Blueprint)
            )
        )
    )
