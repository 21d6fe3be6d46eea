"""Evidence files (佐证材料): which types are allowed, how large, and the check every upload passes."""

import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from progress.services.errors import LedgerError

# Extension -> (content type, magic prefixes). An empty tuple means "text": no NUL bytes.
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".zip": ("application/zip", _ZIP),
    ".txt": ("text/plain; charset=utf-8", ()),
}


def evidence_max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def check_evidence_file(file: UploadedFile) -> str:
    """Refuse a file that is too large or not of an allowed type; return its content type.

    The extension must be on the allow-list AND the first bytes must match it, so a
    renamed executable is refused.
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
    content_type, magics = EVIDENCE_TYPES[ext]
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if magics:
        ok = any(head.startswith(magic) for magic in magics)
    else:
        ok = b"\x00" not in head
    if not ok:
        raise LedgerError(_("“%(name)s”的内容与扩展名不符,已拒收。") % {"name": name})
    return content_type
