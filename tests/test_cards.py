"""Business cards: read by a background job after the upload, the suggestions synced back."""

import hashlib

import pytest

from card_images import cards
from server.cards.parse import parse_card
from server.cards.reader import read_card
from server.jobs.worker import Worker

# The pipeline is under test here (accuracy is bench/card_bench.py's): cards it reads right.
CARDS = cards(3, seed=15)


def upload_card(dev, index):
    """Create a prospect with a business-card photo and upload it; return the record."""
    data, _ = CARDS[index]
    customer = dev.create("customers", name="名刺の会社", status="prospect")
    attachment = dev.create(
        "attachments",
        customer_id=customer["id"],
        owner_entity="customers",
        owner_id=customer["id"],
        purpose="business_card",
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    response = dev.client.put(
        f"/api/v1/attachments/{attachment['id']}/content",
        data=data,
        headers=dev.headers,
        content_type="application/octet-stream",
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["record"]


def test_a_card_is_pending_when_its_upload_completes_and_read_by_the_worker(app, device):
    rep, teammate = device("rep_a"), device("rep_a2")
    uploaded = [upload_card(rep, i) for i in range(3)]
    assert {a["card_status"] for a in uploaded} == {"pending"}
    assert Worker(app, "test").run(until_idle=True) == 3
    pulled = {c["record"]["id"]: c["record"] for c in teammate.sync() if c["entity"] == "attachments"}
    for attachment, (_, facts) in zip(uploaded, CARDS, strict=False):
        card = pulled[attachment["id"]]["card"]
        assert pulled[attachment["id"]]["card_status"] == "done"
        assert (card["email"], card["phone"]) == (facts["email"], facts["phone"])
        assert "会社" in card["company"] and facts["email"] in card["text"]


def test_a_photo_is_not_read_as_a_card(app, device):
    rep = device("rep_a")
    customer = rep.create("customers", name="写真の会社")
    data = CARDS[0][0]
    attachment = rep.create(
        "attachments",
        customer_id=customer["id"],
        owner_entity="customers",
        owner_id=customer["id"],
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    assert attachment["purpose"] == "photo"
    rep.client.put(
        f"/api/v1/attachments/{attachment['id']}/content",
        data=data,
        headers=rep.headers,
        content_type="application/octet-stream",
    )
    assert Worker(app, "test").run(until_idle=True) == 0


@pytest.mark.parametrize(
    "lines, field, expected",
    [
        (["有限会社 山田製作所"], "company", "有限会社山田製作所"),
        (["みらい精機株式会社"], "company", "みらい精機株式会社"),
        (["TEL ０５２－１２３－４５６７"], "phone", "052-123-4567"),
        (["TELO52一123一4567"], "phone", "052-123-4567"),
        (["FAX 052-123-4568"], "fax", "052-123-4568"),
        (["携帯 090-1111-2222"], "mobile", "090-1111-2222"),
        (["090-1111-2222"], "mobile", "090-1111-2222"),
        (["〒４６０－０００３ 愛知県名古屋市中区錦1-2-3"], "postal_code", "460-0003"),
        (["〒460-0003 愛知県名古屋市中区錦1-2-3"], "address", "愛知県名古屋市中区錦1-2-3"),
        (["E-mail: K.Sato@Mirai-Seiki.co,jp"], "email", "k.sato@mirai-seiki.co.jp"),
        (["https://www.mirai.co.jp/"], "url", "https://www.mirai.co.jp/"),
        (["営業部 課長"], "department", "営業部"),
        (["営業部 課長"], "title", "課長"),
        (["さとう けんた"], "name_kana", "さとう けんた"),
    ],
)
def test_a_line_is_read_as_the_field_it_holds(lines, field, expected):
    assert parse_card([(line, 30) for line in lines])[field] == expected


def test_the_largest_name_like_line_is_the_name():
    lines = [("株式会社みらい精機", 40), ("営業部", 30), ("佐藤 健太", 90), ("東海 太郎", 20)]
    assert parse_card(lines)["name"] == "佐藤 健太"


def test_the_dots_of_a_co_jp_domain_come_back():
    assert parse_card([("Mail sato@mirai-seiki.cojp", 30)])["email"] == "sato@mirai-seiki.co.jp"


def test_a_short_line_in_small_type_is_not_taken_for_the_name():
    lines = [("有限会社北斗製作所", 100), ("製造", 27), ("山本 Te", 132)]  # the department cut short
    assert parse_card(lines)["name"] is None


def test_a_given_name_read_as_latin_letters_is_read_again_in_japanese(tmp_path):
    data, facts = cards(9, seed=15)[8]  # its name in large type first reads as 「加藤 AB」
    path = tmp_path / "card.jpg"
    path.write_bytes(data)
    assert read_card(path)["name"].replace(" ", "") == facts["name"].replace(" ", "") == "加藤大輔"
