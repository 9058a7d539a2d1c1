"""One vocabulary: roles, what each may do, and every enumeration with its labels.

Entity schemas, views, exports and the CLI take their codes and labels from here; the field
app's message files carry the same labels (``tests/test_vocabulary.py`` keeps them in step)
and ``GET /api/v1/vocabulary`` hands the whole of it to any client as data.
"""

ROLES = ["rep", "technician", "office", "manager", "admin"]

# Who may do what, by role. Scope: these roles read every customer and its records.
SEES_EVERY_CUSTOMER = frozenset({"technician", "office", "manager", "admin"})
# Route requests, hand customers and deals over, approve follows, read the board and exports.
OFFICE_ROLES = frozenset({"office", "manager", "admin"})
ADMIN_ROLES = frozenset({"admin"})

# code -> (Japanese, English), in the order screens list them. The key is the message-key
# prefix the field app uses ("deal.stage" -> "deal.stage.won").
ENUMS = {
    "role": {
        "rep": ("営業", "Sales rep"),
        "technician": ("保守", "Technician"),
        "office": ("事務", "Office"),
        "manager": ("管理者", "Manager"),
        "admin": ("システム管理者", "Admin"),
    },
    "customer.status": {
        "prospect": ("見込み客", "Prospect"),
        "active": ("取引先", "Customer"),
        "inactive": ("休眠", "Inactive"),
    },
    "visit.kind": {
        "sales": ("営業訪問", "Sales visit"),
        "aftercare": ("アフターサービス", "Aftercare"),
        "phone": ("電話", "Phone"),
        "email": ("メール", "Email"),
        "fax": ("FAX", "Fax"),
        "event": ("展示会・イベント", "Trade show / event"),
    },
    "request.kind": {
        "request": ("依頼", "Request"),
        "complaint": ("クレーム", "Complaint"),
        "question": ("質問", "Question"),
    },
    "request.urgency": {
        "low": ("低", "Low"),
        "normal": ("普通", "Normal"),
        "high": ("高", "High"),
    },
    "request.route": {
        "sales": ("営業", "Sales"),
        "manufacturing": ("製造", "Manufacturing"),
        "service": ("サービス", "Service"),
        "triage": ("振り分け待ち（事務）", "Triage (office)"),
    },
    "request.status": {
        "new": ("新規", "New"),
        "triaged": ("振り分け済み", "Triaged"),
        "in_progress": ("対応中", "In progress"),
        "answered": ("回答済み", "Answered"),
        "closed": ("完了", "Closed"),
    },
    "follow.status": {
        "requested": ("承認待ち", "Awaiting approval"),
        "approved": ("承認済み", "Approved"),
    },
    "deal.stage": {
        "card_exchange": ("名刺交換", "Card exchange"),
        "first_contact": ("初回コンタクト", "First contact"),
        "product_intro": ("製品説明", "Product intro"),
        "interest_check": ("関心確認", "Interest check"),
        "needs_hearing": ("訪問・ヒアリング", "Visit / hearing"),
        "proposal_quote": ("提案・見積提示", "Proposal / quote"),
        "quote_revision": ("見積修正", "Quote revision"),
        "won": ("受注", "Won"),
        "lost": ("失注", "Lost"),
    },
    "deal.event": {
        "competitor": ("競合あり", "Competitor"),
        "budget_tight": ("予算が厳しい", "Tight budget"),
        "spec_change": ("仕様変更", "Spec change"),
        "decision_maker_change": ("決裁者変更", "New decision maker"),
        "postponed": ("時期延期", "Postponed"),
        "note": ("メモ", "Note"),
    },
    "quote.status": {
        "draft": ("下書き", "Draft"),
        "submitted": ("提出済み", "Submitted"),
        "accepted": ("受注", "Accepted"),
        "rejected": ("不採用", "Rejected"),
    },
    "load.confidence": {
        "firm": ("確定", "Firm"),
        "likely": ("内示", "Likely"),
        "possible": ("見込", "Possible"),
    },
    "load.source": {
        "manual": ("手入力", "Entered"),
        "import": ("取込", "Imported"),
        "quote": ("見積", "Quote"),
    },
    "attachment.purpose": {
        "photo": ("写真", "Photo"),
        "business_card": ("名刺", "Business card"),
        "signature": ("署名", "Signature"),
    },
    "daily_report.status": {
        "draft": ("下書き", "Draft"),
        "submitted": ("提出済み", "Submitted"),
        "approved": ("承認済み", "Approved"),
    },
    # What the audit trail records (server.core.audit), and what an export wrote out.
    "audit.action": {
        "sign_in": ("ログイン", "Sign-in"),
        "sign_in_failed": ("ログイン失敗", "Failed sign-in"),
        "export": ("書き出し", "Export"),
        "user_added": ("ユーザー追加", "User added"),
        "user_changed": ("ユーザー変更", "User changed"),
        "device_revoked": ("端末の取り消し", "Device revoked"),
        "devices_revoked": ("全端末の取り消し", "All devices revoked"),
    },
    "audit.export": {
        "requests": ("依頼・クレーム", "Requests"),
        "deals": ("案件", "Deals"),
    },
}

# Enumerations with no labels of their own on screen.
BALL = ["ours", "customer"]
SITUATIONS = ["competitor", "budget_tight", "spec_change", "decision_maker_change", "postponed"]
CLOSED_STAGES = ("won", "lost")
ATTACHMENT_PURPOSES = ["photo", "business_card", "signature"]
CARD_STATUSES = ["pending", "done", "failed"]
# The fields a read business card suggests, in the order the app shows them.
CARD_FIELDS = [
    "company",
    "department",
    "title",
    "name",
    "name_kana",
    "postal_code",
    "address",
    "phone",
    "fax",
    "mobile",
    "email",
    "url",
    "text",
]
OPEN_REQUEST_STATUSES = ("new", "triaged", "in_progress")
DONE_REQUEST_STATUSES = ("answered", "closed")


def codes(name):
    """The codes of an enumeration, in order."""
    return list(ENUMS[name])


def label(name, code, language="ja"):
    """The label of ``code`` in ``language`` (the code itself when unknown)."""
    labels = ENUMS[name].get(code)
    if labels is None:
        return code or ""
    return labels[0 if language == "ja" else 1]


def labels(name, language="ja"):
    """``{code: label}`` of an enumeration."""
    return {code: label(name, code, language) for code in ENUMS[name]}


STAGES = codes("deal.stage")
CUSTOMER_STATUSES = codes("customer.status")
ROUTES = codes("request.route")
URGENCIES = codes("request.urgency")
REQUEST_STATUSES = codes("request.status")
FOLLOW_STATUSES = codes("follow.status")


def as_data():
    """The vocabulary as JSON data for clients."""
    return {
        "roles": ROLES,
        "permissions": {
            "sees_every_customer": sorted(SEES_EVERY_CUSTOMER),
            "office": sorted(OFFICE_ROLES),
            "admin": sorted(ADMIN_ROLES),
        },
        "enums": {
            name: [{"code": code, "ja": ja, "en": en} for code, (ja, en) in values.items()]
            for name, values in ENUMS.items()
        },
    }
