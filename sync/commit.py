"""Number a push's changes in commit order and write them in a handful of bulk statements."""

from typing import cast

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Table, insert, literal

from . import clockstore, driver, hlc as hlcs
from .batch import root_owner, watchers_of
from .digest import record_hash
from .models import OWNER_PART, DeadLetter, Record, ScopeEvent, SeenMutation, utcnow
from .scope import privacy
from .wire import dump_json, parse_instant


def write(batch, server_node):
    """Write the push, taking the feed lock as late as possible: number the changes in commit
    order, write them and return the server's clock, above every HLC stored (read under the
    lock).

    Everything that needs no feed position is done before the lock: the rows are built, the
    seen mutations and dead letters and whatever the engine's hooks write (e.g. the quote
    search index) are inserted. Under the lock only the records, the scope events and the feed
    row are written, so concurrent pushes wait on each other for that and the commit alone.
    """
    session = batch.session
    # The statements below go to the connection, past the ORM: what the transaction changed
    # through the ORM (a scope move numbers the feed so) must be written first.
    session.flush()
    connection = session.connection()
    events = scope_events(batch)
    entities = batch.engine.entities
    instants: dict[str, object] = {}
    rows: list[list] = []  # in the order the batch touched the records: their feed order
    for w in batch.touched:
        entity = entities[w.entity]
        data = w.data
        stamp = data["updated_at"]
        updated_at = instants.get(stamp)
        if updated_at is None:
            updated_at = instants[stamp] = parse_instant(stamp)
        row = [
            w.scope_id,
            data.get(entity.owner_field) if entity.owner_field else None,
            team_column(entities, entity, w),
            data["version"],
            data["deleted"],
            dump_json(data),
            clockstore.pack(w.clocks),
            updated_at,
            None,  # seq: numbered under the lock
            record_hash(w.entity, w.id, data["version"]),
            w.entity,
            w.id,
        ]
        rows.append(row)
    if batch.new_seen:
        now = utcnow()
        SEEN_INSERT.run(
            connection,
            [
                [s.device_id, s.mutation_id, s.entity, s.record_id, s.status, s.errors, now]
                for s in batch.new_seen
            ],
        )
    if batch.dead_letters:
        session.execute(insert(cast(Table, DeadLetter.__table__)), batch.dead_letters)
    for written in batch.engine.records_written:  # e.g. the quote search index
        written(session, batch.touched)

    ((seq, feed_hlc),) = driver.rows(connection, FEED_LOCK[connection.dialect.name], ())
    server_hlc = hlcs.tick(
        max(feed_hlc, batch.max_hlc), max(batch.server_ms, hlcs.physical_ms(feed_hlc)), server_node
    )
    for event in events:
        seq += 1
        event["seq"] = seq
    for row in rows:
        seq += 1
        row[SEQ] = seq
    inserts = [row for w, row in zip(batch.touched, rows, strict=True) if w.created]
    updates = [row for w, row in zip(batch.touched, rows, strict=True) if not w.created]
    if events:
        session.execute(insert(cast(Table, ScopeEvent.__table__)), events)
    if inserts:
        RECORD_INSERT.run(connection, inserts)
    if updates:
        RECORD_UPDATE.run(connection, updates)
    driver.run(connection, FEED_MOVE, (seq, server_hlc))
    return server_hlc


class Bulk:
    """One statement run for many rows straight through the driver.

    SQLAlchemy's ``executemany`` of a Core statement builds and type-processes every row's
    parameters in Python, more CPU than the driver's own work for a push's hundred rows. The
    statement is written once per database and the column types' own bind processors (a
    SQLite ``DateTime`` to its text, say) are applied here, so the rows stored are the same.

    On PostgreSQL many rows are inserted by ``COPY`` and a few by one ``INSERT`` of several
    ``VALUES``: psycopg's ``executemany`` runs in a pipeline of its own, whose set-up and end
    cost more than the statement (one row: 0.33 ms against 0.13 ms for a plain statement),
    and which logs a warning when a statement in it fails, as the insert of a mutation sent
    before does on purpose (``apply_push``'s guess).
    """

    def __init__(self, table, columns, key=(), literal=None):
        self.table, self.columns, self.key = table, list(columns), list(key)
        self.literal = literal or {}  # column: value written the same on every row
        self.known: dict[str, tuple[str, list]] = {}
        self.copy_types: list[str] | None = None  # PostgreSQL's, for COPY
        self.several: dict[int, str] = {}  # PostgreSQL's INSERT of that many rows

    def prepare(self, dialect):
        mark = "?"  # driver.run puts the driver's own
        name = self.table.name
        if self.key:
            sets = ", ".join(f"{c} = {mark}" for c in self.columns)
            where = " AND ".join(f"{c} = {mark}" for c in self.key)
            sql = f"UPDATE {name} SET {sets} WHERE {where}"
        else:
            fixed = [str(bindless(self.table.c[c], v, dialect)) for c, v in self.literal.items()]
            columns = ", ".join([*self.columns, *self.literal])
            values = ", ".join([mark] * len(self.columns) + fixed)
            sql = f"INSERT INTO {name} ({columns}) VALUES ({values})"
        processors = [
            (position, processor)
            for position, column in enumerate(self.columns + self.key)
            if (processor := self.table.c[column].type.dialect_impl(dialect).bind_processor(dialect))
            is not None
        ]
        self.known[dialect.name] = (sql, processors)
        return sql, processors

    def run(self, connection, rows):
        """Run the statement once per row; each row lists the columns, then the key's."""
        dialect = connection.dialect
        sql, processors = self.known.get(dialect.name) or self.prepare(dialect)
        for position, processor in processors:
            done: dict = {}  # a push's rows share their few instants: each is processed once
            for row in rows:
                value = row[position]
                if value not in done:
                    done[value] = processor(value)
                row[position] = done[value]
        if dialect.name != "postgresql" or (self.key and len(rows) > 1):
            driver.run(connection, sql, rows, many=True)
        elif len(rows) == 1:
            driver.run(connection, sql, rows[0])
        elif len(rows) >= COPY_FROM_ROWS:
            self.copy(connection, rows)
        else:
            driver.run(connection, self.inserting(sql, len(rows)), [value for row in rows for value in row])

    def inserting(self, sql, count):
        """The insert ``sql`` (of one row) written for ``count`` rows: its ``VALUES`` repeated."""
        several = self.several.get(count)
        if several is None:
            head, values = sql.split(" VALUES ", 1)
            several = self.several[count] = f"{head} VALUES {', '.join([values] * count)}"
        return several

    def copy(self, connection, rows):
        """Insert through ``COPY ... FROM STDIN``: PostgreSQL takes a push's hundred rows in
        half the time ``executemany`` does. COPY answers in two round trips (its start, then its
        end), so a few rows go by one statement instead (one round trip). Its errors come out as SQLAlchemy's, as a statement's would (a racing insert of
        the same key is an ``IntegrityError``, retried).

        The rows go in COPY's binary format, each value as its column's type: PostgreSQL then
        parses no text (a push's 100 records and 100 seen mutations: 0.3-0.4 ms less of its CPU,
        0.4 ms less of ours, than the text format)."""
        columns = [*self.columns, *self.literal]
        fixed = list(self.literal.values())
        if self.copy_types is None:
            dialect = connection.dialect
            self.copy_types = [binary_type(self.table.c[c].type.dialect_impl(dialect)) for c in columns]
        types = self.copy_types
        sql = f"COPY {self.table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        raw = connection.connection.driver_connection
        with driver.errors_as_sqlalchemy(connection, sql), raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row([*row, *fixed])


def binary_type(column_type):
    """The PostgreSQL type a column's values are written as in a binary COPY."""
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, BigInteger):  # before Integer: it is one
        return "int8"
    if isinstance(column_type, Integer):
        return "int4"
    if isinstance(column_type, DateTime):
        return "timestamptz" if column_type.timezone else "timestamp"
    if isinstance(column_type, String):  # Text too; varchar reads text's binary form
        return "text"
    raise TypeError(f"no binary COPY type for {column_type!r}")


# Below this many rows one INSERT of several VALUES is quicker than COPY, which answers in two
# round trips (one row: 0.31 against 0.40 ms through executemany; about even at ten).
COPY_FROM_ROWS = 10


def bindless(column, value, dialect):
    """``value`` as a SQL literal of ``column``'s type on ``dialect``."""
    return literal(value, column.type).compile(dialect=dialect, compile_kwargs={"literal_binds": True})


# SQLite has no row locks: its writer holds the database's one write lock from BEGIN IMMEDIATE.
FEED_LOCK = {
    "sqlite": "SELECT seq, hlc FROM feed WHERE id = 1",
    "postgresql": "SELECT seq, hlc FROM feed WHERE id = 1 FOR UPDATE",
}
FEED_MOVE = "UPDATE feed SET seq = ?, hlc = ? WHERE id = 1"
RECORDS = cast(Table, Record.__table__)
# A record row: its columns, then its key (an update's WHERE); ``seq`` is set under the lock.
RECORD_COLUMNS = [
    "customer_id",
    "owner_id",
    "team",
    "version",
    "deleted",
    "data",
    "clocks",
    "updated_at",
    "seq",
    "digest",
]
SEQ = RECORD_COLUMNS.index("seq")
RECORD_INSERT = Bulk(RECORDS, [*RECORD_COLUMNS, "entity", "id"], literal={"compacted": False})
RECORD_UPDATE = Bulk(RECORDS, RECORD_COLUMNS, key=["entity", "id"])
SEEN_INSERT = Bulk(
    cast(Table, SeenMutation.__table__),
    ["device_id", "mutation_id", "entity", "record_id", "status", "errors", "created_at"],
)


def team_column(entities, entity, working):
    """What the indexed ``team`` column holds: the private or personal marker, or the entity's
    team field."""
    marker = privacy(entities, working.entity, working.data)
    if marker is not None:
        return marker
    return working.data.get(entity.team_field) if entity.team_field else None


def scope_events(batch):
    """Diff who sees each scope root whose watchers the batch changed, as feed entries.

    The pushing user may have held a root only in the middle of the batch (a membership and
    its removal in one push): the answers handed them its records, so a loss is recorded for
    them too, and their next pull evicts what those answers left on the device. Likewise
    whoever saw a root the server moved records from (a merge) and does not see the root they
    moved to loses that root: their pull evicts the moved records.
    """
    events = []
    actor = batch.actor
    now = watchers_of(batch, list(batch.scope_before), from_batch=True)
    for customer_id, before in batch.scope_before.items():
        after = now[customer_id]
        when = batch.scope_hlc[customer_id]
        lost = before - after
        if not actor.sees_everything and actor.user_id not in before | after:
            lost = lost | {actor.user_id}
        for old_root in batch.moved_into.get(customer_id, ()):
            # Records moved here from a root they saw: evicting this root takes them away.
            lost = lost | (batch.scope_before[old_root] - after)
        gained = after - before
        owner, former = root_owner(batch, customer_id, created_too=True), batch.owner_before[customer_id]
        if owner in before & after and owner != former:
            # Handed a root they saw already, its new owner gains what only an owner reads
            # (who asks to follow it): their next pull brings the root again, with that.
            gained = gained | {owner}
        kept_by_former = former is not None and former != owner and former in before & after - lost
        for user_id in sorted(gained):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=True, hlc=when, part=None))
        for user_id in sorted(lost):
            events.append(dict(user_id=user_id, customer_id=customer_id, gained=False, hlc=when, part=None))
        if kept_by_former:
            # The owner who handed it on still sees the root, but no longer who asks to follow it.
            events.append(
                dict(user_id=former, customer_id=customer_id, gained=False, hlc=when, part=OWNER_PART)
            )
    return events
