"""The Genba sync server: a Flask app factory."""

import os

from flask import Flask
from flask_migrate import Migrate

from sync import protocol

from server.core.config import Config
from server.core.db import configure_sqlite, db, ping_when_idle
from server.core.fast_json import FastJSONProvider

migrate = Migrate()
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(test_config=None):
    """Build the app: defaults, then the environment, then ``test_config``."""
    app = Flask(
        __name__,
        instance_path=os.environ.get(
            "GENBA_INSTANCE_PATH", os.path.join(os.path.dirname(os.path.dirname(__file__)), "instance")
        ),
    )
    app.json = FastJSONProvider(app)
    app.config.from_object(Config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.config["GENBA_DATA_DIR"], exist_ok=True)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        else:
            ping_when_idle(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS)

    from server.attachments import api as attachments
    from server.core import admin, admin_users, auth, cli, errors, openapi, pwa, sync_api, vocabulary_api
    from server.customers import api as customers
    from server.deals import api as deals
    from server.load import api as load
    from server.quotes import api as quotes
    from server.reports import api as reports
    from server.requests import api as requests, rules_api as routing_rules

    app.config.setdefault("RATELIMIT_ENABLED", True)
    auth.limiter.init_app(app)
    app.session_interface = auth.NoCookieSessions()
    auth.limit_sign_in_only(app)
    errors.register(app)
    for module in (
        auth,
        sync_api,
        customers,
        routing_rules,
        requests,
        admin,
        admin_users,
        openapi,
        vocabulary_api,
        deals,
        quotes,
        attachments,
        load,
        reports,
    ):
        app.register_blueprint(module.bp, url_prefix=openapi.PREFIX)
    app.register_blueprint(pwa.bp)
    cli.register(app)

    @app.after_request
    def announce_protocol(response):
        response.headers["Genba-Protocol"] = str(protocol.CURRENT)
        return response

    return app
