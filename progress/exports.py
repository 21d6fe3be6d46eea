"""Spreadsheet files for download: one generic writer for every export of the product.

The ledger, the board and any later list export hand rows of plain Python values to
``build_xlsx`` or ``build_csv`` and return them with ``file_response``.

``build_xlsx`` writes the Office Open XML parts itself rather than through openpyxl:
openpyxl builds an object per cell and serialises it through ElementTree, which takes
over 2 s for a 20,000-row ledger even in write-only mode (with lxml too); a sheet of
plain values, one style per column, needs none of that, and this writer builds the
same sheet in a fraction of the time. Files are read back with openpyxl in the tests.
"""

import csv
import datetime
import decimal
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Literal
from xml.sax.saxutils import quoteattr

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl.utils import get_column_letter

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Characters Excel forbids in sheet names; the title is also limited to 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 forbids most control characters; pasted text sometimes carries them.
_ILLEGAL_XML_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection); user text must never become a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_EPOCH_DATETIME = datetime.datetime(1899, 12, 30)

# Indexes into cellXfs of _STYLES_XML.
_STYLE_HEADER = 1
_STYLE_DATE = 2
_STYLE_DATETIME = 3

_CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<bookViews><workbookView/></bookViews>"
    '<sheets><sheet name={title} sheetId="1" r:id="rId1"/></sheets>'
    # Printed, every page repeats the header row.
    '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">{print_titles}</definedName></definedNames>'
    "</workbook>"
)
_WORKBOOK_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Printed landscape, all columns on the page width, as many pages long as it takes.
_SHEET_TAIL = (
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    "</worksheet>"
)
# The header row stays on screen while scrolling (a frozen pane below row 1).
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    "</sheetView></sheetViews>"
    '<sheetFormatPr defaultRowHeight="15"/>'
)


def excel_datetime(value: datetime.datetime | None, tz=None) -> datetime.datetime | None:
    """Excel has no time zones: show an aware datetime in the site's zone, without tzinfo."""
    if value is None or timezone.is_naive(value):
        return value
    return value.astimezone(tz or timezone.get_current_timezone()).replace(tzinfo=None)


def _escape(text: str) -> str:
    text = _ILLEGAL_XML_CHARACTERS.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _print_titles(title: str) -> str:
    quoted = title.replace("'", "''")
    return f"'{quoted}'!$1:$1"


def _value_cell(ref: str, value, style: int = 0) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | decimal.Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    # Inline strings are always text: a value starting with "=" never becomes a formula.
    text = _escape(str(value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    style_attr = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{style_attr}><is><t{space}>{text}</t></is></c>'


def _date_cell_writer(tz):
    def date_cell(ref: str, value) -> str:
        # Excel counts days from 1899-12-30.
        if isinstance(value, datetime.datetime):
            value = excel_datetime(value, tz).date()
        if not isinstance(value, datetime.date):
            return _value_cell(ref, value)
        return f'<c r="{ref}" s="{_STYLE_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'

    return date_cell


def _datetime_cell_writer(tz):
    def datetime_cell(ref: str, value) -> str:
        if not isinstance(value, datetime.date):
            return _value_cell(ref, value)
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        delta = excel_datetime(value, tz) - _EXCEL_EPOCH_DATETIME
        serial = delta.days + delta.seconds / 86400  # whole seconds: no float noise on read-back
        return f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{serial!r}</v></c>'

    return datetime_cell


def build_xlsx(
    *,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    column_widths: list[int],
    date_columns: Iterable[int] = (),
    datetime_columns: Iterable[int] = (),
) -> bytes:
    """One sheet: bold frozen header row, given column widths, real date cells.

    ``date_columns`` and ``datetime_columns`` are 0-based indexes; their values are
    ``date`` / ``datetime`` objects (aware datetimes are shown in local time) or None.
    Strings are always written as text, never as formulas.
    """
    tz = timezone.get_current_timezone()
    writers = [_value_cell] * max(len(headers), len(column_widths))
    for index in date_columns:
        writers[index] = _date_cell_writer(tz)
    for index in datetime_columns:
        writers[index] = _datetime_cell_writer(tz)
    letters = [get_column_letter(index) for index in range(1, len(writers) + 1)]

    parts = [_SHEET_HEAD]
    if column_widths:
        parts.append("<cols>")
        parts.extend(
            f'<col min="{index}" max="{index}" width="{column_width}" customWidth="1"/>'
            for index, column_width in enumerate(column_widths, start=1)
        )
        parts.append("</cols>")
    parts.append('<sheetData><row r="1">')
    parts.extend(_value_cell(f"{letters[index]}1", str(title), _STYLE_HEADER) for index, title in enumerate(headers))
    parts.append("</row>")
    for number, row in enumerate(rows, start=2):
        if len(row) > len(writers):
            writers.extend([_value_cell] * (len(row) - len(writers)))
            letters = [get_column_letter(index) for index in range(1, len(writers) + 1)]
        parts.append(f'<row r="{number}">')
        parts.extend(
            writers[index](f"{letters[index]}{number}", value)
            for index, value in enumerate(row)
            if value is not None and value != ""
        )
        parts.append("</row>")
    parts.append("</sheetData>")
    parts.append(_SHEET_TAIL)

    title = _SHEET_TITLE_FORBIDDEN.sub("_", str(sheet_title))[:31] or "Sheet1"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES_XML)
        archive.writestr("_rels/.rels", _ROOT_RELS_XML)
        archive.writestr(
            "xl/workbook.xml", _WORKBOOK_XML.format(title=quoteattr(title), print_titles=_escape(_print_titles(title)))
        )
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS_XML)
        archive.writestr("xl/styles.xml", _STYLES_XML)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts).encode("utf-8"))
    return buffer.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return excel_datetime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def build_csv(*, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; dates as ISO text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(title) for title in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def file_response(content: bytes, *, filename: str, kind: Literal["xlsx", "csv"]) -> HttpResponse:
    """A download; the filename travels as RFC 5987 UTF-8 so Chinese names survive."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response
