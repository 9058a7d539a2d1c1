"""What kind of file some bytes are (by their magic bytes), and timeline thumbnails (Pillow)."""

import io
import warnings

from PIL import Image, ImageDraw, ImageOps

THUMBNAIL_PX = 320
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# Declared types that the same sniffed bytes may carry (HEIF images often come as either).
SAME_KIND = {"image/heif": "image/heic"}


def sniff(head):
    """The content type the first bytes of a file show, or None when it is none we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def matches(declared, sniffed):
    return SAME_KIND.get(declared, declared) == sniffed


# Enough of a file to hold its dimensions (a JPEG's frame header may follow a large EXIF block).
HEADER_BYTES = 256 * 1024


def pixels(head):
    """Width × height an image's header declares (no pixel is decoded), or None when the bytes
    are no image Pillow reads; an absurd size counts as infinitely many."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(head)) as image:
                width, height = image.size
                return width * height
    except Image.DecompressionBombError:
        return float("inf")
    except (OSError, ValueError, SyntaxError):
        return None


def thumbnail(source, max_pixels):
    """JPEG bytes of a thumbnail (longest side 320 px), or None when Pillow cannot read it or
    the image is larger than ``max_pixels``.

    Pillow reads JPEG, PNG and WebP; HEIC needs a plugin that is not installed, and PDFs are
    documents: both get a placeholder from ``placeholder``. A JPEG is decoded already reduced
    (``draft``: 1/2 to 1/8 scale in the decoder), so memory follows the thumbnail, not the photo.
    ``source`` is a seekable binary file (the storage's copy of the blob).
    """
    try:
        with Image.open(source) as image:
            if image.width * image.height > max_pixels:
                return None
            image.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))
            factor = min(image.width, image.height) // (THUMBNAIL_PX * 2)
            if factor >= 2 and image.format != "JPEG":
                image = image.reduce(min(factor, 8))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None


def placeholder(label):
    """A plain thumbnail saying what the file is (e.g. ``PDF``, ``HEIC``) for files with no picture."""
    image = Image.new("RGB", (THUMBNAIL_PX, THUMBNAIL_PX * 3 // 4), (226, 230, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, image.width - 9, image.height - 9), outline=(120, 128, 140), width=3)
    draw.text((image.width // 2, image.height // 2), label, fill=(40, 44, 52), anchor="mm", font_size=48)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
