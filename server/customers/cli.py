"""``genba import-customers``: a customer list from Excel, from the command line (a first
import when Genba is set up, before anyone has a browser open)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.core.db import db
from server.core.errors import ApiError
from server.core.models import User
from server.core.vocabulary import OFFICE_ROLES
from server.customers.importer import import_list


@click.command("import-customers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "login", required=True, help="the office, manager or admin login the import is made by")
@click.option("--dry-run", is_flag=True, help="say what it would create and write nothing")
@with_appcontext
def import_customers(path, login, dry_run):
    """Import a customer list (CSV in UTF-8 or Shift_JIS, or .xlsx), as the screen
    「顧客の取り込み」 does: all rows or none, nothing twice."""
    person = db.session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    if person is None or not person.active or person.role not in OFFICE_ROLES:
        raise click.UsageError(f"--as {login}: give the login of an active office, manager or admin user")
    with open(path, "rb") as file:
        content = file.read()
    try:
        answer = import_list(content, path, person.id, dry_run=dry_run, via="cli")
    except ApiError as err:
        lines = [str(err.description)] + [
            f"  row {row}: {' '.join(messages)}" if row.isdigit() else f"  {' '.join(messages)}"
            for row, messages in sorted((err.errors or {}).items(), key=lambda item: (len(item[0]), item[0]))
        ]
        raise click.ClickException("\n".join(lines)) from None
    verb = "would create" if dry_run else "created"
    click.echo(
        f"{answer['rows']} rows: {verb} {answer['customers_created']} customers and "
        f"{answer['contacts_created']} contact people; {answer['customers_existing']} customers were there already"
    )
    if answer["notes_columns"]:
        click.echo("kept in the notes: " + ", ".join(answer["notes_columns"]))
