"""The app and the server fold text for matching the same way.

A customer found on the tablet by 「ﾔﾏﾀﾞ」 must be the one the server's search, the duplicate
check and the Excel import find by it: ``fold`` and ``digits`` in ``pwa/js/text.js`` answer as
``server/core/text.py`` does, for every character (each assigned code point of the server's
Unicode, alone and in words).
"""

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from server.core.text import digits, fold

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")

WORDS = [
    "ﾔﾏﾀﾞ ｾｲｻｸｼｮ",
    "株式会社　山田製作所",
    "ＳＵＳ３０４　φ５０",
    "\ufeff顧客名",  # the byte-order mark a CSV saved by Excel begins with
    "ΟΔΟΣ ΟΔΟΣ",  # a capital sigma at a word's end
    "Straße STRASSE",
    "ﬁle Ⅻ ① ㍻ ㈱",
    "tab\tnew\nline\x1cunit\x1fnel\x85end",
    "03‐1234‐5678",
    "０３（１２３４）５６７８ 内線２０",
    "٣٤ ²",
]


def run_app(function, texts):
    script = (
        f'import {{ {function} }} from "./pwa/js/text.js"; let input = "";'
        "for await (const chunk of process.stdin) input += chunk;"
        f"process.stdout.write(JSON.stringify(JSON.parse(input).map((t) => {function}(t))));"
    )
    run = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        cwd=ROOT,
    )
    return json.loads(run.stdout)


def assigned_characters():
    """Every code point the server's Unicode assigns (surrogates aside), as a one-letter text."""
    return [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) != "Cn"
    ]


def differences(texts, ours, theirs):
    """``(character or text, server's, app's)`` wherever the two differ."""
    pairs = zip(texts, ours, theirs, strict=True)
    return [(f"U+{ord(t):04X}" if len(t) == 1 else t, a, b) for t, a, b in pairs if a != b]


pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the app's module")


@pytest.mark.parametrize("function, server", [("fold", fold), ("digits", digits)])
def test_the_app_folds_every_character_as_the_server_does(function, server):
    texts = assigned_characters() + WORDS
    app = run_app(function, texts)
    assert differences(texts, [server(t) for t in texts], app)[:20] == []


def test_the_folds_people_rely_on():
    assert run_app("fold", ["ﾔﾏﾀﾞ ｾｲｻｸｼｮ", "Straße", "\ufeff顧客名"]) == [
        "やまだせいさくしょ",
        "strasse",
        "顧客名",
    ]
    assert fold("STRASSE") == fold("Straße") and fold("\ufeff顧客名") == "顧客名"
    assert digits("０３（１２３４）５６７８") == "0312345678" and digits("٣٤") == ""
