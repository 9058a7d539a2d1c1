"""Working days, capacity, utilisation and fit as pure functions: Golden Week, the New Year,
company holidays, a group at zero capacity, full weeks."""

from datetime import date

import pytest

from server.core.calendar import japanese_holidays
from server.load.capacity import fit, load_table, parse_weights, public, round3
from server.load.weeks import add_weeks, monday_of, week_of, weeks_from, working_days

WEIGHTS = parse_weights("likely=0.6,possible=0.3")
HOLIDAYS = set(japanese_holidays(2026, 2028))
MILLING = {"id": "g-mill", "name": "機械加工", "hours_per_day": 8, "efficiency": 0.85}
WELDING = {"id": "g-weld", "name": "溶接", "hours_per_day": 8, "efficiency": 1}
IDLE = {"id": "g-idle", "name": "塗装", "hours_per_day": 0, "efficiency": 0.85}


@pytest.mark.parametrize(
    "week, days",
    [
        ("2027-W16", 5),  # an ordinary week
        ("2027-W17", 4),  # 昭和の日 on Thursday 29 April
        ("2027-W18", 2),  # 憲法記念日, みどりの日, こどもの日 Monday to Wednesday
        ("2026-W19", 2),  # 2026: 4, 5 May and the substitute holiday on the 6th
        ("2026-W53", 4),  # 元日 on Friday 1 January 2027, in 2026's 53rd week
        ("2027-W02", 4),  # 成人の日 on Monday 11 January
    ],
)
def test_working_days_skip_japanese_public_holidays(week, days):
    assert working_days(week, HOLIDAYS) == days


def test_company_holidays_take_the_new_year_week_down_to_one_day():
    year_end = HOLIDAYS | {date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)}
    assert working_days("2026-W53", year_end) == 1


def test_golden_week_with_company_days_off_has_no_capacity():
    closed = HOLIDAYS | {date(2027, 5, 6), date(2027, 5, 7)}
    (week,) = load_table(["2027-W18"], [MILLING], [], closed, WEIGHTS)
    assert week["working_days"] == 0
    assert public([week])[0]["groups"] == [
        {
            "resource_group_id": "g-mill",
            "capacity_hours": 0,
            "firm": 0,
            "likely": 0,
            "possible": 0,
            "utilisation": None,
        }
    ]


@pytest.mark.parametrize(
    "text", ["2027-W60", "2027-W00", "2026-W54", "2027-W53", "2027-5", "27-W05", "", None]
)
def test_a_week_that_does_not_exist_is_refused(text):
    with pytest.raises(ValueError):
        monday_of(text)


def test_weeks_run_over_the_year_end():
    assert weeks_from("2026-W52", 3) == ["2026-W52", "2026-W53", "2027-W01"]
    assert add_weeks("2027-W01", -1) == "2026-W53"
    assert week_of(date(2027, 1, 3)) == "2026-W53"


def test_utilisation_weighs_likely_and_possible_load():
    entries = [
        {"week": "2027-W16", "resource_group_id": "g-mill", "hours": 10, "confidence": "firm"},
        {"week": "2027-W16", "resource_group_id": "g-mill", "hours": 10, "confidence": "likely"},
        {"week": "2027-W16", "resource_group_id": "g-mill", "hours": 10, "confidence": "possible"},
    ]
    (week,) = public(load_table(["2027-W16"], [MILLING, IDLE], entries, HOLIDAYS, WEIGHTS))
    assert week["groups"] == [
        {
            "resource_group_id": "g-mill",
            "capacity_hours": 34.0,
            "firm": 10,
            "likely": 10,
            "possible": 10,
            "utilisation": round3((10 + 6 + 3) / 34),
        },
        {
            "resource_group_id": "g-idle",
            "capacity_hours": 0,
            "firm": 0,
            "likely": 0,
            "possible": 0,
            "utilisation": None,
        },
    ]
    assert week["groups"][0]["utilisation"] == 0.559


def test_fit_skips_the_weeks_that_are_full():
    weeks = weeks_from("2027-W14", 6)
    entries = [
        {"week": w, "resource_group_id": "g-weld", "hours": 36, "confidence": "firm"} for w in weeks[:3]
    ]
    table = load_table(weeks, [MILLING, WELDING], entries, HOLIDAYS, WEIGHTS)
    assert fit(table, {"g-mill": 10, "g-weld": 4}, WEIGHTS, 0.9) == (
        "2027-W17",
        {"g-mill": round3(10 / 27.2), "g-weld": 0.125},
    )


def test_fit_answers_no_week_when_a_group_never_has_room():
    table = load_table(weeks_from("2027-W14", 4), [MILLING, IDLE], [], HOLIDAYS, WEIGHTS)
    assert fit(table, {"g-idle": 1}, WEIGHTS, 0.9) == (None, {})


@pytest.mark.parametrize("text", ["likely=2", "firm=0.5", "likely", "possible=x"])
def test_bad_load_weights_are_refused(text):
    with pytest.raises(ValueError, match="LOAD_WEIGHTS"):
        parse_weights(text)
