"""gunicorn's settings for the app: ``gunicorn -c python:server.gunicorn_config 'server:create_app()'``."""

import gc
import os

# A sync worker serves one request at a time and holds one or two PostgreSQL connections, whose
# default max_connections is 100: 16 workers take at most 32, so three web nodes with their
# defaults, the background worker, the release step and psql still fit. A larger machine
# sets WEB_CONCURRENCY, with max_connections or a pooler sized for it (docs/deploy.md).
MAX_DEFAULT_POSTGRESQL_WORKERS = 16


def default_workers(environ=os.environ, cores=None):
    """Workers when ``--workers`` is not given: ``WEB_CONCURRENCY`` if set, else one per core on
    SQLite and two per core on PostgreSQL, at most ``MAX_DEFAULT_POSTGRESQL_WORKERS``.

    On PostgreSQL a push's worker waits for the database, another process, for about a third
    of its time (its inserts into six indexes, its commit's fsync): with one worker per core
    that time is idle. Eight devices pushing at once, interleaved runs on 2 cores: 6,858 docs/s
    with 2 workers, 8,578 with 4. On SQLite every write takes the one write lock, and a third
    or fourth worker only waits for it (8 devices 6% slower with 4).
    """
    configured = environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        if not configured.isascii() or not configured.isdigit() or int(configured) < 1:
            raise SystemExit(f"WEB_CONCURRENCY must be a number of workers (1 or more), not {configured!r}")
        return int(configured)
    cores = cores or os.cpu_count() or 1
    if environ.get("DATABASE_URL", "").startswith("postgresql"):
        return min(cores * 2, MAX_DEFAULT_POSTGRESQL_WORKERS)
    return cores


workers = default_workers()


def post_worker_init(_worker):
    """Keep what the worker built at start-up out of the cyclic garbage collector's way.

    The app's modules, schemas and mappings are about 170,000 tracked objects that live as long
    as the worker. Every full collection walked all of them: with a push of 100 allocating
    thousands of small dicts, collections took 0.8 ms a push. Frozen, they are never walked
    again (0.2 ms a push); what the worker allocates afterwards is collected as before.

    The youngest generation is collected every 10,000 allocations rather than 700: most of a
    request's objects are freed by their count before that, so each is walked less often
    (1.3 % fewer instructions a push of 100, callgrind). What a request leaves in cycles waits
    at most 10,000 allocations longer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
