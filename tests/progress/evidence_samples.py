"""Real, minimal files of each evidence type, made here (libmagic looks at the whole structure)."""

import io
import struct
import zipfile
import zlib

import openpyxl

from tests.progress.ledger_helpers import PDF_BYTES

PDF = PDF_BYTES
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016
TEXT = "纯文本说明:完成平台一期部署。\n".encode()
# The DOS stub of every Windows program, and an ELF header: what a disguised program carries.
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode.\r\n$"
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_of(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _content_types(main: str, kind: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.{kind}"/></Types>'
    )


def docx(**extra: bytes) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": _content_types("word/document.xml", "wordprocessingml.document.main+xml"),
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
            **extra,
        }
    )


def pptx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": _content_types("ppt/presentation.xml", "presentationml.presentation.main+xml"),
            "_rels/.rels": "<Relationships/>",
            "ppt/presentation.xml": "<p:presentation/>",
        }
    )


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()
