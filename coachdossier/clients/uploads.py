"""Attachment checks on the content, never on the file name (issue: renamed executables)."""

import io
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# MIME types we accept, as detected from the bytes.
ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/msword": "Word 97",
    "application/vnd.ms-excel": "Excel 97",
}
MAX_ZIP_RATIO = 100
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024


def _office_zip_type(data: bytes) -> str | None:
    """filetype recognises a zip; look inside to tell OOXML/ODF apart and refuse bombs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile:
        return None
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED or (len(data) and total / len(data) > MAX_ZIP_RATIO):
        raise ValidationError(_("This file unpacks to far more than its size (a zip bomb?) and is refused."),
                              code="zip_bomb")
    names = {i.filename for i in infos}
    if "mimetype" in names:
        mimetype = archive.read("mimetype").decode("ascii", "ignore").strip()
        return mimetype if mimetype in ALLOWED else None
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if any(n.startswith("ppt/") for n in names):
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return None


NAME_BYTES = 255


def stored_name(filename: str) -> bytes:
    """An upload's file name as it is kept (sealed): at most NAME_BYTES bytes of UTF-8, cut
    between characters and never inside one, with the extension kept when the name is cut. (A
    plain byte cut could split a character: "ş" is two bytes, and such a name no longer
    decoded, so every page listing the file failed.)"""
    data = filename.encode()
    if len(data) <= NAME_BYTES:
        return data
    base, dot, extension = filename.rpartition(".")
    suffix = f".{extension}".encode() if dot and base and len(extension.encode()) < 16 else b""
    stem = (base if suffix else filename).encode()[:NAME_BYTES - len(suffix)]
    return stem.decode("utf-8", "ignore").encode() + suffix


def shown_name(data: bytes) -> str:
    """A kept file name as text. Names stored before `stored_name` may end in half a
    character; that half is shown as the replacement character instead of failing the page."""
    return data.decode("utf-8", "replace")


def check_upload(data: bytes, filename: str) -> str:
    """The content type of an acceptable upload, or ValidationError with a clear reason."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty_file")
    limit = settings.MAX_ATTACHMENT_BYTES
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
                              code="file_too_large")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime in ("application/zip", None) or (mime or "").startswith("application/vnd.openxmlformats"):
        mime = _office_zip_type(data) or (None if mime in ("application/zip", None) else mime)
    if mime == "application/x-ole-storage" or (mime is None and data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        mime = "application/msword" if filename.lower().endswith(".doc") else "application/vnd.ms-excel"
    if mime not in ALLOWED:
        raise ValidationError(
            _("This type of file is not accepted. Upload a PDF, an image (PNG, JPEG) or an office document."),
            code="file_type")
    if mime == "application/pdf" and (b"/JavaScript" in data or b"/JS " in data or b"/JS(" in data
                                      or b"/Launch" in data):
        raise ValidationError(_("This PDF contains scripts or actions and is refused."), code="pdf_active")
    return mime
