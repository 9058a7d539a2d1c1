"""The printed forms: the service report (作業報告書) of a visit and the daily report (日報),
A4 in Japanese with the company's name, as the paper forms they replace are laid out.

fpdf2 writes them: it reads the OpenType (CFF) Noto Sans CJK collection through fontTools and
embeds a subset, so the text stays text that can be searched and copied out of the PDF.
"""

import logging
import os
import re
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import FontFace

from server.core.calendar import company_time
from server.core.vocabulary import label

log = logging.getLogger(__name__)
UNREADABLE = (OSError, ValueError, FPDFException)  # what a broken image file raises
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
JAPANESE_FACE = 0  # the collection's first face is Noto Sans CJK JP
LABEL_W = 32
LINE = 6.5
MISSING_GLYPH = "〓"
CONTROLS = frozenset("\n\r\t")
# Zero-width joiner, variation selectors, skin tones, tags: parts of one emoji, not characters.
JOINERS = re.compile("[\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
SPLIT_LINES = 8  # a row this long is split at the page's end rather than moved whole
MIN_LINES_BEFORE_BREAK = 3
GREY = (240, 240, 240)


class FontMissing(Exception):
    """The Noto CJK font the reports are printed in is not installed."""


def font_file():
    if not os.path.exists(FONT):
        raise FontMissing(f"{FONT} is missing: install fonts-noto-cjk")
    return FONT


class Form(FPDF):
    """An A4 page in Japanese with the company's details in the footer."""

    def __init__(self, company):
        super().__init__(format="A4", unit="mm")
        self.company = company
        # One face only: every extra face costs a second or more to read and subset.
        self.add_font("jp", "", font_file(), collection_font_number=JAPANESE_FACE)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_font("jp", size=10)

    def normalize_text(self, text):
        """Text as the font can print it: a character it has no glyph for (an emoji, say) comes
        out as 〓, the mark Japanese print uses for one, rather than vanishing unseen; what
        only joins or varies such characters is left out."""
        text = super().normalize_text(text)
        cmap = self.current_font.cmap
        if all(ord(c) in cmap or c in CONTROLS for c in text):
            return text
        return "".join(
            c if ord(c) in cmap or c in CONTROLS else "" if JOINERS.match(c) else MISSING_GLYPH for c in text
        )

    def footer(self):
        self.set_y(-13)
        self.set_font("jp", size=8)
        self.cell(0, 5, f"{self.company['name']}　{self.page_no()} / {{nb}}", align="C")

    def title_line(self, text):
        self.set_font("jp", "", 18)
        self.cell(0, 12, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("jp", size=10)
        self.ln(2)

    def company_block(self, x, y, width=75):
        """The company's logo, name, address and phone, right-aligned at the top."""
        company = self.company
        top = y
        if company.get("logo") and os.path.exists(company["logo"]):
            try:
                self.image(company["logo"], x=x + width - 30, y=y, h=12)
                top += 13
            except UNREADABLE as err:  # a broken logo file must not stop the report
                log.warning("company logo %s not printed: %s", company["logo"], err)
        self.set_xy(x, top)
        self.set_font("jp", "", 11)
        self.multi_cell(width, 6, company["name"], align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("jp", size=9)
        for line in (company.get("address"), f"TEL {company['phone']}" if company.get("phone") else None):
            if line:
                self.multi_cell(width, 5, line, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font("jp", size=10)
        return self.get_y()

    def row(self, heading, text, height=None):
        """One labelled row of the form: a grey heading cell and the text beside it.

        A row that does not fit in what is left of the page starts on the next, unless it is
        long (``SPLIT_LINES`` lines or more): then it fills this page and goes on on the next
        under 「（続き）」, rather than leaving most of a page blank.
        """
        text = text or "—"
        width = self.epw - LABEL_W
        lines = self.multi_cell(width, LINE, text, dry_run=True, output="LINES")
        needed = max(len(lines) * LINE, height or LINE)
        if self.will_page_break(needed):
            room = int((self.page_break_trigger - self.get_y()) // LINE)
            if len(lines) >= SPLIT_LINES and room >= MIN_LINES_BEFORE_BREAK:
                self.row(heading, "\n".join(lines[:room]))
                self.add_page()
                self.row(f"{heading}（続き）", "\n".join(lines[room:]))
                return
            self.add_page()
        x, y = self.get_x(), self.get_y()
        self.set_fill_color(*GREY)
        self.cell(LABEL_W, needed, heading, border=1, fill=True, align="C")
        self.multi_cell(width, LINE, text, border="LTR", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.rect(x + LABEL_W, y, width, needed)
        self.set_xy(x, y + needed)

    def table(self, headings, widths, rows):
        """A bordered table with a grey header row; long text wraps inside its cell."""
        self.set_fill_color(*GREY)
        with super().table(
            col_widths=widths,
            line_height=LINE,
            text_align="LEFT",
            headings_style=FontFace(fill_color=GREY),
            first_row_as_headings=True,
        ) as table:
            table.row(headings)
            for values in rows:
                table.row([str(v) if v not in (None, "") else "" for v in values])


def local(instant, pattern="%Y年%m月%d日 %H:%M"):
    return company_time(instant).strftime(pattern) if instant else ""


def safe_local(instant):
    """``local`` of a stored instant, or "" when it cannot be read: a report never fails on one."""
    try:
        return local(instant) if isinstance(instant, str) else ""
    except (ValueError, OverflowError):
        return ""


WEEKDAYS = "月火水木金土日"


def day_text(ymd):
    """「2026年12月02日（水）」: a day as the service report writes its dates, with its weekday."""
    day = date.fromisoformat(ymd)
    return f"{day.strftime('%Y年%m月%d日')}（{WEEKDAYS[day.weekday()]}）"


def parts_text(parts):
    return "\n".join(f"{p['name']}　× {quantity(p.get('quantity'))}" for p in parts or []) or "なし"


def quantity(value):
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else str(value)


def minutes_text(minutes):
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return f"{minutes}分（{hours}時間{rest:02d}分）" if hours else f"{minutes}分"


def requests_text(requests, visit=None):
    """The requests, one a line; on a signed ``visit``, one the sign screen did not show says
    so: the customer did not see it when they signed."""
    lines = []
    for r in requests:
        head = f"【{label('request.kind', r.get('kind'))}】{r.get('title') or ''}"
        route = r.get("route_to")
        if route:
            head += f"（→ {label('request.route', route)}）"
        if visit is not None and heard_after_signing(r, visit):
            head += "（ご署名の後に追加）"
        lines.append(head + (f"\n{r['details']}" if r.get("details") else ""))
    return "\n".join(lines) or "なし"


def heard_after_signing(request, visit):
    """Whether the sign screen of ``visit`` did not show ``request``: never for a visit unsigned
    or signed before the app kept what it showed."""
    shown = visit.get("signed_request_ids")
    return bool(visit.get("signed_at")) and isinstance(shown, list) and request.get("id") not in shown


def service_report(day, company, signature, photos, issued):
    """The 作業報告書 of one visit as PDF bytes.

    ``signature`` is the path of the signature PNG (or None), ``photos`` paths of up to four
    photos to print small, ``issued`` the issue date as text.
    """
    visit = day.visits[0]
    customer = day.customers.get(visit["customer_id"], {})
    pdf = Form(company)
    pdf.add_page()
    pdf.title_line("作業報告書")
    top = pdf.get_y()
    pdf.set_font("jp", "", 14)
    pdf.cell(100, 10, f"{customer.get('name') or ''}　御中", border="B")
    pdf.set_font("jp", size=9)
    pdf.set_xy(15, top + 12)
    pdf.multi_cell(
        100,
        5,
        f"報告日 {issued}\n下記のとおり作業を実施いたしましたのでご報告いたします。",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    left = pdf.get_y()
    bottom = pdf.company_block(pdf.w - 15 - 75, top)
    pdf.set_xy(15, max(bottom, left) + 4)
    pdf.row(
        "作業日時", f"{local(visit['visited_at'])}　作業時間 {minutes_text(visit.get('work_minutes')) or '—'}"
    )
    pdf.row("作業区分", label("visit.kind", visit.get("kind")))
    pdf.row("担当者", day.user.get("name", ""))
    pdf.row("目的", visit.get("purpose"))
    pdf.row("作業内容", "\n".join(t for t in (visit.get("handling"), visit.get("notes")) if t), height=30)
    pdf.row("使用部品", parts_text(visit.get("parts")))
    pdf.row("ご要望", requests_text(day.requests, visit))
    pdf.row("次回対応", " ".join(t for t in (visit.get("next_action"), visit.get("next_action_due")) if t))
    if photos:
        pdf.row("写真", f"{len(photos)}枚（下記）")
    signature_box(pdf, visit, signature)
    if photos:
        photo_page(pdf, photos)
    return bytes(pdf.output())


def signature_box(pdf, visit, signature):
    """確認欄: the customer's signature as drawn on the tablet, the signer's name and when they
    signed; above the box, a notice when the work was changed after the signature."""
    height = 38
    changed = visit.get("changed_after_signing_at")
    if pdf.will_page_break(height + (16 if changed else 8)):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("jp", "", 10)
    pdf.cell(0, 7, "確認欄　上記作業の完了を確認しました。", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if changed:
        when = safe_local(changed)
        pdf.set_font("jp", "", 11)
        pdf.set_fill_color(*GREY)
        line = pdf.line_width
        pdf.set_line_width(0.6)
        pdf.multi_cell(
            0,
            8,
            "※ ご署名の後に内容が変更されています" + (f"（変更 {when}）" if when else ""),
            border=1,
            fill=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_line_width(line)
        pdf.ln(1)
    pdf.set_font("jp", size=10)
    x, y = pdf.get_x(), pdf.get_y()
    pdf.rect(x, y, pdf.epw, height)
    if signature:
        try:
            pdf.image(signature, x=x + 4, y=y + 3, h=height - 12, keep_aspect_ratio=True, w=pdf.epw / 2)
        except UNREADABLE as err:  # an unreadable signature prints as a blank box, not a 500
            log.warning("signature not printed: %s", err)
    pdf.set_xy(x + 4, y + height - 8)
    signed_at = safe_local(visit.get("signed_at"))
    pdf.cell(
        pdf.epw - 8,
        6,
        f"ご署名：{visit.get('signed_by') or ''}" + (f"　署名日時 {signed_at}" if signed_at else ""),
    )
    pdf.set_xy(x, y + height + 2)


def photo_page(pdf, photos):
    pdf.ln(4)
    size = (pdf.epw - 6) / 2
    for index, path in enumerate(photos[:4]):
        if index % 2 == 0 and pdf.will_page_break(size * 0.75 + 4):
            pdf.add_page()
        x = pdf.l_margin + (index % 2) * (size + 6)
        y = pdf.get_y()
        try:
            pdf.image(path, x=x, y=y, w=size, h=size * 0.75, keep_aspect_ratio=True)
        except UNREADABLE as err:  # a photo the library cannot read is left out of the print
            log.warning("photo %s not printed: %s", path, err)
        if index % 2 == 1 or index == len(photos[:4]) - 1:
            pdf.set_y(y + size * 0.75 + 4)


def daily_report(day, company):
    """The 作業日報 (営業日報 for a sales rep) of one person's day as PDF bytes."""
    report = day.report or {}
    pdf = Form(company)
    pdf.add_page()
    pdf.title_line("営業日報" if day.user.get("role") == "rep" else "作業日報")
    top = pdf.get_y()
    pdf.set_font("jp", size=11)
    pdf.multi_cell(
        100,
        7,
        f"日付　{day_text(day.date)}\n氏名　{day.user.get('name', '')}\n"
        f"状況　{label('daily_report.status', report.get('status') or 'draft')}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    left = pdf.get_y()
    bottom = pdf.company_block(pdf.w - 15 - 75, top)
    pdf.set_xy(15, max(bottom, left) + 4)
    rows = []
    for visit in day.visits:
        customer = day.customers.get(visit["customer_id"], {}).get("name", "")
        work = "\n".join(t for t in (visit.get("purpose"), visit.get("handling")) if t)
        rows.append(
            [
                local(visit["visited_at"], "%H:%M"),
                customer,
                label("visit.kind", visit.get("kind")),
                work,
                visit.get("work_minutes") if visit.get("work_minutes") is not None else "",
                parts_text(visit.get("parts")) if visit.get("parts") else "",
            ]
        )
    pdf.set_font("jp", size=9)
    pdf.table(["時刻", "顧客", "区分", "内容", "分", "使用部品"], (14, 33, 30, 55, 12, 36), rows)
    total = sum(v.get("work_minutes") or 0 for v in day.visits)
    pdf.ln(2)
    pdf.set_font("jp", size=10)
    pdf.row(
        "作業時間計",
        minutes_text(total) + (f"　勤務 {report['hours']}時間" if report.get("hours") is not None else ""),
    )
    pdf.row("要望・苦情", requests_text(day.requests))
    pdf.row("所感・まとめ", report.get("summary"), height=24)
    pdf.row("備考", report.get("notes"))
    pdf.row("上長コメント", report.get("manager_comment"))
    return bytes(pdf.output())
