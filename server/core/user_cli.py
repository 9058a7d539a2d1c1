"""``genba user …``: the admin API of people, from the command line."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.core.audit import record
from server.core.db import writing_session
from server.core.models import Device, User
from server.core.users import UserError, change_user, create_user, revoke_devices, users_with_last_seen
from server.core.vocabulary import ROLES


@click.group("user")
def user():
    """List, add and change users; list and revoke their devices."""


@user.command("list")
@with_appcontext
def user_list():
    """Every user: login, role, team, whether active, last seen."""
    for person, last_seen, _devices in users_with_last_seen(writing_session()):
        state = "active" if person.active else "inactive"
        click.echo(
            f"{person.login}\t{person.role}\t{person.team or '-'}\t{state}\t"
            f"{last_seen or '-'}\t{person.name}\t{person.id}"
        )


@user.command("add")
@click.argument("login")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--team", default=None)
@click.option("--name", default=None, help="display name, e.g. 佐藤 健太")
@with_appcontext
def user_add(login, password, role, team, name):
    """Create a user."""
    session = writing_session()
    if find(session, login, required=False) is not None:
        raise click.ClickException(f"login {login} is taken; change it with `genba user set`")
    try:
        person = create_user(session, login, password, role, team, name)
    except UserError as err:
        raise click.UsageError(str(err))
    record(session, "user_added", None, target=person.id, login=person.login, via="cli")
    session.commit()
    click.echo(f"user {person.login} ({person.role}) id {person.id}")


@user.command("set")
@click.argument("login")
@click.option("--name", default=None)
@click.option("--role", default=None, type=click.Choice(ROLES))
@click.option("--team", default=None, help="'' for none")
@click.option("--password", default=None, help="ends every sign-in of the user")
@click.option("--active/--inactive", default=None, help="--inactive signs them out and wipes their devices")
@with_appcontext
def user_set(login, name, role, team, password, active):
    """Change a user's name, role, team, password or whether they may sign in."""
    session = writing_session()
    person = find(session, login)
    changes = {
        k: v
        for k, v in dict(name=name, role=role, team=team, password=password, active=active).items()
        if v is not None
    }
    try:
        change_user(session, person, **changes)
    except UserError as err:
        raise click.UsageError(str(err))
    record(
        session,
        "user_changed",
        None,
        target=person.id,
        via="cli",
        **{k: v for k, v in changes.items() if k != "password"},
        password_changed=password is not None,
    )
    session.commit()
    click.echo(
        f"user {person.login} ({person.role}, {person.team or '-'}, "
        f"{'active' if person.active else 'inactive'})"
    )


@user.command("devices")
@click.argument("login")
@with_appcontext
def user_devices(login):
    """A user's devices: id, name, first and last seen, revoked."""
    session = writing_session()
    person = find(session, login)
    for device in session.execute(
        select(Device).where(Device.user_id == person.id).order_by(Device.created_at)
    ).scalars():
        state = "revoked" if device.revoked_at else "active"
        click.echo(
            f"{device.id}\t{device.name or '-'}\t{device.created_at}\t{device.last_seen_at or '-'}\t{state}"
        )


@user.command("revoke-devices")
@click.argument("login")
@with_appcontext
def user_revoke_devices(login):
    """Revoke every device of a user: their tokens stop and their next sync wipes them."""
    session = writing_session()
    person = find(session, login)
    count = revoke_devices(session, person.id)
    record(session, "devices_revoked", None, target=person.id, count=count, via="cli")
    session.commit()
    click.echo(f"{count} device(s) of {person.login} revoked")


def find(session, login, required=True):
    from server.core.auth import normalise_login

    person = session.execute(select(User).where(User.login == normalise_login(login))).scalar_one_or_none()
    if person is None and required:
        raise click.ClickException(f"no user {login}")
    return person
