"""The app's fast JSON (orjson) reads and writes exactly what the standard library would."""

import json
import math
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings, strategies as st

from sync.wire import dump_json, load_json

COMPACT = {"separators": (",", ":")}
finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70) | finite | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)
# Anything json.loads reads, including what JSON has no place for (NaN, lone surrogates).
json_texts = st.builds(
    json.dumps, st.recursive(scalars | st.floats(), lambda inner: st.lists(inner, max_size=4))
)


def same(a, b):
    """Equal with the same types all the way down (``1 == 1.0 == True`` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def outcome(read, text):
    try:
        return ("value", read(text))
    except (ValueError, RecursionError) as err:
        return ("error", type(err))


@settings(max_examples=300)
@given(json_values)
def test_an_answer_written_fast_reads_back_as_the_standard_librarys(bare_app, value):
    fast = bare_app.json.dumps(value, **COMPACT)
    plain = json.dumps(value, ensure_ascii=False, **COMPACT)
    assert same(json.loads(fast), json.loads(plain))
    assert same(json.loads(dump_json(value)), json.loads(plain))


@settings(max_examples=300)
@given(json_values)
def test_a_json_response_carries_what_flasks_own_would(bare_app, value):
    with bare_app.app_context():
        fast = bare_app.json.response(value)
        flasks = DefaultJSONProvider.response(bare_app.json, value)  # through the str, as before
    assert fast.mimetype == flasks.mimetype == "application/json"
    assert fast.get_data() == flasks.get_data()
    assert same(json.loads(fast.get_data()), json.loads(json.dumps(value, ensure_ascii=False)))
    assert fast.get_data().endswith(b"\n") and fast.content_length == len(fast.get_data())


def test_a_response_of_types_only_flask_knows_is_written_as_flask_writes_it(bare_app):
    value = {"at": datetime(2026, 12, 3, 12, 0, tzinfo=UTC), "amount": Decimal("12.50"), "名前": "山田"}
    with bare_app.app_context():
        body = bare_app.json.response(value).get_data(as_text=True)
    assert body == json.dumps(value, default=bare_app.json.default, ensure_ascii=False, **COMPACT) + "\n"


@settings(max_examples=300)
@given(json_texts | st.text() | st.binary())
def test_a_body_read_fast_is_what_the_standard_library_reads(bare_app, text):
    fast, plain = outcome(bare_app.json.loads, text), outcome(json.loads, text)
    assert fast[0] == plain[0]
    assert same(fast[1], plain[1]) if fast[0] == "value" else fast[1] is plain[1]


def test_types_only_flask_knows_are_written_as_flask_writes_them(bare_app):
    value = {
        "at": datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
        "day": date(2026, 12, 3),
        "id": uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "amount": Decimal("12.50"),
        "名前": "山田",
    }
    assert bare_app.json.dumps(value, **COMPACT) == json.dumps(
        value, default=bare_app.json.default, ensure_ascii=False, **COMPACT
    )


def test_deeply_nested_bodies_fail_as_before(bare_app):
    text = "[" * 100_000 + "]" * 100_000
    assert outcome(bare_app.json.loads, text) == outcome(json.loads, text)


def test_integers_past_64_bits_read_as_integers_beside_floats_or_not(bare_app):
    for text in (
        '{"a": 18446744073709551616}',
        "[1.5, -9223372036854775809]",
        "[[[0.5]], 2e2, 10000000000000000000000]",
    ):
        assert same(bare_app.json.loads(text), json.loads(text))
        assert same(bare_app.json.loads(text.encode()), json.loads(text))


@settings(max_examples=300)
@given(json_values)
def test_a_stored_record_reads_back_as_the_standard_library_reads_it(value):
    text = dump_json(value)
    assert same(load_json(text), json.loads(text))
