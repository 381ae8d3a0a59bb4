"""Pushing the ERP's events: in order per invoice, retried on the schedule, dead after a refusal, paused on 410."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import ErpEvent
from models.base import utcnow
from models.database import transaction
from services.erp.delivery import SCHEDULE, deliver_events, due_invoices, replay_dead
from services.erp.endpoint import is_gone, resume_delivery
from services.ports import ErpAnswer
from tests.backends import with_settings
from tests.builders import sent_invoice, upload

URL = "http://127.0.0.1:9/erp/events"
SECRET = "whsec_" + "ZXJwLWV2ZW50cy1zZWNyZXQ="


@pytest.fixture
def pushing(runtime):
    return with_settings(runtime, erp_events_url=URL, erp_events_secret=SECRET)


def states(runtime, invoice_id: int) -> list[tuple]:
    with runtime.sessions() as session:
        rows = session.scalars(select(ErpEvent).where(ErpEvent.invoice_id == invoice_id).order_by(ErpEvent.sequence))
        return [(e.sequence, e.attempts, e.delivered_at is not None, e.dead_at is not None) for e in rows]


def make_due(runtime) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(update(ErpEvent).where(ErpEvent.next_attempt_at.is_not(None)).values(next_attempt_at=utcnow()))


def test_an_invoices_events_go_out_oldest_first_each_under_its_own_stable_id(pushing, wiring):
    invoice_id = sent_invoice(pushing)
    assert deliver_events(pushing, invoice_id) is None
    sent = [(event_id, json.loads(body)["data"]["status"]) for event_id, body in wiring.erp_endpoint.received]
    assert [status for _, status in sent] == ["AP", "AA", "A", "ES"]
    assert [event_id for event_id, _ in sent] == sorted(event_id for event_id, _ in sent)
    assert states(pushing, invoice_id) == [(n, 1, True, False) for n in (1, 2, 3, 4)]


def test_a_503_waits_on_the_schedule_and_holds_back_the_later_events_of_that_invoice_only(pushing, wiring):
    first, other = upload(pushing), upload(pushing, invoice={"number": "FE-20932"})
    sent_invoice(pushing, invoice={"number": "FE-20931"})
    wiring.erp_endpoint.answers = [ErpAnswer(503, "503 Service Unavailable")]
    due = deliver_events(pushing, first)
    assert due is not None and timedelta(seconds=SCHEDULE[0] * 0.8) <= due - utcnow() <= timedelta(seconds=6)
    assert [json.loads(b)["data"]["sequence"] for _, b in wiring.erp_endpoint.received] == [1]
    assert states(pushing, first)[:2] == [(1, 1, False, False), (2, 0, False, False)]
    assert deliver_events(pushing, other) is None
    assert states(pushing, other) == [(1, 1, True, False)]


def test_retry_after_longer_than_the_schedule_is_honoured(pushing, wiring):
    invoice_id = upload(pushing)
    wiring.erp_endpoint.answers = [ErpAnswer(429, "429 Too Many Requests", retry_after=120)]
    due = deliver_events(pushing, invoice_id)
    assert due - utcnow() >= timedelta(seconds=119)


def test_a_retried_event_keeps_its_webhook_id_and_its_exact_bytes(pushing, wiring):
    invoice_id = upload(pushing)
    wiring.erp_endpoint.answers = [ErpAnswer(None, "no answer within 10 s")]
    deliver_events(pushing, invoice_id)
    make_due(pushing)
    assert deliver_events(pushing, invoice_id) is None
    [(first_id, first_body), (again_id, again_body)] = wiring.erp_endpoint.received
    assert (first_id, first_body) == (again_id, again_body)
    assert states(pushing, invoice_id) == [(1, 2, True, False)]


def test_another_4xx_makes_the_event_dead_and_the_next_one_goes_on(pushing, wiring):
    invoice_id = sent_invoice(pushing)
    wiring.erp_endpoint.answers = [ErpAnswer(400, "400 Bad Request: unknown vendor")]
    assert deliver_events(pushing, invoice_id) is None
    assert states(pushing, invoice_id) == [(1, 1, False, True)] + [(n, 1, True, False) for n in (2, 3, 4)]
    with pushing.sessions() as session:
        assert session.scalars(select(ErpEvent.last_answer).where(ErpEvent.sequence == 1)).one() == (
            "400 Bad Request: unknown vendor"
        )


def test_the_end_of_the_schedule_makes_the_event_dead(pushing, wiring):
    invoice_id = upload(pushing)
    for _ in range(len(SCHEDULE) + 1):
        wiring.erp_endpoint.answers = [ErpAnswer(500, "500 Internal Server Error")]
        make_due(pushing)
        deliver_events(pushing, invoice_id)
    assert states(pushing, invoice_id) == [(1, len(SCHEDULE) + 1, False, True)]


def test_a_dead_event_is_sent_again_after_a_replay(pushing, wiring):
    invoice_id = upload(pushing)
    wiring.erp_endpoint.answers = [ErpAnswer(422, "422 Unprocessable Entity")]
    deliver_events(pushing, invoice_id)
    assert replay_dead(pushing, [invoice_id]) == 1
    assert deliver_events(pushing, invoice_id) is None
    assert states(pushing, invoice_id) == [(1, 1, True, False)]


def test_410_stops_every_delivery_tells_the_accounting_channel_once_and_resumes_on_request(pushing, wiring):
    first, second = upload(pushing), upload(pushing, invoice={"number": "FE-20932"})
    wiring.erp_endpoint.answers = [ErpAnswer(410, "410 Gone")]
    assert deliver_events(pushing, first) is not None
    assert is_gone(pushing) and due_invoices(pushing) == []
    assert deliver_events(pushing, second) is None
    assert len(wiring.erp_endpoint.received) == 1
    notices = wiring.poster.called("post_notice")
    assert len(notices) == 1 and notices[0][0] == pushing.settings.slack_accounting_channel
    assert states(pushing, first) == [(1, 0, False, False)], "a 410 is not an attempt of the event"
    assert resume_delivery(pushing) and not is_gone(pushing)
    assert sorted(due_invoices(pushing)) == sorted([first, second])
    assert deliver_events(pushing, first) is None and deliver_events(pushing, second) is None
    assert len(wiring.poster.called("post_notice")) == 1
