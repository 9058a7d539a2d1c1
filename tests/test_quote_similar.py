"""Similar quotes rank the part a machinist would call the same near the top, and the index
follows every edit and delete in the push's own transaction."""

import pytest

from conftest import BACKENDS
from quote_fixture import SAME_PART
from quote_helpers import loaded_database


@pytest.fixture(scope="module", params=BACKENDS)
def quotes(request, tmp_path_factory, sqlite_template, pg_template):
    yield from loaded_database(request, tmp_path_factory, sqlite_template, pg_template)


@pytest.mark.parametrize("key, partner", SAME_PART)
def test_the_same_part_ranks_in_the_top_three(quotes, key, partner):
    ranked = quotes.similar(key)
    assert partner in ranked[:3], ranked[:5]


def test_a_similar_quote_says_why(quotes):
    body = quotes.client.get(
        f"/api/v1/quotes/{quotes.ids['shaft_sus']}/similar", headers=quotes.device("office").headers
    ).get_json()
    first = body["results"][0]
    fields = {w["field"]: w for w in first["why"]}
    assert quotes.keys[first["quote"]["id"]] in ("shaft_sus_repeat", "osaka_shaft")
    assert fields["material"]["match"] == "same" and fields["processing_method"]["match"] == "same"
    assert fields["dimensions"]["closeness"] >= 0.95
    assert 0 < first["score"] <= 1


def test_a_quote_is_never_similar_to_itself(quotes):
    assert "shaft_sus" not in quotes.similar("shaft_sus")


def test_an_edited_quote_is_found_by_its_new_words_at_once(quotes):
    office = quotes.device("office")
    quote = office.create(
        "quotes",
        customer_id=quotes.customers["yamada"],
        product="試作ギアボックス",
        material="SUS304",
        processing_method="マシニング",
        dimensions="250×180×120",
    )
    found = [r["quote"]["id"] for r in quotes.search(q="ギアボックス").get_json()["results"]]
    assert found == [quote["id"]]
    result = office.update("quotes", quote, product="試作減速機ケース")
    assert result["status"] == "applied"
    assert quotes.search(q="ギアボックス").get_json()["results"] == []
    assert [r["quote"]["id"] for r in quotes.search(q="減速機").get_json()["results"]] == [quote["id"]]
    # Won, its cost known: nothing the index is made of changed, and it is found as before.
    result = office.update("quotes", result["record"], status="accepted", actual_cost=1200000)
    found = quotes.search(q="減速機").get_json()["results"]
    assert [(r["quote"]["id"], r["quote"]["status"]) for r in found] == [(quote["id"], "accepted")]
    deleted = office.push(
        office.mutation("quotes", quote["id"], op="delete", base_version=result["record"]["version"])
    )[0]
    assert deleted["status"] == "applied"
    assert quotes.search(q="減速機").get_json()["results"] == []
