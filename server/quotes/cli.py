"""``genba reindex-quotes``: rebuild the quote search index (after editing the synonyms)."""

import click
from flask.cli import with_appcontext

from server.core.db import writing_session
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
