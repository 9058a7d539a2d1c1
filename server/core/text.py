"""Japanese-aware text folding for matching: width, case and kana differences disappear."""

import unicodedata

KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def fold(text):
    """NFKC, case-folded, katakana as hiragana, without spaces (nor the byte-order mark an Excel
    file leaves). The app's ``fold`` (pwa/js/text.js) answers the same for every character."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold().translate(KATAKANA_TO_HIRAGANA)
    return "".join(text.replace("\ufeff", " ").split())


def digits(text):
    """The digits 0-9 of a text in any width (a phone number as typed), as the app reads them."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if "0" <= ch <= "9")
