"""``genba import-customers``: a customer list from Excel, from the command line (a first
import when Genba is set up, before anyone has a browser open)."""

import click

from server.core.import_cli import import_command
from server.customers.importer import import_list

import_customers = import_command(
    "import-customers",
    "Import a customer list (CSV in UTF-8 or Shift_JIS, or .xlsx), as the screen 「顧客の取り込み」 "
    "does: all rows or none, nothing twice; kept customers and people get only their empty fields filled.",
    import_list,
    lambda answer, verb: (
        f"{answer['rows']} rows: {verb} {answer['customers_created']} customers and "
        f"{answer['contacts_created']} contact people; {answer['customers_existing']} customers were there already "
        f"({answer['customers_updated']} filled, {answer['customers_reassigned']} moved to another rep)"
    ),
    options=[
        click.option(
            "--reassign",
            is_flag=True,
            help="move a kept customer to the rep its row's 営業担当 names (担当替え)",
        ),
        click.option(
            "--owner",
            default=None,
            help="the user (login or name) who owns new customers whose rows name no 営業担当 (default: --as)",
        ),
    ],
)
