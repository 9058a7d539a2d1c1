"""The ``genba`` command: Flask's CLI with the app's own commands."""
import time
import uuid

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from sync.scope import Actor

from .db import writing_session
from .users import UserError, create_user

DEMO_DEVICE_NAMESPACE = uuid.UUID("5d0c3a9e-2b7f-4f0e-8d4a-6c1e9b2f7a10")


def main():
    from . import create_app
    FlaskGroup(create_app=create_app, add_version_option=False,
               help="Genba: the sync server of the field app.")()


def register(app):
    for command in (serve, create_user_command, demo, revoke_device_command, compact):
        app.cli.add_command(command)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host, port):
    """Run the development server and print where to open it."""
    from werkzeug.serving import run_simple
    click.echo(f"Genba is running at http://{host}:{port}/  (Ctrl+C stops it)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@click.command("create-user")
@click.argument("login")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--role", required=True, type=click.Choice(["rep", "technician", "office", "manager", "admin"]))
@click.option("--team", default=None)
@click.option("--name", default=None, help="display name, e.g. 佐藤 健太")
@with_appcontext
def create_user_command(login, password, role, team, name):
    """Create a user, or reset the password and role of an existing one."""
    session = writing_session()
    try:
        user = create_user(session, login, password, role, team, name)
    except UserError as err:
        raise click.UsageError(str(err))
    session.commit()
    click.echo(f"user {user.login} ({user.role}) id {user.id}")


@click.command("revoke-device")
@click.argument("device_id")
@with_appcontext
def revoke_device_command(device_id):
    """Revoke a lost device: its tokens stop working and its next sync wipes it."""
    from .auth import revoke_device
    session = writing_session()
    if not revoke_device(session, device_id):
        raise click.ClickException(f"no device {device_id}")
    session.commit()
    click.echo(f"device {device_id} revoked")


@click.command("demo")
@with_appcontext
def demo():
    """Load Japanese demo data and one user per role (safe to run again)."""
    from datetime import date

    from sync.push import apply_push

    from .demo_data import DEMO_USERS, demo_batches
    from .routing import route_request

    session = writing_session()
    users = {u["login"]: create_user(session, u["login"], u["password"], u["role"], u["team"], u["name"])
             for u in DEMO_USERS}
    session.commit()
    counts = {}
    for login, mutations in demo_batches(date.today(), {k: u.id for k, u in users.items()}):
        user = users[login]
        actor = Actor(user.id, user.role, user.team,
                      str(uuid.uuid5(DEMO_DEVICE_NAMESPACE, login)))
        session = writing_session()
        results, _ = apply_push(session, actor, mutations, now_ms=int(time.time() * 1000),
                                server_node=current_app.config["SERVER_NODE"],
                                hooks={"route_request": route_request})
        session.commit()
        for result in results:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
            if result["status"] == "rejected":
                click.echo(f"rejected: {result['errors']}", err=True)
    click.echo("demo data: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    click.echo("sign in with (login / password / role):")
    for u in DEMO_USERS:
        click.echo(f"  {u['login']:<10} {u['password']:<16} {u['role']}")


@click.command("compact")
@click.option("--days", type=int, default=None, help="tombstone window (default TOMBSTONE_DAYS)")
@with_appcontext
def compact(days):
    """Compact tombstones older than the tombstone window (run it daily)."""
    from datetime import timedelta

    from sync.compact import compact_tombstones
    from sync.models import utcnow

    days = current_app.config["TOMBSTONE_DAYS"] if days is None else days
    session = writing_session()
    count = compact_tombstones(session, utcnow() - timedelta(days=days))
    session.commit()
    click.echo(f"compacted {count} tombstones older than {days} days")
