"""Turn the lines read from a business card into the contract's ``card`` fields.

Pure functions over strings, tested without Tesseract. Full-width digits, letters and hyphens
are folded (NFKC), and the hyphen look-alikes OCR gives between digits (一, ー, —) become "-".
"""

import re
import unicodedata

from server.core.vocabulary import CARD_FIELDS

COMPANY_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "(株)", "(有)", "㈱", "㈲")
TITLES = (
    "代表取締役社長",
    "代表取締役",
    "取締役",
    "執行役員",
    "社長",
    "専務",
    "常務",
    "部長",
    "次長",
    "課長",
    "係長",
    "主任",
    "主査",
    "マネージャー",
    "リーダー",
    "担当",
)
DEPARTMENT_WORDS = ("部", "課", "室", "グループ", "センター", "事業所", "営業所", "工場", "支店")
PREFECTURE = re.compile(r"(東京都|北海道|(?:京都|大阪)府|.{2,3}県)")
DASHES = re.compile(r"(?<=[0-9O])\s*[一二ー—–‐−=\-~〜]\s*(?=[0-9O])")
PHONE = re.compile(r"(?<!\d)0*(0[1-9]\d{0,3}-\d{1,4}-\d{3,4}|0[1-9]\d{8,9}|\(0\d{1,4}\)\d{1,4}-\d{4})(?!\d)")
POSTAL = re.compile(r"^(?:〒|T|干|\+|7(?=\d{3}-))?\s*(\d{3})-(\d{4})(?![\d-])")
# OCR's letters for digits after a TEL/FAX label: TEL 052 is often read TELO52 or TELOS2.
NUMBER_LABEL = re.compile(r"^(TEL|Tel|FAX|Fax|T|F|携帯|Mobile)\s*[:.]?\s*([0-9OoSBIl=—一ー\-\s]{9,})$")
DIGIT_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "S": "5",
        "B": "8",
        "I": "1",
        "l": "1",
        "=": "-",
        "—": "-",
        "一": "-",
        "ー": "-",
        " ": "",
    }
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./_%?=&#:~-]+")
KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\s]+$")
CJK_NAME = re.compile(
    r"^[\u4e00-\u9fff\u3005\u3041-\u309f\u30a0-\u30ff]{1,5}\s?[\u4e00-\u9fff\u3005\u3041-\u309f\u30a0-\u30ff]{1,5}$"
)
FAX_LABEL = re.compile(r"fax|ファクス|ファックス", re.I)
MOBILE_LABEL = re.compile(r"携帯|mobile|cell|^m[\s.:]", re.I)
MOBILE_PREFIX = re.compile(r"^0[789]0-")
NAME_SHARE = 0.4  # of the tallest line's height, at least, for a line to be taken as the name


def normalise(text):
    """NFKC, OCR dashes between digits as hyphens, and no stray spaces inside numbers."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = DASHES.sub("-", text)
    label = NUMBER_LABEL.match(text)
    if label:
        number = re.sub("-+", "-", label.group(2).translate(DIGIT_LOOKALIKES))
        text = f"{label.group(1)} {number}"
    return re.sub(r"(?<=\d)\s+(?=[\d-])|(?<=-)\s+(?=\d)", "", text)


def parse_card(lines):
    """``lines``: ``[(text, height)]`` top to bottom → the card's fields (None where unread)."""
    card = dict.fromkeys(name for name in CARD_FIELDS if name != "text")
    rest = []
    for raw, height in lines:
        text = normalise(raw)
        if not text:
            continue
        if take_contacts(card, text):
            continue
        rest.append((text, height))
    card["text"] = "\n".join(normalise(t) for t, _ in lines if t.strip()) or None
    names = []
    for text, height in rest:
        plain = text.replace(" ", "")
        if card["company"] is None and any(form in plain for form in COMPANY_FORMS):
            card["company"] = plain
        elif card["address"] is None and PREFECTURE.search(plain) and re.search(r"\d", plain):
            card["address"] = plain
        elif (
            card["name_kana"] is None
            and KANA.match(text)
            and len(plain) >= 4
            and not any(t in plain for t in TITLES)
        ):
            card["name_kana"] = text
        elif take_role(card, plain):
            continue
        elif CJK_NAME.match(text):
            names.append((height, text))
    # The name is printed large: a short line in small type (a department cut short) is not it.
    tallest = max((height for _, height in lines), default=0)
    names = [(height, text) for height, text in names if height >= NAME_SHARE * tallest]
    if names:
        card["name"] = max(names, key=lambda n: n[0])[1]
    return card


def unclaimed(text):
    """True when a line is no company, address, reading, role or contact: it may be the name."""
    card = parse_card([(text, 1)])
    return all(value is None for field, value in card.items() if field not in ("text", "name"))


def take_contacts(card, text):
    """Fill postal code, phones, email and URL from one line; True if it held only those."""
    found = False
    email = EMAIL.search(text.replace(",", "."))
    if email and card["email"] is None:
        # OCR drops the dots of a .co.jp domain more often than any other character.
        card["email"] = re.sub(r"\.?(co|ne|or|ac|go)\.?jp$", r".\1.jp", email.group(0).strip(".").lower())
        found = True
    url = URL.search(text.replace(",", "."))
    if url and not email and card["url"] is None:
        card["url"] = url.group(0)
        found = True
    postal = POSTAL.search(text)
    if postal and card["postal_code"] is None and not PHONE.search(text):
        card["postal_code"] = f"{postal.group(1)}-{postal.group(2)}"
        remainder = text[postal.end() :].strip()
        if remainder and PREFECTURE.search(remainder):
            card["address"] = remainder.replace(" ", "")
        return True
    for match in PHONE.finditer(text):
        number = match.group(1)
        before = text[: match.start()]
        if FAX_LABEL.search(before):
            slot = "fax"
        elif MOBILE_LABEL.search(before) or MOBILE_PREFIX.match(number):
            slot = "mobile"
        else:
            slot = "phone"
        if card[slot] is None:
            card[slot] = number
        found = True
    return found


def take_role(card, plain):
    """Department and title from a line such as 営業部 課長; True if it was one."""
    title = next((t for t in TITLES if plain.endswith(t)), None)
    head = plain[: -len(title)] if title else plain
    if title and card["title"] is None:
        card["title"] = title
    if head and any(w in head for w in DEPARTMENT_WORDS) and len(head) <= 20 and card["department"] is None:
        card["department"] = head
        return True
    return title is not None
