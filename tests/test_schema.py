"""The migrations build the schema the models declare, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from sync.models import Base


def test_the_migrated_schema_is_the_models_schema(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            indexes = {index["name"] for index in inspect(connection).get_indexes("records")}
    finally:
        engine.dispose()
    assert differences == []
    assert "ix_records_id" not in indexes  # records are read by (entity, id) only
