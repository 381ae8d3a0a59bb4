"""Each request's id on every line logged while it is served: the caller's X-Request-ID, else a new one."""

import re
import uuid

from flask import g, request

from plumbing import logs

HEADER = "X-Request-ID"
# A caller's id goes into every log line and back in the answer: only a short, inert token is taken as it is.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _begin() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
    # Every id starts clean: the thread serving this request served others before.
    g.log_ids = logs.bind(request_id=g.request_id, job_id=None, invoice_id=None, company=None)


def _answer(response):
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def _end(error: BaseException | None) -> None:
    logs.unbind(g.pop("log_ids", None))


def register(app) -> None:
    """Give each request its id (logs and the X-Request-ID answer header), forgotten once it is answered."""
    app.before_request(_begin)
    app.after_request(_answer)
    app.teardown_request(_end)
