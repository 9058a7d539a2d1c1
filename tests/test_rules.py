"""The pure rules: HLC values, who wins a field, whether a rep sees a customer."""

import pytest

from sync import Actor, hlc
from sync.merge import FieldClock, resolve_field
from sync.scope import sees as sees_root


def test_hlc_values_compare_as_strings_in_time_order():
    earlier = hlc.format_hlc(1700000000000, 5, "b")
    later = hlc.format_hlc(1700000000001, 0, "a")
    assert earlier < later
    assert hlc.format_hlc(1700000000000, 9, "z") < hlc.format_hlc(1700000000000, 10, "a")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1:2:3",
        "1700000000000:1:dev",
        "1700000000000:000001:",
        "1700000000000:000001:a:b",
        "1700000000000:000001:dev\n",  # a regex's $ matches before a trailing newline
        "１７" + "０" * 11 + ":000001:dev",  # full-width digits sort after every real clock
        None,
        17,
    ],
)
def test_malformed_hlc_is_refused(value):
    with pytest.raises(hlc.InvalidHLC):
        hlc.parse(value)


def test_clamp_pulls_a_clock_running_ahead_back_to_the_server():
    ahead = hlc.format_hlc(1700000999999, 3, "dev")
    assert hlc.clamp(ahead, 1700000000000) == hlc.format_hlc(1700000000000, 3, "dev")
    behind = hlc.format_hlc(1600000000000, 3, "dev")
    assert hlc.clamp(behind, 1700000000000) == behind


def test_tick_never_goes_backwards():
    latest = hlc.format_hlc(1700000000500, 4, "server")
    assert hlc.tick(latest, 1700000000000, "server") == hlc.format_hlc(1700000000500, 5, "server")
    assert hlc.tick(latest, 1700000000600, "server") == hlc.format_hlc(1700000000600, 0, "server")


STORED = FieldClock(hlc="1700000000000:000000:dev-a", version=3, device_id="dev-a", user_id="u-a")


@pytest.mark.parametrize(
    "base_version, pushed_hlc, device, wins, concurrent",
    [
        (3, "1600000000000:000000:dev-b", "dev-b", True, False),  # had seen the stored write
        (5, "1600000000000:000000:dev-b", "dev-b", True, False),
        (2, "1600000000000:000000:dev-a", "dev-a", True, False),  # its own earlier write
        (2, "1800000000000:000000:dev-b", "dev-b", True, True),  # concurrent, later HLC
        (2, "1600000000000:000000:dev-b", "dev-b", False, True),  # concurrent, earlier HLC
        (None, "1600000000000:000000:dev-b", "dev-b", False, True),
    ],
)
def test_field_rule(base_version, pushed_hlc, device, wins, concurrent):
    outcome = resolve_field(STORED, base_version, pushed_hlc, device)
    assert (outcome.pushed_wins, outcome.concurrent) == (wins, concurrent)


def test_a_field_never_written_takes_the_push():
    assert resolve_field(None, None, "1600000000000:000000:d", "d").pushed_wins


@pytest.mark.parametrize(
    "customer, following, sees",
    [
        ({"owner_id": "me", "team": "west"}, False, True),
        ({"owner_id": "other", "team": "east"}, False, True),
        ({"owner_id": "other", "team": "west"}, False, False),
        ({"owner_id": "other", "team": "west"}, True, True),
        ({"owner_id": None, "team": None}, False, False),
    ],
)
def test_rep_scope(customer, following, sees):
    rep = Actor("me", "rep", "east", "device")
    assert sees_root(rep, customer["owner_id"], customer["team"], following) is sees
