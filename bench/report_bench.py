#!/usr/bin/env python3
"""Benchmark the printed reports: the daily report (日報) of a 10-visit day and one service
report (作業報告書) with its signature, rendered as the endpoints render them.

Prints the median and the slowest of ``--runs`` renderings of each, in one process (the first
run included: every report reads the Noto CJK collection afresh), and the PDF sizes.

Run: ``.venv/bin/python bench/report_bench.py`` (``--runs``, ``--visits``).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.reports import pdf  # noqa: E402 - after the path is set
from server.reports.day import Day  # noqa: E402

COMPANY = {
    "name": "株式会社 現場製作所",
    "address": "東京都大田区下丸子1-2-3",
    "phone": "03-1234-5678",
    "logo": None,
}


def visits(count):
    return [
        {
            "id": f"v{i}",
            "customer_id": f"c{i % 4}",
            "kind": "aftercare",
            "visited_at": f"2026-12-02T{8 + i:02d}:{(i * 7) % 60:02d}:00+09:00",
            "purpose": "定期点検",
            "handling": f"主軸ベアリングを交換し、試運転で異音なしを確認。クーラント濃度を調整（{i + 1}台目）。",
            "work_minutes": 30 + 5 * i,
            "signed_by": "山田 太郎",
            "next_action": "3月に再点検",
            "parts": [{"name": "ベアリング 6204", "quantity": 2}, {"name": "Oリング P-20", "quantity": 4}],
        }
        for i in range(count)
    ]


def signature(folder):
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 150), (120, 40), (220, 160), (560, 120)], fill=(0, 0, 0, 255), width=6)
    path = Path(folder) / "signature.png"
    image.save(path, "PNG")
    return str(path)


def timed(make, runs):
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(make())
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=10)
    args = parser.parse_args()
    customers = {
        f"c{i}": {"name": name} for i, name in enumerate(["山田製作所", "佐藤鉄工", "東洋精機", "北村工業"])
    }
    requests = [
        {"kind": "request", "title": "予備の刃物が欲しい", "route_to": "sales", "details": "同じ型番で5本"}
    ]
    report = {"summary": "午前は山田製作所で点検。午後は部品手配。" * 3, "hours": 8, "status": "submitted"}
    day = Day(
        {"name": "保守 一郎", "role": "technician"},
        "2026-12-02",
        visits(args.visits),
        requests,
        report,
        customers,
    )
    with tempfile.TemporaryDirectory() as folder:
        one = Day(day.user, day.date, day.visits[:1], requests, None, customers)
        sig = signature(folder)
        rows = [
            (f"daily report, {args.visits} visits", timed(lambda: pdf.daily_report(day, COMPANY), args.runs)),
            (
                "service report, 1 visit + signature",
                timed(lambda: pdf.service_report(one, COMPANY, sig, [], "2026年12月03日"), args.runs),
            ),
        ]
    print(f"| report | median | slowest | PDF size |  ({args.runs} runs)")
    print("| --- | --- | --- | --- |")
    for name, (median, worst, size) in rows:
        print(f"| {name} | {median * 1000:.0f} ms | {worst * 1000:.0f} ms | {size / 1024:.0f} KB |")


if __name__ == "__main__":
    main()
