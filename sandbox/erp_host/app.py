"""The local ERP's receiver of status events, and its control API for tests and the demo page.

Events are verified as Standard Webhooks receivers do (standard-webhooks spec, spec/standard-webhooks.md:
signature over `id.timestamp.body`, timestamps within five minutes, 401 otherwise). The ERP's copy of an
invoice moves only forward in `sequence`, so a repeated or late event never rolls it back.
"""

import random
import threading
import time
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from sandbox.erp_host.files import register as register_files
from sandbox.erp_host.komet import TOKEN, komet_blueprint
from sandbox.erp_host.outage import register as register_outage
from sandbox.same_origin import refuse_cross_site


class ErpState:
    """What the local ERP received and what it answers next; shared by its request threads."""

    def __init__(self, secret: str | None):
        self.secret, self.lock = secret, threading.Lock()
        self.deliveries: list[dict] = []
        self.invoices: dict[int, dict] = {}
        self.answers: list[dict] = []
        # With `first_answer` set, the first attempt of every event gets that status (a flaky ERP).
        self.first_answer: int | None = None
        self.attempted: set[str] = set()
        self.arrivals = 0
        # With `flaky` set, that share of all deliveries is answered with its status (a chaos run's unreliable ERP).
        self.flaky: dict | None = None

    def next_answer(self) -> dict | None:
        """The scripted answer for this delivery, e.g. {"status": 503, "count": 2, "retry_after": 1}."""
        with self.lock:
            if not self.answers:
                return None
            answer = self.answers[0]
            answer["count"] -= 1
            if answer["count"] <= 0:
                self.answers.pop(0)
            return answer

    def take(self, message_id: str, body: dict) -> None:
        """Keep one delivered event and apply it to the ERP's copy of its invoice."""
        data = body["data"]
        with self.lock:
            self.deliveries.append({"webhook_id": message_id, "at": datetime.now(UTC).isoformat(), "body": body})
            known = self.invoices.get(data["id"])
            if known is None or known["sequence"] < data["sequence"]:
                self.invoices[data["id"]] = data


def create_app(secret: str | None = None, komet_token: str = TOKEN) -> Flask:
    """The local ERP; `secret` is ERP_EVENTS_SECRET (set later through POST /_sandbox/secret if unknown).

    A local Komet accepting `komet_token` answers beside it (sandbox/erp_host/komet.py)."""
    app = Flask(__name__)
    app.register_blueprint(komet_blueprint(komet_token))
    state = ErpState(secret)
    app.extensions["erp"] = state

    @app.post("/erp/events")
    def receive_event():
        message_id = request.headers.get("webhook-id", "")
        with state.lock:
            state.arrivals += 1
            first, _ = message_id not in state.attempted, state.attempted.add(message_id)
        if first and state.first_answer is not None:
            return jsonify(error=f"scripted {state.first_answer} on a first attempt"), state.first_answer
        flaky = state.flaky
        if flaky is not None and random.random() < flaky["share"]:
            headers = {"Retry-After": str(flaky["retry_after"])} if flaky.get("retry_after") else {}
            return (
                jsonify(error=f"scripted {flaky['status']} on {flaky['share']:.0%} of deliveries"),
                flaky["status"],
                headers,
            )
        scripted = state.next_answer()
        if scripted is not None and scripted.get("hang"):
            # A slow ERP: the answer comes, late (the sender may have given up or died meanwhile).
            time.sleep(scripted["hang"])
            scripted = None
        if scripted is not None:
            headers = {"Retry-After": str(scripted["retry_after"])} if scripted.get("retry_after") else {}
            return jsonify(error=f"scripted {scripted['status']}"), scripted["status"], headers
        if state.secret is None:
            return jsonify(error="the local ERP has no ERP_EVENTS_SECRET to verify with"), 401
        body = request.get_data()
        try:
            payload = Webhook(state.secret).verify(body, dict(request.headers))
        except WebhookVerificationError as refused:
            return jsonify(error=f"signature refused: {refused}"), 401
        state.take(request.headers["webhook-id"], payload)
        return "", 204

    @app.get("/_sandbox/events")
    def delivered():
        with state.lock:
            return jsonify(events=list(state.deliveries), arrivals=state.arrivals)

    @app.get("/_sandbox/invoices")
    def told():
        with state.lock:
            return jsonify(invoices=sorted(state.invoices.values(), key=lambda data: data["id"]))

    @app.post("/_sandbox/answers")
    def script():
        spec = request.get_json()
        with state.lock:
            state.answers.append(
                {
                    "status": int(spec.get("status", 200)),
                    "count": int(spec.get("count", 1)),
                    "retry_after": spec.get("retry_after"),
                    "hang": spec.get("hang"),
                }
            )
        return jsonify(answers=state.answers)

    @app.delete("/_sandbox/answers")
    def unscript():
        with state.lock:
            state.answers.clear()
            state.first_answer = None
        return "", 204

    @app.post("/_sandbox/first-answer")
    def script_first():
        state.first_answer = request.get_json()["status"]
        return "", 204

    @app.route("/_sandbox/flaky", methods=["POST", "DELETE"])
    def flaky():
        """Answer a share of every delivery with a status, e.g. {"status": 503, "share": 0.1, "retry_after": 1}."""
        spec = request.get_json(silent=True) if request.method == "POST" else None
        state.flaky = (
            {
                "status": int(spec.get("status", 503)),
                "share": float(spec["share"]),
                "retry_after": spec.get("retry_after"),
            }
            if spec
            else None
        )
        return jsonify(flaky=state.flaky)

    @app.post("/_sandbox/secret")
    def set_secret():
        state.secret = request.get_json()["secret"]
        return "", 204

    # The demo's down switch (GET/POST/DELETE /_sandbox/down): 503 with Retry-After for a while.
    register_outage(app, state)
    # The invoices' documents (GET /files/<number>.pdf), which the example uploads name as their attachment_url.
    register_files(app)
    # Its /_sandbox routes script answers and take the secret: no other site's page may (sandbox/same_origin.py).
    refuse_cross_site(app)
    return app
