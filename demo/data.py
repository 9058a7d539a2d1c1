"""Deterministic Japanese demo data for Genba, expressed as sync mutations.

The data describes the customers of a small make-to-order machining / sheet
metal shop: food-machinery makers, automotive tier-2 suppliers, semiconductor
equipment makers, packaging and medical device makers around 愛知, 静岡, 大阪,
埼玉, 新潟 and neighbouring prefectures.

Everything is produced from ``random.Random(2026)`` and every ``record_id`` /
``mutation_id`` is a UUIDv5 over a fixed namespace and a stable key such as
``"customer-7"``, so the server (which dedups by ``mutation_id``) can apply
the result any number of times.  Dates are relative to ``today``; the random
sequence itself never depends on ``today``, so the same key always describes
the same customer, visit or quote.

Public interface::

    DEMO_USERS: list[dict]
    demo_batches(today, user_ids) -> list[tuple[login, list[mutation]]]
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from demo import factory
from server.reports.entities import daily_report_id

__all__ = ["DEMO_USERS", "demo_batches"]

NAMESPACE = uuid.UUID("6f1c3a52-9d4e-5b7a-8c21-4e0d2b9f7a13")
NODE = "demo"
SEED = 2026
MAX_BATCH = 500
DATED_ACTION_DAYS = 14  # visits this recent keep their next action's due date
# Next actions that name when they fall due, in months from the visit: the half-yearly
# inspection is arranged a month ahead. Still open until due, they keep their due date however
# old the visit, until three days past it.
DUE_IN_MONTHS = {"次回定期点検（半年後）の日程調整": 5, "1か月後に再確認": 1}
JST = dt.timezone(dt.timedelta(hours=9))

# --------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------

DEMO_USERS: list[dict] = [
    {"login": "rep1", "password": "genba-rep1", "name": "佐藤 健太", "role": "rep", "team": "東日本"},
    {"login": "rep2", "password": "genba-rep2", "name": "中西 亮介", "role": "rep", "team": "西日本"},
    {
        "login": "tech1",
        "password": "genba-tech1",
        "name": "石原 大輔",
        "role": "technician",
        "team": "service",
    },
    {
        # 製造: complaints about quality are routed to manufacturing and assigned to its staff.
        "login": "factory1",
        "password": "genba-factory1",
        "name": "森 拓也",
        "role": "technician",
        "team": "manufacturing",
    },
    {
        "login": "office1",
        "password": "genba-office1",
        "name": "小野 美咲",
        "role": "office",
        "team": "office",
    },
    {
        "login": "manager1",
        "password": "genba-manager1",
        "name": "松田 浩一",
        "role": "manager",
        "team": "東日本",
    },
    {"login": "admin", "password": "genba-admin", "name": "高木 誠", "role": "admin", "team": "office"},
]

REP_OF_TEAM = {"東日本": "rep1", "西日本": "rep2"}
# The team a request goes to when the office assigns it to this person (none: the office's own).
ROUTE_OF_ASSIGNEE = {
    user["login"]: "sales"
    if user["role"] == "rep"
    else user["team"]
    if user["team"] in ("service", "manufacturing")
    else None
    for user in DEMO_USERS
}

# Order in which authors' batches are applied (admin writes nothing).
AUTHOR_ORDER = ["rep1", "rep2", "manager1", "tech1", "office1"]
FACTORY_ENTITIES = ("resource_groups", "company_holidays", "load_entries")
ENTITY_ORDER = [
    "resource_groups",
    "company_holidays",
    "load_entries",
    "customers",
    "contacts",
    "deals",
    "deal_events",
    "visits",
    "requests",
    "quotes",
    "daily_reports",
]

# --------------------------------------------------------------------------
# Enums (wire contract)
# --------------------------------------------------------------------------

VISIT_KINDS = ("sales", "aftercare", "phone", "email", "fax", "event")
REQUEST_KINDS = ("request", "complaint", "question")
URGENCIES = ("low", "normal", "high")
REQUEST_STATUSES = ("new", "triaged", "in_progress", "answered", "closed")
DEAL_STAGES = (
    "card_exchange",
    "first_contact",
    "product_intro",
    "interest_check",
    "needs_hearing",
    "proposal_quote",
    "quote_revision",
    "won",
    "lost",
)
BALLS = ("ours", "customer")
SITUATIONS = ("competitor", "budget_tight", "spec_change", "decision_maker_change", "postponed")
QUOTE_STATUSES = ("draft", "submitted", "accepted", "rejected")

# --------------------------------------------------------------------------
# Master tables
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSeed:
    """Static description of one demo customer."""

    team: str
    name: str
    kana: str
    slug: str  # romaji, hyphenated; initials give the drawing-number prefix
    industry: str
    address: str  # prefecture + city
    area: str  # telephone area code


CUSTOMER_SEEDS: list[CustomerSeed] = [
    # --- team 東日本 (rep1) ---
    CustomerSeed(
        "東日本", "山田製作所", "ヤマダセイサクショ", "yamada-seisakusho", "factory", "埼玉県川口市", "048"
    ),
    CustomerSeed(
        "東日本",
        "株式会社北辰フードマシナリー",
        "ホクシンフードマシナリー",
        "hokushin-food",
        "food",
        "新潟県燕市",
        "0256",
    ),
    CustomerSeed(
        "東日本", "有限会社三条精工", "サンジョウセイコウ", "sanjo-seiko", "factory", "新潟県三条市", "0256"
    ),
    CustomerSeed(
        "東日本",
        "株式会社関東オートパーツ",
        "カントウオートパーツ",
        "kanto-auto",
        "auto",
        "群馬県太田市",
        "0276",
    ),
    CustomerSeed(
        "東日本",
        "株式会社武蔵野セミテック",
        "ムサシノセミテック",
        "musashino-semitec",
        "semi",
        "東京都八王子市",
        "042",
    ),
    CustomerSeed(
        "東日本", "株式会社富士包装機械", "フジホウソウキカイ", "fuji-hoso", "pack", "静岡県富士市", "0545"
    ),
    CustomerSeed(
        "東日本",
        "株式会社浜松メディカルデバイス",
        "ハママツメディカルデバイス",
        "hamamatsu-medical",
        "medical",
        "静岡県浜松市中央区",
        "053",
    ),
    CustomerSeed(
        "東日本", "有限会社秩父精密", "チチブセイミツ", "chichibu-seimitsu", "factory", "埼玉県秩父市", "0494"
    ),
    CustomerSeed(
        "東日本",
        "株式会社さいたま食品機工",
        "サイタマショクヒンキコウ",
        "saitama-shokuhin",
        "food",
        "埼玉県さいたま市北区",
        "048",
    ),
    CustomerSeed(
        "東日本",
        "株式会社長岡エンジニアリング",
        "ナガオカエンジニアリング",
        "nagaoka-eng",
        "semi",
        "新潟県長岡市",
        "0258",
    ),
    CustomerSeed(
        "東日本",
        "株式会社宇都宮ライン機器",
        "ウツノミヤラインキキ",
        "utsunomiya-line",
        "pack",
        "栃木県宇都宮市",
        "028",
    ),
    CustomerSeed(
        "東日本", "株式会社相模精機", "サガミセイキ", "sagami-seiki", "auto", "神奈川県相模原市中央区", "042"
    ),
    CustomerSeed(
        "東日本",
        "株式会社沼津パックシステム",
        "ヌマヅパックシステム",
        "numazu-pack",
        "pack",
        "静岡県沼津市",
        "055",
    ),
    CustomerSeed(
        "東日本", "有限会社上越板金", "ジョウエツバンキン", "joetsu-bankin", "factory", "新潟県上越市", "025"
    ),
    CustomerSeed(
        "東日本",
        "株式会社熊谷ファインツール",
        "クマガヤファインツール",
        "kumagaya-finetool",
        "auto",
        "埼玉県熊谷市",
        "048",
    ),
    CustomerSeed(
        "東日本",
        "株式会社つくばバイオメディカル",
        "ツクババイオメディカル",
        "tsukuba-bio",
        "medical",
        "茨城県つくば市",
        "029",
    ),
    CustomerSeed(
        "東日本",
        "株式会社高崎オートテック",
        "タカサキオートテック",
        "takasaki-autotec",
        "auto",
        "群馬県高崎市",
        "027",
    ),
    CustomerSeed(
        "東日本",
        "株式会社静岡製茶機械",
        "シズオカセイチャキカイ",
        "shizuoka-seicha",
        "food",
        "静岡県島田市",
        "0547",
    ),
    CustomerSeed(
        "東日本",
        "株式会社厚木真空技研",
        "アツギシンクウギケン",
        "atsugi-shinku",
        "semi",
        "神奈川県厚木市",
        "046",
    ),
    CustomerSeed(
        "東日本", "有限会社所沢工機", "トコロザワコウキ", "tokorozawa-koki", "factory", "埼玉県所沢市", "04"
    ),
    CustomerSeed(
        "東日本",
        "株式会社新潟ライスマシン",
        "ニイガタライスマシン",
        "niigata-rice",
        "agri",
        "新潟県新潟市東区",
        "025",
    ),
    CustomerSeed(
        "東日本", "株式会社小山メカトロ", "オヤマメカトロ", "oyama-mechatro", "robot", "栃木県小山市", "0285"
    ),
    # --- team 西日本 (rep2) ---
    CustomerSeed(
        "西日本",
        "株式会社中部フードテック",
        "チュウブフードテック",
        "chubu-foodtech",
        "food",
        "愛知県名古屋市港区",
        "052",
    ),
    CustomerSeed(
        "西日本",
        "株式会社三河オートパーツ",
        "ミカワオートパーツ",
        "mikawa-auto",
        "auto",
        "愛知県豊田市",
        "0565",
    ),
    CustomerSeed(
        "西日本",
        "株式会社刈谷プレス工業",
        "カリヤプレスコウギョウ",
        "kariya-press",
        "auto",
        "愛知県刈谷市",
        "0566",
    ),
    CustomerSeed(
        "西日本", "有限会社岡崎精工", "オカザキセイコウ", "okazaki-seiko", "factory", "愛知県岡崎市", "0564"
    ),
    CustomerSeed(
        "西日本", "株式会社浪速包装機", "ナニワホウソウキ", "naniwa-hoso", "pack", "大阪府東大阪市", "06"
    ),
    CustomerSeed(
        "西日本",
        "株式会社堺セミコンエンジニアリング",
        "サカイセミコンエンジニアリング",
        "sakai-semicon",
        "semi",
        "大阪府堺市北区",
        "072",
    ),
    CustomerSeed(
        "西日本",
        "株式会社大阪メディカルテクノ",
        "オオサカメディカルテクノ",
        "osaka-medical",
        "medical",
        "大阪府吹田市",
        "06",
    ),
    CustomerSeed(
        "西日本",
        "株式会社一宮製作所",
        "イチノミヤセイサクショ",
        "ichinomiya-ss",
        "factory",
        "愛知県一宮市",
        "0586",
    ),
    CustomerSeed(
        "西日本",
        "株式会社春日井ファクトリー",
        "カスガイファクトリー",
        "kasugai-factory",
        "robot",
        "愛知県春日井市",
        "0568",
    ),
    CustomerSeed(
        "西日本",
        "有限会社八尾板金工業",
        "ヤオバンキンコウギョウ",
        "yao-bankin",
        "factory",
        "大阪府八尾市",
        "072",
    ),
    CustomerSeed(
        "西日本",
        "株式会社岐阜食品機械",
        "ギフショクヒンキカイ",
        "gifu-shokuhin",
        "food",
        "岐阜県岐阜市",
        "058",
    ),
    CustomerSeed(
        "西日本",
        "株式会社四日市ケミカルマシン",
        "ヨッカイチケミカルマシン",
        "yokkaichi-chemical",
        "chem",
        "三重県四日市市",
        "059",
    ),
    CustomerSeed(
        "西日本",
        "株式会社鈴鹿オートテクノ",
        "スズカオートテクノ",
        "suzuka-autotechno",
        "auto",
        "三重県鈴鹿市",
        "059",
    ),
    CustomerSeed(
        "西日本",
        "株式会社京都精密機器",
        "キョウトセイミツキキ",
        "kyoto-seimitsu",
        "medical",
        "京都府京都市南区",
        "075",
    ),
    CustomerSeed(
        "西日本",
        "株式会社神戸パッケージング",
        "コウベパッケージング",
        "kobe-packaging",
        "pack",
        "兵庫県神戸市西区",
        "078",
    ),
    CustomerSeed(
        "西日本",
        "株式会社姫路メタルワークス",
        "ヒメジメタルワークス",
        "himeji-metalworks",
        "factory",
        "兵庫県姫路市",
        "079",
    ),
    CustomerSeed(
        "西日本",
        "株式会社豊橋アグリマシン",
        "トヨハシアグリマシン",
        "toyohashi-agri",
        "agri",
        "愛知県豊橋市",
        "0532",
    ),
    CustomerSeed(
        "西日本",
        "株式会社安城ロボテック",
        "アンジョウロボテック",
        "anjo-robotec",
        "robot",
        "愛知県安城市",
        "0566",
    ),
    CustomerSeed(
        "西日本",
        "有限会社守口工作所",
        "モリグチコウサクショ",
        "moriguchi-kosakusho",
        "factory",
        "大阪府守口市",
        "06",
    ),
    CustomerSeed(
        "西日本",
        "株式会社大垣セミテック",
        "オオガキセミテック",
        "ogaki-semitec",
        "semi",
        "岐阜県大垣市",
        "0584",
    ),
    CustomerSeed(
        "西日本",
        "株式会社小牧パックマシン",
        "コマキパックマシン",
        "komaki-packmachine",
        "pack",
        "愛知県小牧市",
        "0568",
    ),
    CustomerSeed(
        "西日本",
        "株式会社尼崎ヘルスケア機器",
        "アマガサキヘルスケアキキ",
        "amagasaki-healthcare",
        "medical",
        "兵庫県尼崎市",
        "06",
    ),
]

INDUSTRIES: dict[str, dict[str, Any]] = {
    "food": {
        "label": "食品機械メーカー",
        "buys": "SUS304の溶接フレーム、カバー類、充填ノズル部品",
        "equipment": ["充填ノズルユニット", "搬送コンベア用ガイド治具", "洗浄槽カバー一式"],
        "deals": [
            "充填機ノズルユニット部品の継続受注",
            "食品搬送コンベア用SUSフレーム製作",
            "洗浄機カバー類の板金一括手配",
        ],
    },
    "auto": {
        "label": "自動車部品メーカー（Tier2）",
        "buys": "溶接治具、検査治具、治具プレート、ブラケット",
        "equipment": ["溶接治具", "検査治具", "圧入専用機"],
        "deals": ["新型車対応の溶接治具製作", "検査ゲージ一式の製作", "プレス工程用治具プレートの年間契約"],
    },
    "semi": {
        "label": "半導体製造装置メーカー",
        "buys": "真空チャンバー用フランジ、アルミハウジング、装置フレーム",
        "equipment": ["ウェハ搬送ユニット架台", "真空チャンバー用治具", "装置フレーム"],
        "deals": [
            "真空チャンバー用フランジの量産化",
            "ウェハ搬送ユニット部品の外注切替",
            "装置フレームの溶接・精密加工一括",
        ],
    },
    "pack": {
        "label": "包装機械メーカー",
        "buys": "シール治具、シャフト、カバー、ブラケット",
        "equipment": ["シールバー治具", "フィルム送りローラーユニット", "安全カバー一式"],
        "deals": ["包装機用シール治具の更新", "ピロー包装機部品の短納期対応", "安全カバー類の板金一括手配"],
    },
    "medical": {
        "label": "医療機器メーカー",
        "buys": "SUS316Lの精密切削部品、アルミハウジング",
        "equipment": ["検査装置用ステージ", "組立用位置決め治具", "恒温槽用ラック"],
        "deals": [
            "検査装置用アルミハウジングの試作",
            "SUS316L精密部品の量産移行",
            "分析装置カバーの外観品質改善",
        ],
    },
    "factory": {
        "label": "地場の機械加工・組立工場",
        "buys": "協力加工（旋盤・フライス）、溶接架台",
        "equipment": ["溶接架台", "専用組立治具", "搬送台車"],
        "deals": [
            "設備更新に伴う専用機部品一式",
            "保全用スペアパーツの定期手配",
            "繁忙期の旋盤加工の協力依頼",
        ],
    },
    "agri": {
        "label": "農業機械メーカー",
        "buys": "シャフト、ブラケット、ギアケース用カバー",
        "equipment": ["精米機用スクリュー部品", "選別機フレーム", "組立用治具"],
        "deals": ["精米機シャフト類の年間手配", "選別機フレームの溶接一括", "新型機向け板金カバーの試作"],
    },
    "chem": {
        "label": "化学プラント向け機械メーカー",
        "buys": "SUS316Lの配管継手、フランジ、タンク付属品",
        "equipment": ["撹拌槽用架台", "配管サポート", "点検用ステージ"],
        "deals": ["SUS316L配管継手の量産", "撹拌槽付属品の製作", "点検ステージの設計製作"],
    },
    "robot": {
        "label": "FA・ロボットシステムインテグレーター",
        "buys": "ロボットハンド部品、ベースプレート、アルミブラケット",
        "equipment": ["ロボット架台", "ワーク位置決め治具", "ハンド交換ステーション"],
        "deals": [
            "ロボットハンド部品の短納期対応",
            "ロボット架台の標準化",
            "自動化ライン用ベースプレート一式",
        ],
    },
}

PAYMENT_TERMS = [
    "月末締め翌月末払い",
    "20日締め翌月20日払い",
    "月末締め翌々月10日払い",
    "15日締め翌月15日払い",
]
CUSTOMER_REMARKS = [
    "検査成績書の添付が必須。",
    "図面はDXF/PDFで支給される。",
    "ISO9001取得企業のため、材料証明書（ミルシート）を求められることが多い。",
    "技術部主導で外注先を選定する。購買部は価格交渉が中心。",
    "短納期の依頼が多いが、リピート品は安定している。",
    "年度末（3月）に設備投資が集中する。",
    "夏季・年末年始の長期休暇前に駆け込み発注がある。",
]
TOWNS = [
    "本町",
    "栄町",
    "緑町",
    "中央",
    "東町",
    "西町",
    "新町",
    "工業団地",
    "大和町",
    "昭和町",
    "旭町",
    "港町",
]

SURNAMES = [
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"),
    ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"),
    ("森", "モリ", "mori"),
    ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"),
    ("石川", "イシカワ", "ishikawa"),
    ("前田", "マエダ", "maeda"),
    ("藤田", "フジタ", "fujita"),
    ("後藤", "ゴトウ", "goto"),
    ("岡田", "オカダ", "okada"),
    ("長谷川", "ハセガワ", "hasegawa"),
    ("村上", "ムラカミ", "murakami"),
    ("近藤", "コンドウ", "kondo"),
    ("石井", "イシイ", "ishii"),
    ("坂本", "サカモト", "sakamoto"),
    ("遠藤", "エンドウ", "endo"),
    ("青木", "アオキ", "aoki"),
    ("藤井", "フジイ", "fujii"),
    ("西村", "ニシムラ", "nishimura"),
    ("福田", "フクダ", "fukuda"),
    ("太田", "オオタ", "ota"),
    ("三浦", "ミウラ", "miura"),
]
GIVEN_NAMES = [
    ("健太", "ケンタ", "kenta"),
    ("翔太", "ショウタ", "shota"),
    ("大輔", "ダイスケ", "daisuke"),
    ("拓也", "タクヤ", "takuya"),
    ("和也", "カズヤ", "kazuya"),
    ("誠", "マコト", "makoto"),
    ("浩二", "コウジ", "koji"),
    ("隆", "タカシ", "takashi"),
    ("茂", "シゲル", "shigeru"),
    ("修", "オサム", "osamu"),
    ("剛", "ツヨシ", "tsuyoshi"),
    ("直樹", "ナオキ", "naoki"),
    ("裕介", "ユウスケ", "yusuke"),
    ("恵子", "ケイコ", "keiko"),
    ("美穂", "ミホ", "miho"),
    ("由美", "ユミ", "yumi"),
    ("真由美", "マユミ", "mayumi"),
    ("智子", "トモコ", "tomoko"),
    ("陽子", "ヨウコ", "yoko"),
    ("彩", "アヤ", "aya"),
    ("明美", "アケミ", "akemi"),
    ("健一", "ケンイチ", "kenichi"),
    ("雅人", "マサト", "masato"),
    ("聡", "サトシ", "satoshi"),
    ("亮", "リョウ", "ryo"),
    ("哲也", "テツヤ", "tetsuya"),
    ("光男", "ミツオ", "mitsuo"),
    ("康弘", "ヤスヒロ", "yasuhiro"),
]
# Department of the 1st, 2nd and 3rd contact of a customer.
CONTACT_DEPARTMENTS = [["購買部"], ["技術部", "製造部"], ["品質保証部", "製造部", "技術部"]]
TITLES = ["部長", "課長", "課長", "係長", "係長", "主任", "主任", None]

COMPETITORS = [
    "丸栄精機工業",
    "昭和メタルテック",
    "大和精密加工",
    "協栄製作所",
    "中部テクノ工業",
    "関東シートメタル",
]
EVENT_NOTES = {
    "competitor": [
        "先方購買から相見積の結果を聞いた。",
        "担当者から口頭で価格を聞いた。",
        "他社見積書を見せてもらった。",
    ],
    "budget_tight": ["今期の予算枠が残り少ないとのこと。", "値下げ要望あり。目標は現行比10%減。"],
    "spec_change": ["板厚と表面処理の変更が入る見込み。図面改訂待ち。", "数量が半分になる可能性あり。"],
    "decision_maker_change": ["購買課長が交代。新任の方へ挨拶が必要。", "決裁が工場長から本社購買へ移った。"],
    "postponed": ["設備導入が来期に延期。", "先方の生産計画見直しで1か月延期。"],
}
LOST_REASONS = [
    "価格差（競合比 約12%高）",
    "納期が先方希望に合わず",
    "先方の設備投資計画が凍結",
    "内製化の決定",
    "初取引のため品質実績不足と判断された",
]
SURFACES = {
    "SUS304": ["電解研磨", "バフ研磨#400", "酸洗い"],
    "SUS316L": ["電解研磨", "不動態化処理"],
    "SS400": ["黒染め", "メラミン焼付塗装", "溶融亜鉛めっき"],
    "S45C": ["無電解ニッケルめっき", "高周波焼入れ（HRC50〜55）", "黒染め"],
    "A5052": ["白アルマイト", "黒アルマイト"],
    "A6061": ["白アルマイト", "硬質アルマイト"],
    "C3604": ["ニッケルめっき", "表面処理なし"],
}
MATERIAL_FACTOR = {
    "SS400": 0.9,
    "S45C": 1.0,
    "A5052": 1.0,
    "A6061": 1.05,
    "C3604": 1.1,
    "SUS304": 1.3,
    "SUS316L": 1.6,
}


@dataclass(frozen=True)
class Product:
    """A part family the shop quotes: shape, usual materials and methods."""

    name: str
    shape: str  # round, sheet, plate, block, frame
    materials: tuple[str, ...]
    methods: tuple[str, ...]
    unit_price: tuple[int, int]  # yen, per piece at quantity 1


PRODUCTS = [
    Product("シャフト", "round", ("S45C", "SUS304"), ("旋盤", "研磨"), (3000, 25000)),
    Product("フランジ", "round", ("SUS304", "SS400", "SUS316L"), ("旋盤", "マシニング"), (4000, 40000)),
    Product("ブッシュ", "round", ("C3604", "S45C"), ("旋盤",), (800, 5000)),
    Product("ノズル", "round", ("SUS316L", "C3604", "SUS304"), ("旋盤",), (2500, 18000)),
    Product("配管継手", "round", ("SUS316L", "SUS304"), ("旋盤",), (2000, 12000)),
    Product("ブラケット", "sheet", ("SS400", "SUS304", "A5052"), ("曲げ", "レーザー", "溶接"), (600, 6000)),
    Product("カバー", "sheet", ("SUS304", "A5052"), ("レーザー", "曲げ", "溶接"), (3000, 30000)),
    Product("治具プレート", "plate", ("A5052", "S45C", "SS400"), ("フライス", "マシニング"), (8000, 60000)),
    Product("ベースプレート", "plate", ("SS400", "A6061"), ("フライス", "マシニング"), (10000, 80000)),
    Product("ハウジング", "block", ("A6061", "A5052"), ("マシニング",), (12000, 90000)),
    Product("マニホールドブロック", "block", ("A5052", "SUS304"), ("マシニング",), (15000, 70000)),
    Product("ガイドレール", "block", ("S45C",), ("フライス", "研磨"), (6000, 40000)),
    Product("架台フレーム", "frame", ("SS400", "SUS304"), ("溶接",), (80000, 450000)),
]

PROCESS_FLOW = {
    "旋盤": "NC旋盤で外径・内径・ねじ加工→バリ取り→{surface}",
    "研磨": "NC旋盤荒加工→熱処理→円筒研削盤で仕上げ→{surface}",
    "フライス": "フライス盤で六面加工→穴あけ・タップ→{surface}",
    "マシニング": "立形マシニングセンタで多面加工（2段取り）→バリ取り→三次元測定→{surface}",
    "曲げ": "タレパン抜き→ベンダー曲げ→バリ取り→{surface}",
    "レーザー": "ファイバーレーザー切断→曲げ→スポット溶接→{surface}",
    "溶接": "レーザー切断→曲げ→TIG溶接→歪み取り→{surface}",
}
DIFFICULTIES = {
    "旋盤": [
        "細長比が大きく、びびりが出やすい",
        "内径H7公差のため仕上げ代の管理が必要",
        "ねじ部の同軸度0.02の要求あり",
    ],
    "研磨": ["円筒度0.005の要求あり", "焼入れ後研磨のため取り代の管理が必要"],
    "フライス": ["平面度0.02の要求あり、ひずみ取りが必要", "長尺のため段取りに時間がかかる"],
    "マシニング": [
        "薄肉形状で加工時のひずみに注意",
        "多面加工のため段取り回数が多い",
        "深穴加工（L/D=8）あり",
    ],
    "曲げ": ["曲げ順序によっては金型と干渉する", "スプリングバック量の見極めが必要"],
    "レーザー": ["微細穴が多く熱影響に注意", "保護フィルム付き材のため加工条件の調整が必要"],
    "溶接": [
        "薄板のため溶接歪みが出やすい",
        "溶接後の平面度0.2以内の要求あり",
        "ビード外観の指定あり（手直し不可）",
    ],
}
MATERIAL_DIFFICULTIES = {
    "SUS316L": "加工硬化しやすく工具摩耗が大きい",
    "C3604": "切粉が細かく、巻き付き対策が必要",
    "A5052": "外観部品のためキズ厳禁",
}

# --------------------------------------------------------------------------
# Visit, deal and request text templates
# --------------------------------------------------------------------------

SALES_VISITS = [
    (
        "商談",
        "{contact}様と{product}の次期ロットについて打合せ。月産{qty}個ペースで継続の見込み。材質を{material}から変更する案も検討中とのこと。",
        "現行単価での継続を確認。材質変更時の価格差を概算で回答。",
        "材質変更時の見積提出",
    ),
    (
        "新製品紹介",
        "新設した5軸マシニングセンタと加工サンプルを紹介。複雑形状の{product}を一体加工できる点に関心あり。",
        "設備リストと加工事例集を手渡し。",
        "サンプル加工の提案",
    ),
    (
        "見積説明",
        "{product}（図番{drawing}）の見積内容を説明。単価について{pct}%程度の値下げ要望あり。",
        "数量まとめによるコストダウン案を口頭で提示。",
        "再見積の提出",
    ),
    (
        "定期訪問",
        "購買部へ定期訪問。今期の生産計画と設備投資予定をヒアリング。下期に増産予定あり。",
        "繁忙期の協力加工について前向きに回答。",
        "下期の発注予定を確認",
    ),
    (
        "図面打合せ",
        "技術部と{product}の図面レビュー。公差±0.01の箇所があり、研磨工程の追加を提案。",
        "加工可能な公差と工程案を説明。図面修正を依頼。",
        "改訂図面の受領確認",
    ),
    (
        "納品立会い",
        "{product}初回ロット{qty}個の納品に立会い。受入検査で寸法・外観とも問題なし。",
        "検査成績書を手渡し。次回ロットの納期を確認。",
        "次回ロットの材料手配",
    ),
]
PHONE_CONTACTS = [
    (
        "納期確認",
        "{contact}様より{product}の納期確認の電話。当初予定どおり出荷できる旨を回答。",
        "工程表を確認して回答。",
        None,
    ),
    (
        "見積問合せ",
        "{product}（{material}）の概算価格の問合せ。数量{qty}個。",
        "図面を送付いただくよう依頼。",
        "図面受領後に見積作成",
    ),
    ("日程調整", "次回打合せの日程調整。", "候補日を3つ提示。", "訪問日の確定"),
]
EMAIL_CONTACTS = [
    (
        "図面受領",
        "{product}の図面（図番{drawing}）をメールで受領。",
        "受領の旨を返信し、不明点を質問。",
        "見積作成",
    ),
    ("見積送付", "{product}の見積書をPDFで送付。", "送付後に電話で到着を確認。", "検討結果の確認"),
    ("仕様確認", "表面処理の指定（{surface}）について仕様確認のメール。", "対応可能である旨を返信。", None),
]
FAX_CONTACTS = [
    ("注文書受領", "{product} {qty}個の注文書をFAXで受領。", "注文請書を返送。生産計画に登録。", None),
    (
        "図面受領",
        "{product}の改訂図面をFAXで受領。一部寸法が判読しづらい。",
        "鮮明な図面をメールで再送いただくよう依頼。",
        "図面の再受領",
    ),
]
EVENT_VISITS = [
    (
        "展示会",
        "機械要素技術展の当社ブースに来場。{product}の加工サンプルに関心を示された。",
        "名刺交換と会社案内の送付を約束。",
        "お礼メールと会社案内の送付",
    ),
    (
        "展示会",
        "メッセナゴヤの当社ブースに来場。板金から溶接・機械加工まで一貫対応できる点を評価。",
        "加工事例集を手渡し。",
        "訪問アポイントの取得",
    ),
    (
        "技術セミナー",
        "当社主催の「薄板溶接の歪み対策」セミナーに参加いただいた。",
        "個別相談の申込みを受付。",
        "個別相談の日程調整",
    ),
]
AFTERCARE_VISITS = [
    (
        "定期点検",
        "納入済み{equipment}の定期点検。各部の摩耗・ガタを確認。{finding}",
        "点検報告書を作成し、{contact}様に提出。",
        "次回定期点検（半年後）の日程調整",
    ),
    (
        "修理対応",
        "{equipment}の{symptom}について現地確認。{cause}が原因と判明。",
        "{fix}を実施し、試運転で異常なしを確認。",
        "1か月後に再確認",
    ),
    (
        "部品交換",
        "{equipment}の消耗部品（ガイドローラー、ブッシュ）を交換。",
        "交換前後の動作確認を実施。交換部品の在庫を先方に説明。",
        "予備部品の見積提出",
    ),
    (
        "据付調整",
        "{equipment}の移設に伴う据付・レベル調整を実施。",
        "位置決め精度を測定し、許容値内を確認。",
        None,
    ),
]
AFTERCARE_FINDINGS = [
    "特に異常なし。",
    "位置決めピンの摩耗が進んでおり、次回交換を推奨。",
    "ボルトの緩みが2か所あり増し締め。",
    "エアシリンダのスピードコントローラを再調整。",
]
REPAIR_CASES = [
    ("異音", "ベアリングの摩耗", "ベアリング交換"),
    ("位置ずれ", "位置決めピンの摩耗", "位置決めピン交換と再調整"),
    ("動作不良", "近接センサの取付位置ずれ", "センサ位置の再調整"),
    ("油漏れ", "オイルシールの劣化", "オイルシール交換"),
]

DEAL_STEP_TEXT = {
    0: (
        "名刺交換",
        "{event}で名刺交換。{label}として{product}の外注先を探しているとのこと。",
        "会社案内を送付予定。",
        "初回訪問のアポイント取得",
    ),
    1: (
        "初回訪問",
        "初回訪問。会社案内と設備リストを説明。現状は{competitor}に発注中。",
        "当社の強み（板金〜機械加工の一貫対応）を説明。",
        "加工事例の紹介",
    ),
    2: (
        "製品紹介",
        "当社の加工事例（{product}・{material}）を紹介。サンプルを手に取って精度を確認いただいた。",
        "サンプルを預けて社内回覧を依頼。",
        "反応の確認",
    ),
    3: (
        "関心度確認",
        "{contact}様より、次期案件で当社に声をかけたいとの反応。年間数量は{qty}個程度の見込み。",
        "図面の提供を依頼。",
        "要求仕様のヒアリング",
    ),
    4: (
        "ニーズヒアリング",
        "要求仕様をヒアリング。公差、表面処理（{surface}）、納期{lead}日以内が条件。検査成績書必須。",
        "仕様を整理して社内で工程検討。",
        "見積提出",
    ),
    5: (
        "見積提出",
        "見積書を提出し内容を説明。{competitor}の価格と比較検討するとのこと。",
        "数量別の単価表を添付。",
        "検討結果の確認",
    ),
    6: (
        "見積修正",
        "価格について再検討の依頼。工程集約（{method}一括）でコストダウン案を提示予定。",
        "目標価格をヒアリング。",
        "修正見積の提出",
    ),
    7: (
        "受注御礼",
        "正式発注を受領。初回ロット{qty}個、{lead}日後に納品予定。",
        "注文請書を提出。材料を手配。",
        "初回ロットの納品立会い",
    ),
    8: (
        "失注確認",
        "失注の連絡を受けた。理由：{lost_reason}。",
        "次回案件での再提案の機会をお願いした。",
        "半年後に状況確認",
    ),
}

# (kind, title, details, urgency, assignee login, response)
TECH_REQUESTS = [
    (
        "complaint",
        "主軸から異音がする",
        "納入した{equipment}の主軸付近から運転中にカラカラと異音がする。稼働は継続できている。",
        "high",
        "tech1",
        "現地確認の結果、ベアリングの摩耗が原因。交換して異音解消を確認しました。",
    ),
    (
        "complaint",
        "位置決めがずれる",
        "{equipment}でワークの位置決めが0.3mmほどずれることがある。",
        "high",
        "tech1",
        "位置決めピンの摩耗を確認し交換しました。再発防止のため点検周期を短縮します。",
    ),
    (
        "complaint",
        "エアシリンダの動作が遅い",
        "{equipment}のクランプ動作が以前より遅くなった。",
        "normal",
        "tech1",
        "スピードコントローラの調整とフィルタ清掃で改善しました。",
    ),
    (
        "request",
        "交換部品を手配してほしい",
        "{equipment}の消耗部品（ガイドローラー4個、ブッシュ8個）を予備として手配したい。",
        "normal",
        "rep",
        "交換部品の見積を提出しました。ご注文後1週間で出荷可能です。",
    ),
    (
        "request",
        "定期点検の日程を前倒ししたい",
        "生産計画の都合で、次回定期点検を来月初旬に前倒ししたい。",
        "low",
        "tech1",
        "ご希望の日程で点検を実施します。",
    ),
    (
        "question",
        "操作方法について質問",
        "{equipment}の段取り替え手順について、新任の作業者向けに説明してほしい。",
        "low",
        "tech1",
        "手順書を作成してお送りし、次回訪問時に現地で説明しました。",
    ),
    (
        "question",
        "オーバーホールの目安について",
        "{equipment}のオーバーホール時期の目安と概算費用を知りたい。",
        "low",
        "rep",
        "稼働状況から2年後を目安とご案内し、概算費用をお伝えしました。",
    ),
]
OFFICE_REQUESTS = [
    (
        "complaint",
        "寸法不良が発生",
        "納品した{product}（図番{drawing}）{qty}個中3個で内径が公差外との連絡。",
        "high",
        "tech1",
        "不良品を回収し、代品を3日後に納品しました。原因は工具摩耗の見逃しで、測定頻度を見直しました。",
    ),
    (
        "complaint",
        "納品数量が不足している",
        "{product}の納品数量が注文より5個少ない。",
        "high",
        "office1",
        "梱包時の数え間違いでした。不足分を翌日便で発送しました。",
    ),
    (
        "complaint",
        "溶接部の外観不良",
        "{product}の溶接ビードにムラがあり、外観検査で不合格となった。",
        "normal",
        "tech1",
        "手直し品を再納品しました。溶接条件を標準化し再発防止を図ります。",
    ),
    (
        "complaint",
        "錆が発生している",
        "納品した{product}（{material}）の一部に錆が発生している。",
        "normal",
        "tech1",
        "防錆油の塗布と梱包方法を変更しました。対象品は再処理して納品済みです。",
    ),
    (
        "request",
        "納期を早めたい",
        "{product} {qty}個の納期を1週間早めてほしい。先方のライン立ち上げが前倒しになったため。",
        "high",
        "rep",
        "工程を組み替え、分納（半数を先行出荷）で対応しました。",
    ),
    (
        "request",
        "ミルシートを提出してほしい",
        "{product}（{material}）の材料証明書（ミルシート）の写しを提出してほしい。",
        "low",
        "office1",
        "ミルシートの写しをPDFで送付しました。",
    ),
    (
        "question",
        "請求書の送付先変更について",
        "経理部の移転に伴い、来月から請求書の送付先を変更したい。",
        "low",
        "office1",
        "送付先を変更しました。次回請求分から新住所へお送りします。",
    ),
    (
        "question",
        "表面処理の選択について",
        "{product}の表面処理を{surface}から変更した場合の価格と納期を知りたい。",
        "normal",
        "rep",
        "処理変更時の価格差と納期（+3日）を回答しました。",
    ),
]
REP_REQUESTS = [
    (
        "request",
        "見積を再提出してほしい",
        "{product}（図番{drawing}）について、数量を{qty}個に変更して見積を再提出してほしい。",
        "normal",
        "rep",
        "数量変更後の見積を再提出しました。",
    ),
    (
        "request",
        "図面改訂に伴う仕様変更",
        "{product}の図面が改訂され、穴位置と板厚が変更になる。仕掛品の扱いを相談したい。",
        "high",
        "rep",
        "仕掛品は改訂後仕様に追加工で対応し、差額をご提示しました。",
    ),
    (
        "request",
        "試作品を追加でほしい",
        "{product}の試作品を評価用に追加で5個ほしい。",
        "normal",
        "rep",
        "追加の試作品5個を手配し、2週間後に納品しました。",
    ),
    (
        "question",
        "材質変更の可否",
        "{product}の材質を{material}から変更できないか。コストを下げたい。",
        "normal",
        "rep",
        "代替材質と価格差を一覧にして回答しました。",
    ),
    (
        "question",
        "最小ロットについて",
        "{product}の最小ロットと、少量の場合の単価を知りたい。",
        "low",
        "rep",
        "1個から対応可能で、数量別の単価表をお送りしました。",
    ),
]


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _uid(key: str) -> str:
    """Return the deterministic UUID string for a stable key."""
    return str(uuid.uuid5(NAMESPACE, key))


def _past_workday(today: dt.date, days_ago: int) -> dt.date:
    """Return the weekday on or before ``today - days_ago`` (weekends move back to Friday)."""
    day = today - dt.timedelta(days=days_ago)
    if day.weekday() >= 5:
        day -= dt.timedelta(days=day.weekday() - 4)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    """The day ``months`` calendar months after ``day``, on the month's last day where it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _instant(day: dt.date, rng: random.Random) -> str:
    """Return an RFC 3339 instant during Japanese business hours on ``day``."""
    moment = dt.datetime(
        day.year, day.month, day.day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)), tzinfo=JST
    )
    return moment.isoformat()


def _phone(area: str, rng: random.Random) -> str:
    """Return a 10-digit landline number with the given area code (e.g. 052-123-4567)."""
    exchange_len = 10 - len(area) - 4
    exchange = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(exchange_len - 1))
    return f"{area}-{exchange}-{rng.randint(0, 9999):04d}"


def _mobile(rng: random.Random) -> str:
    """Return a Japanese mobile phone number."""
    return f"{rng.choice(('090', '080', '070'))}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"


def _round_yen(value: float, unit: int = 100) -> int:
    """Round a yen amount to ``unit`` (at least one unit)."""
    return max(unit, int(round(value / unit)) * unit)


def _drawing_prefix(slug: str) -> str:
    """Return the drawing-number prefix, e.g. 'yamada-seisakusho' -> 'YS'."""
    return "".join(part[0] for part in slug.split("-")).upper()


def _dimensions(shape: str, rng: random.Random) -> str:
    """Return a dimension string matching the part shape."""
    if shape == "round":
        return f"φ{rng.choice((12, 16, 20, 25, 30, 40, 50, 60, 80, 100, 150))}×{rng.randrange(20, 600, 5)}"
    if shape == "sheet":
        thickness = rng.choice(("1.0", "1.2", "1.5", "2.0", "2.3", "3.2", "4.5"))
        return f"{rng.randrange(80, 900, 10)}×{rng.randrange(50, 600, 10)}×t{thickness}"
    if shape == "plate":
        return (
            f"{rng.randrange(150, 800, 10)}×{rng.randrange(100, 500, 10)}×t{rng.choice((9, 12, 16, 20, 25))}"
        )
    if shape == "block":
        return f"{rng.randrange(40, 300, 5)}×{rng.randrange(30, 200, 5)}×{rng.randrange(20, 150, 5)}"
    return f"{rng.randrange(600, 2000, 50)}×{rng.randrange(400, 1200, 50)}×H{rng.randrange(500, 1200, 50)}"


# --------------------------------------------------------------------------
# Collected records
# --------------------------------------------------------------------------


@dataclass
class Record:
    """One record to be written: its key, entity, author and field values."""

    key: str
    entity: str
    author: str
    changes: dict[str, Any]
    days_ago: int = 0  # the record's HLC this many days back (a deal's ball_since comes from it)
    target: str | None = None  # the key of the record this one changes (None: a new record)
    fixed_id: str | None = None  # an id the entity decides (a daily report's, from its person and day)

    @property
    def record_id(self) -> str:
        """The deterministic UUID of the record."""
        return self.fixed_id or _uid(self.target or self.key)


@dataclass
class Customer:
    """A generated customer with the context needed by later generators."""

    index: int
    seed: CustomerSeed
    record_id: str
    contact_ids: list[str] = field(default_factory=list)
    contact_names: list[str] = field(default_factory=list)
    drawing_seq: int = 0

    @property
    def rep(self) -> str:
        """Login of the sales rep who owns the customer."""
        return REP_OF_TEAM[self.seed.team]

    @property
    def industry(self) -> dict[str, Any]:
        """The industry profile of the customer."""
        return INDUSTRIES[self.seed.industry]

    def next_drawing(self, year: int) -> str:
        """Return the customer's next drawing number, e.g. 'YS-2024-0153'."""
        self.drawing_seq += 7
        return f"{_drawing_prefix(self.seed.slug)}-{year}-{100 + self.drawing_seq:04d}"


@dataclass
class Visit:
    """A generated visit, remembered so requests can point at it."""

    record_id: str
    customer: Customer
    author: str
    kind: str
    day: dt.date
    visited_at: str
    days_ago: int


class DemoBuilder:
    """Generates all demo records deterministically for a given ``today``."""

    def __init__(self, today: dt.date, user_ids: dict[str, str]) -> None:
        """Prepare an empty builder with its own seeded RNG."""
        self.today = today
        self.user_ids = user_ids
        self.rng = random.Random(SEED)
        self.records: list[Record] = []
        self.customers: list[Customer] = []
        self.visits: list[Visit] = []
        self.visit_seq = 0
        self.quote_seq = 0
        self.used_emails: set[str] = set()

    # -- bookkeeping -------------------------------------------------------

    def group_id(self, name: str) -> str:
        """The record id of a demo resource group."""
        return _uid(f"group-{name}")

    def add(self, key: str, entity: str, author: str, changes: dict[str, Any], days_ago: int = 0) -> str:
        """Record a new upsert and return its record id."""
        clean = {name: value for name, value in changes.items() if value is not None}
        record = Record(key, entity, author, clean, days_ago)
        self.records.append(record)
        return record.record_id

    def add_visit(
        self,
        customer: Customer,
        author: str,
        kind: str,
        days_ago: int,
        texts: tuple,
        contact_ids: list[str],
        deal_id: str | None = None,
        fmt: dict[str, Any] | None = None,
    ) -> Visit:
        """Create a visit from a (purpose, notes, handling, next_action) template."""
        purpose, notes, handling, next_action = texts
        fmt = fmt or {}
        day = _past_workday(self.today, days_ago)
        visited_at = _instant(day, self.rng)
        due_in = self.rng.randint(3, 21)
        due = _add_months(day, DUE_IN_MONTHS[next_action]) if next_action in DUE_IN_MONTHS else None
        # Older visits' next actions were done since, as most are: their due dates are not kept,
        # so 今日 lists a handful due (one or two overdue), not every action of the month; one
        # due months after its visit stays open until then.
        dated = next_action and (
            (self.today - day).days <= DATED_ACTION_DAYS
            or (due is not None and due >= self.today - dt.timedelta(days=3))
        )
        due = due or day + dt.timedelta(days=due_in)
        self.visit_seq += 1
        record_id = self.add(
            f"visit-{self.visit_seq}",
            "visits",
            author,
            {
                "customer_id": customer.record_id,
                "kind": kind,
                "visited_at": visited_at,
                "contact_ids": contact_ids,
                "purpose": purpose,
                "notes": notes.format(**fmt),
                "handling": handling.format(**fmt),
                "next_action": next_action,
                "next_action_due": due.isoformat() if dated else None,
                "deal_id": deal_id,
            },
        )
        visit = Visit(record_id, customer, author, kind, day, visited_at, days_ago)
        self.visits.append(visit)
        return visit

    def fmt_for(self, customer: Customer, contact_index: int = 0) -> dict[str, Any]:
        """Return template values (product, material, ...) for a customer."""
        rng = self.rng
        product = rng.choice(PRODUCTS)
        material = rng.choice(product.materials)
        return {
            "contact": customer.contact_names[min(contact_index, len(customer.contact_names) - 1)].split(" ")[
                0
            ],
            "product": product.name,
            "material": material,
            "surface": rng.choice(SURFACES[material]),
            "qty": rng.choice((5, 10, 20, 30, 50, 100, 200)),
            "pct": rng.choice((5, 8, 10, 15)),
            "drawing": f"{_drawing_prefix(customer.seed.slug)}-{rng.randint(2023, 2025)}-{rng.randint(1, 399):04d}",
            "equipment": rng.choice(customer.industry["equipment"]),
            "label": customer.industry["label"],
            "method": rng.choice(product.methods),
            "lead": rng.choice((10, 14, 20, 30)),
            "competitor": rng.choice(COMPETITORS),
            "event": rng.choice(("機械要素技術展", "メッセナゴヤ", "取引先の紹介")),
        }

    # -- customers and contacts --------------------------------------------

    def build_customers(self) -> None:
        """Create all customers and their contacts."""
        for index, seed in enumerate(CUSTOMER_SEEDS, start=1):
            customer = Customer(index, seed, _uid(f"customer-{index}"), drawing_seq=(index * 37) % 300)
            self.customers.append(customer)
            rep = REP_OF_TEAM[seed.team]
            remark = self.rng.choice(CUSTOMER_REMARKS)
            self.add(
                f"customer-{index}",
                "customers",
                rep,
                {
                    "name": seed.name,
                    "name_kana": seed.kana,
                    "address": f"{seed.address}{self.rng.choice(TOWNS)}{self.rng.randint(1, 5)}丁目{self.rng.randint(1, 30)}-{self.rng.randint(1, 20)}",
                    "phone": _phone(seed.area, self.rng),
                    "owner_id": self.user_ids[rep],
                    "team": seed.team,
                    "notes": f"{INDUSTRIES[seed.industry]['label']}。主な受注品は{INDUSTRIES[seed.industry]['buys']}。"
                    f"支払条件：{self.rng.choice(PAYMENT_TERMS)}。{remark}",
                },
            )
            self.build_contacts(customer, rep)

    def build_contacts(self, customer: Customer, author: str) -> None:
        """Create 2–3 contacts (購買部 first, then 技術/製造, then 品証) for a customer."""
        count = 3 if self.rng.random() < 0.4 else 2
        used: set[str] = set()
        for number in range(1, count + 1):
            surname, given = self.rng.choice(SURNAMES), self.rng.choice(GIVEN_NAMES)
            while surname[0] in used:
                surname = self.rng.choice(SURNAMES)
            used.add(surname[0])
            name = f"{surname[0]} {given[0]}"
            email = f"{given[2]}.{surname[2]}@example.co.jp"
            suffix = 2
            while email in self.used_emails:
                email = f"{given[2]}.{surname[2]}{suffix}@example.co.jp"
                suffix += 1
            self.used_emails.add(email)
            phone = _mobile(self.rng) if self.rng.random() < 0.3 else _phone(customer.seed.area, self.rng)
            contact_id = self.add(
                f"contact-{customer.index}-{number}",
                "contacts",
                author,
                {
                    "customer_id": customer.record_id,
                    "name": name,
                    "name_kana": f"{surname[1]} {given[1]}",
                    "department": self.rng.choice(CONTACT_DEPARTMENTS[number - 1]),
                    "title": self.rng.choice(TITLES),
                    "phone": phone,
                    "email": email,
                },
            )
            customer.contact_ids.append(contact_id)
            customer.contact_names.append(name)

    # -- deals -------------------------------------------------------------

    def build_deals(self) -> None:
        """Create 24 deals covering every stage, each with its visit history and quotes."""
        east = [c for c in self.customers if c.seed.team == "東日本"]
        west = [c for c in self.customers if c.seed.team == "西日本"]
        picks = self.rng.sample(east, 12) + self.rng.sample(west, 12)
        for number, customer in enumerate(picks, start=1):
            stage = DEAL_STAGES[(number - 1) % len(DEAL_STAGES)]
            self.build_deal(number, customer, stage)

    def build_deal(self, number: int, customer: Customer, stage: str) -> None:
        """Create one deal, the visits that led it to ``stage`` and its quotes."""
        rng = self.rng
        step = DEAL_STAGES.index(stage)
        closed = stage in ("won", "lost")
        amount = rng.randrange(30, 800) * 10000
        competitors = []
        situation = []
        if step >= 4 and not closed and rng.random() < 0.7:
            competitors = [
                {
                    "name": name,
                    "product": f"同等品（{rng.choice(PRODUCTS).name}）",
                    "price": _round_yen(amount * rng.uniform(0.82, 1.05), 10000),
                }
                for name in rng.sample(COMPETITORS, rng.randint(1, 2))
            ]
            situation.append("competitor")
        if not closed and step >= 2:
            situation += rng.sample(SITUATIONS[1:], rng.randint(0, 2))
        last_days_ago = rng.randint(40, 220) if closed else rng.randint(3, 40)
        lost_reason = rng.choice(LOST_REASONS) if stage == "lost" else None
        close_offset = -last_days_ago + rng.randint(0, 10) if closed else rng.randint(30, 180)
        deal_id = self.add(
            f"deal-{number}",
            "deals",
            customer.rep,
            {
                "customer_id": customer.record_id,
                "title": rng.choice(customer.industry["deals"]),
                "stage": stage,
                "lost_reason": lost_reason,
                "ball": None if closed else self.deal_ball(stage),
                "amount": None if stage == "card_exchange" else amount,
                "expected_close": (self.today + dt.timedelta(days=close_offset)).isoformat(),
                "competitors": competitors or None,
                "situation": situation or None,
                "owner_id": self.user_ids[customer.rep],
            },
            days_ago=self.ball_days(number, stage, last_days_ago),
        )
        self.build_deal_events(number, customer, deal_id, competitors, situation, last_days_ago)
        steps = self.deal_steps(step)
        contact = customer.contact_ids[rng.randrange(len(customer.contact_ids))]
        days_ago = last_days_ago + rng.randint(10, 25) * (len(steps) - 1)
        quote_visits: list[Visit] = []
        for visit_step in steps:
            fmt = self.fmt_for(customer)
            fmt["lost_reason"] = lost_reason or ""
            kind = "event" if visit_step == 0 and fmt["event"] != "取引先の紹介" else "sales"
            kind = "email" if visit_step == 6 and rng.random() < 0.5 else kind
            visit = self.add_visit(
                customer, customer.rep, kind, days_ago, DEAL_STEP_TEXT[visit_step], [contact], deal_id, fmt
            )
            if visit_step in (5, 6):
                quote_visits.append(visit)
            days_ago = max(last_days_ago, days_ago - rng.randint(10, 25))
        if step >= 5:
            self.build_deal_quotes(customer, deal_id, stage, amount, quote_visits or [self.visits[-1]])

    def ball_days(self, number: int, stage: str, last_days_ago: int) -> int:
        """How long ago the deal's ball last changed hands: a few days with us, longer with the customer."""
        if stage in ("won", "lost"):
            return last_days_ago
        rng = random.Random(f"{SEED}-ball-{number}")  # its own stream: the rest of the demo stays as it was
        return min(last_days_ago, rng.choice((1, 2, 2, 3, 4, 6, 9, 12, 16, 21)))

    def build_deal_events(
        self,
        number: int,
        customer: Customer,
        deal_id: str,
        competitors: list[dict],
        situation: list[str],
        last_days_ago: int,
    ) -> None:
        """Record the deal's customer-side events: competitors with their prices, budget, delays."""
        rng = random.Random(
            f"{SEED}-deal-events-{number}"
        )  # its own stream: the rest of the demo stays as it was
        kinds = [("competitor", c) for c in competitors] + [
            (kind, None) for kind in situation if kind != "competitor"
        ]
        for index, (kind, competitor) in enumerate(kinds, start=1):
            days_ago = last_days_ago + rng.randint(1, 20)
            day = _past_workday(self.today, days_ago)
            changes = {
                "customer_id": customer.record_id,
                "deal_id": deal_id,
                "kind": kind,
                "occurred_at": _instant(day, rng),
                "note": rng.choice(EVENT_NOTES[kind]),
            }
            if competitor:
                changes.update(
                    competitor_name=competitor["name"],
                    competitor_product=competitor["product"],
                    competitor_price=competitor["price"],
                )
            self.add(f"deal-{number}-event-{index}", "deal_events", customer.rep, changes, days_ago=days_ago)

    def deal_ball(self, stage: str) -> str:
        """Return who holds the ball: us early on, the customer once a quote is out."""
        if stage in ("card_exchange", "first_contact", "product_intro"):
            return "ours"
        if stage == "proposal_quote":
            return "customer"
        return self.rng.choice(BALLS)

    def deal_steps(self, step: int) -> list[int]:
        """Return the ordered visit steps (indices into DEAL_STEP_TEXT) for a deal at ``step``."""
        if step >= 7:  # won / lost: a history through quoting, then the outcome
            prior = sorted(self.rng.sample(range(0, 6), self.rng.randint(2, 3)))
            if 5 not in prior:
                prior.append(5)
            return prior + [step]
        count = min(step, self.rng.randint(1, 3))
        return sorted(self.rng.sample(range(0, step), count)) + [step] if step else [0]

    def build_deal_quotes(
        self, customer: Customer, deal_id: str, stage: str, amount: int, quote_visits: list[Visit]
    ) -> None:
        """Create the quote(s) that belong to a deal at or past the quoting stage."""
        if stage == "quote_revision":
            first = quote_visits[0]
            self.add_quote(
                customer,
                customer.rep,
                first.days_ago,
                status="rejected",
                deal_id=deal_id,
                amount=_round_yen(amount * 1.08, 1000),
            )
            self.add_quote(
                customer,
                customer.rep,
                max(1, first.days_ago - 7),
                status="draft",
                deal_id=deal_id,
                amount=amount,
            )
            return
        status = {"proposal_quote": "submitted", "won": "accepted", "lost": "rejected"}[stage]
        self.add_quote(
            customer, customer.rep, quote_visits[0].days_ago, status=status, deal_id=deal_id, amount=amount
        )
        # the factory's load: what the job needs per group, and the week the customer wants it
        self.records[-1].changes.update(
            process_hours=factory.process_hours(self.rng, self.group_id),
            delivery_week=self.rng.choice(factory.full_weeks(self.today)),
        )

    # -- visits ------------------------------------------------------------

    def build_rep_visits(self) -> None:
        """Create routine sales / phone / e-mail visits by each customer's rep."""
        for customer in self.customers:
            for _ in range(self.rng.randint(2, 4)):
                roll = self.rng.random()
                kind, table = (
                    ("sales", SALES_VISITS)
                    if roll < 0.7
                    else (("phone", PHONE_CONTACTS) if roll < 0.85 else ("email", EMAIL_CONTACTS))
                )
                self.add_rep_visit(customer, customer.rep, kind, table)

    def add_rep_visit(
        self, customer: Customer, author: str, kind: str, table: list[tuple], days_ago: int | None = None
    ) -> Visit:
        """Create one visit of ``kind`` from ``table`` with random contacts, ``days_ago`` (or a
        random day of the past year)."""
        fmt = self.fmt_for(customer)
        contacts = self.rng.sample(
            customer.contact_ids, self.rng.randint(1, min(2, len(customer.contact_ids)))
        )
        when = self.rng.randint(3, 362) if days_ago is None else days_ago
        return self.add_visit(customer, author, kind, when, self.rng.choice(table), contacts, fmt=fmt)

    def build_manager_visits(self) -> None:
        """Create exhibition / courtesy visits by the manager across both teams."""
        for customer in self.rng.sample(self.customers, 8):
            kind, table = (
                ("event", EVENT_VISITS)
                if self.rng.random() < 0.6
                else (
                    "sales",
                    [
                        (
                            "年始挨拶",
                            "{contact}様へ年始のご挨拶（担当営業同行）。今年の発注見通しを伺った。",
                            "日頃の取引へのお礼を伝えた。",
                            None,
                        ),
                        (
                            "幹部同行",
                            "担当営業と同行し、{contact}様と取引拡大について意見交換。",
                            "当社の設備増強計画を説明。",
                            "担当営業から具体提案",
                        ),
                    ],
                )
            )
            self.add_rep_visit(customer, "manager1", kind, table)

    def build_aftercare_visits(self) -> None:
        """Create technician aftercare visits (inspections, repairs) for delivered equipment."""
        for customer in [self.rng.choice(self.customers) for _ in range(55)]:
            self.add_aftercare_visit(customer)

    def add_aftercare_visit(self, customer: Customer, days_ago: int | None = None) -> Visit:
        """One inspection or repair by the technician, ``days_ago`` (or a random day of the past
        year)."""
        fmt = self.fmt_for(customer, contact_index=1)
        symptom, cause, fix = self.rng.choice(REPAIR_CASES)
        fmt.update(symptom=symptom, cause=cause, fix=fix, finding=self.rng.choice(AFTERCARE_FINDINGS))
        when = self.rng.randint(3, 362) if days_ago is None else days_ago
        texts = self.rng.choice(AFTERCARE_VISITS)
        return self.add_visit(customer, "tech1", "aftercare", when, texts, customer.contact_ids[1:2], fmt=fmt)

    def build_office_visits(self) -> None:
        """Create phone / fax / e-mail contacts logged by the office."""
        for _ in range(30):
            customer = self.rng.choice(self.customers)
            roll = self.rng.random()
            kind, table = (
                ("phone", PHONE_CONTACTS)
                if roll < 0.5
                else (("fax", FAX_CONTACTS) if roll < 0.75 else ("email", EMAIL_CONTACTS))
            )
            self.add_rep_visit(customer, "office1", kind, table)

    # -- requests ----------------------------------------------------------

    def build_requests(self) -> None:
        """Create requests, complaints and questions; many are tied to the visit they were heard in."""
        number = 0
        plans = [
            ("tech1", ("aftercare",), TECH_REQUESTS, 14),
            ("office1", ("phone", "fax", "email"), OFFICE_REQUESTS, 12),
            ("rep1", ("sales",), REP_REQUESTS, 6),
            ("rep2", ("sales",), REP_REQUESTS, 6),
        ]
        for author, kinds, templates, count in plans:
            candidates = [v for v in self.visits if v.author == author and v.kind in kinds]
            recent = [v for v in candidates if v.days_ago <= 30]
            chosen = self.rng.sample(recent, min(3, len(recent)))  # keep some work open
            rest = [v for v in candidates if v not in chosen]
            for visit in chosen + self.rng.sample(rest, count - len(chosen)):
                number += 1
                self.add_request(number, author, visit, self.rng.choice(templates))
        for _ in range(4):  # heard by e-mail/phone without a logged visit
            number += 1
            customer = self.rng.choice(self.customers)
            self.add_request(number, "office1", None, self.rng.choice(OFFICE_REQUESTS), customer)

    def add_request(
        self, number: int, author: str, visit: Visit | None, template: tuple, customer: Customer | None = None
    ) -> None:
        """Create one request from a template, with status derived from its age."""
        rng = self.rng
        kind, title, details, urgency, assignee, response = template
        customer = visit.customer if visit else customer
        assert customer is not None
        days_ago = visit.days_ago if visit else rng.randint(1, 300)
        heard_at = visit.visited_at if visit else _instant(_past_workday(self.today, days_ago), rng)
        if days_ago > 60:
            status = rng.choice(("closed", "closed", "answered"))
        elif days_ago > 14:
            status = rng.choice(("answered", "closed", "in_progress"))
        else:
            status = rng.choice(("new", "triaged", "in_progress"))
        assignee_login = customer.rep if assignee == "rep" else assignee
        triage = {
            "status": status,
            "assignee_id": None if status == "new" else self.user_ids[assignee_login],
            "response": response if status in ("answered", "closed") else None,
        }
        triaged_by_author = author in ("office1", "manager1")
        key = f"request-{number}"
        self.add(
            key,
            "requests",
            author,
            {
                "customer_id": customer.record_id,
                "kind": kind,
                "title": title,
                "visit_id": visit.record_id if visit else None,
                "details": details.format(**self.fmt_for(customer)),
                "urgency": urgency,
                "heard_at": heard_at,
                **(triage if triaged_by_author else {}),
            },
        )
        # Triage also sends the request to its assignee's team: one the routing rules left
        # with the office (振り分け待ち) would otherwise stay listed there once assigned.
        route = ROUTE_OF_ASSIGNEE[assignee_login] if status != "new" else None
        if status != "new" and (route or not triaged_by_author):
            # Only the office triages and closes (and a request's route is set by the server at
            # create); office1's batches are applied last, so its edit is the later one.
            clean = {name: value for name, value in triage.items() if value is not None}
            if route:
                clean["route_to"] = route
            self.records.append(Record(f"{key}/triage", "requests", "office1", clean, target=key))

    # -- quotes ------------------------------------------------------------

    def build_history_quotes(self) -> None:
        """Create 100 past quotes over the last ~3 years (old ones entered by the office)."""
        for _ in range(100):
            customer = self.rng.choice(self.customers)
            days_ago = self.rng.randint(5, 1060)
            if days_ago > 60:
                status = "accepted" if self.rng.random() < 0.55 else "rejected"
            else:
                status = self.rng.choice(("submitted", "submitted", "accepted", "draft"))
            author = "office1" if days_ago > 180 else customer.rep
            self.add_quote(customer, author, days_ago, status=status)

    def add_quote(
        self,
        customer: Customer,
        author: str,
        days_ago: int,
        status: str,
        deal_id: str | None = None,
        amount: int | None = None,
    ) -> None:
        """Create one quote; price follows product, material and quantity unless ``amount`` is given."""
        rng = self.rng
        product = rng.choice(PRODUCTS)
        material = rng.choice(product.materials)
        method = rng.choice(product.methods)
        base_unit = rng.uniform(*product.unit_price) * MATERIAL_FACTOR[material]
        if amount is not None:  # deal quote: choose a quantity that fits the deal amount
            quantity = max(1, min(2000, round(amount / base_unit)))
        else:
            quantity = 1 if product.shape == "frame" else rng.choice((1, 2, 5, 10, 20, 30, 50, 100, 200, 500))
            amount = _round_yen(base_unit * quantity**0.85)
        difficulties = [rng.choice(DIFFICULTIES[method])]
        if material in MATERIAL_DIFFICULTIES and rng.random() < 0.6:
            difficulties.append(MATERIAL_DIFFICULTIES[material])
        day = _past_workday(self.today, days_ago)
        submitted_at = _instant(day, rng)
        cost_ratio = rng.uniform(0.66, 1.25)  # past-quote database: some jobs cost more than quoted
        self.quote_seq += 1
        self.add(
            f"quote-{self.quote_seq}",
            "quotes",
            author,
            {
                "customer_id": customer.record_id,
                "deal_id": deal_id,
                "product": product.name,
                "drawing_no": customer.next_drawing(day.year),
                "material": material,
                "dimensions": _dimensions(product.shape, rng),
                "processing_method": method,
                "processing_details": PROCESS_FLOW[method].format(surface=rng.choice(SURFACES[material])),
                "quantity": quantity,
                "amount": amount,
                "actual_cost": _round_yen(amount * cost_ratio) if status == "accepted" else None,
                "difficulties": "。".join(difficulties) + "。",
                "lead_time_days": rng.choice((5, 7, 10, 14, 20, 25, 30, 45)),
                "submitted_at": None if status == "draft" else submitted_at,
                "status": status,
            },
        )

    # -- assembly ----------------------------------------------------------

    def build_daily_reports(self) -> None:
        """The 作業日報 of the reps and the technician for five workdays, the last of them 3 days
        back or the Friday before (the newest visits are 3 days old), listing their visits of the
        day (two added where a day had none), submitted; the manager approved the reps' older
        ones and has the rest to read. Five whatever the weekday: counted as calendar days back,
        a weekend folded into its Friday and left three on some days of the week."""
        names = {customer.record_id: customer.seed.name for customer in self.customers}
        days = [_past_workday(self.today, 3)]
        while len(days) < 5:
            days.append(_past_workday(days[-1], 1))
        days.sort()
        for login in ("rep1", "rep2", "tech1"):
            for day in days:
                self.visits_of_a_report_day(login, day)
                visits = sorted(
                    (v for v in self.visits if v.author == login and v.day == day), key=lambda v: v.visited_at
                )
                lines = [f"・{v.visited_at[11:16]} {names[v.customer.record_id]}" for v in visits]
                summary = "\n".join(lines) if lines else "社内作業（見積・図面の確認、翌日の訪問準備）"
                report_id = daily_report_id(self.user_ids[login], day.isoformat())
                key = f"daily-report/{login}/{day.isoformat()}"
                changes = {"date": day.isoformat(), "summary": summary, "hours": 8.0, "status": "submitted"}
                back = (self.today - day).days  # submitted that day (its clock), approved the next
                self.records.append(Record(key, "daily_reports", login, changes, back, fixed_id=report_id))
                if login != "tech1" and day != days[-1]:
                    approval = {"status": "approved", "manager_comment": "確認しました。"}
                    self.records.append(
                        Record(
                            f"{key}/approval",
                            "daily_reports",
                            "manager1",
                            approval,
                            back - 1,
                            target=key,
                            fixed_id=report_id,
                        )
                    )

    def visits_of_a_report_day(self, login: str, day: dt.date) -> None:
        """Two visits of ``login`` on ``day`` if they have none: a report day has work to report."""
        if any(v.author == login and v.day == day for v in self.visits):
            return
        days_ago = (self.today - day).days
        if login == "tech1":
            for customer in self.rng.sample(self.customers, 2):
                self.add_aftercare_visit(customer, days_ago)
            return
        own = [customer for customer in self.customers if customer.rep == login]
        for customer in self.rng.sample(own, 2):
            self.add_rep_visit(customer, login, "sales", SALES_VISITS, days_ago)

    def build(self) -> list[Record]:
        """Generate every record in a fixed order and return them."""
        for key, entity, changes in factory.factory_records(self.today, self.group_id):
            self.add(key, entity, "office1", changes)
        self.build_customers()
        self.build_deals()
        self.build_rep_visits()
        self.build_manager_visits()
        self.build_aftercare_visits()
        self.build_office_visits()
        self.build_requests()
        self.build_history_quotes()
        self.build_daily_reports()
        return self.records


def _ordered(records: list[Record]) -> list[Record]:
    """Sort records by author, then entity, keeping generation order within each group.

    Authors come in AUTHOR_ORDER and entities in ENTITY_ORDER, so every
    referenced record (customer, contact, deal, visit) precedes its users.
    """

    def rank(item: tuple[int, Record]) -> tuple[int, int, int, int]:
        position, record = item
        factory_first = 0 if record.entity in FACTORY_ENTITIES else 1  # quotes name the groups
        return factory_first, AUTHOR_ORDER.index(record.author), ENTITY_ORDER.index(record.entity), position

    return [record for _, record in sorted(enumerate(records), key=rank)]


def _to_batches(records: list[Record], ms: int) -> list[tuple[str, list[dict]]]:
    """Turn ordered records into (login, mutations) batches of at most MAX_BATCH."""
    batches: list[tuple[str, list[dict]]] = []
    for counter, record in enumerate(records):
        mutation = {
            "mutation_id": _uid(f"mutation/{record.key}"),
            "entity": record.entity,
            "record_id": record.record_id,
            "op": "upsert",
            "base_version": 1 if record.target else None,  # a change has seen the record it changes
            "changes": record.changes,
            "hlc": f"{ms - record.days_ago * 86_400_000:013d}:{counter:06d}:{NODE}",
        }
        if not batches or batches[-1][0] != record.author or len(batches[-1][1]) >= MAX_BATCH:
            batches.append((record.author, []))
        batches[-1][1].append(mutation)
    return batches


def demo_batches(today: dt.date, user_ids: dict[str, str]) -> list[tuple[str, list[dict]]]:
    """Return (login, mutations) pairs, in the order they must be applied."""
    ms = int(time.time() * 1000)
    records = DemoBuilder(today, user_ids).build()
    return _to_batches(_ordered(records), ms)
