"""Per-field clocks are stored compactly, and records stored before in the plain form still merge."""

import json

from sqlalchemy import select, update

from sync import clockstore
from sync.models import Record

from server.core.db import db


def stored_clocks(app, record_id):
    with app.app_context():
        return db.session.execute(select(Record.clocks).where(Record.id == record_id)).scalar_one()


def test_a_record_stores_each_distinct_clock_once(app, device):
    rep = device("rep_a")
    customer = rep.create("customers", name="三河精機", phone="0564-11-2233", address="愛知県岡崎市")
    table, fields = json.loads(stored_clocks(app, customer["id"]))
    assert len(table) == 1 and set(fields) >= {"name", "phone", "address"}


def test_a_record_stored_with_plain_clocks_still_keeps_the_losing_edit(app, device, people):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    with app.app_context():  # as an older server wrote it: {field: clock}
        plain = json.dumps(clockstore.unpack(stored_clocks(app, customer["id"])))
        db.session.execute(update(Record).where(Record.id == customer["id"]).values(clocks=plain))
        db.session.commit()
    rep.clock_offset_ms = -1000
    early = rep.mutation("customers", customer["id"], base_version=1, phone="0564-00-0000")
    late = office.mutation("customers", customer["id"], base_version=1, phone="0564-99-9999")
    assert office.push(late)[0]["status"] == "applied"
    result = rep.push(early)[0]
    assert result["status"] == "merged" and result["record"]["phone"] == "0564-99-9999"
    [conflict] = result["conflicts"]
    assert (conflict["kept_value"], conflict["lost_value"], conflict["lost_by"]) == (
        "0564-99-9999",
        "0564-00-0000",
        people["rep_a"],
    )
    table, fields = json.loads(stored_clocks(app, customer["id"]))
    assert table[fields["phone"]][1] == 2 and table[fields["name"]][1] == 1
