"""The demo shows the factory's load at once: about half full, 溶接 over capacity in three
weeks' time, and submitted quotes that carry hours."""

from conftest import Device


def test_the_demo_factory_is_half_full_with_welding_over_in_three_weeks(client, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    manager = Device(client, "manager1", password="genba-manager1")
    weeks = client.get("/api/v1/load?weeks=8", headers=manager.headers).get_json()["weeks"]
    manager.cursor = None
    records = [c["record"] for c in manager.sync() if "record" in c]
    names = {r["id"]: r["name"] for r in records if "hours_per_day" in r}
    assert sorted(names.values()) == sorted(["機械加工", "溶接", "組立", "塗装"])
    over = [
        (w["week"], names[g["resource_group_id"]])
        for i, w in enumerate(weeks)
        for g in w["groups"]
        if (g["utilisation"] or 0) > 1 and i < 6
    ]
    assert over == [(weeks[3]["week"], "溶接")]
    ordinary = [g["utilisation"] for w in weeks[:3] for g in w["groups"] if w["working_days"] == 5]
    assert all(0.3 <= u <= 0.8 for u in ordinary), ordinary
    assert any(r.get("source") == "quote" for r in records)
    assert any(r.get("process_hours") and r.get("delivery_week") for r in records)


def test_the_demo_is_dated_by_the_companys_day_whatever_the_machines_time_zone(runner, monkeypatch):
    """A server whose zone is not Tokyo's (UTC, say, where Sunday 15:00 is already Monday in
    Tokyo) must still date the demo by the company's day, as the load grid and the screens count
    weeks and days: else the demo's overloaded week sits a week early."""
    import time
    from datetime import UTC, datetime

    import demo.data
    from server.core.calendar import COMPANY_TZ, today

    tokyo = datetime.now(COMPANY_TZ)
    # A zone whose date differs from Tokyo's right now: 21 hours behind it, or 5 ahead late in its day.
    zone = "Etc/GMT+12" if tokyo.hour < 21 else "Etc/GMT-14"
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert datetime.now().date() != today(), (datetime.now(UTC), zone)
        dated = []
        batches = demo.data.demo_batches
        monkeypatch.setattr(
            demo.data, "demo_batches", lambda day, users: dated.append(day) or batches(day, users)
        )
        assert runner.invoke(args=["demo"]).exit_code == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    assert dated == [today()]
