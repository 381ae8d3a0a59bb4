"""QBO fault bodies in the three shapes QBO answers them, and the gateway's HTML errors.

Shapes (tests/sandbox/recorded/qbo/, each file's sidecar names its public source):
- "json": {"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}, "time"} — 400 validation
  faults (Intuit "Handling common errors").
- "lowercase": the service envelope {"warnings": null, ..., "fault": {"error": [{"message", "detail", "code",
  "element"}], "type"}, ..., "time": <ms>} — 401 AuthenticationFailed (fault_401_authentication_3200.json,
  python-quickbooks #118) and 403 ApplicationAuthorizationFailed (fault_403_application_authorization_3100.json,
  frappe/erpnext #29161).
- "xml": <IntuitResponse><Fault type><Error code><Message/><Detail/></Error></Fault></IntuitResponse> even to a
  JSON client — 429 ThrottleExceeded (fault_429_throttle_3001.xml, quickbooks-ruby too_many_requests_error.xml),
  403 AuthorizationFailed (fault_403_authorization_3100.xml, QBOConceptsTutorial-PHP #13), 401 code 120
  (fault_401_authorization_120.xml, gist by the quickbooks-ruby maintainer).
"""

import time
from xml.sax.saxutils import escape, quoteattr

from flask import Response

from .wire import reply, response_time

XML_TYPE = "application/xml;charset=UTF-8"

HTML_PAGES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class QboFault(Exception):
    """A QBO error answer: HTTP status plus one Fault.Error entry."""

    def __init__(self, status, code, message, detail, kind="ValidationFault", element=None, shape="json"):
        super().__init__(f"{code} {message}: {detail}")
        self.status, self.code, self.message = status, code, message
        self.detail, self.kind, self.element, self.shape = detail, kind, element, shape

    def body(self):
        """The Fault object without the envelope, as batch items carry it."""
        error = {"Message": self.message, "Detail": self.detail, "code": str(self.code)}
        if self.element:
            error["element"] = self.element
        return {"Error": [error], "type": self.kind}

    def envelope(self):
        """The whole response body: {"Fault": {...}, "time": ...}."""
        return {"Fault": self.body(), "time": response_time()}

    def response(self):
        """A Flask response for this fault, in its shape."""
        if self.shape == "xml":
            return Response(self.xml(), status=self.status, content_type=XML_TYPE)
        if self.shape == "lowercase":
            return reply(self.lowercase(), self.status)
        return reply(self.envelope(), self.status)

    def xml(self):
        """The IntuitResponse XML body, e.g. <IntuitResponse ...><Fault type="SERVICE"><Error code="3001">..."""
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<IntuitResponse time={quoteattr(response_time())} xmlns="http://schema.intuit.com/finance/v3">\n'
            f"  <Fault type={quoteattr(self.kind)}>\n"
            f'    <Error code="{self.code}">\n      <Message>{escape(self.message)}</Message>\n'
            f"      <Detail>{escape(self.detail)}</Detail>\n    </Error>\n  </Fault>\n</IntuitResponse>"
        )

    def lowercase(self):
        """The service envelope with lowercase keys and every recorded null field."""
        error = {"message": self.message, "detail": self.detail, "code": str(self.code), "element": self.element}
        return {
            "warnings": None,
            "intuitObject": None,
            "fault": {"error": [error], "type": self.kind},
            "report": None,
            "queryResponse": None,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": None,
            "requestId": None,
            "time": int(time.time() * 1000),
            "status": None,
            "cdcresponse": [],
        }


def not_found(entity, entity_id):
    """Code 610: the id names nothing (or something deleted)."""
    return QboFault(
        400,
        610,
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. "
        f"({entity} Id={entity_id})",
        kind="ValidationFault",
    )


def invalid_reference(entity, entity_id, element):
    """Code 2500: a Ref points at an entity the company does not have."""
    return QboFault(
        400,
        2500,
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} with Id {entity_id} does not exist",
        element=element,
    )


def missing(element):
    """Code 2020: a required field is absent."""
    return QboFault(
        400,
        2020,
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element=element,
    )


def stale(entity, entity_id):
    """Code 5010: the SyncToken sent is not the current one."""
    return QboFault(
        400,
        5010,
        "Stale Object Error",
        f"Stale Object Error : You and another user were working on the same thing. "
        f"The other user finished before you did, so your work was not saved. ({entity} Id={entity_id})",
    )


def query_error(detail):
    """Code 4000: the query text does not parse."""
    return QboFault(400, 4000, "Error parsing query", f"QueryParserError: {detail}")


def throttled():
    """HTTP 429 ThrottleExceeded over the per-realm limits: XML even to a JSON client (fault_429_throttle_3001.xml)."""
    return QboFault(
        429,
        3001,
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        kind="SERVICE",
        shape="xml",
    )


def authentication_failed(detail):
    """HTTP 401 for a missing, unknown, revoked or expired bearer token (lowercase keys, python-quickbooks #118)."""
    return QboFault(
        401,
        3200,
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        detail,
        kind="AUTHENTICATION",
        shape="lowercase",
    )


def authorization_failed(realm, shape="lowercase"):
    """HTTP 403 ApplicationAuthorizationFailed 3100: wrong keys, a token of another company, a disconnected app.

    Lowercase JSON as frappe/erpnext #29161 recorded it (no detail), or XML as QBOConceptsTutorial-PHP #13 did.
    """
    if shape == "xml":
        return QboFault(
            403,
            3100,
            "message=AuthorizationFailed; errorCode=003100; statusCode=403",
            "The access token does not have sufficient scope",
            kind="SERVICE",
            shape="xml",
        )
    return QboFault(
        403,
        3100,
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        None,
        kind="SERVICE",
        shape="lowercase",
    )


def access_lost():
    """HTTP 401 "Authorization Failure" 120: the connecting user lost access; a refreshed token fares no better.

    XML only (no public JSON body for 120): fault_401_authorization_120.xml, including the "AuthorizatonFault" typo.
    """
    return QboFault(
        401,
        120,
        "Authorization Failure",
        "AuthorizationFailure: --11014-You do not have access to use QuickBooks Online., statusCode: 401",
        kind="AuthorizatonFault",
        shape="xml",
    )


def html_error(status):
    """The gateway's HTML error page that Intuit returns on 5xx, not JSON."""
    title = HTML_PAGES.get(status, "Error")
    page = (
        f'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>{status} {title}</title>\n'
        f"</head><body>\n<h1>{title}</h1>\n<p>The server encountered a temporary error and could not "
        f"complete your request.</p>\n</body></html>\n"
    )
    return Response(page, status=status, content_type="text/html; charset=iso-8859-1")
