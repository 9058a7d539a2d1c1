"""Japanese-aware text folding for matching: width, case and kana differences disappear."""

import unicodedata

KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def fold(text):
    """NFKC, case-folded, katakana as hiragana, without spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold().translate(KATAKANA_TO_HIRAGANA)
    return "".join(text.split())


def digits(text):
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isdigit())
