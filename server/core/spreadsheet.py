"""Excel workbooks: written for exports, read for imports, with openpyxl (a maintained library:
the .xlsx format is a zip of XML parts that is not worth writing by hand); and CSV as Japanese
Excel saves it (UTF-8 with or without BOM, or Shift_JIS/CP932; CR, LF or CRLF row ends)."""

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from server.core.calendar import today
from server.core.text import fold
from server.core.words import Said

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"
MAX_TABLE_ROWS = 20_000  # more than any import takes (5,000), fewer than would fill a worker
MAX_COLUMNS = 200
MAX_XLSX_BYTES = 50 * 2**20  # unpacked: a sheet of 20,000 rows of 200 cells is far less
HEADER_SEARCH_ROWS = 10  # a title row or two (「顧客一覧 2026年12月」) may stand above the header
SPACES = re.compile(r"[ \t\u3000]+")


def spreadsheet_safe(value):
    """Text Excel shows as typed: a leading =, +, - or @ would otherwise start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def excel_csv(headers, rows):
    """A table as CSV for Excel: UTF-8 with a BOM, RFC 4180 quoting and CRLF row ends (what
    Excel expects), every value text as typed, never a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def workbook(title, headers, rows):
    """One sheet: bold frozen headers, then the rows; every string stays text, never a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(body, mimetype, filename, title):
    """A file to save as ``title`` (its Japanese name, as RFC 5987 writes it), or
    ``filename`` (ASCII) where a client reads only that."""
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(title)}"
        },
    )


def dated_export(body, extension, name, title):
    """A CSV or .xlsx export named by the company's day: ``{name}_2026-12-07.csv``, shown as
    ``{title}_2026-12-07.csv`` (its Japanese name)."""
    day = today().isoformat()
    mimetype = XLSX if extension == "xlsx" else "text/csv"
    return download(body, mimetype, f"{name}_{day}.{extension}", f"{title}_{day}.{extension}")


def _cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value="" if value is None else value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    if font:
        cell.font = font
    return cell


class UnreadableFile(ValueError):
    """The file is neither a CSV nor an .xlsx this reader understands, or not the list asked
    for; its one argument says so in English and Japanese (a ``Said``)."""


def read_table(content, filename=""):
    """The cells of a CSV or of an .xlsx's first sheet, row by row, as the text a CSV holds:
    at most ``MAX_TABLE_ROWS`` rows of ``MAX_COLUMNS`` cells (a file of blank lines, or a sheet
    that claims a million rows or 16,384 columns, is refused before it fills the memory)."""
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return capped(xlsx_rows(content))
    # newline="": the reader takes CR, LF and CRLF as row ends itself (a CSV that old Mac
    # Excel saved ends its rows with CR alone).
    try:
        return capped(row[:MAX_COLUMNS] for row in csv.reader(io.StringIO(decode(content), newline="")))
    except csv.Error as err:
        raise UnreadableFile(
            Said(
                f"The file is not a CSV this reader understands ({err}): save it again as CSV or .xlsx.",
                f"CSV として読めないファイルです（{err}）。CSV か xlsx で保存し直してください。",
            )
        ) from None


def decode(content):
    """Text of a CSV as Excel saves it: UTF-8 (BOM or not), else Shift_JIS (CP932)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp932")
    except UnicodeDecodeError:
        raise UnreadableFile(
            Said(
                "The file is neither UTF-8 nor Shift_JIS text: save it as CSV or .xlsx.",
                "UTF-8 でも Shift_JIS でもないファイルです。CSV か xlsx で保存してください。",
            )
        ) from None


def capped(rows):
    """``rows`` as a list, refused past ``MAX_TABLE_ROWS``."""
    table = []
    for row in rows:
        if len(table) == MAX_TABLE_ROWS:
            raise UnreadableFile(
                Said(
                    f"The file has more than {MAX_TABLE_ROWS:,} rows: split it.",
                    f"{MAX_TABLE_ROWS:,}行を超えるファイルは読めません。分けてください。",
                )
            )
        table.append(row)
    return table


def xlsx_rows(content):
    """The first sheet's rows, lazily; an .xlsx that would unpack past ``MAX_XLSX_BYTES`` (a
    zip bomb) is refused before openpyxl opens it."""
    unreadable = UnreadableFile(
        Said(
            "The .xlsx file cannot be read: save it again from Excel.",
            "この xlsx ファイルは読めません。Excel で保存し直してください。",
        )
    )
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable from None
    if unpacked > MAX_XLSX_BYTES:
        raise UnreadableFile(
            Said(
                f"The .xlsx file unpacks to {unpacked // 2**20:,} MB, more than {MAX_XLSX_BYTES // 2**20} MB:"
                " save only the sheet to import, or as CSV.",
                f"この xlsx は展開すると {unpacked // 2**20:,} MB になり、上限の {MAX_XLSX_BYTES // 2**20} MB を"
                "超えます。取り込むシートだけを保存するか、CSV で保存してください。",
            )
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise unreadable from None
    try:
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield [cell_text(value) for value in row]
    except Exception:  # a sheet damaged past its first rows
        raise unreadable from None


def cell_text(value):
    """A cell as the text a CSV would hold."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 20, not 20.0; a number typed whole stays whole
    return str(value)


def clean(value):
    """A cell's text as a field holds it: NFKC (全角英数 and 半角カナ made ordinary), one space
    between words, no spaces at the ends; None for an empty cell. The ' our CSV exports put
    before a leading = + - @ (so Excel shows it as typed) is taken off again."""
    text = unicodedata.normalize("NFKC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line) or None


class Headers:
    """What each column of a list means, by the headers people give it, compared folded
    (width, case, kana and spaces do not matter): ``{field: (header, another, ...)}``."""

    def __init__(self, columns, required, missing):
        self.columns = columns
        self.of = {fold(header): field for field, headers in columns.items() for header in headers}
        self.required, self.missing = required, missing

    def find(self, table):
        """``(index, fields)`` of the header row: the first of the top rows that names the
        required column; each cell's field, else its own header (「列5」 for a column with
        none, so what is under it still has a name)."""
        for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
            names = [clean(cell) or f"列{n}" for n, cell in enumerate(cells, start=1)]
            fields = [self.of.get(fold(name), name) for name in names]
            if self.required in fields:
                return index, fields
        raise UnreadableFile(self.missing)


def read_rows(content, filename, headers, *, max_rows, convert=None):
    """The rows of a list under ``headers``: ``(row number as Excel shows it, {field: text},
    [(other header, text)])`` for each row that holds anything, and the other headers met (the
    columns no field takes, to be kept in words). ``convert`` maps a field to a function of
    its text. More than ``max_rows`` rows is refused whole."""
    table = read_table(content, filename)
    header, fields = headers.find(table)
    convert = convert or {}
    rows, others_met = [], {}
    for index, cells in enumerate(table[header + 1 :], start=header + 2):
        row, others = {}, []
        for n, cell in enumerate(cells):
            field = fields[n] if n < len(fields) else f"列{n + 1}"  # past the header's last cell
            text = clean(cell)
            if text is None:
                continue
            if field in headers.columns:
                text = convert.get(field, str)(text)
                row[field] = f"{row[field]} {text}" if field in row else text
            else:
                others.append((field, text))
                others_met[field] = True
        if row or others:
            rows.append((index, row, others))
    if len(rows) > max_rows:
        raise UnreadableFile(
            Said(
                f"The file has {len(rows):,} rows; import at most {max_rows:,} at a time (split the file).",
                f"{len(rows):,}行あります。一度に取り込めるのは{max_rows:,}行までです（ファイルを分けてください）。",
            )
        )
    return rows, list(others_met)
