"""The text rules of quote search: terms, synonyms, material families and dimensions.

Pure functions over strings, shared by the index (at write time) and the search (at query
time) so both sides fold and cut text the same way. ``pwa/js/quote-search.js`` mirrors them.
"""

import os
import re
import unicodedata

from server.core.text import fold

# The fields a free-text query looks in, with how much a match in each counts.
FIELD_WEIGHTS = {
    "drawing_no": 4,
    "product": 3,
    "material": 3,
    "processing_method": 3,
    "dimensions": 2,
    "processing_details": 1,
    "difficulties": 1,
}
SYNONYM_WEIGHT = 0.6  # a match through a synonym counts a little less than the word typed
MAX_TOKENS = 8
MAX_TERMS_PER_WORD = 8
DEFAULT_SYNONYMS = os.path.join(os.path.dirname(__file__), "synonyms.txt")
SEPARATORS = re.compile(r"[^\w×.\-/φ]+")
# What people say around the thing they want (「前回と同じフランジを作って下さい」) is in no quote, so
# it is cut from a query: these words with the particles next to them, and a particle alone
# between other letters (フランジとボルト). Not where its kana run on into other hiragana (ボルトの
# keeps its ト, ものさし its もの): so before katakana fold into hiragana.
FILLER = (
    "前回",
    "以前",
    "この前",
    "いつも",
    "同じ",
    "おなじ",
    "もの",
    "作って",
    "つくって",
    "下さい",
    "ください",
    "お願いします",
    "おねがいします",
    "さん",  # 山田製作所さんの (a customer named with an honorific)
    "さま",
    "御中",
)
PARTICLES = ("と", "の", "を")
# The same words written in katakana (同じモノ, コノ前), read as hiragana where they stand apart
# from other katakana (モノレール keeps its モノ).
# 様 after a name (山田製作所様の), where a word does not end in it (仕様, 模様, 同様…).
HONORIFIC = re.compile(r"(?<![仕模同多文紋外異一])様(?=[\sのとを、。,]|$)")
KATAKANA_FILLER = re.compile(
    "(?<![ァ-ヺー])(?:コノ前|イツモ|オナジ|モノ|ツクッテ|クダサイ|オネガイシマス)(?![ァ-ヺー])"
)
_APART = "(?:(?<![ぁ-ゖ])|(?![ぁ-ゖ]))"
_SAID = f"(?:{'|'.join(FILLER)})"
_PARTICLE = f"(?:{'|'.join(PARTICLES)})"
FILLER_RUN = re.compile(
    f"(?:{_PARTICLE}|{_APART}){_SAID}(?:{_PARTICLE}?{_SAID})*(?:{_PARTICLE}|{_APART})"
    f"|{_APART}{_PARTICLE}+{_APART}"
)


ASCII_RUN = re.compile(r"[0-9a-zφ]+(?:[-./][0-9a-zφ]+)*")
WIDE_RUN = re.compile(r"[^\W\d_a-zφ]+")  # kanji, kana and other letters that are not ASCII
PART_START = re.compile(r"(?<![0-9a-zφ])[0-9a-zφ]|(?<=[a-zφ])\d|(?<=\d)[a-zφ]")
MAX_RUN = 32


def runs_of(folded):
    """Cut folded text into ASCII runs (``sus304``, ``ys-2023-0153``, ``φ45``) and runs of
    Japanese (``溶接歪み``); everything else (×, ・, →, brackets) separates them."""
    return [("ascii", m.group()[:MAX_RUN]) for m in ASCII_RUN.finditer(folded)] + [
        ("wide", m.group()) for m in WIDE_RUN.finditer(folded)
    ]


def terms_of(folded):
    """The index terms of a folded text. An ASCII run gives itself and its tails from each
    letter/digit boundary (``sus304``, ``304``), so a search by prefix finds a grade, a
    drawing number or its last digits; Japanese gives every two-character window and its
    last character alone, so 溶接 and 鉄 are found anywhere."""
    out = set()
    for kind, run in runs_of(folded or ""):
        if kind == "ascii":
            out.update(run[m.start() :] for m in PART_START.finditer(run))
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
            out.add(run[-1])
    return out


def word_conditions(word):
    """What a folded query word needs from the index, all of it: ``("term", bigram)`` for
    the Japanese, ``("prefix", text)`` for each ASCII run or one-character word."""
    exact, prefixes = [], []
    for kind, run in runs_of(word):
        if kind == "wide" and len(run) > 1:
            # every other window still covers every character; the search checks the word whole
            exact.extend(run[i : i + 2] for i in sorted({*range(0, len(run) - 1, 2), len(run) - 2}))
        else:
            prefixes.append(run)
    if len(exact) > MAX_TERMS_PER_WORD:  # spread over the word; the search checks it whole
        step = (len(exact) - 1) / (MAX_TERMS_PER_WORD - 1)
        exact = [exact[round(i * step)] for i in range(MAX_TERMS_PER_WORD)]
    narrowing = [p for p in prefixes if not (len(p) == 1 and p.isascii())]
    if exact or narrowing:  # a lone digit such as the 2 of 2段取り narrows nothing
        prefixes = narrowing
    return [("term", b) for b in dict.fromkeys(exact)] + [("prefix", p) for p in dict.fromkeys(prefixes)]


def word_in(word, folded):
    """Whether every run of a query word is in the folded text (the search's final check)."""
    runs = runs_of(word)
    return bool(runs) and all(run in folded for _, run in runs)


def hiragana(match):
    """A katakana match as hiragana (ア is あ moved by 0x60; kanji stay)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in match.group())


def words_of(query):
    """Split a free-text query into folded words (whitespace and punctuation separate them),
    without the filler around them."""
    words = []
    said = KATAKANA_FILLER.sub(hiragana, HONORIFIC.sub(" ", unicodedata.normalize("NFKC", query or "")))
    for part in FILLER_RUN.sub(" ", said).split():
        for piece in SEPARATORS.split(fold(part)):
            piece = piece.strip("._-/")
            if runs_of(piece) and not (len(piece) == 1 and piece.isascii()) and piece not in words:
                words.append(piece)
    return words[:MAX_TOKENS]


class Synonyms:
    """Groups of words that mean the same material or method, one group per line."""

    def __init__(self, groups):
        self.raw = [list(group) for group in groups if group]
        self.groups = [sorted({fold(w) for w in group if fold(w)}, key=len, reverse=True) for group in groups]
        self.groups = [g for g in self.groups if g]
        self.names = [group[0] for group in groups if group]

    @classmethod
    def load(cls, path=None):
        """Read a synonym file: ``#`` starts a comment, words on a line are separated by
        commas or spaces, and the first word names the group (a material family)."""
        groups = []
        with open(path or DEFAULT_SYNONYMS, encoding="utf-8") as file:
            for line in file:
                line = line.split("#", 1)[0].strip()
                if line:
                    groups.append([w for w in re.split(r"[,\s、，]+", line) if w])
        return cls(groups)

    def alternatives(self, word):
        """The word itself (weight 1) and each synonym of it (``SYNONYM_WEIGHT``)."""
        out = {word: 1.0}
        for group in self.groups:
            if word in group:
                for other in group:
                    out.setdefault(other, SYNONYM_WEIGHT)
        # A word that holds another alternative adds nothing: the shorter one finds it already.
        return {
            w: weight
            for w, weight in out.items()
            if not any(o != w and o in w and out[o] >= weight for o in out)
        }

    def group_of(self, word):
        """The name of the group a folded word belongs to, or None."""
        for name, group in zip(self.names, self.groups, strict=True):
            if word in group:
                return fold(name)
        return None

    def family(self, material):
        """The group a material belongs to (its first word), or the folded material itself."""
        folded = fold(material)
        if not folded:
            return None
        best = None
        for index, group in enumerate(self.groups):
            for member in group:
                if member in folded and (best is None or len(member) > best[1]):
                    best = (index, len(member))
        return fold(self.names[best[0]]) if best else folded[:64]


_NUMBER = r"(\d+(?:\.\d+)?)"
DIAMETER = re.compile(r"(?:φ|ø|⌀|径|直径|外径|丸)\s*" + _NUMBER)
THICKNESS = re.compile(r"(?:(?<![a-z])t|板厚|厚さ?)\s*=?\s*" + _NUMBER)
LENGTH = re.compile(r"(?:(?<![a-z])l|長さ|全長)\s*=?\s*" + _NUMBER)
HEIGHT = re.compile(r"(?:(?<![a-z])h|高さ)\s*=?\s*" + _NUMBER)
PLAIN = re.compile(r"(?<![\d.])" + _NUMBER + r"(?![\d.])")


def parse_dimensions(text):
    """Read mm figures from dimension text such as 「φ45×120」, 「200×150×t12」 or full-width
    「２００×１５０」: length is the longest plain figure, width the next, thickness ``t``."""
    if not text:
        return {}
    s = unicodedata.normalize("NFKC", text).lower().replace("mm", " ")
    s = s.replace("ｘ", "×").replace("*", "×")
    s = re.sub(r"(?<=\d)\s*x\s*(?=[\dφtlh])", "×", s)
    out, spans = {}, []
    for name, pattern in (
        ("diameter_mm", DIAMETER),
        ("thickness_mm", THICKNESS),
        ("length_mm", LENGTH),
        ("height_mm", HEIGHT),
    ):
        match = pattern.search(s)
        if match:
            out[name] = float(match.group(1))
            spans.append(match.span(1))
    plain = [float(m.group(1)) for m in PLAIN.finditer(s) if not any(a <= m.start(1) < b for a, b in spans)]
    plain.extend([out["height_mm"]] if "height_mm" in out else [])
    plain.sort(reverse=True)
    if "length_mm" not in out and plain:
        out["length_mm"] = plain.pop(0)
    elif "length_mm" in out and out["length_mm"] in plain:
        plain.remove(out["length_mm"])
    if "diameter_mm" not in out and plain:
        out["width_mm"] = plain.pop(0)
    if not ({"thickness_mm", "diameter_mm", "height_mm"} & set(out)) and len(plain) == 1:
        out["thickness_mm"] = plain.pop(0)
    out.pop("height_mm", None)
    return {k: v for k, v in out.items() if 0 < v < 10**7}


DIMENSIONS = ("length_mm", "width_mm", "thickness_mm", "diameter_mm")


def dimensions_of(quote):
    """The quote's mm figures: the numeric fields where given, else read from its text."""
    parsed = parse_dimensions(quote.get("dimensions"))
    return {
        name: float(quote[name]) if quote.get(name) is not None else parsed.get(name) for name in DIMENSIONS
    }
