"""Background jobs: claimed once, leased, retried with a limit, and surviving a killed worker."""

import json
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from server.core.db import db, writing_session
from server.jobs import worker as workers
from server.jobs.models import Job
from server.jobs.queue import claim, enqueue, finish
from server.jobs.worker import Worker
from test_cards import upload_card


def add_job(app, kind="read_card", payload=None):
    with app.app_context():
        session = writing_session()
        job = enqueue(session, kind, payload or {"attachment_id": "none"})
        session.commit()
        job_id = job.id
        db.session.remove()
        return job_id


def job_row(app, job_id):
    with app.app_context():
        job = db.session.get(Job, job_id)
        row = (job.status, job.attempts, job.last_error)
        db.session.remove()
        return row


def test_a_claimed_job_is_not_claimed_again_until_its_lease_runs_out(app):
    job_id = add_job(app)
    with app.app_context():
        assert claim(writing_session(), "w1", lease_ms=60_000).id == job_id
        assert claim(writing_session(), "w2", lease_ms=60_000) is None
        taken = claim(writing_session(), "w2", lease_ms=60_000, at=int(time.time() * 1000) + 61_000)
        assert (taken.id, taken.attempts, taken.claimed_by) == (job_id, 2, "w2")
        assert not finish(writing_session(), job_id, "w1")  # the first worker lost its lease
        assert finish(writing_session(), job_id, "w2")
        db.session.remove()
    assert job_row(app, job_id)[:2] == ("done", 2)


class Flaky:
    calls, given_up = 0, []

    @staticmethod
    def run(payload):
        Flaky.calls += 1
        raise RuntimeError("the disk is full")

    @staticmethod
    def give_up(payload, error):
        Flaky.given_up.append(error)


def test_a_failing_job_is_retried_then_given_up_once(app, monkeypatch):
    monkeypatch.setattr(Flaky, "calls", 0)
    monkeypatch.setattr(Flaky, "given_up", [])
    monkeypatch.setitem(workers.KINDS, "flaky", __name__)
    monkeypatch.setattr(sys.modules[__name__], "run", Flaky.run, raising=False)
    monkeypatch.setattr(sys.modules[__name__], "give_up", Flaky.give_up, raising=False)
    app.config.update(JOB_MAX_ATTEMPTS=3)
    job_id = add_job(app, "flaky")
    worker = Worker(app, "w1")
    for _attempt in range(3):
        with app.app_context():
            db.session.execute(Job.__table__.update().values(run_after_ms=0))
            db.session.commit()
            db.session.remove()
        assert worker.run_one()
    assert job_row(app, job_id) == ("failed", 3, "RuntimeError: the disk is full")
    assert (Flaky.calls, Flaky.given_up) == (3, ["RuntimeError: the disk is full"])
    assert not worker.run_one()


def test_an_unknown_kind_fails_without_running(app):
    job_id = add_job(app, "no_such_kind")
    assert Worker(app, "w1").run_one()
    assert job_row(app, job_id) == ("failed", 1, "unknown job kind no_such_kind")


def start_worker(app, tmp_path, *extra):
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        GENBA_DATA_DIR=str(tmp_path),
        GENBA_INSTANCE_PATH=str(tmp_path),
        JOB_LEASE_SECONDS="2",
        JOB_POLL_SECONDS="0.05",
    )
    genba = os.path.join(os.path.dirname(sys.executable), "genba")
    return subprocess.Popen(
        [genba, "worker", *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_a_job_whose_worker_was_killed_completes_once_after_a_restart(app, device, tmp_path):
    rep = device("rep_a")
    attachment = upload_card(rep, 0)
    version_uploaded = attachment["version"]
    worker = start_worker(app, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while job_status(app) != "running":
            assert time.monotonic() < deadline and worker.poll() is None, worker.stderr.read()
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        assert job_status(app) == "running"  # left claimed by the dead worker
        time.sleep(2.1)  # the lease runs out
        again = start_worker(app, tmp_path, "--until-idle")
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
    finally:
        if worker.poll() is None:
            worker.kill()
    with app.app_context():
        job = db.session.execute(select(Job)).scalar_one()
        assert (job.status, job.attempts, json.loads(job.payload)) == (
            "done",
            2,
            {"attachment_id": attachment["id"]},
        )
        db.session.remove()
    record = [c["record"] for c in rep.sync() if c.get("record", {}).get("id") == attachment["id"]][-1]
    assert (record["card_status"], record["version"]) == ("done", version_uploaded + 1)


def job_status(app):
    with app.app_context():
        status = db.session.execute(select(Job.status)).scalar()
        db.session.rollback()
        db.session.remove()
        return status
