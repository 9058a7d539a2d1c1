"""Japanese business cards rendered with the Noto CJK fonts, with what each one says.

Varied layouts, sizes, slight rotations and JPEG noise, from a seed: no downloaded data. Used
by the card-reading tests and ``bench/card_bench.py``.
"""

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
JP_FACE = 0  # the collection's first face is Japanese

COMPANY_STEMS = [
    "みらい精機",
    "東海プレス工業",
    "北斗製作所",
    "三協金属",
    "大和テクノ",
    "相模精工",
    "中央機械",
    "富士見工作所",
    "ミナト樹脂",
    "アサヒ電子",
    "山陽ダイカスト",
    "はやて技研",
    "丸高鋼材",
    "新星オートメーション",
    "光洋ベアリング",
    "浜松モールド",
]
FORMS = ["株式会社", "有限会社"]
DEPARTMENTS = ["営業部", "製造部", "生産技術部", "購買部", "品質保証部", "技術開発部 第二課", "総務部"]
TITLES = ["部長", "課長", "主任", "係長", "代表取締役", "マネージャー", None]
SURNAMES = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
]
GIVEN = [
    ("健太", "けんた"),
    ("一郎", "いちろう"),
    ("花子", "はなこ"),
    ("美咲", "みさき"),
    ("誠", "まこと"),
    ("大輔", "だいすけ"),
    ("直樹", "なおき"),
    ("由美", "ゆみ"),
    ("翔", "しょう"),
]
PREFECTURES = [
    ("愛知県", "名古屋市中区錦"),
    ("静岡県", "浜松市中央区板屋町"),
    ("大阪府", "東大阪市高井田"),
    ("東京都", "大田区南六郷"),
    ("神奈川県", "相模原市緑区橋本"),
    ("岐阜県", "岐阜市加納"),
]
ROMAJI = [
    "mirai",
    "tokai",
    "hokuto",
    "sankyo",
    "yamato",
    "sagami",
    "chuo",
    "fujimi",
    "minato",
    "asahi",
    "sanyo",
    "hayate",
    "marutaka",
    "shinsei",
    "koyo",
    "hamamatsu",
]


def font(size, bold=False):
    return ImageFont.truetype(BOLD if bold else FONT, size, index=JP_FACE)


def card_facts(rng):
    """What one card says, as the contract's ``card`` fields."""
    i = rng.randrange(len(COMPANY_STEMS))
    form = rng.choice(FORMS)
    company = f"{form}{COMPANY_STEMS[i]}" if rng.random() < 0.6 else f"{COMPANY_STEMS[i]}{form}"
    (sur, sur_kana), (given, given_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
    pref, city = rng.choice(PREFECTURES)
    area = rng.choice(["052", "053", "06", "03", "042", "058"])

    def number():
        rest = 10 - len(area)
        return f"{area}-{rng.randint(10 ** (rest - 5), 10 ** (rest - 4) - 1)}-{rng.randint(1000, 9999)}"

    domain = f"{ROMAJI[i]}-{rng.choice(['seiki', 'kogyo', 'tech', 'mfg'])}.co.jp"
    user = rng.choice(["k.sato", "info", "sales", "t.tanaka", "yamada", "m.ito"])
    return {
        "company": company,
        "department": rng.choice(DEPARTMENTS),
        "title": rng.choice(TITLES),
        "name": f"{sur} {given}",
        "name_kana": f"{sur_kana} {given_kana}" if rng.random() < 0.5 else None,
        "postal_code": f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}",
        "address": f"{pref}{city}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
        "phone": number(),
        "fax": number() if rng.random() < 0.8 else None,
        "mobile": f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}" if rng.random() < 0.7 else None,
        "email": f"{user}@{domain}",
        "url": f"https://www.{domain}/" if rng.random() < 0.6 else None,
    }


def lines_of(facts, rng):
    """The card's text lines as (text, role) for the layout to place."""
    wide = rng.random() < 0.3  # some cards print numbers full-width

    def num(text):
        return text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－")) if wide else text

    contact = [f"〒{num(facts['postal_code'])}", facts["address"], f"TEL {num(facts['phone'])}"]
    if facts["fax"]:
        contact.append(f"FAX {num(facts['fax'])}")
    if facts["mobile"]:
        contact.append(f"{rng.choice(['携帯', 'Mobile'])} {num(facts['mobile'])}")
    contact.append(f"{rng.choice(['E-mail: ', 'Mail ', ''])}{facts['email']}")
    if facts["url"]:
        contact.append(facts["url"])
    role = " ".join(x for x in (facts["department"], facts["title"]) if x)
    return facts["company"], role, facts["name"], facts["name_kana"], contact


def render(facts, rng):
    """One card photo as JPEG bytes."""
    width = rng.choice([1000, 1200, 1456, 1820])
    height = int(width * 55 / 91)
    unit = width / 1000
    card = Image.new("RGB", (width, height), tuple(rng.randint(238, 255) for _ in range(3)))
    draw = ImageDraw.Draw(card)
    company, role, name, kana, contact = lines_of(facts, rng)
    ink = tuple(rng.randint(0, 60) for _ in range(3))
    margin = int(60 * unit)
    centred = rng.random() < 0.4

    def put(text, y, size, bold=False):
        f = font(int(size * unit), bold)
        w = draw.textlength(text, font=f)
        x = (width - w) / 2 if centred else margin
        draw.text((x, y), text, font=f, fill=ink)
        return y + int(size * unit * 1.45)

    y = put(company, int(50 * unit), rng.choice([34, 40, 46]), bold=True)
    y = put(role, y + int(20 * unit), 28) if role else y
    name_size = rng.choice([60, 72, 84])
    if kana:
        y = put(kana, y + int(10 * unit), 22)
    y = put(name, y + int(10 * unit), name_size, bold=rng.random() < 0.5)
    size = 22 if len(contact) > 6 else 24
    y = max(y + int(15 * unit), height - int((len(contact) * size * 1.45 + 40) * unit))
    for line in contact:
        y = put(line, y, size)
    return photograph(card, rng)


def photograph(card, rng):
    """Put the card on a table, tilt it a little, blur and compress like a phone camera."""
    pad = int(card.width * 0.06)
    table = Image.new(
        "RGB", (card.width + 2 * pad, card.height + 2 * pad), tuple(rng.randint(60, 140) for _ in range(3))
    )
    table.paste(card, (pad, pad))
    table = table.rotate(
        rng.uniform(-3, 3), resample=Image.BICUBIC, expand=False, fillcolor=table.getpixel((0, 0))
    )
    table = table.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    noise = Image.effect_noise(table.size, rng.uniform(6, 18)).convert("RGB")
    table = Image.blend(table, noise, 0.06)
    out = io.BytesIO()
    table.save(out, "JPEG", quality=rng.randint(60, 90))
    return out.getvalue()


def cards(count, seed=15):
    """``count`` cards as ``(jpeg_bytes, facts)``, the same for the same seed."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        facts = card_facts(rng)
        made.append((render(facts, rng), facts))
    return made
