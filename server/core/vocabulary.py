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
# Work with deals and quotes: see the deal list, start a deal, make a quote. Technicians log
# visits and requests; a deal they started would be one they cannot find.
DEAL_ROLES = frozenset({"rep", "office", "manager", "admin"})

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
        "triage": ("事務（振り分け）", "Office (triage)"),
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
        "sign_out": ("ログアウト", "Sign-out"),
        "export": ("書き出し", "Export"),
        "import": ("取り込み", "Import"),
        "user_added": ("ユーザー追加", "User added"),
        "user_changed": ("ユーザー変更", "User changed"),
        "device_revoked": ("端末の取り消し", "Device revoked"),
        "devices_revoked": ("全端末の取り消し", "All devices revoked"),
    },
    "audit.export": {
        "requests": ("依頼・クレーム", "Requests"),
        "deals": ("案件", "Deals"),
        "customers": ("顧客", "Customers"),
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


# Labels of the fields people edit, for screens that name a field (the conflicts page). The key is
# the field, or ``entity.field`` where one entity means something else by it.
FIELDS = {
    "active": ("有効", "Active"),
    "actual_cost": ("実際の原価", "Actual cost"),
    "address": ("住所", "Address"),
    "amount": ("金額", "Amount"),
    "assignee_id": ("担当", "Assignee"),
    "ball": ("ボール", "Ball"),
    "carried_notes": ("引き継ぎメモ", "Carried notes"),
    "competitor_name": ("競合他社", "Competitor"),
    "competitor_price": ("競合の価格", "Competitor's price"),
    "competitor_product": ("競合の製品", "Competitor's product"),
    "competitors": ("競合", "Competitors"),
    "confidence": ("確度", "Confidence"),
    "contact_ids": ("面談者", "People met"),
    "content_type": ("ファイルの種類", "File type"),
    "customer_id": ("顧客", "Customer"),
    "date": ("日付", "Date"),
    "deal_id": ("案件", "Deal"),
    "delivery_week": ("納期の週", "Delivery week"),
    "department": ("部署", "Department"),
    "details": ("詳しい内容", "Details"),
    "diameter_mm": ("直径（mm）", "Diameter (mm)"),
    "difficulties": ("苦労した点", "Difficulties"),
    "dimensions": ("寸法", "Dimensions"),
    "drawing_no": ("図番", "Drawing no."),
    "efficiency": ("稼働効率", "Efficiency"),
    "email": ("メール", "Email"),
    "expected_close": ("受注予定日", "Expected close"),
    "fax": ("FAX", "Fax"),
    "filename": ("ファイル名", "File name"),
    "handling": ("実施した対応", "What was done"),
    "heard_at": ("聞いた日時", "Heard at"),
    "hours": ("時間", "Hours"),
    "hours_per_day": ("1日の時間", "Hours per day"),
    "kind": ("種別", "Kind"),
    "label": ("件名", "Label"),
    "lead_time_days": ("納期（日）", "Lead time (days)"),
    "left": ("退職・異動", "Left the customer"),
    "length_mm": ("長さ（mm）", "Length (mm)"),
    "lost_reason": ("失注理由", "Reason lost"),
    "manager_comment": ("管理者のコメント", "Manager's comment"),
    "material": ("材質", "Material"),
    "mobile": ("携帯電話", "Mobile"),
    "name": ("名前", "Name"),
    "name_kana": ("フリガナ", "Name (kana)"),
    "next_action": ("次のアクション", "Next action"),
    "next_action_due": ("次のアクションの期日", "Next action due"),
    "note": ("メモ", "Note"),
    "notes": ("メモ", "Notes"),
    "occurred_at": ("日時", "When"),
    "owner_entity": ("添付先", "Attached to"),
    "owner_id": ("担当者", "Owner"),
    "parts": ("使用部品", "Parts used"),
    "phone": ("電話", "Phone"),
    "postal_code": ("郵便番号", "Postal code"),
    "process_hours": ("工程ごとの時間", "Hours per process"),
    "processing_details": ("加工内容", "Processing details"),
    "processing_method": ("加工方法", "Processing method"),
    "product": ("品名", "Product"),
    "purpose": ("目的", "Purpose"),
    "quantity": ("数量", "Quantity"),
    "quote_id": ("見積", "Quote"),
    "request_id": ("依頼", "Request"),
    "resource_group_id": ("工程", "Process"),
    "response": ("回答", "Answer"),
    "response_digest": ("既読の回答", "Answer as read"),
    "route_to": ("振り分け先", "Route"),
    "sha256": ("チェックサム", "Checksum"),
    "signed_by": ("署名者", "Signed by"),
    "signed_at": ("署名日時", "Signed at"),
    "signed_request_ids": ("署名時の要望", "Requests when signed"),
    "situation": ("状況メモ", "Situation"),
    "size": ("サイズ", "Size"),
    "sort": ("並び順", "Order"),
    "source": ("出所", "Source"),
    "source_quote_id": ("元の見積", "Copied from quote"),
    "stage": ("段階", "Stage"),
    "status": ("状況", "Status"),
    "submitted_at": ("提出日時", "Submitted at"),
    "summary": ("概要", "Summary"),
    "taken_at": ("撮影日時", "Taken at"),
    "team": ("チーム", "Team"),
    "thickness_mm": ("厚さ（mm）", "Thickness (mm)"),
    "title": ("件名", "Title"),
    "urgency": ("緊急度", "Urgency"),
    "url": ("ウェブサイト", "Website"),
    "user_id": ("利用者", "User"),
    "visit_id": ("訪問", "Visit"),
    "visited_at": ("日時", "Date and time"),
    "week": ("週", "Week"),
    "width_mm": ("幅（mm）", "Width (mm)"),
    "work_minutes": ("作業時間（分）", "Work time (minutes)"),
    "deleted": ("削除", "Deletion"),
    "record_id": ("記録", "Record"),
    "contacts.title": ("役職", "Job title"),
    "deals.title": ("案件名", "Deal name"),
    "quotes.status": ("見積の状況", "Quote status"),
}


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
            "deals": sorted(DEAL_ROLES),
        },
        "fields": [{"code": code, "ja": ja, "en": en} for code, (ja, en) in FIELDS.items()],
        "enums": {
            name: [{"code": code, "ja": ja, "en": en} for code, (ja, en) in values.items()]
            for name, values in ENUMS.items()
        },
    }
