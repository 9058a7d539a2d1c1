"""The device (pwa/js/load.js) and the server (server/load) compute the same load, weeks and fit
over one table of cases."""

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from server.core.calendar import japanese_holidays
from server.load.capacity import fit, load_table, parse_weights, public
from server.load.weeks import monday_of, week_of, weeks_from, working_days

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")
HOLIDAYS = sorted(japanese_holidays(2026, 2028))
MILL = {"id": "mill", "hours_per_day": 8, "efficiency": 0.85}
WELD = {"id": "weld", "hours_per_day": 7.5, "efficiency": 0.9}
PAINT = {"id": "paint", "hours_per_day": 0, "efficiency": 0.85}


def entries(week, group, *loads):
    return [{"week": week, "resource_group_id": group, "hours": h, "confidence": c} for h, c in loads]


CASES = [
    {
        "from": "2027-W16",
        "weeks": 4,
        "groups": [MILL, WELD, PAINT],
        "company": [],
        "entries": entries("2027-W16", "mill", (10, "firm"), (10.25, "likely"), (3.3, "possible"))
        + entries("2027-W18", "weld", (13.5, "firm")),
        "process_hours": {"mill": 12, "weld": 3},
        "weights": "likely=0.6,possible=0.3",
        "limit": 0.9,
    },
    {
        "from": "2026-W51",
        "weeks": 5,
        "groups": [MILL, WELD],
        "company": ["2026-12-29", "2026-12-30", "2026-12-31"],
        "entries": entries("2026-W51", "mill", (34, "firm"))
        + entries("2026-W52", "mill", (30, "likely"))
        + entries("2026-W53", "mill", (1, "possible")),
        "process_hours": {"mill": 5},
        "weights": "likely=0.5,possible=0.1",
        "limit": 0.9,
    },
    {
        "from": "2027-W17",
        "weeks": 3,
        "groups": [MILL, PAINT],
        "company": ["2027-05-06", "2027-05-07"],
        "entries": entries("2027-W17", "mill", (27.2, "firm")),
        "process_hours": {"mill": 0.1},
        "weights": "likely=0.6,possible=0.3",
        "limit": 0.8,
    },
    {
        "from": "2027-W01",
        "weeks": 2,
        "groups": [PAINT],
        "company": [],
        "entries": [],
        "process_hours": {"paint": 1},
        "weights": "likely=0.6,possible=0.3",
        "limit": 0.9,
    },
]
PROBE_WEEKS = ["2026-W19", "2026-W53", "2027-W01", "2027-W18", "2027-W52", "2028-W52"]
PROBE_DAYS = ["2026-12-31", "2027-01-01", "2027-01-04", "2027-12-31", "2028-01-01", "2024-12-30"]
PROBE_BAD = ["2026-W53", "2027-W53", "2027-W60", "2027-W00", "2027-5", "2020-W53"]


def python_answer(case):
    weights = parse_weights(case["weights"])
    off = set(HOLIDAYS) | {date.fromisoformat(d) for d in case["company"]}
    table = load_table(weeks_from(case["from"], case["weeks"]), case["groups"], case["entries"], off, weights)
    week, after = fit(table, case["process_hours"], weights, case["limit"])

    def exists(week):
        try:
            return monday_of(week) is not None
        except ValueError:
            return False

    return {
        "table": public(table),
        "fit": {"week": week, "utilisation_after": after},
        "working_days": [working_days(w, off) for w in PROBE_WEEKS],
        "week_of": [week_of(date.fromisoformat(d)) for d in PROBE_DAYS],
        "exists": [exists(w) for w in PROBE_BAD],
    }


def device_input(case):
    return {
        **case,
        "days_off": [d.isoformat() for d in HOLIDAYS] + case["company"],
        "weights": {"firm": 1, **parse_weights(case["weights"])},
        "probe_weeks": PROBE_WEEKS,
        "probe_days": PROBE_DAYS,
        "probe_bad": PROBE_BAD,
    }


@pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the device's module")
def test_the_device_computes_what_the_server_computes():
    run = subprocess.run(
        [NODE, str(ROOT / "tests" / "load_cases.mjs")],
        input=json.dumps([device_input(c) for c in CASES]),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    device = json.loads(run.stdout)
    assert device == [python_answer(c) for c in CASES]
    assert device[1]["working_days"][1] == 1 and device[0]["fit"]["week"] is not None
