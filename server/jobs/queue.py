"""Enqueue, claim and finish background jobs in the database.

A job is enqueued in the caller's transaction, so it exists exactly when the change that asked
for it commits. Workers claim one job at a time: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``
(workers on many machines never wait for each other nor take the same job); on SQLite the
claim runs in a ``BEGIN IMMEDIATE`` transaction, so one writer claims at a time. A claim is a
lease: a job still ``running`` after ``lease_ms`` is taken again, which is how a job outlives a
worker killed in the middle of it. Handlers must therefore be idempotent.
"""

import json
import time

from sqlalchemy import and_, or_, select, update

from server.jobs.models import Job


def now_ms():
    return int(time.time() * 1000)


def enqueue(session, kind, payload, delay_ms=0):
    """Add a job to the caller's transaction; it runs once that transaction commits."""
    at = now_ms()
    job = Job(
        kind=kind,
        payload=json.dumps(payload),
        status="queued",
        attempts=0,
        run_after_ms=at + delay_ms,
        created_ms=at,
    )
    session.add(job)
    return job


def claim(session, worker_id, lease_ms, at=None):
    """Take the oldest job that is due (or whose lease ran out) and return it, or None.

    The caller's session must be a writing one (BEGIN IMMEDIATE on SQLite); this commits.
    """
    at = at or now_ms()
    due = or_(
        and_(Job.status == "queued", Job.run_after_ms <= at),
        and_(Job.status == "running", Job.claimed_ms < at - lease_ms),
    )
    query = select(Job).where(due).order_by(Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.execute(query).scalar_one_or_none()
    if job is None:
        session.commit()
        return None
    job.status, job.claimed_ms, job.claimed_by = "running", at, worker_id
    job.attempts += 1
    session.commit()
    return job


def finish(session, job_id, worker_id, error=None, retry_ms=None):
    """Record a job's outcome if this worker still holds its lease; return whether it did.

    ``error`` with ``retry_ms`` queues it again after that delay; ``error`` alone fails it.
    """
    values = {"claimed_ms": None, "last_error": error}
    if error is None:
        values.update(status="done", finished_ms=now_ms())
    elif retry_ms is not None:
        values.update(status="queued", run_after_ms=now_ms() + retry_ms, claimed_by=None)
    else:
        values.update(status="failed", finished_ms=now_ms())
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.claimed_by == worker_id)
        .values(**values)
    )
    session.commit()
    return result.rowcount == 1
