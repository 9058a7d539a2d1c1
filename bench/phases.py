"""Where a push's wall time goes, phase by phase, in one process (``profile_sync.py --phases``).

Each phase is timed exclusively (a phase inside another pauses it): the functions of the push
path are wrapped in place, every statement is timed from the driver's side (SQLAlchemy's cursor
events: the round trip and the database's work), and the driver's COMMIT separately (on both
databases that is where the fsync is). What no phase claims is Flask, werkzeug and the test
client. ``feed lock held`` is not a phase: it is how long a push holds what makes writers wait
for each other (PostgreSQL: from the feed row's lock to the end of COMMIT; SQLite: from BEGIN
IMMEDIATE to the end of COMMIT), the floor of the time between two pushes' commits.
"""

import collections
import contextlib
import importlib
import time

from sqlalchemy import event

# (module, function, phase): the push path's functions, looked up where they are called.
WRAPPED = [
    ("server.core.sync_api", "authenticate", "auth: token check (Python)"),
    ("server.core.sync_api", "client_protocol", "request: protocol header"),
    ("server.core.sync_api", "json_object", "request: read JSON body"),
    ("server.core.sync_api", "check_envelope", "request: envelope check"),
    ("server.core.sync_api", "jsonify", "answer: JSON"),
    ("server.core.sync_api", "run_push", "push: session, retries"),
    ("server.core.sync_api", "writing_session", "push: begin writing (lock, BEGIN)"),
    ("server.core.sync_api", "check_ahead", "push: check ahead (Python)"),
    ("sync.push", "apply_push", "push: set-up"),
    ("sync.push", "prefetch", "prefetch (Python, SQLAlchemy)"),
    ("sync.push", "apply_one", "apply, merge (Python)"),
    ("sync.push", "load_mutation", "validate: mutation envelope"),
    ("sync.push", "load_changes", "validate: entity fields"),
    ("sync.push", "write", "write: rows, SQLAlchemy (Python)"),
]


def statement_kind(statement):
    words = " ".join(statement.split()).upper()
    if words.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
        return "sql: " + words.split()[0]
    if " FOR UPDATE" in words and "FROM FEED" in words:
        return "sql: feed lock (SELECT ... FOR UPDATE)"
    for table in ("tokens", "feed", "seen_mutations", "records", "scope_events", "dead_letters"):
        if f" {table.upper()}" in words:
            verb = words.split()[0]
            return f"sql: {verb} {table}"
    return "sql: other"


class Phases:
    """Exclusive wall time per phase while active; ``report`` prints it per push."""

    def __init__(self, engine, db_name):
        self.engine, self.db_name = engine, db_name
        self.totals = collections.Counter()
        self.counts = collections.Counter()
        self.stack = []  # [phase, started]
        self.held = 0.0
        self.lock_from = None
        self.requests = 0

    # -- the exclusive clock
    def enter(self, phase):
        now = time.perf_counter()
        if self.stack:
            top = self.stack[-1]
            self.totals[top[0]] += now - top[1]
        self.stack.append([phase, now])
        self.counts[phase] += 1

    def leave(self):
        now = time.perf_counter()
        phase, started = self.stack.pop()
        self.totals[phase] += now - started
        if self.stack:
            self.stack[-1][1] = now
        return now

    @contextlib.contextmanager
    def request(self):
        self.requests += 1
        self.enter("Flask, werkzeug, test client (rest)")
        try:
            yield
        finally:
            self.leave()

    # -- wrapping
    def wrap(self, function, phase):
        def timed(*args, **kwargs):
            self.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        return timed

    def __enter__(self):
        self.saved = []
        for module_name, name, phase in WRAPPED:
            module = importlib.import_module(module_name)
            original = getattr(module, name)
            self.saved.append((module, name, original))
            setattr(module, name, self.wrap(original, phase))
        from sync import driver  # noqa: PLC0415
        from sync.commit import Bulk  # noqa: PLC0415

        self.saved.append((driver, "run", driver.run))  # statements past the cursor events
        driver.run = self.through_driver(driver.run)

        self.saved.append((Bulk, "copy", Bulk.copy))  # PostgreSQL's inserts, past the cursor events
        Bulk.copy = self.wrap(Bulk.copy, "sql: INSERT by COPY")
        dialect = self.engine.dialect
        for name in ("do_commit", "do_rollback", "do_executemany"):
            self.saved.append((dialect, name, getattr(dialect, name)))
        dialect.do_commit = self.committing(dialect.do_commit)
        dialect.do_rollback = self.wrap(dialect.do_rollback, "sql: ROLLBACK")
        event.listen(self.engine, "before_cursor_execute", self.before)
        event.listen(self.engine, "after_cursor_execute", self.after)
        return self

    def __exit__(self, *exc):
        for owner, name, original in reversed(self.saved):
            setattr(owner, name, original)
        event.remove(self.engine, "before_cursor_execute", self.before)
        event.remove(self.engine, "after_cursor_execute", self.after)

    def committing(self, do_commit):
        def timed(connection):
            self.enter("sql: COMMIT (fsync)")
            try:
                return do_commit(connection)
            finally:
                end = self.leave()
                if self.lock_from is not None:
                    self.held += end - self.lock_from
                    self.lock_from = None

        return timed

    def through_driver(self, run):
        def timed(connection, sql, params, fetch=False, many=False):
            self.before(connection, None, sql, params, None, many)
            try:
                return run(connection, sql, params, fetch=fetch, many=many)
            finally:
                self.after()

        return timed

    def before(self, _conn, _cursor, statement, _params, _context, executemany):
        kind = statement_kind(statement)
        if executemany:
            kind += " (executemany)"
        self.enter(kind)
        if self.lock_from is None and (
            "feed lock" in kind
            or (self.db_name == "sqlite" and kind == "sql: BEGIN" and "IMMEDIATE" in statement)
        ):
            self.lock_from = self.stack[-1][1]

    def after(self, *_args):
        self.leave()

    def report(self, pushes, size):
        total = sum(self.totals.values())
        print(
            f"\nphases of a push of {size} on {self.db_name}, mean of {pushes} pushes (exclusive wall ms)\n"
        )
        print("| phase | ms per push | % | calls per push |\n| --- | --- | --- | --- |")
        for phase, seconds in sorted(self.totals.items(), key=lambda kv: -kv[1]):
            print(
                f"| {phase} | {seconds / pushes * 1000:.2f} | {100 * seconds / total:.0f} | "
                f"{self.counts[phase] / pushes:.1f} |"
            )
        print(f"| **request, all** | **{total / pushes * 1000:.2f}** | 100 | |")
        print(
            f"\nfeed lock held per push: {self.held / pushes * 1000:.2f} ms "
            f"(one writer at a time: at most {pushes / self.held * size:.0f} mutations/s whatever the clients)"
        )
