#!/usr/bin/env python3
"""Take screenshots of the work reports at phone (390x844) and tablet (1280x800) size: 今日 with
the drafted daily report, the manager's list, the printable service report and the server's
PDFs (pages turned into PNG with pdftoppm).

Uses the demo data (like scripts/screenshots.py): tech1 logs three visits of today through the
API, then Chromium shows them as tech1 and as manager1. Writes docs/screenshots/27-*.png on.

Run: `.venv/bin/python scripts/report_screenshots.py`
"""

import io
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import (  # noqa: E402 - after the path is set
    CHROMIUM,
    OUT,
    api_device,
    check_tools,
    serve_demo,
    shoot,
    sign_in,
)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
VISITS = [
    (
        "09:10",
        "定期点検",
        "主軸ベアリングを交換し、試運転で異音なしを確認",
        95,
        [{"name": "ベアリング 6204", "quantity": 2}, {"name": "グリス", "quantity": 1}],
    ),
    (
        "13:30",
        "異音の調査",
        "Vベルトの張りを調整、摩耗のため交換",
        40,
        [{"name": "Vベルト A-40", "quantity": 1}],
    ),
    ("16:00", "操作説明", "新しい担当者に日常点検の手順を説明", 30, []),
]


def push(client, device_id, headers, *mutations):
    body = {
        "device_id": device_id,
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": entity,
                "record_id": record_id,
                "op": "upsert",
                "base_version": None,
                "changes": changes,
                "hlc": f"{int(datetime.now().timestamp() * 1000):013d}:{i:06d}:{device_id}",
            }
            for i, (entity, record_id, changes) in enumerate(mutations)
        ],
    }
    results = client.post("/api/v1/sync/push", json=body, headers=headers).get_json()["results"]
    assert all(r["status"] in ("applied", "merged") for r in results), results
    return results


def signature_png():
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(40, 220), (160, 60), (280, 240), (420, 70), (600, 200), (850, 150)], fill=(10, 10, 40, 255), width=8
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def log_day(app):
    """tech1's visits of today (parts, minutes, a request, a signature); the first visit's id."""
    import hashlib

    client, device_id, headers = api_device(app, "tech1", "genba-tech1")
    pulled = client.get("/api/v1/sync/pull?limit=2000", headers=headers).get_json()["changes"]
    customers = [c["record"] for c in pulled if c["entity"] == "customers"][:3]
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
    ids = []
    for customer, (at, purpose, handling, minutes, parts) in zip(customers, VISITS, strict=False):
        visit_id = str(uuid.uuid4())
        ids.append(visit_id)
        push(
            client,
            device_id,
            headers,
            (
                "visits",
                visit_id,
                {
                    "customer_id": customer["id"],
                    "kind": "aftercare",
                    "visited_at": f"{today}T{at}:00+09:00",
                    "purpose": purpose,
                    "handling": handling,
                    "work_minutes": minutes,
                    "parts": parts,
                    "signed_by": "山田 太郎" if not ids[:-1] else None,
                    "next_action": "3か月後に再点検",
                },
            ),
        )
    push(
        client,
        device_id,
        headers,
        (
            "requests",
            str(uuid.uuid4()),
            {
                "customer_id": customers[0]["id"],
                "kind": "request",
                "title": "予備の刃物を見積もってほしい",
                "visit_id": ids[0],
            },
        ),
    )
    png = signature_png()
    attachment_id = str(uuid.uuid4())
    push(
        client,
        device_id,
        headers,
        (
            "attachments",
            attachment_id,
            {
                "customer_id": customers[0]["id"],
                "owner_entity": "visits",
                "owner_id": ids[0],
                "filename": "signature.png",
                "content_type": "image/png",
                "size": len(png),
                "sha256": hashlib.sha256(png).hexdigest(),
                "purpose": "signature",
            },
        ),
    )
    client.put(
        f"/api/v1/attachments/{attachment_id}/content",
        data=png,
        headers={**headers, "Content-Type": "application/octet-stream"},
    )
    return ids[0], (client, headers)


def pdf_page(client, headers, path, name):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_json()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(response.data)
        handle.flush()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", handle.name, str(OUT / name)], check=True
        )
    print(f"wrote docs/screenshots/{name}.png")


def main():
    check_tools()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        base, app, stop = serve_demo(Path(tmp))
        try:
            visit_id, (client, headers) = log_day(app)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--disable-gpu", "--disable-quic"]
                )
                for size, suffix in ((PHONE, "phone"), (TABLET, "tablet")):
                    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=size)
                    page = context.new_page()
                    sign_in(page, base, "tech1")
                    page.goto(base + "/#/today")
                    page.get_by_test_id("report-summary").wait_for()
                    shoot(page, f"27-today-{suffix}")
                    page.get_by_test_id("report-form").scroll_into_view_if_needed()
                    shoot(page, f"28-daily-report-draft-{suffix}")
                    if suffix == "tablet":
                        page.get_by_test_id("report-hours").fill("8")
                        page.get_by_test_id("report-submit").click()
                        page.wait_for_timeout(1500)
                    page.goto(base + f"/#/visits/{visit_id}/print")
                    page.get_by_test_id("print-sheet").wait_for()
                    page.wait_for_timeout(500)
                    shoot(page, f"30-service-report-print-{suffix}", full_page=True)
                    context.close()
                for size, suffix in ((PHONE, "phone"), (TABLET, "tablet")):
                    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport=size)
                    page = context.new_page()
                    sign_in(page, base, "manager1")
                    page.goto(base + "/#/reports")
                    page.get_by_test_id("report-list").wait_for()
                    shoot(page, f"29-manager-reports-{suffix}")
                    context.close()
                browser.close()
            today = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
            pdf_page(client, headers, f"/api/v1/visits/{visit_id}/report.pdf", "31-service-report-pdf")
            pdf_page(client, headers, f"/api/v1/reports/daily.pdf?date={today}", "32-daily-report-pdf")
        finally:
            stop()


if __name__ == "__main__":
    main()
