"""QuickBooks' error answers read by their structure: the HTTP status and the Fault's type, code, Message, Detail
and element, in whichever shape QBO sent them (JSON, lowercase JSON, XML) and whatever python-quickbooks kept.

Nothing here searches text for words. QBO echoes what it was sent: a parser error quotes the query read so far
(`Encountered: "\\u2019" (8217), after : "\\'ThrottleExceeded"`), a duplicate number quotes the Bill number, so
words inside an answer say nothing about what kind of failure it is (issue 16). Only fields are read.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from quickbooks.exceptions import AuthorizationException, QuickbooksException

# python-quickbooks' own wording around a body it could not read (quickbooks/client.py, make_request). Each is
# the library's prefix at the very start of its message, so the status in it is the library's, not echoed text.
UNREADABLE = "Error reading json response: "
NOT_200 = re.compile(r"Error returned with status code '(\d{3})': ")
# What python-quickbooks raises for an HTTP 401 (make_request), with the body as `detail`.
UNAUTHORIZED = "Application authentication failed"


@dataclass(frozen=True)
class Fault:
    """One QBO error answer: HTTP status (None when unknown), then its first Error's fields.

    `kind` is the Fault's `type` ("SERVICE", "ValidationFault", "AUTHENTICATION"...), None when the answer
    no longer shows it (python-quickbooks keeps only code, Message and Detail of a Fault it read itself).
    """

    status: int | None
    code: int | None
    kind: str | None = None
    message: str = ""
    detail: str = ""
    element: str | None = None


def read(error: QuickbooksException, status: int | None = None, body: str | None = None) -> Fault:
    """The Fault a python-quickbooks exception stands for, from the answer's status and body when known."""
    said = error.message or ""
    if status is None:
        status, echoed = _status_and_body(error, said)
        body = body or echoed
    parsed = fault_of(body) if body else None
    if parsed is not None:
        return Fault(status, *parsed)
    code = error.error_code if isinstance(error.error_code, int) else None
    return Fault(status, code, None, said, error.detail or "", None)


def _status_and_body(error: QuickbooksException, said: str) -> tuple[int | None, str | None]:
    """The HTTP status and body python-quickbooks put into an exception, as far as its own prefixes show them."""
    if isinstance(error, AuthorizationException) and error.error_code == 401 and said == UNAUTHORIZED:
        return 401, error.detail or None
    found = NOT_200.match(said)
    if found:
        return int(found.group(1)), said[found.end() :]
    if said.startswith(UNREADABLE):
        return None, said[len(UNREADABLE) :]
    return None, None


def fault_of(body: str) -> tuple[int | None, str | None, str, str, str | None] | None:
    """(code, type, Message, Detail, element) of the first Error of a Fault body in any of QBO's shapes, else None.

    Shapes (tests/sandbox/recorded/qbo/): {"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}};
    the service envelope {"fault": {"error": [{"message", "detail", "code", "element"}], "type"}, ...};
    <IntuitResponse><Fault type><Error code element><Message/><Detail/></Error></Fault></IntuitResponse>.
    """
    text = body.strip()
    if text.startswith("<"):
        return _xml(text)
    if text.startswith("{"):
        return _json(text)
    return None


def _xml(text: str) -> tuple | None:
    try:
        # expat (2.4+) refuses entity expansion bombs and ElementTree resolves no external entity.
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    fault = next((node for node in root.iter() if _local(node.tag) == "Fault"), None)
    if fault is None:
        return None
    error = next((node for node in fault if _local(node.tag) == "Error"), None)
    if error is None:
        return None
    fields = {_local(node.tag): (node.text or "").strip() for node in error}
    return (
        _number(error.get("code")),
        fault.get("type"),
        fields.get("Message", ""),
        fields.get("Detail", ""),
        error.get("element") or None,
    )


def _json(text: str) -> tuple | None:
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    fault = (answer.get("Fault") or answer.get("fault")) if isinstance(answer, dict) else None
    if not isinstance(fault, dict):
        return None
    errors = fault.get("Error") or fault.get("error") or []
    error = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}

    def field(name: str) -> str:
        value = error.get(name, error.get(name.lower()))
        return value if isinstance(value, str) else ""

    return _number(error.get("code")), fault.get("type"), field("Message"), field("Detail"), field("element") or None


def _local(tag: object) -> str:
    """An XML tag without its namespace: "{http://schema.intuit.com/finance/v3}Fault" → "Fault"."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _number(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
