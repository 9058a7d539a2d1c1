"""The fast path of ``sync/validate.py`` answers exactly what the entity's schema answers."""

import uuid
from datetime import UTC, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from marshmallow import Schema, ValidationError, validate, validates_schema

from sync.entity import Text
from sync.validate import load_changes

from server.core.engine import ENGINE

SCHEMAS = {name: e.schema for name, e in sorted(ENGINE.entities.items()) if e.schema is not None}


def choices_of(schema):
    """Every value a ``OneOf`` of the schema allows (so generated input hits the choices)."""
    out = set()
    for field in schema.load_fields.values():
        field = getattr(field, "inner", field)
        out.update(c for v in field.validators if isinstance(v, validate.OneOf) for c in v.choices)
    return sorted(out)


def odd_uuids():
    """A UUID in every spelling ``uuid.UUID`` takes, and a few it does not."""
    return st.uuids().flatmap(
        lambda u: st.sampled_from(
            [
                str(u),
                str(u).upper(),
                u.hex,
                u.hex.upper(),
                f"{{{u}}}",
                f"urn:uuid:{u}",
                str(u)[:-1],
                str(u) + "0",
                " " + str(u),
            ]
        )
    )


def texts():
    mixed = st.sampled_from(
        [
            "a",
            "Z",
            "あ",
            "漢",
            " ",
            "\t",
            "\n",
            "\r",
            "\x00",
            "\x1b",
            "\x7f",
            "\x85",
            "\u3000",
            "\ud800",
            "😀",
        ]
    )
    return st.one_of(
        st.text(max_size=12),
        st.text(mixed, max_size=12),
        st.integers(0, 10_010).map(lambda n: "あ" * n),  # around every length limit (40 .. 10,000)
        st.sampled_from(["", " ", "\t改行\n", "a\x00b", "\ud800", "\x7f", "\x9f"]),
    )


def instants():
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=9)), None])
    spelled = st.builds(lambda moment, tz: moment.replace(tzinfo=tz).isoformat(), st.datetimes(), offsets)
    # ... and as devices also send them: with Z, a lower-case t, a space, padded past 40.
    variants = st.sampled_from(
        [
            lambda s: s.replace("+00:00", "Z"),
            lambda s: s.replace("T", "t"),
            lambda s: s.replace("T", " "),
            lambda s: s + " " * 30,
            lambda s: s[:10],
        ]
    )
    return spelled | st.builds(lambda s, change: change(s), spelled, variants)


def scalars(schema):
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**64), 2**64),
        st.integers(-3, 10**12 + 3),
        st.floats(allow_nan=False),
        texts(),
        odd_uuids(),
        st.sampled_from(choices_of(schema) or ["x"]),
        st.dates().map(lambda d: d.isoformat()),
        instants(),
        st.just({"nested": 1}),
    )


def values(schema):
    return st.one_of(scalars(schema), st.lists(scalars(schema), max_size=3))


@st.composite
def cases(draw):
    name = draw(st.sampled_from(sorted(SCHEMAS)))
    schema = SCHEMAS[name]
    names = st.sampled_from([*schema.load_fields, "unknown_field"])
    changes = draw(st.dictionaries(names, values(schema), max_size=6))
    return schema, changes, draw(st.booleans())


def outcome(load):
    try:
        return "loaded", load()
    except ValidationError as err:
        return "invalid", err.messages


# Generation is cheap but a shared CI machine can stall it: the checks, not the clock, matter.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(cases())
def test_the_fast_path_answers_what_the_schema_answers(case):
    schema, changes, partial = case
    assert outcome(lambda: load_changes(schema, changes, partial)) == outcome(
        lambda: schema.load(changes, partial=partial)
    )


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_valid_create_loads_on_the_fast_path_too(name):
    schema = SCHEMAS[name]
    required = {n: "x" for n, f in schema.load_fields.items() if f.required}
    assert outcome(lambda: load_changes(schema, required, False)) == outcome(
        lambda: schema.load(required, partial=False)
    )


def test_an_odd_case_uuid_loads_as_its_canonical_lower_case():
    known = uuid.uuid4()
    assert load_changes(SCHEMAS["contacts"], {"customer_id": str(known).upper()}, True) == {
        "customer_id": str(known)
    }


class Checked(Schema):
    name = Text()

    @validates_schema
    def not_draft(self, data, **kwargs):
        if data.get("name") == "draft":
            raise ValidationError("a draft cannot be saved", "name")


def test_a_schema_with_its_own_checks_always_runs_them():
    with pytest.raises(ValidationError) as err:
        load_changes(Checked(), {"name": "draft"}, True)
    assert err.value.messages == {"name": ["a draft cannot be saved"]}
