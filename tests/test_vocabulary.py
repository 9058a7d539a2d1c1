"""One vocabulary: the server hands it out as data, and the app's message files say the same."""

import json
import re
from pathlib import Path

import pytest

from sync.entity import ALWAYS_SERVER_OWNED

from server.core import vocabulary
from server.core.engine import ENGINE

MESSAGES = Path(__file__).parent.parent / "pwa" / "js"
STRING_ENTRY = re.compile(r'^\s*"([^"]+)":\s*("(?:[^"\\]|\\.)*")\s*,?\s*$')
OBJECT_ENTRY = re.compile(r'^\s*"([^"]+)":\s*\{')  # plural forms {one: ..., other: ...}


def messages(language):
    """``(plain, plural)``: the file's ``"key": "text"`` entries, and the keys of object entries."""
    plain, plural = {}, set()
    for line in (MESSAGES / f"messages-{language}.js").read_text(encoding="utf-8").splitlines():
        if match := STRING_ENTRY.match(line):
            plain[match[1]] = json.loads(match[2])
        elif match := OBJECT_ENTRY.match(line):
            plural.add(match[1])
    return plain, plural


def test_the_vocabulary_needs_no_token_and_holds_the_roles_and_enumerations(client):
    response = client.get("/api/v1/vocabulary")
    assert response.status_code == 200
    assert response.get_json() == vocabulary.as_data()


def test_the_vocabulary_labels_each_code_in_japanese_and_english(client):
    data = client.get("/api/v1/vocabulary").get_json()
    assert data["roles"] == ["rep", "technician", "office", "manager", "admin"]
    assert {"code": "won", "ja": "受注", "en": "Won"} in data["enums"]["deal.stage"]
    assert data["permissions"]["admin"] == ["admin"]


@pytest.mark.parametrize("language, index", [("ja", 0), ("en", 1)])
def test_every_enumeration_label_is_the_apps_message(language, index):
    plain, plural = messages(language)
    expected = {
        f"{name}.{code}": labels[index]
        for name, values in vocabulary.ENUMS.items()
        for code, labels in values.items()
    }
    shown = {key: plain.get(key) for key in expected if key not in plural}
    assert shown == {key: label for key, label in expected.items() if key not in plural}


def test_the_app_offers_deals_and_quotes_to_the_roles_the_vocabulary_names():
    source = (MESSAGES / "deals.js").read_text(encoding="utf-8")
    roles = re.search(r"export const DEAL_ROLES = new Set\((\[[^\]]*\])\)", source)
    assert roles and json.loads(roles[1]) == vocabulary.as_data()["permissions"]["deals"]


def test_every_field_a_person_can_edit_has_a_label_a_conflict_can_show():
    editable = {
        name
        for entity in ENGINE.entities.values()
        if entity.writable and entity.name not in ("conflicts", "history")
        for name in set(entity.fields) - entity.server_fields - set(ALWAYS_SERVER_OWNED)
    }
    assert editable - set(vocabulary.FIELDS) == set()


@pytest.mark.parametrize("language, index", [("ja", 0), ("en", 1)])
def test_every_field_label_is_the_apps_message(language, index):
    plain, _ = messages(language)
    expected = {f"field.{name}": labels[index] for name, labels in vocabulary.FIELDS.items()}
    assert {key: plain.get(key) for key in expected} == expected
