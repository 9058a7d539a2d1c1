"""The ``genba`` command: Flask's CLI with the app's own commands."""

import time
import uuid

import click
from flask import current_app
from flask.cli import FlaskGroup, shell_command, with_appcontext

from server.core.db import writing_session
from server.core.users import UserError, create_user

DEMO_DEVICE_NAMESPACE = uuid.UUID("5d0c3a9e-2b7f-4f0e-8d4a-6c1e9b2f7a10")


def main():
    from server import create_app

    # Flask's own "routes" (URL rules) and "run" would shadow ours; "shell" stays.
    cli = FlaskGroup(
        create_app=create_app,
        add_version_option=False,
        add_default_commands=False,
        help="Genba: the sync server of the field app.",
    )
    cli.add_command(shell_command)
    cli()


def register(app):
    from server.core.user_cli import user
    from server.customers.cli import import_customers
    from server.quotes.cli import import_quotes_command, reindex_quotes  # past-quote database

    for command in (
        serve,
        create_user_command,
        demo,
        revoke_device_command,
        compact,
        after_restore,
        routes,
        reindex_quotes,
        import_customers,
        import_quotes_command,
        user,
        worker,
    ):
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


@click.command("worker")
@click.option("--until-idle", is_flag=True, help="stop when no job is due (for cron and tests)")
@with_appcontext
def worker(until_idle):
    """Run background jobs (card reading) until stopped; run any number of them."""
    import logging

    from server.jobs.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Worker(current_app._get_current_object())
    click.echo(f"worker {runner.name} waiting for jobs", err=True)
    done = runner.run(until_idle=until_idle)
    click.echo(f"worker {runner.name} stopped after {done} job(s)", err=True)


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
    from server.core.auth import revoke_device

    session = writing_session()
    if not revoke_device(session, device_id):
        raise click.ClickException(f"no device {device_id}")
    session.commit()
    click.echo(f"device {device_id} revoked")


@click.command("demo")
@with_appcontext
def demo():
    """Load Japanese demo data and one user per role (safe to run again)."""
    from sync import apply_push

    from demo.data import DEMO_USERS, demo_batches
    from server.core.calendar import today as company_today
    from server.core.engine import ENGINE, actor

    session = writing_session()
    users = {
        u["login"]: create_user(session, u["login"], u["password"], u["role"], u["team"], u["name"])
        for u in DEMO_USERS
    }
    session.commit()
    counts = {}
    # Dated by the company's day (Asia/Tokyo), as the screens and the load grid count it, not
    # the machine's: from 15:00 UTC Tokyo is already in the next day, on Sunday in the next week.
    for login, mutations in demo_batches(company_today(), {k: u.id for k, u in users.items()}):
        user = users[login]
        device = str(uuid.uuid5(DEMO_DEVICE_NAMESPACE, login))
        session = writing_session()
        results, _ = apply_push(
            session,
            ENGINE,
            actor(user.id, user.role, user.team, device),
            mutations,
            now_ms=int(time.time() * 1000),
            server_node=current_app.config["SERVER_NODE"],
        )
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
    """Compact tombstones older than the tombstone window, forget what revoked devices pushed and
    collect unused attachment bytes."""
    from datetime import timedelta

    from sqlalchemy import select

    from sync.compact import compact_tombstones, forget_seen
    from sync.models import utcnow

    from server.attachments.collect import collect_attachments
    from server.attachments.storage import storage_for
    from server.core.engine import ENGINE
    from server.core.models import Device

    days = current_app.config["TOMBSTONE_DAYS"] if days is None else days
    session = writing_session()
    count = compact_tombstones(session, ENGINE, utcnow() - timedelta(days=days))
    session.commit()
    click.echo(f"compacted {count} tombstones older than {days} days")
    forgotten = forget_seen(session, select(Device.id).where(Device.revoked_at.is_not(None)))
    session.commit()
    click.echo(f"forgot {forgotten} mutations pushed by revoked devices")
    blobs, uploads = collect_attachments(
        session, storage_for(current_app), utcnow(), current_app.config["STALE_UPLOAD_DAYS"]
    )
    click.echo(f"deleted {blobs} unreferenced attachment files and {uploads} stale partial uploads")


@click.command("after-restore")
@with_appcontext
def after_restore():
    """After restoring the database from a backup: every device downloads its data again."""
    from sync.compact import expire_cursors

    session = writing_session()
    top = expire_cursors(session)
    session.commit()
    click.echo(f"every device will pull afresh (feed moved to {top})")


@click.group("routes")
def routes():
    """List, add, move, remove and test the request routing rules."""


@routes.command("list")
@with_appcontext
def routes_list():
    """Show the rules in the order they are tried."""
    from server.requests.rules_api import ordered, rule_data

    for rule in map(rule_data, ordered(writing_session())):
        conditions = "; ".join(
            f"{k}={','.join(rule[k])}" for k in ("kinds", "keywords", "customer_ids", "urgencies") if rule[k]
        )
        state = "" if rule["active"] else " (off)"
        click.echo(
            f"{rule['position']:>2}. [{rule['id']}] {rule['name']} -> {rule['route_to']}{state}"
            f"  {conditions or 'any request'}"
        )


@routes.command("add")
@click.argument("name")
@click.option(
    "--route", "route_to", required=True, type=click.Choice(["sales", "manufacturing", "service", "triage"])
)
@click.option("--keyword", "keywords", multiple=True, help="repeatable; any one matches")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["request", "complaint", "question"]))
@click.option("--urgency", "urgencies", multiple=True, type=click.Choice(["low", "normal", "high"]))
@click.option("--customer", "customer_ids", multiple=True, help="customer id; repeatable")
@click.option("--position", type=int, default=None, help="1 = tried first (default: last)")
@with_appcontext
def routes_add(name, route_to, keywords, kinds, urgencies, customer_ids, position):
    """Add a rule; it routes requests created from now on."""
    from server.requests.models import RoutingRule
    from server.requests.rules_api import apply_fields, ordered, place

    session = writing_session()
    row = RoutingRule(conditions="{}", position=0)
    apply_fields(
        session,
        row,
        {
            "name": name,
            "route_to": route_to,
            "keywords": keywords,
            "kinds": kinds,
            "urgencies": urgencies,
            "customer_ids": customer_ids,
        },
    )
    session.add(row)
    place(session, row, position or len(ordered(session)) + 1)
    session.commit()
    click.echo(f"added rule {row.id} at position {row.position}")


@routes.command("move")
@click.argument("rule_id", type=int)
@click.argument("position", type=int)
@with_appcontext
def routes_move(rule_id, position):
    """Move a rule to a position (1 = tried first)."""
    from server.requests.models import RoutingRule
    from server.requests.rules_api import place

    session = writing_session()
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise click.ClickException(f"no rule {rule_id}")
    place(session, row, position)
    session.commit()
    click.echo(f"rule {rule_id} is now at position {row.position}")


@routes.command("remove")
@click.argument("rule_id", type=int)
@with_appcontext
def routes_remove(rule_id):
    """Remove a rule."""
    from server.requests.models import RoutingRule
    from server.requests.rules_api import remove

    session = writing_session()
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise click.ClickException(f"no rule {rule_id}")
    remove(session, row)
    session.commit()
    click.echo(f"removed rule {rule_id}")


@routes.command("test")
@click.argument("text")
@click.option("--kind", default="request", type=click.Choice(["request", "complaint", "question"]))
@click.option("--urgency", default="normal", type=click.Choice(["low", "normal", "high"]))
@with_appcontext
def routes_test(text, kind, urgency):
    """Show which rule fires for a request with this title."""
    from server.requests.routing import decide, load_rules

    decision = decide(load_rules(writing_session()), {"title": text, "kind": kind, "urgency": urgency})
    click.echo(f"{decision['route_to']}  ({decision['route_rule'] or 'no rule matched'})")
