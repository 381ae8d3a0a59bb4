"""Files attached to Bills: the upload endpoint, the Attachables it makes, and their bytes for the demo's page.

`POST /v3/company/<realm>/upload` takes multipart/form-data: `file_metadata_01` (the Attachable's JSON:
AttachableRef, FileName, ContentType) and `file_content_01` (the bytes), as python-quickbooks sends them
(quickbooks/client.py, make_request: LF line ends, the bytes in base64 with Content-Transfer-Encoding: base64); a
plain binary part with CRLF line ends, as other clients send it, is read too. The answer is
{"AttachableResponse": [{"Attachable": {...}}], "time": ...}.

A file QuickBooks will not take is refused inside that list with HTTP 200, {"AttachableResponse": [{"Fault":
{"Error": [...], "type": "ValidationFault"}}]}: the shape minimul/qbo_api's README records ("Uploading an attachment",
a 610 Object Not Found for an inactive reference). Which files are refused models the stricter public source,
Codat's QuickBooks Online reference (codatio/codat-docs, quickbooks-online-integration-reference.md,
"Attachments"): each part must carry a Content-Type naming the file's type, and application/octet-stream is not
accepted; the types are those docs/quickbooks.md lists (PDF, png, jpg, gif, tiff, txt, csv, rtf, xml, doc(x), xls(x)).
No public answer shows the code and words of that refusal: code 2010 and the Detail below are the sandbox's own.
"""

import base64
import binascii
import copy
import json
import re
import time

from flask import Blueprint, Response, current_app, request

from . import gateway
from .faults import QboFault, not_found
from .wire import meta_time, reply, response_time

attachments_api = Blueprint("qbo_attachments", __name__, url_prefix="/v3/company/<realm>")
attachments_api.before_request(gateway.before)
attachments_api.after_request(gateway.after)
attachments_api.teardown_request(gateway.teardown)
attachments_api.register_error_handler(QboFault, QboFault.response)
attachments_control = Blueprint("qbo_attachments_control", __name__, url_prefix="/_sandbox")

# Content-Type → the file name extensions it may carry.
ACCEPTED = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/jpg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/tiff": ("tif", "tiff"),
    "text/plain": ("txt",),
    "text/csv": ("csv",),
    "application/rtf": ("rtf",),
    "text/rtf": ("rtf",),
    "application/xml": ("xml",),
    "text/xml": ("xml",),
    "application/msword": ("doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
}
# Codat's table gives QuickBooks Online 100 MB a file.
MAX_BYTES = 100 * 1000 * 1000


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def _refused(detail: str) -> QboFault:
    return QboFault(400, 2010, "Request has invalid or unsupported property", detail)


@attachments_api.post("/upload")
def upload(realm):
    """Store each file_content_NN with its file_metadata_NN as an Attachable; a refused one answers its Fault."""
    parts = _parts(request.get_data(), request.headers.get("Content-Type", ""))
    contents = sorted(name for name in parts if name.startswith("file_content_"))
    if not contents:
        raise _refused("The request holds no file_content part")
    answers = []
    for name in contents:
        try:
            answers.append({"Attachable": _attach(realm, parts, name)})
        except QboFault as fault:
            answers.append({"Fault": fault.body()})
    return reply({"AttachableResponse": answers, "time": response_time()})


def _attach(realm_id: str, parts: dict, content_name: str) -> dict:
    headers, payload = parts[content_name]
    metadata_part = parts.get(content_name.replace("file_content_", "file_metadata_"))
    try:
        metadata = json.loads(metadata_part[1]) if metadata_part else {}
    except ValueError as error:
        raise _refused(f"The file metadata is not JSON: {error}") from None
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    file_name = metadata.get("FileName") or ""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if content_type not in ACCEPTED or extension not in ACCEPTED[content_type]:
        raise _refused(
            f"The file {file_name!r} of type {content_type or 'none'!r} is not a type QuickBooks accepts as an "
            "attachment (PDF, PNG, JPEG, GIF, TIFF, TXT, CSV, RTF, XML, DOC, DOCX, XLS, XLSX)"
        )
    if headers.get("content-transfer-encoding", "").lower() == "base64":
        try:
            payload = base64.b64decode(b"".join(payload.split()), validate=True)
        except binascii.Error:
            raise _refused("The file content is not valid base64") from None
    if len(payload) > MAX_BYTES:
        raise _refused(f"The file is {len(payload):,} bytes, over the {MAX_BYTES:,} QuickBooks accepts")
    store = _sandbox().store
    with store.lock:
        realm = store.realm(realm_id)
        links = []
        for link in metadata.get("AttachableRef") or []:
            entity = (link or {}).get("EntityRef") or {}
            if entity.get("type") != "Bill" or str(entity.get("value")) not in realm.bills:
                raise not_found(entity.get("type") or "Entity", entity.get("value"))
            links.append({"EntityRef": {"type": "Bill", "value": str(entity["value"])}, "IncludeOnSend": False})
        attachable_id, now = realm.new_id(), time.time()
        realm.attachables[attachable_id] = {
            "FileName": file_name,
            "FileAccessUri": f"/v3/company/{realm_id}/download/{attachable_id}",
            "TempDownloadUri": f"{request.host_url}_sandbox/realms/{realm_id}/attachables/{attachable_id}/file",
            "Size": len(payload),
            "ContentType": content_type,
            "AttachableRef": links,
            "domain": "QBO",
            "sparse": False,
            "Id": attachable_id,
            "SyncToken": "0",
            "MetaData": {"CreateTime": meta_time(now), "LastUpdatedTime": meta_time(now)},
        }
        realm.files[attachable_id] = payload
        return copy.deepcopy(realm.attachables[attachable_id])


def _parts(body: bytes, content_type: str) -> dict[str, tuple[dict, bytes]]:
    """The named parts of a multipart body, each as (lowercase headers, payload), CRLF or LF line ends."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/") or not found:
        raise _refused(f"The upload must be multipart/form-data, not {content_type or 'without a Content-Type'}")
    parts = {}
    for chunk in body.split(b"--" + found.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n") if chunk.startswith(b"\r\n") else chunk.removeprefix(b"\n")
        ends = [(at, len(mark)) for mark in (b"\r\n\r\n", b"\n\n") if (at := chunk.find(mark)) >= 0]
        if not ends:
            continue
        at, width = min(ends)
        head, payload = chunk[:at], chunk[at + width :]
        # The line break before the next delimiter belongs to the delimiter (RFC 2046, 5.1.1).
        payload = payload.removesuffix(b"\r\n") if payload.endswith(b"\r\n") else payload.removesuffix(b"\n")
        headers = {}
        for line in head.decode("latin-1").splitlines():
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        named = re.search(r'(?:^|[;\s])name="([^"]*)"', headers.get("content-disposition", ""))
        if named:
            parts[named.group(1)] = (headers, payload)
    return parts


@attachments_api.get("/download/<attachable_id>")
def download(realm, attachable_id):
    """QBO's download resource: a temporary URL of the file, as text."""
    store = _sandbox().store
    with store.lock:
        found = store.realm(realm).attachables.get(attachable_id)
        if found is None:
            raise not_found("Attachable", attachable_id)
        return Response(found["TempDownloadUri"], content_type="text/plain")


@attachments_control.get("/realms/<realm_id>/attachables")
def list_attachables(realm_id):
    """Every Attachable of a company (without its bytes): {"attachables": [...]}."""
    store = _sandbox().store
    with store.lock:
        realm = store.realm(store.settings.realm_id if realm_id == "default" else realm_id)
        return reply({"attachables": copy.deepcopy(list(realm.attachables.values())) if realm else []})


@attachments_control.get("/realms/<realm_id>/attachables/<attachable_id>/file")
def attachable_file(realm_id, attachable_id):
    """The bytes of one attached file, shown in the browser as QuickBooks' attachment preview would."""
    store = _sandbox().store
    with store.lock:
        realm = store.realm(store.settings.realm_id if realm_id == "default" else realm_id)
        found = realm.attachables.get(attachable_id) if realm else None
        if found is None:
            return Response("no such attachment", status=404, content_type="text/plain")
        data, kind, name = realm.files.get(attachable_id, b""), found["ContentType"], found["FileName"]
    return Response(data, content_type=kind, headers={"Content-Disposition": f'inline; filename="{name}"'})
