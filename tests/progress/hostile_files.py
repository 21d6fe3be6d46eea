"""Hostile uploads for the ledger import, built in memory; the tests and bench/ledger_import.py use them.

Each builder returns the bytes of a file named .xlsx and the start of the message that refuses it.
"""

import io
import struct
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>任务来源(条款)</t></is></c></row>'
)


def _workbook(sheet_parts, *, extra=(), level=9) -> bytes:
    """A minimal workbook whose sheet XML is the concatenation of ``sheet_parts`` (streamed, never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part if isinstance(part, bytes) else part.encode("utf-8"))
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def declared_whole_sheet() -> tuple[bytes, str]:
    """About 1.8 KB declaring A1:XFD1048576, with a cell in the very last one."""
    content = _workbook(
        [
            _SHEET_HEAD,
            '<dimension ref="A1:XFD1048576"/><sheetData>',
            _HEADER_ROW,
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
            "</sheetData></worksheet>",
        ]
    )
    return content, "表格超过"


def ten_million_empty_rows() -> tuple[bytes, str]:
    """Ten million empty rows: 60 MB of XML in a zip of about 90 KB."""
    batch = b"<row/>" * 100_000

    def rows():
        yield _SHEET_HEAD + "<sheetData>" + _HEADER_ROW
        for _ in range(100):
            yield batch
        yield "</sheetData></worksheet>"

    return _workbook(rows()), "文件解压后过大"


def a_million_unnumbered_rows() -> tuple[bytes, str]:
    """A million empty <row/> elements, under the size bound: the row count stops them."""
    return (
        _workbook([_SHEET_HEAD, "<sheetData>", _HEADER_ROW, "<row/>" * 1_000_000, "</sheetData></worksheet>"]),
        "表格超过",
    )


def zip_bomb_member() -> tuple[bytes, str]:
    """A 500 MB member of zeros that deflates to half a megabyte."""
    zeros = b"\0" * (1024 * 1024)
    return _workbook([_SHEET_HEAD.encode(), *(zeros for _ in range(500))]), "文件解压后过大"


def lying_size_member() -> tuple[bytes, str]:
    """A member whose headers declare 100 bytes but inflates to 64 MB: the inflater's cap catches it."""
    content = bytearray(_workbook([_SHEET_HEAD, "<sheetData>", "<row/>" * (64 * 1024 * 1024 // 6)]))
    name = b"xl/worksheets/sheet1.xml"
    central = content.rfind(b"PK\x01\x02", 0, content.rfind(name))
    # Central directory entry: uncompressed size at offset 24 (zip64 keeps 0xFFFFFFFF there and the
    # real size in the extra field, which follows the name).
    name_length, extra_length = struct.unpack("<HH", content[central + 28 : central + 32])
    extra_start = central + 46 + name_length
    extra = content[extra_start : extra_start + extra_length]
    if struct.unpack("<I", content[central + 24 : central + 28])[0] == 0xFFFFFFFF:
        position = extra.find(b"\x01\x00")
        content[extra_start + position + 4 : extra_start + position + 12] = struct.pack("<Q", 100)
    else:
        content[central + 24 : central + 28] = struct.pack("<I", 100)
    return bytes(content), "文件"


def too_many_members() -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(20_000):
            archive.writestr(f"x/{n}", b"")
    return buffer.getvalue(), "压缩包中的文件过多"


def encrypted_workbook() -> tuple[bytes, str]:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file holding EncryptionInfo."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HH", 0x3E, 3) + b"\xfe\xff"
    return header + b"\0" * (4096 - len(header)) + "EncryptionInfo".encode("utf-16-le"), "该文件已加密"


def legacy_xls_renamed() -> tuple[bytes, str]:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HH", 0x3E, 3) + b"\xfe\xff"
    return header + b"\0" * 512 + b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"Workbook", "该文件已加密,或是旧版 .xls"


def malformed_xml() -> tuple[bytes, str]:
    return _workbook([_SHEET_HEAD, "<sheetData>", _HEADER_ROW, '<row r="2"><c r="A2"><v>1</c></row>']), (
        "文件内容已损坏"
    )


def entity_expansion() -> tuple[bytes, str]:
    """The billion-laughs family: a DTD declaring nested entities."""
    entities = '<!ENTITY a "xxxxxxxxxx">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    return (
        _workbook(
            [
                f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>',
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
                '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>',
            ]
        ),
        "文件含有不允许的 XML 声明",
    )


def not_a_workbook() -> tuple[bytes, str]:
    return b"%PDF-1.4\n" + b"0" * 2000, "该文件不是 .xlsx 格式"


def word_document_renamed() -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue(), "该文件不是 .xlsx 格式"


HOSTILE = {
    "declared A1:XFD1048576": declared_whole_sheet,
    "ten million empty rows": ten_million_empty_rows,
    "a million unnumbered rows": a_million_unnumbered_rows,
    "zip bomb member (500 MB of zeros)": zip_bomb_member,
    "member lying about its size": lying_size_member,
    "20,000 zip members": too_many_members,
    "encrypted workbook": encrypted_workbook,
    ".xls renamed to .xlsx": legacy_xls_renamed,
    "malformed XML": malformed_xml,
    "entity expansion (DTD)": entity_expansion,
    "a PDF renamed to .xlsx": not_a_workbook,
    "a Word document renamed to .xlsx": word_document_renamed,
}
