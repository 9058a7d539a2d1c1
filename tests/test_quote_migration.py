"""Migration 0004 indexes the quotes that existed before it, on SQLite and PostgreSQL."""

import dataclasses
import time
import uuid

import flask_migrate

from sync import apply_push
from sync.client import mutation
from sync.hlc import format_hlc

from conftest import Device, insert_office_user, make_app
from server.core.db import db, writing_session
from server.core.engine import ENGINE, actor as make_actor


def test_quotes_written_before_the_migration_are_found_after_it(empty_url, tmp_path):
    app = make_app(empty_url, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="0003")
        session = writing_session()
        office_id = insert_office_user(session)
        session.commit()
        actor = make_actor(office_id, "office", "office", str(uuid.uuid4()))
        customer_id, quote_id = str(uuid.uuid4()), str(uuid.uuid4())
        now = int(time.time() * 1000)
        mutations = [
            mutation(
                "customers", customer_id, "upsert", None, {"name": "山田製作所"}, format_hlc(now, 1, "old")
            ),
            mutation(
                "quotes",
                quote_id,
                "upsert",
                None,
                {
                    "customer_id": customer_id,
                    "product": "架台フレーム",
                    "material": "SS400",
                    "processing_method": "溶接",
                    "dimensions": "1500×800×H900",
                },
                format_hlc(now, 2, "old"),
            ),
        ]
        before_the_index = dataclasses.replace(ENGINE, records_written=[])  # as the server was then
        results, _ = apply_push(writing_session(), before_the_index, actor, mutations, now_ms=now)
        assert [r["status"] for r in results] == ["applied", "applied"]
        db.session.commit()
        db.session.remove()
        flask_migrate.upgrade()
        db.session.remove()
    device = Device(app.test_client(), "office")
    for query in ({"q": "溶接"}, {"q": "鉄 架台"}, {"length_min": 1400}):
        body = device.client.get(
            "/api/v1/quotes/search", query_string=query, headers=device.headers
        ).get_json()
        assert [r["quote"]["id"] for r in body["results"]] == [quote_id], query
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_reindex_applies_an_edited_synonym_list(app, device, tmp_path):
    office = device("office")
    customer = office.create("customers", name="山田製作所")
    quote = office.create("quotes", customer_id=customer["id"], product="ブラケット", material="A2017")

    def found(word):
        body = office.client.get(
            "/api/v1/quotes/search", query_string={"q": word}, headers=office.headers
        ).get_json()
        return [r["quote"]["id"] for r in body["results"]]

    assert found("ジュラルミン") == []
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# 社内の呼び方\nジュラルミン, ジュラ, A2017\n", encoding="utf-8")
    app.config["QUOTE_SYNONYMS_FILE"] = str(synonyms)
    result = app.test_cli_runner().invoke(args=["reindex-quotes"])
    assert result.exit_code == 0 and "indexed 1 quotes" in result.output
    assert found("ジュラ") == [quote["id"]]
