"""Sentences a person reads, in their language: the message of an error answer, the errors of
an import's rows and of its file, a push's refusals. Japanese when the request prefers it (the
app sends its own language as ``Accept-Language``), else English, the API's language. Codes,
reasons and field names stay as they are: the app reads them."""

import re

from flask import has_request_context, request

from sync.entity import field_errors

LANGUAGES = ["en", "ja"]


def language():
    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(LANGUAGES, default="en")


class Said(str):
    """An English sentence that carries its Japanese: ``str()`` is the English."""

    ja: str

    def __new__(cls, en, ja):
        said = super().__new__(cls, en)
        said.ja = ja
        return said


def spoken(text):
    """``text`` in the request's language: a ``Said``'s Japanese for a Japanese request."""
    return text.ja if isinstance(text, Said) and language() == "ja" else str(text)


NO_USER = Said("There is no user with this id.", "このIDの利用者はいません。")


def say(en, ja=None, **values):
    """``en`` (or ``ja``, for a Japanese request) with ``values`` filled in; a ``Said`` passed as
    ``en`` brings its own Japanese."""
    if ja is None:
        ja = getattr(en, "ja", en)
    text = ja if language() == "ja" else str(en)
    return text.format(**values) if values else text  # a sentence made already may hold braces


# marshmallow's messages and the entities' own, as a row's error shows them in Japanese.
FIELD_MESSAGES = [
    (re.compile(r"Longer than maximum length (\d+)\."), "{0}文字までです。"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "{0}文字以上にしてください。"),
    (re.compile(r"Length must be between 0 and (\d+)\."), "{0}文字までです。"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "{0}〜{1}文字にしてください。"),
    (re.compile(r"Missing data for required field\."), "必須です。"),
    (re.compile(r"Field may not be null\."), "空にできません。"),
    (re.compile(r"Not a valid (integer|number)\."), "数値ではありません。"),
    (
        re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
        "{0}〜{1}の範囲にしてください。",
    ),
    (re.compile(r"Must be one of: (.+)\."), "次のどれかにしてください：{0}。"),
    (
        re.compile(r"must not contain control characters such as NUL, or broken characters"),
        "制御文字や壊れた文字は使えません。",
    ),
    (re.compile(r"Not a valid date\."), "日付ではありません（2027-04-23 の形で）。"),
    (re.compile(r"must be in the years 1900 to 2199"), "1900年〜2199年の日付にしてください。"),
    (
        re.compile(r"must be an ISO week such as 2027-W05 \(week 01 to 52, or 53 in long years\)"),
        "2027-W05 の形の週にしてください（01〜52週、年により53週）。",
    ),
    (
        re.compile(r"give the week \(週, e\.g\. 2027-W05\) or a date \(日付\)"),
        "週（2027-W05 の形）か日付を入れてください。",
    ),
    # What a push refuses a mutation for, as the device's sync page shows it.
    (re.compile(r"not_allowed"), "この項目を変える権限がありません。"),
    (re.compile(r"out_of_scope"), "担当範囲の外の顧客です。"),
    (
        re.compile(r"\w+ [0-9a-f-]{36} does not exist"),
        "参照している記録がサーバーにありません（先に送るはずの記録が届いていないかもしれません）。",
    ),
    (re.compile(r"\w+ [0-9a-f-]{36} belongs to another customer"), "別の顧客の記録です。"),
    (re.compile(r"cannot be changed after the record is created"), "作成した後は変えられません。"),
    (re.compile(r"deleted"), "削除された記録です。"),
    (re.compile(r"must not begin with ~, which marks private records"), "「~」で始まる名前は使えません。"),
    (
        re.compile(r"must (?:include a time and an offset|be an RFC 3339 time with an offset), e\.g\. .*"),
        "日付と時刻の形が正しくありません。",
    ),
    (re.compile(r"Not a valid UUID\."), "IDの形が正しくありません。"),
]


def field_message(message):
    """A field's validation message in the request's language (English as it came when no
    Japanese is known for it)."""
    message = str(message)
    if language() != "ja":
        return message
    for pattern, ja in FIELD_MESSAGES:
        found = pattern.fullmatch(message)
        if found:
            return ja.format(*found.groups())
    return message


def results_in_language(results):
    """A push's results with their refusals' messages in the request's language (the app sends
    its own as ``Accept-Language``): the sync page shows them as they come."""
    if not any("errors" in result for result in results) or language() != "ja":
        return results
    for result in results:
        if "errors" in result:
            result["errors"] = {
                field: [field_message(text) for text in texts] for field, texts in result["errors"].items()
            }
    return results


def row_errors(messages, names=None):
    """A list row's validation messages (marshmallow's) as sentences naming their columns, by
    ``names`` where the field's own name is not the header: 「電話番号：40文字までです。」."""
    return [
        say(
            "{column}: {message}",
            "{column}：{message}",
            column=(names or {}).get(field, field),
            message=" ".join(field_message(text) for text in texts),
        )
        for field, texts in field_errors(messages).items()
    ]
