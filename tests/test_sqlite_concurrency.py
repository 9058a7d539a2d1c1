"""SQLite under real contention: gunicorn with two workers of four threads, eight devices at once.

Eight office devices push 25 times each, all together: every push sets the device's own field
of one shared quote (based on the version its last answer gave) and creates a visit of its own,
while another device keeps pulling. The storm runs once; the tests state what it must leave.
"""

import shutil
import threading
import time
from dataclasses import dataclass, field

import pytest

from conftest import records_by_id
from live import HttpDevice, start_gunicorn

DEVICES = 8
PUSHES = 25
FIELDS = [
    "product",
    "drawing_no",
    "material",
    "dimensions",
    "processing_method",
    "processing_details",
    "difficulties",
    "quantity",
]


def value(device, push):
    return device * 1000 + push if FIELDS[device] == "quantity" else f"端末{device} 第{push}版"


@dataclass
class Storm:
    quote: dict
    answers: list = field(default_factory=list)  # (device, push, status, body) of every push
    pull_failures: list = field(default_factory=list)
    visits: list = field(default_factory=list)  # record ids of every visit pushed
    pulled_along: dict = field(default_factory=dict)  # what the pulling device ended with
    final: list = field(default_factory=list)  # a fresh device's pull after the storm


def run_device(storm, device, index, start):
    base = storm.quote["version"]
    start.wait()
    for push in range(PUSHES):
        visit = device.mutation(
            "visits",
            customer_id=storm.quote["customer_id"],
            kind="phone",
            visited_at="2026-11-27T09:00:00+09:00",
            notes=f"{index}-{push}",
        )
        storm.visits.append(visit["record_id"])
        edit = device.mutation(
            "quotes", storm.quote["id"], base_version=base, **{FIELDS[index]: value(index, push)}
        )
        try:
            status, body = device.push_raw([edit, visit])
        except Exception as err:  # a dropped connection is an error answer too
            status, body = None, repr(err)
        storm.answers.append((index, push, status, body))
        if status == 200:
            base = body["results"][0]["record"]["version"]


def run_puller(storm, device, start, done):
    changes = []
    start.wait()
    while True:
        finished = done.is_set()
        status, body = device.pull(device.cursor)
        if status != 200:
            storm.pull_failures.append((status, body))
            time.sleep(0.05)
            continue
        changes.extend(body["changes"])
        device.cursor = body["cursor"]
        if finished and not body["has_more"]:
            break
    storm.pulled_along = records_by_id(changes)


@pytest.fixture(scope="module")
def storm(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("storm") / "genba.sqlite3"
    shutil.copy(sqlite_template, path)
    with start_gunicorn(f"sqlite:///{path}", workers=2, args=["--threads", "4"]) as (url, _):
        office = HttpDevice(url, "office")
        customer = office.mutation("customers", name="競合株式会社")
        quote = office.mutation("quotes", customer_id=customer["record_id"], status="draft")
        storm = Storm(quote=office.push(customer, quote)[1]["record"])
        devices = [HttpDevice(url, "office") for _ in range(DEVICES)]
        puller = HttpDevice(url, "office")
        start, done = threading.Barrier(DEVICES + 1), threading.Event()
        threads = [
            threading.Thread(target=run_device, args=(storm, d, i, start)) for i, d in enumerate(devices)
        ]
        pulling = threading.Thread(target=run_puller, args=(storm, puller, start, done))
        for thread in threads + [pulling]:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        done.set()
        pulling.join(timeout=60)
        storm.final = HttpDevice(url, "office").sync()
    return storm


def failures(storm):
    return [(device, push, status, body) for device, push, status, body in storm.answers if status != 200]


def test_no_push_or_pull_under_contention_answers_an_error(storm):
    assert len(storm.answers) == DEVICES * PUSHES
    assert failures(storm) == []
    assert storm.pull_failures == []


def test_every_push_under_contention_is_applied_whole(storm):
    statuses = {
        tuple(r["status"] for r in body["results"]) for _, _, status, body in storm.answers if status == 200
    }
    assert statuses == {("applied", "applied")}


def test_every_visit_pushed_under_contention_is_stored_exactly_once(storm):
    pulled = [c["record"]["id"] for c in storm.final if c["entity"] == "visits"]
    assert sorted(pulled) == sorted(storm.visits)


def test_every_device_keeps_its_last_value_in_its_own_field(storm):
    [quote] = [c["record"] for c in storm.final if c["record"]["id"] == storm.quote["id"]]
    assert {name: quote[name] for name in FIELDS} == {
        name: value(index, PUSHES - 1) for index, name in enumerate(FIELDS)
    }


def test_the_quote_version_counts_every_push_that_changed_it(storm):
    [quote] = [c["record"] for c in storm.final if c["record"]["id"] == storm.quote["id"]]
    changed = sum(1 for _, _, status, _ in storm.answers if status == 200)
    assert quote["version"] == 1 + changed == 1 + DEVICES * PUSHES


def test_a_device_pulling_during_the_storm_ends_with_what_a_fresh_pull_gets(storm):
    assert storm.pulled_along == records_by_id(storm.final)
