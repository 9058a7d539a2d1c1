"""Past-quote search in Japanese: a table of queries over a fixed set of realistic quotes,
each naming the quote that must come first (or in the top 3), on SQLite and PostgreSQL."""

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from conftest import BACKENDS
from quote_helpers import loaded_database
from server.quotes.text import words_of

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")


@pytest.fixture(scope="module", params=BACKENDS)
def quotes(request, tmp_path_factory, sqlite_template, pg_template):
    yield from loaded_database(request, tmp_path_factory, sqlite_template, pg_template)


# (query parameters, expected quote, must be within the first N)
CASES = [
    # drawing numbers, as typed and in other widths and cases
    ({"q": "YS-2023-0153"}, "shaft_sus", 1),
    ({"q": "ｙｓ－２０２３－０１５３"}, "shaft_sus", 1),
    ({"q": "ys-2023-0153-b"}, "shaft_sus_repeat", 1),
    ({"q": "TS-2024-0088"}, "flange_sus316l", 1),
    ({"q": "0099"}, "sleeve_halfwidth", 1),
    ({"drawing_no": "ts-2022-0301"}, "frame_weld", 1),
    # materials: width and case folded, synonyms both ways
    ({"q": "SUS304 シャフト"}, "shaft_sus", 3),
    ({"q": "ＳＵＳ３０４ シャフト"}, "shaft_sus_repeat", 3),
    ({"q": "sus316l ノズル"}, "nozzle_sus316l", 1),
    ({"q": "ステンレス ブラケット"}, "bracket_sus", 1),
    ({"q": "SUS ブラケット"}, "bracket_sus", 1),
    ({"q": "すてんれす ぶらけっと"}, "bracket_sus", 1),
    ({"q": "アルミ ハウジング"}, "housing_a6061", 1),
    ({"q": "A5052 フレーム"}, "aluminium_frame", 1),
    ({"q": "アルミ 治具"}, "jig_plate", 1),
    ({"q": "鉄 ブラケット"}, "bracket_weld", 1),
    ({"q": "SS400 取付金具"}, "iron_bracket", 1),
    ({"q": "C3604"}, "bush_c3604", 1),
    ({"q": "真鍮"}, "bush_c3604", 1),
    ({"q": "POM"}, "spacer_pom", 1),
    ({"q": "樹脂 スペーサー"}, "spacer_pom", 1),
    ({"material": "ステンレス", "q": "カバー"}, "osaka_cover", 1),
    ({"material": "アルミ", "q": "カバー"}, "cover_a5052", 1),
    ({"material": "SUS316L"}, "tank_sus316l", 3),
    # two-character terms and methods, kana and width folded
    ({"q": "溶接 架台"}, "frame_weld", 1),
    ({"q": "溶接"}, "bracket_weld", 3),
    ({"q": "旋盤 ブッシュ"}, "bush_c3604", 1),
    ({"q": "旋盤 スリーブ"}, "sleeve_halfwidth", 1),
    ({"q": "ｽﾘｰﾌﾞ"}, "sleeve_halfwidth", 1),
    ({"q": "すりーぶ"}, "sleeve_halfwidth", 1),
    ({"q": "研磨 ローラー"}, "roller_shaft", 1),
    ({"q": "歯車"}, "gear", 1),
    ({"q": "ホブ"}, "gear", 1),
    ({"q": "レーザー 制御盤"}, "panel_laser", 1),
    ({"q": "タンク"}, "tank_sus316l", 1),
    ({"processing_method": "溶接", "q": "タンク"}, "tank_sus316l", 1),
    ({"processing_method": "フライス"}, "jig_plate", 3),
    # difficulties and details (苦労した点) as free text
    ({"q": "びびり"}, "shaft_sus", 3),
    ({"q": "深穴"}, "manifold", 1),
    ({"q": "歪み 溶接"}, "bracket_weld", 3),
    ({"q": "キズ厳禁"}, "cover_a5052", 1),
    ({"q": "アルマイト ハウジング"}, "housing_a6061", 1),
    ({"q": "細穴"}, "nozzle_sus316l", 1),
    ({"q": "水張り試験"}, "tank_sus316l", 1),
    # dimensions: as text and as ranges of the longest side
    ({"q": "φ45"}, "shaft_sus", 3),
    ({"q": "φ４５×１２０"}, "shaft_sus", 3),
    ({"q": "t25"}, "base_plate", 1),
    ({"q": "フランジ", "length_min": 180}, "flange_ss400", 1),
    ({"q": "フランジ", "length_max": 160}, "flange_sus316l", 1),
    ({"q": "シャフト", "length_min": 400, "length_max": 500}, "roller_shaft", 1),
    ({"length_min": 1400}, "frame_weld", 3),
    # dates and customers
    ({"q": "シャフト", "submitted_from": "2025-01-01"}, "shaft_sus_repeat", 1),
    ({"q": "シャフト", "submitted_to": "2024-12-31"}, "shaft_sus", 3),
    (
        {
            "q": "フランジ",
            "product": "フランジ",
            "submitted_from": "2024-08-01",
            "submitted_to": "2024-12-31",
        },
        "flange_sus316l",
        1,
    ),
]


@pytest.mark.parametrize(
    "params, expected, within", CASES, ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(CASES)]
)
def test_query_finds_the_quote_a_person_means(quotes, params, expected, within):
    ranked = quotes.ranked(**params)
    assert expected in ranked[:within], f"{params} → {ranked[:5]}"


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


def test_each_result_says_which_field_matched_which_word(quotes):
    result = quotes.search(q="ステンレス ブラケット").get_json()["results"][0]
    assert {"field": "material", "term": "すてんれす", "word": "すてんれす"} in result["why"]
    assert {"field": "product", "term": "ぶらけっと", "word": "ぶらけっと"} in result["why"]


def test_a_synonym_match_ranks_below_the_word_typed(quotes):
    ranked = quotes.ranked(q="SUS304")
    assert set(ranked[:5]) == {"shaft_sus", "shaft_sus_repeat", "pipe_joint", "osaka_shaft", "osaka_cover"}
    assert ranked[5] == "bracket_sus"  # material ステンレス, found through the synonym list


@pytest.mark.parametrize(
    "material, kept, left_out",
    [
        ("SUS316", "SUS316L", "SUS304"),  # a grade: that grade (and its L variant) only
        ("ＳＵＳ３０４", "SUS304", "SUS316L"),  # as typed with a Japanese IME
        ("ステンレス", "SUS304", "A5052"),  # a family word: the whole family
    ],
)
def test_a_material_filter_of_a_grade_lists_that_grade_and_not_its_family(quotes, material, kept, left_out):
    found = quotes.search(material=material, limit=100).get_json()["results"]
    materials = {unicodedata.normalize("NFKC", r["quote"]["material"]).upper() for r in found}
    assert kept in materials and left_out not in materials


def test_the_customer_filter_keeps_other_customers_out(quotes):
    ranked = quotes.ranked(q="シャフト", customer_id=quotes.customers["osaka"])
    assert ranked == ["osaka_shaft"]


def test_the_limit_cuts_the_list(quotes):
    assert len(quotes.ranked(q="旋盤", limit=2)) == 2


@pytest.mark.parametrize(
    "said", ["前回と同じフランジ", "以前と同じフランジ", "この前のフランジと同じもの", "前回のフランジ"]
)
def test_a_wish_said_as_a_sentence_finds_what_its_thing_alone_finds(quotes, said):
    ranked = quotes.ranked(q=said)
    assert ranked == quotes.ranked(q="フランジ") and {"flange_ss400", "flange_sus316l"} <= set(ranked)


def test_a_query_of_filler_alone_leaves_the_filters_to_search(quotes):
    assert quotes.ranked(q="以前と同じもの", material="SUS316L") == quotes.ranked(material="SUS316L")


# -- scope ---------------------------------------------------------------------------------


def test_a_rep_never_finds_another_teams_quotes(quotes):
    east = quotes.ranked("rep_a", q="シャフト")
    west = quotes.ranked("rep_b", q="シャフト")
    assert "osaka_shaft" not in east and {"shaft_sus", "roller_shaft"} <= set(east)
    assert west == ["osaka_shaft"]


def test_a_rep_cannot_ask_for_quotes_like_another_teams_quote(quotes):
    response = quotes.client.get(
        f"/api/v1/quotes/{quotes.ids['shaft_sus']}/similar", headers=quotes.device("rep_b").headers
    )
    assert response.status_code == 404 and response.get_json()["code"] == 404


def test_similar_quotes_of_a_rep_stay_in_their_scope(quotes):
    assert "osaka_shaft" not in quotes.similar("shaft_sus", "rep_a")
    assert "osaka_shaft" in quotes.similar("shaft_sus", "office")[:3]


# -- bad queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "2段",
        "2 段",
        "a1",
        "×××",
        "φ",
        "ー",
        "-1",
        "1.2.3.4",
        "段取り2",
        "t",
        "ｱ",
        "SUS304 " * 25,
        "溶接" * 100,
        "\u3000",
        "🔧 溶接",
        "ys-",
        "--",
        "/",
        "0",
    ],
)
def test_an_odd_query_never_fails(quotes, q):
    response = quotes.search(q=q)
    assert response.status_code == 200 and isinstance(response.get_json()["results"], list)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": '" OR * NEAR('},
        {"q": "'; DROP TABLE records; --"},
        {"q": "%_%"},
        {"q": 'NEAR(a b) AND "x"*'},
        {"q": "\\"},
        {"q": "以前と同じものを作って下さい"},
        {"q": "前回と同じもの"},
    ],
)
def test_a_query_that_means_nothing_answers_no_results(quotes, params):
    response = quotes.search(**params)
    assert response.status_code == 200
    assert response.get_json() == {"results": []}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "溶" * 10000}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"length_min": "abc"}, "length_min"),
        ({"length_min": "nan"}, "length_min"),
        ({"length_min": "-5"}, "length_min"),
        ({"length_min": "200", "length_max": "100"}, "length_max"),
        ({"submitted_from": "2024-13-01"}, "submitted_from"),
        ({"submitted_from": "2025-01-01", "submitted_to": "2024-01-01"}, "submitted_to"),
        ({"customer_id": "not-a-uuid"}, "customer_id"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
    ],
)
def test_a_malformed_query_answers_400_in_the_error_shape(quotes, params, field):
    response = quotes.search(**params)
    body = response.get_json()
    assert response.status_code == 400
    assert body["code"] == 400 and body["message"] and field in body["errors"]


@pytest.mark.parametrize(
    "path, code",
    [
        ("/api/v1/quotes/00000000-0000-0000-0000-000000000000/similar", 404),
        ("/api/v1/quotes/not-a-uuid/similar", 404),
    ],
)
def test_similar_of_an_unknown_quote_answers_404(quotes, path, code):
    response = quotes.client.get(path, headers=quotes.device("office").headers)
    assert response.status_code == code and response.get_json()["code"] == code


def test_search_needs_a_token(quotes):
    response = quotes.client.get("/api/v1/quotes/search", query_string={"q": "溶接"})
    assert response.status_code == 401 and response.get_json()["code"] == 401


# -- the device's copy of the rules ----------------------------------------------------------


def test_the_device_has_the_same_synonym_groups_as_the_server():
    import json
    import re
    from pathlib import Path

    from server.quotes.text import DEFAULT_SYNONYMS, Synonyms

    source = (Path(__file__).resolve().parents[1] / "pwa/js/quote-synonyms.js").read_text(encoding="utf-8")
    device = json.loads(re.search(r"SYNONYMS = (\[.*?\]);", source, re.S).group(1).replace(",\n]", "\n]"))
    server = Synonyms.load(DEFAULT_SYNONYMS)
    assert [g[0] for g in device] == server.names
    assert [sorted(g) for g in device] == [sorted(g) for g in Synonyms.load(DEFAULT_SYNONYMS).raw]


# (query, the words searched): what people say around the thing they want is left out, but not
# the kana of a word (ボルトの keeps its ト, ものさし its もの, hiragana typed stays whole)
SAID = [
    ("前回と同じフランジ", ["ふらんじ"]),
    ("この前のフランジと同じもの", ["ふらんじ"]),
    ("以前と同じものを作って下さい", []),
    ("いつものシャフトをお願いします", ["しゃふと"]),
    ("前回のふらんじ", ["ふらんじ"]),
    ("ふらんじと同じもの", ["ふらんじ"]),
    ("ＳＵＳ３０４の前回と同じシャフト", ["sus304", "しゃふと"]),
    ("フランジとボルト", ["ふらんじ", "ぼると"]),
    ("ノズルの", ["のずる"]),
    ("ぼるとの", ["ぼるとの"]),
    ("ものさし", ["ものさし"]),
    ("ボルト穴のピッチ", ["ぼると穴", "ぴっち"]),
    ("溶接歪み", ["溶接歪み"]),
    ("sus 304", ["sus", "304"]),
    ("前回と同じもの 以前の", []),
    ("以前と同じモノを作ってください", []),
    ("コノ前のフランジ", ["ふらんじ"]),
    ("ｲﾂﾓのｼｬﾌﾄをオネガイシマス", ["しゃふと"]),
    ("モノレールの部品", ["ものれーる", "部品"]),
    ("同じモノレール", ["ものれーる"]),
    ("山田製作所さんの前回と同じもの", ["山田製作所"]),
    ("山田製作所様", ["山田製作所"]),
    ("山田さま", ["山田"]),
    ("田中精機御中のシャフト", ["田中精機", "しゃふと"]),
    ("仕様書と同じ仕様", ["仕様書", "仕様"]),
    ("模様の", ["模様"]),
    ("さんかく板", ["さんかく板"]),
    ("", []),
]


@pytest.mark.parametrize("query, words", SAID, ids=[q or "empty" for q, _ in SAID])
def test_a_query_is_searched_without_what_people_say_around_the_thing(query, words):
    assert words_of(query) == words


@pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the device's module")
def test_the_device_cuts_a_query_into_the_words_the_server_does():
    script = (
        'import { wordsOf } from "./pwa/js/quote-search.js"; let input = "";'
        "for await (const chunk of process.stdin) input += chunk;"
        "process.stdout.write(JSON.stringify(JSON.parse(input).map(wordsOf)));"
    )
    run = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps([query for query, _ in SAID]),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(run.stdout) == [words for _, words in SAID]
