"""QBO fault bodies exactly as python-quickbooks parses them, and the gateway's HTML errors."""
from flask import Response

from .wire import reply, response_time

HTML_PAGES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class QboFault(Exception):
    """A QBO error answer: HTTP status plus one Fault.Error entry."""

    def __init__(self, status, code, message, detail, kind="ValidationFault", element=None):
        super().__init__(f"{code} {message}: {detail}")
        self.status, self.code, self.message = status, code, message
        self.detail, self.kind, self.element = detail, kind, element

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
        """A Flask response for this fault."""
        return reply(self.envelope(), self.status)


def not_found(entity, entity_id):
    """Code 610: the id names nothing (or something deleted)."""
    return QboFault(400, 610, "Object Not Found",
                    f"Object Not Found : Something you're trying to use has been made inactive. "
                    f"Check the fields with accounts, customers, items, vendors or employees. "
                    f"({entity} Id={entity_id})", kind="ValidationFault")


def invalid_reference(entity, entity_id, element):
    """Code 2500: a Ref points at an entity the company does not have."""
    return QboFault(400, 2500, "Invalid Reference Id",
                    f"Invalid Reference Id : {entity} with Id {entity_id} does not exist", element=element)


def missing(element):
    """Code 2020: a required field is absent."""
    return QboFault(400, 2020, "Required param missing, need to supply the required value for the API",
                    f"Required parameter {element} is missing in the request", element=element)


def stale(entity, entity_id):
    """Code 5010: the SyncToken sent is not the current one."""
    return QboFault(400, 5010, "Stale Object Error",
                    f"Stale Object Error : You and another user were working on the same thing. "
                    f"The other user finished before you did, so your work was not saved. ({entity} Id={entity_id})")


def query_error(detail):
    """Code 4000: the query text does not parse."""
    return QboFault(400, 4000, "Error parsing query", f"QueryParserError: {detail}")


def throttled():
    """HTTP 429 ThrottleExceeded, what QBO answers over its per-realm limits."""
    return QboFault(429, 3001, "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                    "The request limit was reached.  Try again later", kind="SERVICE")


def authentication_failed(detail):
    """HTTP 401 for a missing, unknown, revoked or expired bearer token."""
    return QboFault(401, 3200, "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    detail, kind="AuthenticationFault")


def authorization_failed(realm):
    """HTTP 403 when the token belongs to another company."""
    return QboFault(403, 3100, "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    f"The token is not authorized for company {realm}", kind="AuthorizationFault")


def html_error(status):
    """The gateway's HTML error page that Intuit returns on 5xx, not JSON."""
    title = HTML_PAGES.get(status, "Error")
    page = (f"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>{status} {title}</title>\n"
            f"</head><body>\n<h1>{title}</h1>\n<p>The server encountered a temporary error and could not "
            f"complete your request.</p>\n</body></html>\n")
    return Response(page, status=status, content_type="text/html; charset=iso-8859-1")
