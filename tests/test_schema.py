"""The migrations build the schema the models declare, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from sync.models import Base


def test_the_migrated_schema_is_the_models_schema(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            indexes = {index["name"]: index for index in inspect(connection).get_indexes("records")}
    finally:
        engine.dispose()
    assert differences == []
    assert "ix_records_id" not in indexes  # records are read by (entity, id) only
    # Alembic does not compare an index's WHERE: records without an owner or a team (visits,
    # contacts) are in neither index, as the models declare.
    dialect = engine.dialect.name
    for name, column in [("ix_records_owner", "owner_id"), ("ix_records_team", "team")]:
        where = indexes[name].get("dialect_options", {}).get(f"{dialect}_where")
        assert where is not None and column in str(where) and "not null" in str(where).lower(), indexes[name]


def declared_collations(dialect):
    """``{(table, column): collation}`` of every text column the models declare with one on
    ``dialect``."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            collation = getattr(column.type.dialect_impl(dialect), "collation", None)
            if collation:
                found[(table.name, column.name)] = collation
    return found


def test_the_sync_keys_are_compared_as_bytes_on_postgresql(database_url):
    """Ids, entity names and HLCs are collated "C" on PostgreSQL, as the models declare: the
    migrations set what alembic's comparison above does not look at."""
    engine = create_engine(database_url)
    try:
        declared = declared_collations(engine.dialect)
        with engine.connect() as connection:
            if engine.dialect.name != "postgresql":
                assert declared == {}  # SQLite compares bytes already
                return
            stored = {
                (table, column): collation
                for table, column, collation in connection.execute(
                    text(
                        "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                        " WHERE table_schema = 'public' AND collation_name IS NOT NULL"
                    )
                )
            }
    finally:
        engine.dispose()
    for key in [
        ("records", "id"),
        ("records", "entity"),
        ("seen_mutations", "mutation_id"),
        ("scope_events", "hlc"),
    ]:
        assert declared[key] == "C"
    assert {key: stored.get(key) for key in declared} == declared
