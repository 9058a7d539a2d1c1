"""Where a new request goes: ordered keyword rules over its kind, title and details.

The first rule that matches sets ``route_to``; nothing matching goes to ``triage``. Text is
compared folded (NFKC, case, katakana as hiragana), so 「ﾌﾘｮｳ」 matches 「不良」's neighbours
written in any width.
"""
from .text import fold

DEFAULT_RULES = [
    ("manufacturing", None, ["異音", "不良", "破損", "故障", "漏れ", "寸法", "傷", "錆", "さび", "割れ", "変形", "振動"]),
    ("sales", None, ["見積", "価格", "値段", "追加", "仕様変更", "納期", "発注", "注文", "新規"]),
    ("service", "question", []),
    ("service", None, ["操作", "使い方", "メンテナンス", "点検", "保守", "部品交換", "設定"]),
]


def route_request(request, customer):
    """Return the team for a new request (a dict of its fields)."""
    text = fold(" ".join(filter(None, [request.get("title"), request.get("details")])))
    for route, kind, keywords in DEFAULT_RULES:
        if kind is not None and request.get("kind") != kind:
            continue
        if not keywords or any(fold(word) in text for word in keywords):
            return route
    return "triage"
