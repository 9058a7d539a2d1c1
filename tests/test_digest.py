"""A record's digest hash is FNV-1a (32 bits) of ``entity:id:version`` in UTF-8."""

from hypothesis import given, strategies as st

from sync.digest import record_hash, summarise


def fnv1a_32(data):
    """FNV-1a as its authors define it: for each byte, xor then multiply, modulo 2**32."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) % 2**32
    return value


def test_the_hash_is_fnv1a_on_its_published_vectors():
    assert fnv1a_32(b"") == 0x811C9DC5 and fnv1a_32(b"a") == 0xE40C292C
    assert fnv1a_32(b"foobar") == 0xBF9CF968
    assert record_hash("visits", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", 1) == fnv1a_32(
        b"visits:1b4e28ba-2fa1-11d2-883f-0016d3cca427:1"
    )


@given(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=20),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.integers(min_value=0, max_value=2**31 - 1),
)
def test_the_hash_of_any_record_is_fnv1a_of_its_utf8_key(entity, record_id, version):
    # Stored digests and the ones devices send are compared: one bit off and a replica that
    # holds the same records would look different and pull them all again.
    key = f"{entity}:{record_id}:{version}"
    assert record_hash(entity, record_id, version) == fnv1a_32(key.encode())


def test_a_digest_sums_its_records_hashes_per_entity():
    pairs = [("customers", "a", 1), ("customers", "b", 2), ("visits", "c", 1)]
    assert summarise(pairs) == {
        "customers": {"count": 2, "sum": str(fnv1a_32(b"customers:a:1") + fnv1a_32(b"customers:b:2"))},
        "visits": {"count": 1, "sum": str(fnv1a_32(b"visits:c:1"))},
    }
