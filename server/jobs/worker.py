"""The worker loop behind ``genba worker``: claim a job, run it, record the outcome.

Jobs never run inside a request or a push. Each kind is a module with ``run(payload)`` (must
be idempotent: a job whose worker died is run again) and ``give_up(payload, error)`` (called
once when the attempts are spent, to leave the records in a state people can see).
"""

import importlib
import json
import logging
import os
import signal
import socket
import time
import traceback

from server.core.db import db, writing_session
from server.jobs.queue import claim, finish

KINDS = {"read_card": "server.cards.job"}
log = logging.getLogger("genba.worker")


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    """Runs jobs until stopped (SIGTERM/SIGINT finish the current job first)."""

    def __init__(self, app, name=None):
        self.app = app
        self.name = name or worker_name()
        self.stopping = False
        self.lease_ms = int(app.config["JOB_LEASE_SECONDS"] * 1000)
        self.max_attempts = app.config["JOB_MAX_ATTEMPTS"]
        self.poll_s = app.config["JOB_POLL_SECONDS"]

    def stop(self, *_):
        self.stopping = True

    def run(self, until_idle=False):
        """Work until stopped, or until no job is due with ``until_idle``; return jobs run."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        done = 0
        while not self.stopping:
            if self.run_one():
                done += 1
            elif until_idle:
                break
            else:
                time.sleep(self.poll_s)
        return done

    def run_one(self):
        """Claim and run one job; False when none is due."""
        with self.app.app_context():
            job = claim(writing_session(), self.name, self.lease_ms)
            if job is None:
                db.session.remove()
                return False
            job_id, kind, attempts = job.id, job.kind, job.attempts
            payload = json.loads(job.payload)
            db.session.remove()
            handler = importlib.import_module(KINDS[kind]) if kind in KINDS else None
            if handler is None or attempts > self.max_attempts:
                error = f"unknown job kind {kind}" if handler is None else "attempts spent"
                self.give_up(handler, job_id, payload, error)
                return True
            try:
                handler.run(payload)
            except Exception as err:  # noqa: BLE001 - any failure is the job's, not the worker's
                db.session.remove()
                error = "".join(traceback.format_exception_only(err)).strip()
                log.warning("job %s (%s) attempt %s failed: %s", job_id, kind, attempts, error)
                if attempts >= self.max_attempts:
                    self.give_up(handler, job_id, payload, error)
                else:
                    finish(writing_session(), job_id, self.name, error, retry_ms=1000 * 2**attempts)
                db.session.remove()
                return True
            db.session.remove()
            finish(writing_session(), job_id, self.name)
            db.session.remove()
            return True

    def give_up(self, handler, job_id, payload, error):
        if finish(writing_session(), job_id, self.name, error) and handler is not None:
            handler.give_up(payload, error)
        db.session.remove()
