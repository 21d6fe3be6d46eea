"""Evidence files (佐证材料): which types are allowed, how large, and the check every upload passes.

A file's type is decided by its content, not its name: libmagic (python-magic, Debian's
libmagic1) names what the bytes are, and the name's extension must be one of the types that
content may be. Formats that are containers are opened and checked as what they claim: an
Office file must be the zip package of that very application (and carry no macros), a PDF must
end like one, a zip may not carry programs. A file holding a Windows or Linux program anywhere
is refused whatever it claims to be.
"""

import os
import threading
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from progress.services.errors import LedgerError

OLE = "application/x-ole-storage"  # libmagic's name for an Office 97-2003 file it cannot tell apart
ZIP = "application/zip"


@dataclass(frozen=True)
class EvidenceType:
    content_type: str  # what the download is served as
    detected: frozenset[str]  # what libmagic may call the content
    package_part: str = ""  # Office Open XML: the part the claimed application's package must have


def _type(content_type: str, *detected: str, package_part: str = "") -> EvidenceType:
    return EvidenceType(content_type, frozenset(detected or (content_type,)), package_part)


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

EVIDENCE_TYPES: dict[str, EvidenceType] = {
    ".pdf": _type("application/pdf"),
    ".doc": _type("application/msword", "application/msword", OLE),
    ".docx": _type(_DOCX, _DOCX, ZIP, package_part="word/document.xml"),
    ".xls": _type("application/vnd.ms-excel", "application/vnd.ms-excel", OLE),
    ".xlsx": _type(_XLSX, _XLSX, ZIP, package_part="xl/workbook.xml"),
    ".ppt": _type("application/vnd.ms-powerpoint", "application/vnd.ms-powerpoint", OLE),
    ".pptx": _type(_PPTX, _PPTX, ZIP, package_part="ppt/presentation.xml"),
    ".jpg": _type("image/jpeg"),
    ".jpeg": _type("image/jpeg"),
    ".png": _type("image/png"),
    ".zip": _type(ZIP),
    ".txt": _type("text/plain; charset=utf-8", "text/plain"),
}

# Signs of a program inside a file: the DOS stub every Windows executable carries, and the ELF
# header (magic, class, byte order, version) of a Linux one. Long enough never to occur by chance.
PROGRAM_MARKERS = (b"This program cannot be run in DOS mode", b"\x7fELF\x02\x01\x01", b"\x7fELF\x01\x01\x01")
# Names of programs and scripts a zip of evidence has no reason to carry.
PROGRAM_SUFFIXES = (
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
    ".wsf", ".hta", ".jar", ".sh", ".lnk", ".apk", ".elf", ".so",
)  # fmt: skip
MAX_ZIP_MEMBERS = 10_000
SNIFF_BYTES = 64 * 1024
_magic = threading.local()


def evidence_max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def sniff(head: bytes) -> str:
    """libmagic's MIME type for these first bytes (one libmagic handle per thread: it is not thread-safe)."""
    if not hasattr(_magic, "handle"):
        _magic.handle = magic.Magic(mime=True)
    return _magic.handle.from_buffer(head)


def _holds_a_program(file: UploadedFile) -> bool:
    overlap = max(len(marker) for marker in PROGRAM_MARKERS)
    tail = b""
    file.seek(0)
    for chunk in file.chunks():
        window = tail + chunk
        if any(marker in window for marker in PROGRAM_MARKERS):
            return True
        tail = window[-overlap:]
    return False


def _pdf_is_whole(file: UploadedFile) -> bool:
    """A PDF ends with its cross-reference pointer and %%EOF (ISO 32000-1, 7.5.5)."""
    file.seek(max(0, file.size - 2048))
    tail = file.read()
    return b"%%EOF" in tail and b"startxref" in tail


def _zip_problem(file: UploadedFile, kind: EvidenceType, name: str) -> str | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _("“%(name)s”不是完整的压缩包或 Office 文件,已拒收。") % {"name": name}
    if len(members) > MAX_ZIP_MEMBERS:
        return _("“%(name)s”包含的文件过多(超过 %(count)s 个),已拒收。") % {"name": name, "count": MAX_ZIP_MEMBERS}
    lowered = [member.lower() for member in members]
    if kind.package_part:
        if "[content_types].xml" not in lowered or kind.package_part not in lowered:
            return _("“%(name)s”的内容与扩展名不符,已拒收。") % {"name": name}
        if any(member.endswith("vbaproject.bin") for member in lowered):
            return _("“%(name)s”含有宏,已拒收。请另存为不含宏的文件后再上传。") % {"name": name}
    elif any(member.rstrip("/").endswith(PROGRAM_SUFFIXES) for member in lowered):
        return _("“%(name)s”中含有程序或脚本文件,已拒收。") % {"name": name}
    return None


def check_evidence_file(file: UploadedFile) -> str:
    """Refuse a file that is too large or whose content is not an allowed type; return its content type.

    The extension must be on the allow-list AND libmagic must find content of that type in
    the bytes, so a renamed program is refused; containers are checked as what they claim.
    """
    name = os.path.basename(file.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in EVIDENCE_TYPES:
        raise LedgerError(
            _("“%(name)s”的文件类型不允许上传。允许的类型:%(types)s。")
            % {"name": name, "types": _("、").join(sorted(e.lstrip(".") for e in EVIDENCE_TYPES))}
        )
    limit = evidence_max_bytes()
    if file.size > limit:
        raise LedgerError(
            _("“%(name)s”超过大小限制(%(limit)s MB)。") % {"name": name, "limit": round(limit / 1024 / 1024, 1)}
        )
    if file.size == 0:
        raise LedgerError(_("“%(name)s”是空文件。") % {"name": name})
    kind = EVIDENCE_TYPES[ext]
    try:
        file.seek(0)
        detected = sniff(file.read(SNIFF_BYTES))
        mismatch = detected not in kind.detected or (ext == ".pdf" and not _pdf_is_whole(file))
        if mismatch:
            raise LedgerError(_("“%(name)s”的内容与扩展名不符,已拒收。") % {"name": name})
        if detected in (ZIP, *(t.content_type for t in EVIDENCE_TYPES.values() if t.package_part)):
            problem = _zip_problem(file, kind, name)
            if problem:
                raise LedgerError(problem)
        if _holds_a_program(file):
            raise LedgerError(_("“%(name)s”中含有可执行程序,已拒收。") % {"name": name})
    finally:
        file.seek(0)
    return kind.content_type
