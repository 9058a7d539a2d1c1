#!/usr/bin/env python3
"""Ours against the CouchDB-protocol peer, same workload, same machine, in alternation.

Starts the peer (pouchdb-server, LevelDB) with ``../shared/bench/anchor-couch/setup.sh`` and,
for each run, times the peer with its own ``bench.py`` phases, then our server (gunicorn, its
workers as the Procfile starts them) on each database with the same documents and phases
(``sync_bench.run_ours`` without the extra history: the incremental pull runs over what the run
wrote, as the peer's does). Prints the medians side by side with the ratio ours/peer.
Run: ``.venv/bin/python bench/anchor_compare.py`` (``--quick``, ``--runs N``, ``--db sqlite``).
"""

import argparse
import statistics
import subprocess
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import sync_bench
from workload import ANCHOR_DIR, anchor, free_port, loadavg, machine

# figure: (peer key, our key, label, higher is better)
FIGURES = [
    ("push_docs_per_s", "push", "push 10,000, 100/req (docs/s)", True),
    ("pull_docs_per_s", "pull", "full pull, 500/page (docs/s)", True),
    ("incr_pull_ms", "incr_p50", "incremental pull of 100 (ms, median)", False),
    ("empty_pull_ms", "empty_p50", "empty pull (ms, median)", False),
    ("concurrent_docs_per_s", "concurrent", "8 clients x 1,000, 50/req (docs/s)", True),
    ("concurrent_p50_ms", "conc_p50", "8 clients, request p50 (ms)", False),
    ("concurrent_p95_ms", "conc_p95", "8 clients, request p95 (ms)", False),
    ("peak_rss_mb", "rss", "peak RSS per server process (MB)", False),
]

# The targets of issue 20, as ours/peer ratios in one run (for times, the peer's time over ours,
# so higher is better everywhere), plus PostgreSQL's empty-pull p95 in ms.
TARGETS = [
    ("push_docs_per_s", "push", "push, 100/req", 1.5),
    ("concurrent_docs_per_s", "concurrent", "8 devices pushing at once", 1.5),
    ("empty_pull_ms", "empty_p50", "empty pull, median (peer's time / ours)", 1.0),
    ("pull_docs_per_s", "pull", "full pull", 3.0),
]


def verdicts(results, kinds):
    """The targets table: each figure as a ratio to the peer's, met or missed."""
    lines = ["| target | " + " | ".join(kinds) + " | needed |", "|" + " --- |" * (2 + len(kinds))]
    for peer_key, our_key, label, needed in TARGETS:
        peer_value = statistics.median(r[peer_key] for r in results["peer"])
        cells = []
        for kind in kinds:
            ours = statistics.median(r[our_key] for r in results[kind])
            ratio = peer_value / ours if peer_key.endswith("_ms") else ours / peer_value
            cells.append(f"{ratio:.2f}x {'met' if ratio >= needed else 'MISSED'}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | >= {needed}x |")
    if "postgresql" in kinds:
        p95 = statistics.median(r["empty_p95"] for r in results["postgresql"])
        cells = [
            f"{p95:.1f} ms {'met' if p95 <= 5 else 'MISSED'}" if k == "postgresql" else "-" for k in kinds
        ]
        lines.append("| empty pull p95, PostgreSQL | " + " | ".join(cells) + " | <= 5 ms |")
    return "\n".join(lines)


def start_peer():
    """Start pouchdb-server on a free port; return (url, pid)."""
    port = free_port()
    out = subprocess.run(
        ["bash", str(ANCHOR_DIR / "setup.sh"), str(port)], capture_output=True, text=True, timeout=600
    )
    if out.returncode:
        raise SystemExit(f"the peer did not start:\n{out.stdout}\n{out.stderr}")
    values = dict(line.split("=", 1) for line in out.stdout.splitlines() if line.startswith(("PID=", "URL=")))
    return values["URL"], int(values["PID"])


def peer_run(peer, url, pid, a, run_no):
    """One run of the peer's own phases, plus an empty pull timed like ours; return figures."""
    proc = peer.Proc(pid)
    m = peer.run_once(url, a, run_no, proc)
    c, db = peer.Conn(url), f"bench_empty_{run_no}"
    c.req("PUT", f"/{db}")
    rng = sync_bench.seeded(run_no)
    c.req("POST", f"/{db}/_bulk_docs", peer.dumps({"docs": [peer.make_doc(rng) for _ in range(100)]}))
    _, last, _ = peer.pull(c, db, 0, a.page)
    empty = []
    for _ in range(50):
        t0 = time.perf_counter()
        assert peer.pull(c, db, last, a.page)[0] == 0
        empty.append(1000 * (time.perf_counter() - t0))
    c.req("DELETE", f"/{db}")
    m["empty_pull_ms"] = statistics.median(empty)
    m["peak_rss_mb"] = proc.mem_mb().get("VmHWM", 0.0)
    return m


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--quick", action="store_true", help="one run of 1,000 docs")
    a = p.parse_args()
    n = 1_000 if a.quick else 10_000
    runs = 1 if a.quick else a.runs
    kinds = ["sqlite", "postgresql"] if a.db == "both" else [a.db]
    peer = anchor()
    peer_opts = SimpleNamespace(
        seed=42, n=n, batch=100, page=500, clients=8, per_client=n // 10, client_batch=50, keep=False
    )
    ours_opts = sync_bench.options(["--n", str(n), "--history", "0"])
    print(
        f"anchor_compare {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, "
        f"loadavg {loadavg()}, {runs} runs of {n} docs",
        flush=True,
    )
    url, pid = start_peer()
    results = {"peer": [], **{k: [] for k in kinds}}
    try:
        rng = sync_bench.seeded(0)
        c, warm = peer.Conn(url), "bench_warmup"
        c.req("PUT", f"/{warm}")
        for _ in range(n // 100):
            c.req(
                "POST", f"/{warm}/_bulk_docs", peer.dumps({"docs": [peer.make_doc(rng) for _ in range(100)]})
            )
        peer.pull(c, warm, 0, 500)
        c.req("DELETE", f"/{warm}")
        for run_no in range(1, runs + 1):
            results["peer"].append(peer_run(peer, url, pid, peer_opts, run_no))
            for kind in kinds:
                print(f"ours on {kind}, run {run_no}:", flush=True)
                ours, _ = sync_bench.run_ours(kind, ours_opts, log=lambda s: print(s, flush=True))
                results[kind].append(ours)
    finally:
        subprocess.run(["kill", str(pid)], check=False)
    print(f"\nloadavg at the end {loadavg()}; medians of {runs} runs\n")
    head = "| figure | peer | " + " | ".join(f"ours {k} | ours/peer" for k in kinds) + " |"
    lines = [head, "|" + " --- |" * (2 + 2 * len(kinds))]
    for peer_key, our_key, label, _ in FIGURES:
        peer_value = statistics.median(r[peer_key] for r in results["peer"])
        cells = []
        for kind in kinds:
            ours = statistics.median(r[our_key] for r in results[kind])
            cells += [sync_bench.fmt(ours), f"{ours / peer_value:.2f}" if peer_value else "-"]
        lines.append(f"| {label} | {sync_bench.fmt(peer_value)} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    print("\nIssue 20's targets (ours against the peer in this run):\n")
    print(verdicts(results, kinds))


if __name__ == "__main__":
    main()
