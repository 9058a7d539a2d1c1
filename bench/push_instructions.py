#!/usr/bin/env python3
"""Instructions a push of 100 visits costs in process, counted by valgrind's callgrind.

Wall and CPU times of one push move by a third from hour to hour on this shared machine, more
than most changes to the push path; the instructions it executes move by about 0.1 %. This runs
the app in process (Flask test client, as ``profile_sync.py``) under callgrind with counting
off, seeds a rep with 50 customers, pushes a few batches to warm up, freezes what start-up built
as gunicorn's workers do, then counts ``--pushes`` pushes of ``--batch`` visits and prints the
instructions per push. The database's own work on PostgreSQL (another process) is not counted,
nor time spent waiting (the commit's fsync): compare two trees with it, not with the peer.
Run: ``.venv/bin/python bench/push_instructions.py [--db sqlite|postgresql] [--pushes 20]``
(needs Debian's ``valgrind``; about 20 s).
"""

import argparse
import gc
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

WARM_UP = 5


def count(a):
    """Run this script's ``--inner`` part under callgrind; return the instructions counted."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("needs valgrind: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            "--inner",
            f"--db={a.db}",
            f"--pushes={a.pushes}",
            f"--batch={a.batch}",
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode or not found:
        raise SystemExit(f"the counted run failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return int(found.group(1))


def callgrind_counting(on):
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True)


def inner(a):
    """The counted part: runs under callgrind, counting only the pushes."""
    from profile_sync import seeded_app, visit

    rng = random.Random(1)
    with seeded_app(a.db) as (_app, client, device, customers):
        bodies = [
            json.dumps(
                {"device_id": device.id, "mutations": [visit(device, rng, customers) for _ in range(a.batch)]}
            )
            for _ in range(WARM_UP + a.pushes)
        ]
        headers = {**device.headers, "Content-Type": "application/json"}
        for n, body in enumerate(bodies):
            if n == WARM_UP:
                gc.collect()
                gc.freeze()  # as server/gunicorn_config.py's post_worker_init
                gc.set_threshold(10_000, 10, 10)
                callgrind_counting(True)
            response = client.post("/api/v1/sync/push", data=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        callgrind_counting(False)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--pushes", type=int, default=20)
    p.add_argument("--batch", type=int, default=100, help="visits per push")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.inner:
        inner(a)
        return
    total = count(a)
    print(
        f"{a.db}: {total / a.pushes / 1e6:.2f} M instructions per push of {a.batch} ({a.pushes} pushes counted)"
    )


if __name__ == "__main__":
    main()
