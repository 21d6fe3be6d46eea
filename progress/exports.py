"""Spreadsheet files for download: one generic writer for every export of the product.

The ledger, the board and any later list export hand rows of plain Python values to
``build_xlsx`` or ``build_csv`` and return them with ``file_response``.

``build_xlsx`` writes the Office Open XML parts itself rather than through openpyxl or
XlsxWriter: openpyxl builds an object per cell and serialises it through ElementTree,
which takes over 2 s for a 20,000-row ledger even in write-only mode (with lxml too),
and XlsxWriter's constant-memory mode is 3–4 times slower than this writer; a sheet of
plain values, one style per column, needs none of that.

The writer guards what it writes: text is always text (never a formula), cut at Excel's
32,767 characters, with control characters and lone surrogates encoded instead of
breaking the XML, and literal ``_xHHHH_`` escaped so it reads back as typed; NaN and
infinities are refused (``ValueError``) rather than written as a file Excel repairs.
"""

import csv
import dataclasses
import datetime
import decimal
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl.utils import get_column_letter

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Excel keeps at most this many characters in a cell.
MAX_CELL_CHARACTERS = 32_767
# Characters Excel forbids in sheet names; the title is also limited to 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 forbids these; pasted text sometimes carries them. Cells encode them as _xHHHH_.
_ILLEGAL_XML_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A lone UTF-16 surrogate (from a broken paste) cannot be encoded as UTF-8.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Text that a reader would decode as an escaped character: its underscore is escaped (_x005F_).
# Lookahead: in "_x005F_x0041_" both underscores start one.
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection); user text must never become a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_EPOCH_DATETIME = datetime.datetime(1899, 12, 30)

# Indexes into cellXfs of _STYLES_XML.
_STYLE_HEADER = 1
_STYLE_DATE = 2
_STYLE_DATETIME = 3
_STYLE_TITLE = 4
_STYLE_INFO = 5
_STYLE_SHADED = 6  # a read-only column: grey fill; +1 date, +2 datetime
_STYLE_WRAP = 9  # long text: wrapped, top-aligned
_LINE_POINTS, _MAX_WRAPPED_LINES = 15, 12

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
_SHADE = '<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill>'
_HEADER_FILL = (
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
)
_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/>'
    "</numFmts>"
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="16"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    f'<fills count="4"><fill><patternFill patternType="none"/></fill>'
    f'<fill><patternFill patternType="gray125"/></fill>{_SHADE}{_HEADER_FILL}</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="10">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="165" fontId="0" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Printed on A4 (paperSize 9) landscape, all columns on the page width, as many pages long as it takes.
_SHEET_TAIL = (
    '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    "</worksheet>"
)


@dataclasses.dataclass(frozen=True)
class Validation:
    """Data validation of one column, from the first data row down ``rows`` rows.

    ``kind`` is "whole" or "decimal" (between ``minimum`` and ``maximum``) or "list"
    (one of ``options``, offered as a dropdown). ``message`` is what Excel says when
    a typed value is refused.
    """

    column: int
    kind: Literal["whole", "decimal", "list"]
    message: str
    minimum: int | decimal.Decimal | None = None
    maximum: int | decimal.Decimal | None = None
    options: Sequence[str] = ()


def excel_datetime(value: datetime.datetime | None, tz=None) -> datetime.datetime | None:
    """Excel has no time zones: show an aware datetime in the site's zone, without tzinfo."""
    if value is None or timezone.is_naive(value):
        return value
    return value.astimezone(tz or timezone.get_current_timezone()).replace(tzinfo=None)


def _xml_text(text: str) -> str:
    """Text for an XML attribute or a part that is not a cell: illegal characters go."""
    text = _SURROGATES.sub("\ufffd", _ILLEGAL_XML_CHARACTERS.sub("", text))
    return escape(text)


def _cell_text(text: str) -> str:
    """A cell's text as OOXML stores it: cut at Excel's limit, nothing dropped, nothing that breaks the XML."""
    text = _SURROGATES.sub("\ufffd", text[:MAX_CELL_CHARACTERS])
    text = _ESCAPE_LOOKALIKE.sub("_x005F_", text)
    text = _ILLEGAL_XML_CHARACTERS.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return escape(text)


def _number(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a spreadsheet cell cannot hold {value!r}")
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise ValueError(f"a spreadsheet cell cannot hold {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


def _print_titles(title: str, rows: str) -> str:
    quoted = title.replace("'", "''")
    return f"'{quoted}'!{rows}"


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    # Inline strings are always text: a value starting with "=" never becomes a formula.
    text = _cell_text(text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    style_attr = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{style_attr}><is><t{space}>{text}</t></is></c>'


def _value_cell_writer(style: int):
    style_attr = f' s="{style}"' if style else ""

    def value_cell(ref: str, value) -> str:
        if isinstance(value, bool):
            return f'<c r="{ref}"{style_attr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float | decimal.Decimal):
            return f'<c r="{ref}"{style_attr}><v>{_number(value)}</v></c>'
        return _text_cell(ref, str(value), style)

    return value_cell


_value_cell = _value_cell_writer(0)


def _date_cell_writer(tz, style: int, text_style: int):
    fallback = _value_cell_writer(text_style)

    def date_cell(ref: str, value) -> str:
        # Excel counts days from 1899-12-30.
        if isinstance(value, datetime.datetime):
            value = excel_datetime(value, tz).date()
        if not isinstance(value, datetime.date):
            return fallback(ref, value)
        return f'<c r="{ref}" s="{style}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'

    return date_cell


def _datetime_cell_writer(tz, style: int, text_style: int):
    fallback = _value_cell_writer(text_style)

    def datetime_cell(ref: str, value) -> str:
        if not isinstance(value, datetime.date):
            return fallback(ref, value)
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        delta = excel_datetime(value, tz) - _EXCEL_EPOCH_DATETIME
        serial = delta.days + delta.seconds / 86400  # whole seconds: no float noise on read-back
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'

    return datetime_cell


def _display_width(text: str) -> int:
    """Columns a text takes: Chinese (and other wide) characters take two."""
    return sum(2 if ord(character) >= 0x2E80 else 1 for character in text)


def _wrapped_height(row: Sequence, wrapped: set[int], widths: list[int]) -> float | None:
    """The height of a row whose wrapped columns hold more than a line, in points; None for one line.

    Spreadsheet programs do not grow such rows on opening (LibreOffice prints them cut off), so the
    writer sets the height from the longest wrapped text: lines × 15 pt, at most _MAX_WRAPPED_LINES.
    """
    lines = 1
    for index in wrapped:
        value = row[index] if index < len(row) else None
        if not isinstance(value, str) or not value or index >= len(widths):
            continue
        usable = max(widths[index] - 1, 1)
        needed = sum(max(1, -(-_display_width(part) // usable)) for part in value.split("\n"))
        lines = max(lines, min(needed, _MAX_WRAPPED_LINES))
    return lines * _LINE_POINTS if lines > 1 else None


def _validation_xml(validation: Validation, sqref: str) -> str:
    message = quoteattr(_xml_text(validation.message))
    common = f'allowBlank="1" showErrorMessage="1" errorTitle={message} error={message} sqref="{sqref}"'
    if validation.kind == "list":
        # An inline list: the options are joined by commas inside one quoted formula (at most 255 characters).
        options = ",".join(option.replace(",", " ").replace('"', "") for option in validation.options)
        return f'<dataValidation type="list" {common}><formula1>"{_xml_text(options)}"</formula1></dataValidation>'
    return (
        f'<dataValidation type="{validation.kind}" operator="between" {common}>'
        f"<formula1>{_number(validation.minimum)}</formula1><formula2>{_number(validation.maximum)}</formula2>"
        "</dataValidation>"
    )


def build_xlsx(
    *,
    sheet_title: str,
    headers: list[str],
    rows: Iterable[Sequence],
    column_widths: list[int],
    date_columns: Iterable[int] = (),
    datetime_columns: Iterable[int] = (),
    title: str = "",
    info: Sequence[str] = (),
    shaded_columns: Iterable[int] = (),
    wrapped_columns: Iterable[int] = (),
    validations: Sequence[Validation] = (),
    validation_rows: int = 0,
    frozen_columns: int = 0,
) -> bytes:
    """One sheet: a bold frozen header row, given column widths, real date cells.

    ``date_columns`` and ``datetime_columns`` are 0-based indexes; their values are
    ``date`` / ``datetime`` objects (aware datetimes are shown in local time) or None.
    Strings are always written as text, never as formulas.

    The office layout, all optional: ``title`` is a row above the header across every
    column, ``info`` a line of cells under it (填报单位 / 填报人 ...); ``shaded_columns``
    are shown grey (read-only), ``wrapped_columns`` wrap long text; ``validations``
    apply to the data rows and ``validation_rows`` more (for rows the user adds);
    ``frozen_columns`` stay on screen when scrolling right. Printed, every page repeats
    the header row.
    """
    tz = timezone.get_current_timezone()
    width = max(len(headers), len(column_widths))
    shaded, wrapped = set(shaded_columns), set(wrapped_columns)
    writers = [
        _value_cell_writer(_STYLE_SHADED if index in shaded else _STYLE_WRAP if index in wrapped else 0)
        for index in range(width)
    ]
    for index in date_columns:
        writers[index] = (
            _date_cell_writer(tz, _STYLE_SHADED + 1, _STYLE_SHADED)
            if index in shaded
            else _date_cell_writer(tz, _STYLE_DATE, 0)
        )
    for index in datetime_columns:
        writers[index] = (
            _datetime_cell_writer(tz, _STYLE_SHADED + 2, _STYLE_SHADED)
            if index in shaded
            else _datetime_cell_writer(tz, _STYLE_DATETIME, 0)
        )
    letters = [get_column_letter(index) for index in range(1, width + 1)]
    header_row = 1 + bool(title) + bool(info)
    last_letter = letters[-1] if letters else "A"

    pane = f"{letters[frozen_columns]}{header_row + 1}" if frozen_columns else f"A{header_row + 1}"
    x_split = f' xSplit="{frozen_columns}"' if frozen_columns else ""
    active = "bottomRight" if frozen_columns else "bottomLeft"
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane{x_split} ySplit="{header_row}" topLeftCell="{pane}" activePane="{active}" state="frozen"/>'
        f'<selection pane="{active}" activeCell="{pane}" sqref="{pane}"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
    ]
    if column_widths:
        parts.append("<cols>")
        for index, column_width in enumerate(column_widths, start=1):
            # A read-only column is grey down to its empty cells too.
            style = f' style="{_STYLE_SHADED}"' if index - 1 in shaded else ""
            parts.append(f'<col min="{index}" max="{index}" width="{column_width}"{style} customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    if title:
        parts.append(f'<row r="1" ht="30" customHeight="1">{_text_cell("A1", str(title), _STYLE_TITLE)}</row>')
    if info:
        number = 1 + bool(title)
        parts.append(f'<row r="{number}" ht="22" customHeight="1">')
        parts.extend(
            _text_cell(f"{letters[index]}{number}", str(text), _STYLE_INFO) for index, text in enumerate(info) if text
        )
        parts.append("</row>")
    parts.append(f'<row r="{header_row}">')
    parts.extend(
        _text_cell(f"{letters[index]}{header_row}", str(text), _STYLE_HEADER) for index, text in enumerate(headers)
    )
    parts.append("</row>")
    number = header_row
    for number, row in enumerate(rows, start=header_row + 1):
        if len(row) > len(writers):
            writers.extend([_value_cell] * (len(row) - len(writers)))
            letters = [get_column_letter(index) for index in range(1, len(writers) + 1)]
        height = _wrapped_height(row, wrapped, column_widths)
        parts.append(f'<row r="{number}" ht="{height}" customHeight="1">' if height else f'<row r="{number}">')
        parts.extend(
            writers[index](f"{letters[index]}{number}", value)
            for index, value in enumerate(row)
            if value is not None and value != ""
        )
        parts.append("</row>")
    parts.append("</sheetData>")
    if title:
        parts.append(f'<mergeCells count="1"><mergeCell ref="A1:{last_letter}1"/></mergeCells>')
    if validations:
        last = number + validation_rows
        parts.append(f'<dataValidations count="{len(validations)}">')
        for validation in validations:
            letter = letters[validation.column]
            parts.append(_validation_xml(validation, f"{letter}{header_row + 1}:{letter}{max(last, header_row + 1)}"))
        parts.append("</dataValidations>")
    parts.append(_SHEET_TAIL)

    sheet_name = _SHEET_TITLE_FORBIDDEN.sub("_", _xml_text(str(sheet_title)))[:31] or "Sheet1"
    print_titles = _print_titles(sheet_name, f"${header_row}:${header_row}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES_XML)
        archive.writestr("_rels/.rels", _ROOT_RELS_XML)
        archive.writestr(
            "xl/workbook.xml", _WORKBOOK_XML.format(title=quoteattr(sheet_name), print_titles=escape(print_titles))
        )
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS_XML)
        archive.writestr("xl/styles.xml", _STYLES_XML)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts).encode("utf-8"))
    return buffer.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | decimal.Decimal):
        return _number(value)  # a number, negative or not, is never a formula
    if isinstance(value, datetime.datetime):
        return excel_datetime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = _SURROGATES.sub("\ufffd", str(value))
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def build_csv(*, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; dates as ISO text.

    Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(str(title)) for title in headers])
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
