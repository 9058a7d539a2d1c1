"""Field merge across devices: nobody's edit is lost."""

import time
import uuid

from sync import write_changes

from conftest import records_by_id
from server.core.db import db, writing_session
from server.core.engine import ENGINE, server_actor


def test_edits_of_different_fields_both_survive(device):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    first = office.update("customers", customer, phone="0564-11-2233")
    second = rep.update("customers", customer, address="愛知県岡崎市")
    assert (first["status"], second["status"]) == ("applied", "applied")
    assert second["record"]["phone"] == "0564-11-2233"
    assert second["record"]["address"] == "愛知県岡崎市"
    assert second["record"]["version"] == 3


def test_same_field_later_hlc_wins_everywhere_and_the_loser_is_a_conflict(device, people):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    rep.clock_offset_ms = -1000  # made a second before the office's edit
    early = rep.mutation("customers", customer["id"], base_version=1, phone="0564-00-0000")
    late = office.mutation("customers", customer["id"], base_version=1, phone="0564-99-9999")
    assert office.push(late)[0]["status"] == "applied"
    result = rep.push(early)[0]  # arrives last, but was made first
    assert result["status"] == "merged"
    assert result["record"]["phone"] == "0564-99-9999"
    [conflict] = result["conflicts"]
    assert (conflict["field"], conflict["kept_value"], conflict["lost_value"]) == (
        "phone",
        "0564-99-9999",
        "0564-00-0000",
    )
    assert (conflict["kept_by"], conflict["lost_by"]) == (people["office"], people["rep_a"])
    for reader in (office, rep, device("manager")):
        records = {c["record"]["id"]: c for c in reader.sync()}
        assert records[customer["id"]]["record"]["phone"] == "0564-99-9999"
        assert records[conflict["id"]]["entity"] == "conflicts"


def test_later_hlc_arriving_second_overwrites_and_keeps_the_earlier_value(device, people):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    office.clock_offset_ms = -1000
    early = office.mutation("customers", customer["id"], base_version=1, notes="先の値")
    late = rep.mutation("customers", customer["id"], base_version=1, notes="後の値")
    office.push(early)
    result = rep.push(late)[0]
    assert result["status"] == "applied" and result["record"]["notes"] == "後の値"
    conflicts = [c["record"] for c in office.sync() if c["entity"] == "conflicts"]
    assert [(c["kept_value"], c["lost_value"], c["lost_by"]) for c in conflicts] == [
        ("後の値", "先の値", people["office"])
    ]


def test_same_value_from_both_sides_is_no_conflict(device):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    office.update("customers", customer, phone="0564-11-2233")
    result = rep.update("customers", customer, phone="0564-11-2233")
    assert result["status"] == "applied" and "conflicts" not in result


def test_a_device_always_supersedes_its_own_unanswered_writes(device):
    rep = device("rep_a")
    customer = rep.create("customers", name="三河精機")
    first = rep.mutation("customers", customer["id"], base_version=1, notes="一回目")
    second = rep.mutation("customers", customer["id"], base_version=1, notes="二回目")
    rep.push(first)
    result = rep.push(second)[0]
    assert result["status"] == "applied" and result["record"]["notes"] == "二回目"


def test_restoring_a_conflict_brings_the_lost_value_back(device):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    office.push(office.mutation("customers", customer["id"], base_version=1, phone="新"))
    rep.clock_offset_ms = -1000
    lost = rep.push(rep.mutation("customers", customer["id"], base_version=1, phone="旧"))[0]
    conflict = lost["conflicts"][0]
    current = lost["record"]
    rep.clock_offset_ms = 0
    results = rep.push(
        rep.mutation(
            "customers", customer["id"], base_version=current["version"], phone=conflict["lost_value"]
        ),
        rep.mutation("conflicts", conflict["id"], base_version=conflict["version"], resolved=True),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[0]["record"]["phone"] == "旧" and results[1]["record"]["resolved"] is True
    tamper = office.update("conflicts", results[1]["record"], lost_value="改ざん")
    assert tamper["ignored"] == ["lost_value"] and tamper["record"]["lost_value"] == "旧"


def test_clock_running_ahead_is_clamped_and_cannot_win_forever(device):
    office, rep = device("office"), device("rep_a")
    customer = rep.create("customers", name="三河精機")
    rep.clock_offset_ms = 6 * 3600 * 1000  # six hours fast
    fast = rep.mutation("customers", customer["id"], base_version=1, notes="未来の時計")
    result = rep.push(fast)[0]
    assert result["status"] == "applied"
    later = office.update("customers", result["record"], notes="正しい時計")
    assert later["record"]["notes"] == "正しい時計"
    # an edit made after the fast device pushed beats it, though its clock says 6 hours earlier
    rep.push(rep.mutation("customers", customer["id"], base_version=1, phone="0999"))
    time.sleep(0.005)
    rival = office.mutation("customers", customer["id"], base_version=1, phone="0564")
    assert office.push(rival)[0]["record"]["phone"] == "0564"


def test_a_servers_fill_writes_only_what_is_empty_as_it_writes_and_yields_to_a_device(app, device, people):
    """What an Excel import fills: a field still empty when it is written (whatever the import
    read before), never a deleted or unknown record; and an edit a device made before it,
    arriving after, wins it."""
    office, tablet = device("office"), device("tech")
    kept = office.create("customers", name="丸一工業", address="東京都大田区1-1")
    gone = office.create("customers", name="閉店工業")
    office.push(office.mutation("customers", gone["id"], op="delete", base_version=gone["version"]))
    tablet.sync()
    offline = tablet.mutation("customers", kept["id"], base_version=kept["version"], email="info@maruichi.jp")
    unknown = str(uuid.uuid4())
    fills = [
        (
            "customers",
            kept["id"],
            {"address": "古い住所", "postal_code": "144-0001", "email": "old@maruichi.jp"},
        ),
        ("customers", gone["id"], {"address": "大阪市"}),
        ("customers", unknown, {"name": "どこにもない工業"}),
    ]
    with app.app_context():
        session = writing_session()
        actor = server_actor(people["office"], "server")
        assert write_changes(session, ENGINE, actor, [], now_ms=int(time.time() * 1000), fills=fills) == []
        session.commit()
        db.session.remove()
    held = records_by_id(office.sync())
    assert (held[kept["id"]]["address"], held[kept["id"]]["postal_code"]) == ("東京都大田区1-1", "144-0001")
    assert held[kept["id"]]["email"] == "old@maruichi.jp" and gone["id"] not in held
    assert unknown not in held and "どこにもない工業" not in {r.get("name") for r in held.values()}
    [result] = tablet.push(offline)
    assert (result["status"], result["record"]["email"]) == ("applied", "info@maruichi.jp")
    [conflict] = [r for r in records_by_id(office.sync()).values() if r.get("field") == "email"]
    assert (conflict["kept_value"], conflict["lost_value"]) == ("info@maruichi.jp", "old@maruichi.jp")
