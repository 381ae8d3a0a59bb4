"""Files on Bills through python-quickbooks: the Attachables a Bill has, and the upload of one file linked to it.

QuickBooks' upload has no requestid (docs/quickbooks.md), so the product looks for an Attachable already linked to the
Bill before uploading (services/files/attachment.py); `attachables_of` is that look-up.
"""

from collections.abc import Callable
from typing import Any

from quickbooks.objects.attachable import Attachable
from quickbooks.objects.base import AttachableRef, Ref

from qbo.references import quote
from services.ports import FetchedFile, QboPermanent


def attachables_of(query: Callable[[str], dict], bill_id: str) -> list[dict]:
    """The Attachables with a file linked to Bill `bill_id` (a note alone is no file), e.g. [{"Id": "5000", ...}]."""
    found = query(f"select * from Attachable where AttachableRef.EntityRef.value = {quote(bill_id)}")
    return [a for a in found.get("Attachable", []) if a.get("FileName") and _links(a, bill_id)]


def _links(attachable: dict, bill_id: str) -> bool:
    # The query matches the value alone; an Invoice or Item with the same Id is another entity's file.
    refs = [ref.get("EntityRef") or {} for ref in attachable.get("AttachableRef") or []]
    return any(ref.get("type") == "Bill" and str(ref.get("value")) == bill_id for ref in refs)


def upload_operation(bill_id: str, file: FetchedFile) -> Callable[[Any], dict]:
    """The python-quickbooks call uploading `file` linked to the Bill: multipart file_metadata_01, file_content_01."""
    linked, ref = Attachable(), AttachableRef()
    ref.EntityRef = Ref()
    ref.EntityRef.type, ref.EntityRef.value = "Bill", bill_id
    linked.AttachableRef = [ref]
    linked.FileName, linked.ContentType = file.name, file.content_type
    # create_object rather than Attachable.save: save() reads AttachableResponse[0]["Attachable"], so the per-file
    # Fault QuickBooks answers with HTTP 200 would end in a KeyError; `uploaded` reads that Fault instead.
    return lambda qb: qb.create_object("Attachable", linked.to_json(), _file_bytes=file.data)


def uploaded(answer: dict, file: FetchedFile) -> dict:
    """The Attachable an upload answered, or QboPermanent with the Fault QuickBooks gave for the file."""
    items = answer.get("AttachableResponse") or [{}]
    if items[0].get("Attachable"):
        return items[0]["Attachable"]
    error = ((items[0].get("Fault") or {}).get("Error") or [{}])[0]
    code = str(error.get("code", ""))
    detail = error.get("Detail") or error.get("Message") or "its answer held no Attachable"
    raise QboPermanent(
        f"QuickBooks refused the file {file.name}: {detail}",
        int(code) if code.isdigit() else None,
        detail,
        error.get("element"),
    )
