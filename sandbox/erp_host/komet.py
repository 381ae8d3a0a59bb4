"""A local Komet Sales beside the local ERP: `vendor.invoice.mark.sync` as Komet's public doc describes it.

Source of every modelled behaviour: Komet's "Mark a Vendor Invoice as Synchronized"
(kometsales.atlassian.net/wiki/spaces/APIDocs/pages/11177425), unless a comment says otherwise. Each call is
recorded (GET /_sandbox/komet, tokens never echoed) and tests may script the next answers.
"""

import threading
from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request

# The doc: poNumber (required)(string:10), invoiceNumber (required)(string:10).
NUMBER_LIMIT = 10
# The token a local Komet accepts unless it is given another (the doc: a company token of string:50).
TOKEN = "sandbox-komet-company-token"
FIELDS = ("poNumber", "invoiceNumber")


class KometState:
    """What the local Komet was asked, what it marked, and the answers it was told to give next."""

    def __init__(self, token: str):
        self.token, self.lock = token, threading.Lock()
        self.calls: list[dict] = []
        self.marked: list[list[str]] = []
        self.scripted: list[dict] = []
        # The doc gives `status` as "integer:1" but its example answers the string "1": strings unless told.
        self.numeric = False

    def next_scripted(self) -> dict | None:
        """The next scripted answer, e.g. {"http": 503, "count": 2, "retry_after": 1} or {"status": 0, ...}."""
        with self.lock:
            if not self.scripted:
                return None
            answer = self.scripted[0]
            answer["count"] -= 1
            if answer["count"] <= 0:
                self.scripted.pop(0)
            return dict(answer)

    def status(self, value: int) -> int | str:
        """Komet's `status` field as this Komet writes it: 1 or "1" (0 or "0")."""
        return value if self.numeric else str(value)


def komet_blueprint(token: str = TOKEN) -> Blueprint:
    """The local Komet's API under /komet/api/ and its control API under /_sandbox/komet."""
    komet = Blueprint("komet", __name__)
    state = KometState(token)

    @komet.post("/komet/api/vendor.invoice.mark.sync")
    def mark_sync():
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else None
        call = {
            "at": datetime.now(UTC).isoformat(),
            "content_type": request.content_type,
            "token_in_header": request.headers.get("authenticationToken") == state.token,
            "token_in_body": bool(body) and body.get("authenticationToken") == state.token,
            "body": {key: value for key, value in (body or {}).items() if key != "authenticationToken"},
        }
        answer = _answer(state, body, call)
        with state.lock:
            call["http"], call["answer"] = answer.status_code, answer.get_data(as_text=True)
            state.calls.append(call)
        return answer

    @komet.get("/_sandbox/komet")
    def calls():
        with state.lock:
            return jsonify(calls=list(state.calls), marked=list(state.marked))

    @komet.post("/_sandbox/komet/answers")
    def script():
        spec = request.get_json()
        with state.lock:
            state.scripted.append({**spec, "count": int(spec.get("count", 1))})
        return jsonify(answers=state.scripted)

    @komet.post("/_sandbox/komet/status-type")
    def status_type():
        state.numeric = request.get_json()["type"] == "number"
        return "", 204

    @komet.delete("/_sandbox/komet")
    def forget():
        with state.lock:
            state.calls.clear()
            state.marked.clear()
            state.scripted.clear()
            state.numeric = False
        return "", 204

    return komet


def _answer(state: KometState, body: dict | None, call: dict) -> Response:
    scripted = state.next_scripted()
    if scripted is not None:
        return _scripted(state, scripted)
    # The doc asks for Content-Type application/JSON; what Komet answers to another type, or to a body it cannot
    # read, it does not say: modelled as its one failure shape.
    if body is None:
        return _status(state, 0, "The request body must be a JSON object.")
    # The doc names the token both as a header and in the example's body: the stricter reading requires both.
    if not (call["token_in_header"] and call["token_in_body"]):
        return _status(state, 0, "Invalid authenticationToken.")
    for field in FIELDS:
        value = body.get(field)
        # The doc: both numbers are (required)(string:10); the stricter reading refuses, never cuts, a longer one.
        if not isinstance(value, str) or not value.strip():
            return _status(state, 0, f"{field} is required.")
        if len(value) > NUMBER_LIMIT:
            return _status(state, 0, f"{field} must be at most {NUMBER_LIMIT} characters.")
    with state.lock:
        state.marked.append([body["poNumber"], body["invoiceNumber"]])
    # The doc's example answer: {"status": "1", "message": "OK"}.
    return _status(state, 1, "OK")


def _status(state: KometState, value: int, message: str) -> Response:
    # The doc documents answers only by their body (1 = Success | 0 = Failure, with a message of string:500).
    return jsonify(status=state.status(value), message=message)


def _scripted(state: KometState, spec: dict) -> Response:
    """A scripted answer: an HTTP error (with Retry-After), a Komet status as given, or a raw body."""
    headers = {"Retry-After": str(spec["retry_after"])} if spec.get("retry_after") is not None else {}
    if "raw" in spec:
        return Response(spec["raw"], status=spec.get("http", 200), headers=headers, mimetype="text/html")
    if "status" in spec:
        answer = jsonify(status=spec["status"], message=spec.get("message", ""))
    else:
        answer = jsonify(error=f"scripted {spec.get('http', 503)}")
    answer.status_code = spec.get("http", 200 if "status" in spec else 503)
    answer.headers.update(headers)
    return answer
