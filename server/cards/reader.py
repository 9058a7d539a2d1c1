"""Read the text of a business card photo with Tesseract, line by line with each line's height.

Preprocessing, measured by ``bench/card_bench.py``: grayscale and autocontrast; crop to the
card (brighter than the table it lies on); deskew by the angle whose row profile is sharpest;
and scale so the text is a size Tesseract reads well (very large names are missed otherwise).
"""

import re
from collections import Counter
from dataclasses import dataclass

from PIL import Image, ImageOps

from server.cards import tesseract

TARGET_WIDTH = 1600
EMAIL_LIKE = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.(jp|com|net|org)\b")
NAME_LIKE = re.compile(r"^[\u4e00-\u9fff\u3005]{1,4}\s?[\u4e00-\u9fff\u3005\u3041-\u309f]{1,4}$")
ANGLES = [a / 2 for a in range(-8, 9)]  # -4° to 4° in half degrees


class ReadFailed(Exception):
    """Tesseract is missing or could not read the image."""


@dataclass
class Line:
    text: str
    height: int
    top: int
    left: int = 0
    right: int = 0


def prepare(path):
    """The card as a grayscale image, cropped, level and scaled."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image.draft("L", (TARGET_WIDTH * 2, TARGET_WIDTH * 2))
        gray = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    gray = crop_to_card(gray)
    angle = skew_angle(gray)
    if angle:
        gray = crop_to_card(gray.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0))
    # The table's edge left at the border breaks Tesseract's page layout: cut it off, and
    # give the text a white margin instead.
    inset = round(min(gray.size) * 0.02)
    gray = gray.crop((inset, inset, gray.width - inset, gray.height - inset))
    if gray.width > TARGET_WIDTH:
        gray = gray.resize((TARGET_WIDTH, round(gray.height * TARGET_WIDTH / gray.width)), Image.LANCZOS)
    return ImageOps.expand(ImageOps.autocontrast(gray, cutoff=1), 24, fill=255)


def crop_to_card(gray):
    """Crop to the bright area (the card) when it is clearly smaller than the photo."""
    small = gray.reduce(4) if gray.width > 800 else gray
    scale = gray.width / small.width
    mask = small.point(lambda v: 255 if v > 170 else 0)
    box = mask.getbbox()
    if box is None:
        return gray
    left, top, right, bottom = (round(v * scale) for v in box)
    if (right - left) * (bottom - top) < 0.25 * gray.width * gray.height:
        return gray
    return gray.crop((left, top, right, bottom))


def skew_angle(gray):
    """The rotation that makes text rows horizontal: the sharpest row-darkness profile."""
    small = gray.resize((400, max(1, round(gray.height * 400 / gray.width))))
    ink = small.point(lambda v: 255 if v < 128 else 0)
    best, best_score = 0.0, -1.0
    for angle in ANGLES:
        turned = ink.rotate(angle, resample=Image.NEAREST)
        data, width = turned.tobytes(), turned.width
        rows = [sum(data[y * width : (y + 1) * width]) for y in range(turned.height)]
        score = sum((a - b) ** 2 for a, b in zip(rows, rows[1:], strict=False))
        if score > best_score:
            best, best_score = angle, score
    return best


def tesseract_lines(image, psm, lang="jpn+eng"):
    """Run Tesseract on an image; return its lines with their heights, top to bottom."""
    try:
        return lines_from_tsv(tesseract.tsv(image, psm, lang))
    except (tesseract.TesseractMissing, tesseract.TesseractFailed) as err:
        raise ReadFailed(str(err)) from err


def lines_from_tsv(tsv):
    """Join Tesseract's words into lines; keep each line's tallest word height."""
    lines = {}
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        left, top, width, height = (int(cols[i]) for i in (6, 7, 8, 9))
        words = lines.setdefault(key, [])
        words.append((left, cols[11], height, top, left + width))
    out = []
    for words in lines.values():
        words.sort()
        text = join_words([w[1] for w in words])
        out.append(
            Line(
                text,
                max(w[2] for w in words),
                min(w[3] for w in words),
                words[0][0],
                max(w[4] for w in words),
            )
        )
    out.sort(key=lambda line: line.top)
    return out


def join_words(words):
    """Tesseract splits Japanese into single characters: join CJK without spaces."""
    text = ""
    for word in words:
        if text and (text[-1].isascii() and text[-1].isalnum()) and word[0].isascii() and word[0].isalnum():
            text += " "
        elif text and text[-1].isascii() != word[0].isascii() and not text.endswith(" "):
            text += (
                " "
                if (word[0].isascii() and word[0].isalpha()) or text[-1].isalpha() and text[-1].isascii()
                else ""
            )
        text += word
    return text


def read_lines(path, psm=3):
    """The lines of text on the card photo at ``path``."""
    return tesseract_lines(prepare(path), psm)


def read_card(path):
    """The card fields read from the photo ``path`` (a path or a seekable binary file).

    The automatic page layout reads most cards; when it misses the company or the name (large
    type, odd layouts) a sparse-text pass fills only what is still missing.
    """
    from server.cards.parse import parse_card

    image = prepare(path)
    lines = reread_email(image, reread_name(image, tesseract_lines(image, 3)))
    card = parse_card([(line.text, line.height) for line in lines])
    if card["name"] is None or card["company"] is None or card["phone"] is None:
        sparse = reread_name(image, tesseract_lines(image, 11))
        second = parse_card([(line.text, line.height) for line in sparse])
        for name, value in second.items():
            if card[name] is None and name != "text":
                card[name] = value
    return card


def reread_name(image, lines):
    """Read the name line again on its own, in Japanese only and at a size Tesseract reads
    well: in large bold type it often reads the given name as Latin letters (加藤 AB).

    The name line is the tallest that is not the company, address, role, reading or a
    contact line. A reading replaces it only when it looks like a name of three characters
    or more and is no shorter than a name-like first reading.
    """
    from server.cards.parse import unclaimed

    candidates = [line for line in lines if unclaimed(line.text)]
    if not candidates:
        return lines
    big = max(candidates, key=lambda line: line.height)
    first = big.text.replace(" ", "")
    for target in (32, 48):
        text = reread(image, big, target, "jpn", margin=0.1, reach=1)
        plain = text.replace(" ", "")
        if (
            NAME_LIKE.match(text)
            and len(plain) >= 3
            and not (NAME_LIKE.match(big.text) and len(plain) < len(first))
        ):
            big.text = text
            break
    return lines


def reread(image, line, target, lang="jpn+eng", margin=0.5, reach=None):
    """The text of one line read on its own, scaled so its height is ``target`` pixels.

    ``margin`` (in line heights) is kept around the line; ``reach`` (in line heights) reads
    on past its right end (a glyph read as a stray letter may lie outside the line's box), or
    to the card's right edge when None (Tesseract sometimes ends a line at a hyphen).
    """
    pad = int(line.height * margin)
    right = image.width if reach is None else min(image.width, line.right + round(line.height * reach))
    box = (
        max(0, line.left - pad),
        max(0, line.top - pad),
        right,
        min(image.height, line.top + line.height + pad),
    )
    crop = image.crop(box)
    scale = target / max(1, line.height)
    small = crop.resize(
        (max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.LANCZOS
    )
    found = tesseract_lines(ImageOps.expand(small, 20, fill=255), 7, lang)
    return " ".join(found_line.text for found_line in found)


def reread_email(image, lines):
    """Read the address line again in Latin script at a few sizes and keep the address the
    readings agree on most, the first reading (in its context) counting a half more; among
    those tied, the longest (small type loses dots far more often than it gains any)."""
    for line in lines:
        if "@" not in line.text:
            continue
        readings = [line.text] + [reread(image, line, target, "eng") for target in (28, 40, 56)]
        votes = Counter()
        for weight, reading in zip((1.5, 1, 1, 1), readings, strict=False):
            match = EMAIL_LIKE.search(fold_email(reading))
            if match:
                votes[match.group(0)] += weight
        if votes:
            line.text = max(votes, key=lambda address: (votes[address], len(address)))
        return lines
    return lines


def fold_email(text):
    """An address as OCR gives it, without the spaces it puts inside, the .co.jp dots back."""
    text = re.sub(r"^.*?(e-?mail|mail)\s*(?:[:：]\s*|\s+)", "", text, flags=re.I)
    text = re.sub(r"\s+", "", text.replace(",", ".")).lower()
    return re.sub(r"\.?(co|ne|or|ac|go)\.?jp\b", r".\1.jp", text)
