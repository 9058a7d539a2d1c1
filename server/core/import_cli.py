"""The command-line side of a list's import from Excel (``genba import-customers``,
``genba import-quotes``): the same import as the screen's, made as an office user."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.core.db import db
from server.core.errors import ApiError
from server.core.models import User
from server.core.vocabulary import OFFICE_ROLES


def import_command(name, help_text, run, summary, options=()):
    """A command that imports a file with ``run(content, filename, user_id, dry_run=, via=)``
    (and the values of its own ``options``, click options) and prints ``summary(answer,
    verb)``; a refused file prints the rows to correct, exit 1."""

    def command(path, login, dry_run, **extra):
        person = db.session.execute(select(User).where(User.login == login)).scalar_one_or_none()
        if person is None or not person.active or person.role not in OFFICE_ROLES:
            raise click.UsageError(f"--as {login}: give the login of an active office, manager or admin user")
        with open(path, "rb") as file:
            content = file.read()
        try:
            answer = run(content, path, person.id, dry_run=dry_run, via="cli", **extra)
        except ApiError as err:
            rows = sorted((err.errors or {}).items(), key=lambda item: (len(item[0]), item[0]))
            lines = [str(err.description)] + [
                f"  row {row}: {' '.join(messages)}" if row.isdigit() else f"  {' '.join(messages)}"
                for row, messages in rows
            ]
            raise click.ClickException("\n".join(lines)) from None
        click.echo(summary(answer, "would create" if dry_run else "created"))
        if answer["notes_columns"]:
            click.echo("kept in words: " + ", ".join(answer["notes_columns"]))

    command = with_appcontext(command)
    for option in reversed(options):
        command = option(command)
    command = click.option("--dry-run", is_flag=True, help="say what it would create and write nothing")(
        command
    )
    command = click.option(
        "--as", "login", required=True, help="the office, manager or admin login the import is made by"
    )(command)
    command = click.argument("path", type=click.Path(exists=True, dir_okay=False))(command)
    return click.command(name, help=help_text)(command)
