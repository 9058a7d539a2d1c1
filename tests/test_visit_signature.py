"""A signed visit whose work is changed afterwards says so, on the record and on the printed
service report; a new signature takes the mark away."""

import re
from pathlib import Path

import pytest

from server.visits.entities import SIGNED_CONTENT
from test_reports_api import text_of

SIGNED_AT = "2026-12-02T11:30:00+09:00"
NOTICE = "ご署名の後に内容が変更されています"


@pytest.fixture
def customer(device):
    return device("rep_a").create("customers", name="山田製作所")


@pytest.fixture
def tech(device):
    return device("tech")


@pytest.fixture
def visit(tech, customer):
    return tech.create(
        "visits",
        customer_id=customer["id"],
        kind="aftercare",
        visited_at="2026-12-02T10:00:00+09:00",
        purpose="定期点検",
        handling="主軸ベアリングを交換",
    )


@pytest.fixture
def signed(tech, visit):
    return tech.update("visits", visit, signed_by="山田 太郎", signed_at=SIGNED_AT)["record"]


def edit(tech, record, **changes):
    result = tech.update("visits", record, **changes)
    assert result["status"] == "applied", result
    return result["record"]


def test_a_new_visit_is_not_marked(visit):
    assert visit["changed_after_signing_at"] is None


def test_the_signature_time_is_kept(signed):
    assert (signed["signed_by"], signed["signed_at"]) == ("山田 太郎", SIGNED_AT)


@pytest.mark.parametrize(
    "change",
    [
        {"handling": "主軸ベアリングを交換\n追加でモーター交換（有償 50万円）"},
        {"parts": [{"name": "モーター", "quantity": 1}]},
        {"work_minutes": 300},
        {"visited_at": "2026-12-03T10:00:00+09:00"},
        {"next_action": "来週再訪"},
    ],
)
def test_changing_the_work_after_the_signature_marks_the_visit(tech, signed, change):
    changed = edit(tech, signed, **change)
    assert changed["changed_after_signing_at"].startswith("20")
    assert changed["signed_at"] == SIGNED_AT


def test_a_new_signature_clears_the_mark(tech, signed):
    changed = edit(tech, signed, handling="追加でモーター交換")
    again = edit(tech, changed, signed_by="山田 太郎", signed_at="2026-12-02T12:00:00+09:00")
    assert again["changed_after_signing_at"] is None


def test_a_change_signed_in_the_same_write_is_not_marked(tech, signed):
    changed = edit(tech, signed, handling="追加でモーター交換", signed_at="2026-12-02T12:00:00+09:00")
    assert changed["changed_after_signing_at"] is None


@pytest.mark.parametrize(
    "change", [{"signed_by": "山田 花子"}, {"contact_ids": []}, {"handling": "主軸ベアリングを交換"}]
)
def test_changing_the_signer_or_what_is_not_signed_or_nothing_does_not_mark_it(tech, signed, change):
    assert edit(tech, signed, **change)["changed_after_signing_at"] is None


def test_changes_without_a_signature_never_mark_the_visit(tech, visit):
    changed = edit(tech, visit, handling="追加でモーター交換", signed_by="山田 太郎")
    assert changed["changed_after_signing_at"] is None


def test_an_edit_made_offline_before_the_signature_but_arriving_after_it_marks_the_visit(tech, visit, device):
    phone = device("tech")
    phone.sync()
    offline_edit = phone.mutation("visits", visit["id"], base_version=visit["version"], notes="電話で追記")
    tech.update("visits", visit, signed_by="山田 太郎", signed_at=SIGNED_AT)
    result = phone.push(offline_edit)[0]
    assert result["record"]["changed_after_signing_at"] is not None


@pytest.mark.parametrize("value", ["2026-12-02T12:00:00+09:00", None])
def test_a_device_can_neither_set_nor_clear_the_mark(tech, signed, value):
    changed = edit(tech, signed, handling="追加でモーター交換")
    result = tech.update("visits", changed, changed_after_signing_at=value)
    assert result["ignored"] == ["changed_after_signing_at"]
    assert result["record"]["changed_after_signing_at"] == changed["changed_after_signing_at"]


def test_a_device_cannot_mark_an_unchanged_visit(tech, signed):
    result = tech.update("visits", signed, changed_after_signing_at="2026-12-02T12:00:00+09:00")
    assert (result["ignored"], result["record"]["changed_after_signing_at"]) == (
        ["changed_after_signing_at"],
        None,
    )


@pytest.mark.parametrize("value", ["2026-12-02", "0001-01-01T00:00:00+14:00", "tomorrow", 5])
def test_the_signature_time_is_an_instant_of_the_usual_years(tech, visit, value):
    result = tech.update("visits", visit, signed_at=value)
    assert result["status"] == "rejected" and list(result["errors"]) == ["signed_at"]


def report(tech, visit):
    response = tech.client.get(f"/api/v1/visits/{visit['id']}/report.pdf", headers=tech.headers)
    assert response.status_code == 200
    return text_of(response.data)


def test_the_report_prints_when_it_was_signed_and_no_notice_while_unchanged(tech, signed):
    text = report(tech, signed)
    assert "2026年12月02日 11:30" in text and NOTICE not in text


def test_the_report_prints_the_notice_when_the_work_changed_after_the_signature(tech, signed):
    edit(tech, signed, handling="追加でモーター交換（有償 50万円）")
    assert NOTICE in report(tech, signed)


def test_the_report_of_an_unsigned_visit_has_no_notice(tech, visit):
    assert NOTICE not in report(tech, visit)


def heard(tech, visit, title):
    return tech.create(
        "requests", customer_id=visit["customer_id"], visit_id=visit["id"], kind="request", title=title
    )


def test_the_report_marks_a_request_the_sign_screen_did_not_show(tech, visit):
    shown = heard(tech, visit, "油漏れの再点検")
    signed = edit(tech, visit, signed_by="山田 太郎", signed_at=SIGNED_AT, signed_request_ids=[shown["id"]])
    heard(tech, signed, "操作盤の交換見積")
    text = report(tech, signed).replace("\n", "")
    assert "油漏れの再点検" in text and "油漏れの再点検（ご署名の後に追加）" not in text
    assert "操作盤の交換見積（→ 営業）（ご署名の後に追加）" in text


def test_no_request_is_marked_on_a_visit_unsigned_or_signed_before_the_app_kept_what_it_showed(
    tech, visit, signed
):
    heard(tech, visit, "操作盤の交換見積")
    assert "ご署名の後に追加" not in report(tech, signed)
    unsigned = edit(tech, signed, signed_by=None, signed_at=None)
    assert "ご署名の後に追加" not in report(tech, unsigned)


@pytest.mark.parametrize("value", ["abc", ["not-a-uuid"], [None], 7])
def test_the_requests_shown_are_ids(tech, visit, value):
    result = tech.update(
        "visits", visit, signed_by="山田 太郎", signed_at=SIGNED_AT, signed_request_ids=value
    )
    assert result["status"] == "rejected"
    assert [key.split(".")[0] for key in result["errors"]] == ["signed_request_ids"]


def test_the_device_marks_changes_of_the_same_fields_as_the_server():
    source = (Path(__file__).parent.parent / "pwa/js/server-fields.js").read_text()
    listed = re.search(r"SIGNED_CONTENT = \[([^\]]*)\]", source).group(1)
    assert re.findall(r'"(\w+)"', listed) == list(SIGNED_CONTENT)
