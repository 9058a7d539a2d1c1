"""The reports of a day and of a visit: JSON, the printed PDFs and the month as CSV."""

import io
import subprocess

import pytest
from PIL import Image, ImageDraw

from server.reports.entities import daily_report_id
from test_attachments import assert_error, attach, put

DAY = "2026-12-02"


def signature_png():
    """A finger-drawn looking signature: a dark stroke on a transparent canvas."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(20, 150), (120, 40), (220, 160), (320, 50), (560, 120)], fill=(10, 10, 40, 255), width=6
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def text_of(pdf_bytes):
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf_bytes, capture_output=True, check=True
    ).stdout.decode()


def images_in(pdf_bytes):
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf_bytes, capture_output=True, check=False)
    if listing.returncode:  # older poppler reads no stdin: go through a file
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf_bytes)
            handle.flush()
            listing = subprocess.run(["pdfimages", "-list", handle.name], capture_output=True, check=True)
    return [line.split() for line in listing.stdout.decode().splitlines()[2:]]


@pytest.fixture
def customer(device):
    return device("rep_a").create("customers", name="山田製作所", address="東京都大田区")


@pytest.fixture
def tech(device):
    return device("tech")


@pytest.fixture
def visit(tech, customer):
    visit = tech.create(
        "visits",
        customer_id=customer["id"],
        kind="aftercare",
        visited_at=f"{DAY}T10:00:00+09:00",
        purpose="定期点検",
        handling="主軸ベアリングを交換し試運転で異音なしを確認",
        work_minutes=95,
        parts=[{"name": "ベアリング 6204", "quantity": 2}, {"name": "グリス", "quantity": None}],
        signed_by="山田 太郎",
    )
    tech.create(
        "requests",
        customer_id=customer["id"],
        kind="request",
        title="予備の刃物が欲しい",
        visit_id=visit["id"],
    )
    signature = signature_png()
    attachment = attach(
        tech, visit, signature, content_type="image/png", purpose="signature", filename="signature.png"
    )
    assert put(tech, attachment, signature).status_code in (200, 201, 204)
    return visit


def test_the_service_report_prints_the_customer_the_work_the_parts_and_the_signer(tech, visit):
    response = tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    for expected in (
        "作業報告書",
        "山田製作所",
        "御中",
        "作業日時",
        "主軸ベアリングを交換",
        "ベアリング 6204",
        "使用部品",
        "予備の刃物が欲しい",
        "確認欄",
        "山田 太郎",
        "95分",
        "株式会社 現場製作所",
    ):
        assert expected in text, expected


def test_the_signature_is_embedded_in_the_service_report(tech, visit):
    response = tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers)
    images = images_in(response.data)
    assert any(row[3:5] == ["600", "200"] for row in images), images


def test_the_company_details_come_from_the_configuration(app, tech, visit):
    app.config.update(COMPANY_NAME="有限会社 テスト工業", COMPANY_PHONE="03-1234-5678")
    text = text_of(tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers).data)
    assert "有限会社 テスト工業" in text and "03-1234-5678" in text


def test_the_daily_report_answers_the_day_as_json(tech, visit):
    tech.create("daily_reports", record_id=daily_report_id(tech.user["id"], DAY), date=DAY, summary="点検1件")
    body = tech.client.get(f"/api/v1/reports/daily?date={DAY}", headers=tech.headers).get_json()
    assert list(body) == ["user", "date", "visits", "requests", "report"]
    assert (body["user"]["id"], body["date"], [v["id"] for v in body["visits"]]) == (
        tech.user["id"],
        DAY,
        [visit["id"]],
    )
    assert [r["title"] for r in body["requests"]] == ["予備の刃物が欲しい"]
    assert body["report"]["summary"] == "点検1件"


def test_the_daily_pdf_prints_the_day(tech, visit, device):
    tech.create(
        "daily_reports",
        record_id=daily_report_id(tech.user["id"], DAY),
        date=DAY,
        summary="午前は山田製作所で点検",
        hours=8,
    )
    manager = device("manager")
    response = manager.client.get(
        f"/api/v1/reports/daily.pdf?user_id={tech.user['id']}&date={DAY}", headers=manager.headers
    )
    assert response.status_code == 200
    text = text_of(response.data)
    for expected in (
        "作業日報",
        "2026年12月02日（水）",
        "アフターサービス",
        "山田製作所",
        "ベアリング 6204",
        "午前は山田製作所で点検",
        "95分",
    ):
        assert expected in text, expected


def test_the_month_csv_has_a_bom_one_row_per_visit_and_minutes_as_numbers(tech, visit, customer):
    tech.create(
        "visits",
        customer_id=customer["id"],
        kind="aftercare",
        visited_at=f"{DAY}T15:30:00+09:00",
        work_minutes=30,
    )
    response = tech.client.get("/api/v1/reports/daily.csv?month=2026-12", headers=tech.headers)
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    lines = response.data.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[0].startswith("日付,担当者")
    minutes = [line.split(",")[7] for line in lines[1:]]
    assert minutes == ["95", "30"]


def test_office_gets_everyones_month(tech, visit, device):
    office = device("office")
    response = office.client.get("/api/v1/reports/daily.csv?month=2026-12", headers=office.headers)
    assert len(response.data.decode("utf-8-sig").splitlines()) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/daily?user_id={tech}&date=2026-12-02",
        "/api/v1/reports/daily.pdf?user_id={tech}&date=2026-12-02",
        "/api/v1/reports/daily.csv?user_id={tech}&month=2026-12",
    ],
)
def test_a_rep_cannot_read_a_technicians_daily_report(device, tech, path):
    rep = device("rep_a")
    assert_error(rep.client.get(path.format(tech=tech.user["id"]), headers=rep.headers), 403, "forbidden")


def test_a_technician_cannot_read_another_persons_day(tech, people):
    response = tech.client.get(f"/api/v1/reports/daily?user_id={people['rep_a']}", headers=tech.headers)
    assert_error(response, 403, "forbidden")


def test_a_visit_outside_the_readers_scope_answers_404(device, visit):
    west = device("rep_b")
    assert_error(
        west.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=west.headers), 404, "not_found"
    )


@pytest.mark.parametrize(
    "path, code",
    [
        ("/api/v1/visits/00000000-0000-4000-8000-000000000000/report.pdf", 404),
        ("/api/v1/reports/daily?user_id=00000000-0000-4000-8000-000000000000", 404),
        ("/api/v1/reports/daily?date=2026-13-01", 422),
        ("/api/v1/reports/daily?user_id=nobody", 422),
        ("/api/v1/reports/daily.csv", 422),
        ("/api/v1/reports/daily.csv?month=2026-1", 422),
        ("/api/v1/reports/daily.csv?month=2026-12%0A", 422),  # a regex's $ matches before a newline
        ("/api/v1/reports/daily.csv?month=２０２６-12", 422),  # \d takes full-width digits
    ],
)
def test_bad_report_requests_answer_in_the_one_error_shape(device, path, code):
    manager = device("manager")
    assert_error(manager.client.get(path, headers=manager.headers), code)


def test_reports_need_a_token(client):
    assert_error(client.get("/api/v1/reports/daily"), 401)


def test_a_server_without_the_japanese_font_says_so(tech, visit, monkeypatch):
    monkeypatch.setattr("server.reports.pdf.FONT", "/nonexistent/NotoSansCJK-Regular.ttc")
    response = tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers)
    assert_error(response, 503, "font_missing")


def test_long_work_notes_start_on_the_first_page_and_go_on_on_the_next(tech, customer):
    steps = [
        f"{n}. 主軸ユニットを分解し、ベアリングとシールを点検・清掃のうえ組み付けました。"
        for n in range(1, 61)
    ]
    pdf = service_report_of(tech, customer, "\n".join(steps))
    first, second = (page_text(pdf, n) for n in (1, 2))
    assert "1. 主軸ユニット" in first and "作業内容（続き）" in second
    text = text_of(pdf)
    assert all(step.split(".")[0] + ". 主軸" in text for step in steps)  # every step printed once
    assert text.count("60. 主軸") == 1


def service_report_of(tech, customer, handling):
    """The service report PDF of a new aftercare visit whose work was ``handling``."""
    visit = tech.create(
        "visits",
        customer_id=customer["id"],
        kind="aftercare",
        visited_at=f"{DAY}T10:00:00+09:00",
        purpose="定期点検",
        handling=handling,
    )
    return tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers).data


def page_text(pdf_bytes, page):
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf_bytes,
        capture_output=True,
        check=True,
    ).stdout.decode()


def test_a_character_the_font_cannot_print_is_marked_not_dropped(tech, customer):
    text = text_of(service_report_of(tech, customer, "ベルトを交換しました🔧👍🏻 次回は❤️で"))
    assert "ベルトを交換しました〓〓 次回は" in text
