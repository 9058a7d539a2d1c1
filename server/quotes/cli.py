"""``genba reindex-quotes``: rebuild the quote search index (after editing the synonyms);
``genba import-quotes``: past quotes from Excel."""

import click
from flask.cli import with_appcontext

from server.core.db import writing_session
from server.core.import_cli import import_command
from server.quotes.importer import import_quotes
from server.quotes.index import backfill, synonyms


@click.command("reindex-quotes")
@with_appcontext
def reindex_quotes():
    """Rebuild the quote search index from the stored quotes, with today's synonym list."""
    synonyms.cache_clear()
    session = writing_session()
    count = backfill(session)
    session.commit()
    click.echo(f"indexed {count} quotes")


import_quotes_command = import_command(
    "import-quotes",
    "Import past quotes (a 見積台帳 as CSV in UTF-8 or Shift_JIS, or .xlsx) after the customers "
    "they were quoted to: all rows or none, nothing twice.",
    import_quotes,
    lambda answer, verb: (
        f"{answer['rows']} rows: {verb} {answer['quotes_created']} quotes; "
        f"{answer['quotes_existing']} were there already"
    ),
)
