"""Reading an uploaded .xlsx within fixed bounds: the first sheet's values, nothing else.

An upload is hostile until read: a 1.8 KB workbook can declare a sheet of A1:XFD1048576,
89 KB of zip can hold ten million empty rows, a member can inflate a thousandfold.
openpyxl reads whole rows, every style and the declared dimension before it yields a
value, and offers no bound on time or rows below that; so this reader walks the parts
itself with expat, in C, and stops at the first bound crossed:

- the zip's member count, each member's uncompressed size and their total, checked from
  the central directory before anything is inflated, and again while inflating (a header
  may lie);
- the sheet's first ``max_rows`` rows, counting every row element, empty or not: a row
  beyond them refuses the file rather than dropping what it holds;
- the first ``max_columns`` columns (a value further right refuses the file too);
- a time budget for the whole read;
- no DTD and no entities (the billion-laughs family), no encrypted or legacy (.xls)
  workbooks, no malformed XML.

Every refusal is a ``SpreadsheetError`` whose text is shown to the user as it is.
Values come back as ``str``, ``Decimal``, ``bool``, ``datetime.datetime`` (a number in a
date format) or a percentage string such as ``"40%"`` (a number in a percent format, as
the user sees it); an empty cell is ``None``.
"""

import dataclasses
import datetime
import decimal
import io
import posixpath
import re
import struct
import time
import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from django.utils.translation import gettext as _

_ZIP_MAGIC = b"PK\x03\x04"
# OLE2 compound documents: legacy .xls, and every password-protected Office file.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 64 * 1024
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
# Built-in number formats that show a date or time (ECMA-376 18.8.30; 27–36 and 50–58 are the CJK ones).
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_BUILTIN_PERCENT_FORMATS = {9, 10}
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_EPOCH_1900 = datetime.datetime(1899, 12, 30)
_EPOCH_1904 = datetime.datetime(1904, 1, 1)
_MAX_SERIAL = 2_958_465  # 9999-12-31
# A number cell holds a binary double: 576.32 may come back as 576.3200000000001. Excel shows and
# computes with 15 significant digits; read numbers at that precision, as the user sees them.
_EXCEL_PRECISION = decimal.Context(prec=15)


class SpreadsheetError(Exception):
    """The upload cannot be read; ``str(error)`` says why, for the user."""


@dataclasses.dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_members: int = 64
    max_member_bytes: int = 24 * 1024 * 1024
    max_total_bytes: int = 48 * 1024 * 1024
    max_rows: int = 2000
    max_columns: int = 40
    seconds: float = 3.0


@dataclasses.dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list]]  # (row number as Excel shows it, values from column A)


class _Stop(Exception):
    """Raised inside an expat handler to end the parse with a user-facing message."""

    def __init__(self, message: str):
        self.message = message


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        self.archive = archive
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.inflated = 0

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SpreadsheetError(_("文件过于复杂,未能在限定时间内读完。请另存为普通 .xlsx 或分批导入。"))

    def parse(self, name: str, start=None, end=None, text=None) -> None:
        """Stream member ``name`` through expat with the given handlers, within every bound."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise SpreadsheetError(_("文件不是完整的 Excel 工作簿(缺少 %(part)s)。") % {"part": name}) from None
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse_dtd(*args):
            raise _Stop(_("文件含有不允许的 XML 声明(DTD),已拒收。"))

        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        if start:
            parser.StartElementHandler = start
        if end:
            parser.EndElementHandler = end
        if text:
            parser.CharacterDataHandler = text
        read = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    read += len(chunk)
                    self.inflated += len(chunk)
                    if read > self.limits.max_member_bytes or self.inflated > self.limits.max_total_bytes:
                        raise SpreadsheetError(_("文件解压后过大,已拒收。"))
                    parser.Parse(chunk, False)
                    self._check_time()
                parser.Parse(b"", True)
        except _Stop as stop:
            raise SpreadsheetError(stop.message) from None
        except expat.ExpatError:
            raise SpreadsheetError(
                _("文件内容已损坏(XML 格式错误),请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。")
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
            raise SpreadsheetError(_("文件已损坏,无法解压。请重新保存后上传。")) from None

    def first_sheet(self) -> tuple[str, str, str | None, str | None, bool]:
        """The first sheet's name and part, the shared strings and styles parts, and whether dates count from 1904."""
        sheet_id: list[str] = []
        sheet_name: list[str] = []
        date1904 = [False]

        def workbook_start(name, attrs):
            local = _local(name)
            if local == "sheet" and not sheet_id:
                sheet_id.extend(value for key, value in attrs.items() if _local(key) == "id")
                sheet_name.append(attrs.get("name", ""))
            elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                date1904[0] = True

        self.parse("xl/workbook.xml", start=workbook_start)
        targets: dict[str, str] = {}
        by_type: dict[str, str] = {}

        def rels_start(name, attrs):
            if _local(name) == "Relationship":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[attrs.get("Id", "")] = path
                by_type.setdefault(attrs.get("Type", "").rpartition("/")[2], path)

        self.parse("xl/_rels/workbook.xml.rels", start=rels_start)
        sheet = targets.get(sheet_id[0]) if sheet_id else None
        if sheet is None:
            raise SpreadsheetError(_("工作簿中没有工作表。"))
        return sheet_name[0], sheet, by_type.get("sharedStrings"), by_type.get("styles"), date1904[0]

    def shared_strings(self, name: str | None) -> list[str]:
        if name is None:
            return []
        strings: list[str] = []
        parts: list[str] = []
        state = {"t": False, "phonetic": 0}

        def start(tag, attrs):
            local = _local(tag)
            if local == "si":
                parts.clear()
            elif local == "t":
                state["t"] = True
            elif local == "rPh":
                state["phonetic"] += 1

        def end(tag):
            local = _local(tag)
            if local == "si":
                strings.append(_unescape("".join(parts)))
            elif local == "t":
                state["t"] = False
            elif local == "rPh":
                state["phonetic"] -= 1

        def text(data):
            if state["t"] and not state["phonetic"]:
                parts.append(data)

        self.parse(name, start, end, text)
        return strings

    def styles(self, name: str | None) -> tuple[set[int], set[int]]:
        """The indexes of cell formats that show a date, and those that show a percentage."""
        if name is None:
            return set(), set()
        codes: dict[int, str] = {}
        formats: list[int] = []
        inside = {"cellXfs": False}

        def start(tag, attrs):
            local = _local(tag)
            if local == "numFmt":
                try:
                    codes[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif local == "cellXfs":
                inside["cellXfs"] = True
            elif local == "xf" and inside["cellXfs"]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)

        def end(tag):
            if _local(tag) == "cellXfs":
                inside["cellXfs"] = False

        self.parse(name, start, end)
        dates, percents = set(), set()
        for index, format_id in enumerate(formats):
            code = _QUOTED_OR_BRACKETED.sub("", codes.get(format_id, "")).lower()
            if format_id in _BUILTIN_DATE_FORMATS or (
                format_id in codes and code != "general" and re.search(r"[ymdhs]", code) and "0" not in code
            ):
                dates.add(index)
            if format_id in _BUILTIN_PERCENT_FORMATS or "%" in code:
                percents.add(index)
        return dates, percents

    def sheet(self, name: str, part: str, strings: list[str], dates: set[int], percents: set[int], epoch) -> Sheet:
        limits = self.limits
        rows: list[tuple[int, list]] = []
        state = {"row": 0, "rows_seen": 0, "col": 0, "type": "n", "style": 0, "collect": False, "inline": False}
        values: list = []
        buffer: list[str] = []

        def too_many_rows():
            return _Stop(
                _("表格超过 %(n)s 行(空行也计算在内)。请删除表格末尾多余的行,或分批导入。") % {"n": limits.max_rows}
            )

        def start(tag, attrs):
            local = _local(tag)
            if local == "row":
                state["rows_seen"] += 1
                number = attrs.get("r")
                row = int(number) if number and number.isascii() and number.isdigit() else state["row"] + 1
                if row <= state["row"]:
                    raise _Stop(_("文件内容已损坏(行号重复或倒序)。"))
                if row > limits.max_rows or state["rows_seen"] > limits.max_rows:
                    raise too_many_rows()
                state["row"], state["col"] = row, 0
                values.clear()
            elif local == "c":
                ref = attrs.get("r")
                match = _CELL_REF.fullmatch(ref) if ref else None
                column = _column_index(match.group(1)) if match else state["col"] + 1
                if ref and match is None:
                    raise _Stop(_("文件内容已损坏(单元格地址“%(ref)s”无效)。") % {"ref": ref[:20]})
                state["col"] = column
                state["type"] = attrs.get("t", "n")
                style = attrs.get("s", "0")
                state["style"] = int(style) if style.isascii() and style.isdigit() else 0
                buffer.clear()
            elif local in ("v", "t"):
                state["collect"] = True
            elif local == "is":
                state["inline"] = True

        def end(tag):
            local = _local(tag)
            if local in ("v", "t"):
                state["collect"] = False
            elif local == "is":
                state["inline"] = False
            elif local == "c":
                value = _value(state["type"], "".join(buffer), state["style"])
                if value is None:
                    return
                column = state["col"]
                if column > limits.max_columns:
                    raise _Stop(
                        _("第 %(row)s 行第 %(col)s 列有内容:台账只读取前 %(n)s 列,请删除多余的列后重新上传。")
                        % {"row": state["row"], "col": column, "n": limits.max_columns}
                    )
                values.extend([None] * (column - len(values)))
                values[column - 1] = value
            elif local == "row":
                if values:
                    rows.append((state["row"], list(values)))
                self._check_time()

        def text(data):
            if state["collect"]:
                buffer.append(data)

        def _value(kind: str, raw: str, style: int):
            if kind == "s":
                try:
                    return strings[int(raw)] or None
                except (ValueError, IndexError):
                    raise _Stop(_("文件内容已损坏(共享字符串索引无效)。")) from None
            if kind in ("inlineStr", "str", "e"):
                return _unescape(raw).strip("\x00") or None
            if kind == "b":
                return raw.strip() in ("1", "true")
            if raw == "":
                return None
            if kind == "d":
                try:
                    return datetime.datetime.fromisoformat(raw.strip())
                except ValueError:
                    return raw
            try:
                number = decimal.Decimal(raw.strip())
            except decimal.InvalidOperation:
                return raw
            if not number.is_finite():
                return raw
            if len(number.as_tuple().digits) > 15:
                number = _EXCEL_PRECISION.create_decimal(number).normalize()
            if style in dates and 0 <= number <= _MAX_SERIAL:
                return epoch + datetime.timedelta(days=float(number))
            if style in percents:
                return f"{(number * 100).normalize():f}%"
            return number

        self.parse(part, start, end, text)
        return Sheet(name=name, rows=rows)


def _check_container(head: bytes, size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise SpreadsheetError(_("文件超过 %(mb)s MB,请分批导入。") % {"mb": round(limits.max_bytes / 1024 / 1024, 1)})
    if head.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _("该文件已加密,或是旧版 .xls 格式。请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后上传。")
        )
    if not head.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(_("该文件不是 .xlsx 格式的 Excel 工作簿。请使用本系统导出的台账。"))


def _declared_member_count(data: bytes) -> int | None:
    """The member count the end-of-central-directory record declares, read before zipfile walks it."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if position < 0 or position + 22 > len(data):
        return None
    return struct.unpack("<H", data[position + 10 : position + 12])[0]


def read_first_sheet(file: IO[bytes], limits: Limits = Limits()) -> Sheet:
    """The first sheet of an .xlsx upload, read within ``limits``; ``SpreadsheetError`` if it cannot be."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    head = file.read(8)
    _check_container(head, size, limits)
    file.seek(0)
    data = file.read(limits.max_bytes + 1)
    declared = _declared_member_count(data)
    if declared is not None and declared > limits.max_members:
        raise SpreadsheetError(_("压缩包中的文件过多(%(n)s 个),不是正常的台账文件。") % {"n": declared})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise SpreadsheetError(_("文件已损坏,无法打开。请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。")) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise SpreadsheetError(_("压缩包中的文件过多(%(n)s 个),不是正常的台账文件。") % {"n": len(members)})
        if any(member.flag_bits & 0x1 for member in members):
            raise SpreadsheetError(_("该文件已加密。请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后上传。"))
        if any(member.file_size > limits.max_member_bytes for member in members) or (
            sum(member.file_size for member in members) > limits.max_total_bytes
        ):
            raise SpreadsheetError(_("文件解压后过大,已拒收。"))
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError(_("该文件不是 .xlsx 格式的 Excel 工作簿。请使用本系统导出的台账。"))
        reader = _Reader(archive, limits)
        name, part, shared, styles, date1904 = reader.first_sheet()
        strings = reader.shared_strings(shared)
        dates, percents = reader.styles(styles)
        return reader.sheet(name, part, strings, dates, percents, _EPOCH_1904 if date1904 else _EPOCH_1900)
