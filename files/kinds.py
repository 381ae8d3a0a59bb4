"""What a fetched file is, read from its bytes, and whether QuickBooks takes it (docs/quickbooks.md, "Attachments").

The server's Content-Type and the URL's extension are not trusted to say what the bytes are: a PDF starts with
%PDF, images with their magic numbers, text must be valid UTF-8. The name only tells apart what the bytes
cannot: CSV from plain text, and a Word from an Excel file of Office 97-2003 (both OLE2 containers).
"""

import io
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

from services.ports import FileRefused

ACCEPTED = "PDF, PNG, JPEG, GIF, TIFF, plain text, CSV, RTF, XML, Word (.doc, .docx) or Excel (.xls, .xlsx)"


@dataclass(frozen=True)
class Kind:
    """A type QuickBooks accepts: the file name's extension and the Content-Type it is uploaded with."""

    extension: str
    content_type: str


PDF = Kind("pdf", "application/pdf")
PNG = Kind("png", "image/png")
JPEG = Kind("jpg", "image/jpeg")
GIF = Kind("gif", "image/gif")
TIFF = Kind("tiff", "image/tiff")
RTF = Kind("rtf", "application/rtf")
XML = Kind("xml", "application/xml")
TEXT = Kind("txt", "text/plain")
CSV = Kind("csv", "text/csv")
DOC = Kind("doc", "application/msword")
XLS = Kind("xls", "application/vnd.ms-excel")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

MAGIC = (
    (b"%PDF", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"{\\rtf", RTF),
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Text may hold tabs, line breaks and form feeds; any other control character means it is not text.
_TEXT_CONTROLS = set(range(32)) - {9, 10, 12, 13} | {127}


def sniff(data: bytes, name: str = "", declared: str = "") -> Kind:
    """The kind of `data` (fetched as `name`, served as `declared`), or FileRefused saying what it is instead."""
    if not data:
        raise FileRefused("the file is empty")
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if data.startswith(OLE2):
        found = {"doc": DOC, "xls": XLS}.get(extension)
        if found is None:
            raise FileRefused(
                "the file is an Office 97-2003 document whose URL does not say whether it is Word (.doc) or "
                "Excel (.xls), and QuickBooks takes only those two"
            )
        return found
    if data.startswith(ZIP):
        return _office_open(data)
    if _is_text(data):
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            return XML
        return CSV if extension == "csv" or declared.split(";")[0].strip().lower() == "text/csv" else TEXT
    raise FileRefused(f"the file is none of the types QuickBooks accepts ({ACCEPTED})")


def _office_open(data: bytes) -> Kind:
    """A .docx or .xlsx by the part every such package has; any other ZIP archive is refused."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise FileRefused("the file starts like a ZIP archive but is not a readable one") from None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise FileRefused(f"the file is a ZIP archive, not a Word or Excel document; QuickBooks accepts {ACCEPTED}")


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _TEXT_CONTROLS.intersection(data)


def file_name(url_path: str, kind: Kind, fallback: str = "invoice") -> str:
    """The name QuickBooks shows, from the URL's last segment with the kind's extension, e.g. "FE-20931.pdf"."""
    last = unquote(url_path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    stem = last.rsplit(".", 1)[0] if "." in last else last
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in stem).strip("._")[:100]
    return f"{safe or fallback}.{kind.extension}"
