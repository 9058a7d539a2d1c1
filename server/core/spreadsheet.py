"""Excel workbooks: written for exports, read for imports, with openpyxl (a maintained library:
the .xlsx format is a zip of XML parts that is not worth writing by hand); and CSV as Japanese
Excel saves it (UTF-8 with or without BOM, or Shift_JIS/CP932; CR, LF or CRLF row ends)."""

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"


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


def _cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value="" if value is None else value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
    if font:
        cell.font = font
    return cell


class UnreadableFile(ValueError):
    """The file is neither a CSV nor an .xlsx this reader understands."""


def read_table(content, filename=""):
    """The cells of a CSV or of an .xlsx's first sheet, row by row, as the text a CSV holds."""
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return xlsx_rows(content)
    # newline="": the reader takes CR, LF and CRLF as row ends itself (a CSV that old Mac
    # Excel saved ends its rows with CR alone).
    try:
        return list(csv.reader(io.StringIO(decode(content), newline="")))
    except csv.Error as err:
        raise UnreadableFile(
            f"The file is not a CSV this reader understands ({err}): save it again as CSV or .xlsx."
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
            "The file is neither UTF-8 nor Shift_JIS text: save it as CSV or .xlsx."
        ) from None


def xlsx_rows(content):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile("The .xlsx file cannot be read: save it again from Excel.") from None
    return [[cell_text(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]


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
