"""gunicorn workers killed with SIGKILL at random moments while devices push: exactly once.

Three devices push a stream of batches (new customers and contacts, edits of their own
customers) to gunicorn with two workers, while a thread SIGKILLs a random worker every few
hundred milliseconds; the master starts a new one. A push that gets no answer is sent again,
with the same mutation ids, until it is answered. Afterwards every mutation was recorded once,
every record exists once with version 1 plus the edits made to it and the last value written,
and every resend was answered ``applied`` or ``duplicate`` of an applied one, never rejected.
"""

import http.client
import json
import os
import random
import signal
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from sync.client import SyncError
from sync.models import DeadLetter, Record, SeenMutation

from live import HttpDevice, NoAnswer, start_gunicorn

STREAM_S = 8
ANSWER_WITHIN_S = 30


def workers_of(master_pid):
    """The pids whose parent is ``master_pid`` (gunicorn's workers), read from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def kill_workers(master_pid, stop, kills, rng, pushing):
    """Now and then (a worker needs a moment to boot) kill a worker a few ms into a push."""
    while not stop.wait(rng.uniform(0.3, 0.8)):
        pushing.clear()
        if not pushing.wait(1) or stop.wait(rng.uniform(0, 0.03)):
            continue
        pids = workers_of(master_pid)
        if pids:
            try:
                os.kill(rng.choice(pids), signal.SIGKILL)
                kills.append(time.monotonic())
            except ProcessLookupError:
                pass


def until_answered(call):
    """Call until the server answers; return ``(answer, attempts)``."""
    deadline, attempts = time.monotonic() + ANSWER_WITHIN_S, 0
    while True:
        attempts += 1
        try:
            return call(), attempts
        except (NoAnswer, SyncError, OSError, http.client.HTTPException, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Stream:
    """One device's pushes, and what it expects the server to hold afterwards."""

    def __init__(self, url, login, seed):
        self.device, _ = until_answered(lambda: HttpDevice(url, login))
        self.rng = random.Random(seed)
        self.sent = []  # every mutation id
        self.expected = {}  # record id -> (entity, version, notes)
        self.answers = []  # (attempts, results) per push
        self.counter = 0

    def batch(self):
        mutations = []
        own = [rid for rid, (entity, _, _) in self.expected.items() if entity == "customers"]
        for _ in range(self.rng.randint(1, 3)):
            self.counter += 1
            roll = self.rng.random()
            if own and roll < 0.4:
                rid = self.rng.choice(own)
                entity, version, _ = self.expected[rid]
                notes = f"{self.device.login} {self.counter}"
                mutations.append(self.device.mutation("customers", rid, base_version=version, notes=notes))
                self.expected[rid] = (entity, version + 1, notes)
            elif own and roll < 0.7:
                m = self.device.mutation(
                    "contacts", customer_id=self.rng.choice(own), name=f"担当 {self.counter}"
                )
                mutations.append(m)
                self.expected[m["record_id"]] = ("contacts", 1, None)
            else:
                m = self.device.mutation("customers", name=f"{self.device.login} 顧客 {self.counter}")
                mutations.append(m)
                self.expected[m["record_id"]] = ("customers", 1, None)
        return mutations

    def run(self, going, errors, pushing):
        def push():
            pushing.set()
            return self.device.try_push(*mutations)

        try:
            while going():
                mutations = self.batch()
                self.sent += [m["mutation_id"] for m in mutations]
                results, attempts = until_answered(push)
                self.answers.append((attempts, results))
        except Exception as err:  # noqa: BLE001 - reported by the test
            errors.append(err)


def test_pushes_survive_workers_killed_at_random_and_apply_exactly_once(database_url):
    with start_gunicorn(database_url, workers=2) as (url, master):
        streams = [Stream(url, login, seed) for seed, login in enumerate(["rep_a", "office", "tech"])]
        stop, pushing, kills, errors = threading.Event(), threading.Event(), [], []
        killer = threading.Thread(
            target=kill_workers, args=(master.pid, stop, kills, random.Random(1), pushing)
        )
        # At least STREAM_S, and longer until enough workers died and one took a push with it
        # (a push answered before its worker was killed is not retried: quick pushes often are).
        start = time.monotonic()

        def going():
            elapsed = time.monotonic() - start
            retried = any(attempts > 1 for s in streams for attempts, _ in s.answers)
            return elapsed < STREAM_S or ((len(kills) < 5 or not retried) and elapsed < 4 * STREAM_S)

        pushers = [threading.Thread(target=s.run, args=(going, errors, pushing)) for s in streams]
        killer.start()
        for thread in pushers:
            thread.start()
        for thread in pushers:
            thread.join(timeout=4 * STREAM_S + 2 * ANSWER_WITHIN_S)
        stop.set()
        killer.join()
    assert errors == []

    retried = [results for s in streams for attempts, results in s.answers if attempts > 1]
    print(
        f"\n{len(kills)} workers killed; {sum(len(s.answers) for s in streams)} pushes, "
        f"{len(retried)} of them sent again after no answer, "
        f"{sum(r['status'] == 'duplicate' for rs in retried for r in rs)} mutations answered duplicate"
    )
    assert len(kills) >= 5 and retried, "the test should kill workers under pushes that are retried"
    assert {
        (r["status"], r.get("original_status", "applied"))
        for s in streams
        for _, results in s.answers
        for r in results
    } <= {("applied", "applied"), ("duplicate", "applied")}

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            seen = session.execute(select(SeenMutation.device_id, SeenMutation.mutation_id)).all()
            stored = {
                rid: (entity, version, data)
                for entity, rid, version, data in session.execute(
                    select(Record.entity, Record.id, Record.version, Record.data).where(
                        Record.entity.in_(["customers", "contacts"])
                    )
                )
            }
            twice = (
                session.execute(select(Record.id).group_by(Record.id).having(func.count() > 1))
                .scalars()
                .all()
            )
            dead = session.execute(select(func.count()).select_from(DeadLetter)).scalar()
    finally:
        engine.dispose()
    assert sorted(m for _, m in seen) == sorted(m for s in streams for m in s.sent)
    assert twice == [] and dead == 0
    for stream in streams:
        for rid, (entity, version, notes) in stream.expected.items():
            assert rid in stored, f"{entity} {rid} was never stored"
            assert stored[rid][:2] == (entity, version), (rid, stored[rid][:2], version)
            if notes is not None:
                assert json.loads(stored[rid][2])["notes"] == notes
