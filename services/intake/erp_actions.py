"""The ERP's own Send, Retry and Return to Approved: the cards' one path, once per webhook-id."""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from invoices import limits
from invoices.rules import Actor, Role
from invoices.statuses import Action, Status
from models import Invoice, WebhookDelivery
from services.changes.actions import ConcurrentChange, apply_action
from services.changes.unit_of_work import UnitOfWork
from services.intake.fields import InvoiceNumber, LineText, VendorCode, text_type
from services.intake.uploads import delivery_key
from services.read.erp import find_invoice, invoice_data
from services.runtime import Runtime

SOURCE = "erp-action"
ACTIONS = {"send": Action.SEND, "retry": Action.RETRY, "return_to_approved": Action.RETURN_TO_APPROVED}
# The audit log's actor column holds 64 characters, " (ERP)" included.
ActorName = text_type(64 - len(" (ERP)"))
ActorId = text_type(limits.VENDOR_CODE)


class ErpActorIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: ActorId
    name: ActorName


class ErpActionIn(BaseModel):
    """An action the ERP takes; sample in docs/erp.md:

    {"action": "send", "vendor_code": "FLORSAB", "invoice_number": "FE-20931",
     "actor": {"id": "jdoe", "name": "Jane Doe"}, "reason": null}
    """

    model_config = ConfigDict(extra="ignore")
    action: Literal["send", "retry", "return_to_approved"]
    vendor_code: VendorCode
    invoice_number: InvoiceNumber
    actor: ErpActorIn
    reason: LineText | None = None

    @model_validator(mode="after")
    def _reason_when_required(self) -> "ErpActionIn":
        if self.action == "return_to_approved" and self.reason is None:
            raise ValueError("a reason is required to return the invoice to Approved")
        return self


class ErpActionInvalid(Exception):
    """A body that is not an action; `errors` lists every offending field as RFC 9457 items."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def parse_action(data: object) -> ErpActionIn:
    """Validate decoded JSON as an ERP action, or raise ErpActionInvalid naming every offending field."""
    try:
        return ErpActionIn.model_validate(data)
    except ValidationError as error:
        raise ErpActionInvalid(
            [
                {
                    "pointer": "#/" + "/".join(str(p) for p in item["loc"]),
                    "detail": item["msg"].removeprefix("Value error, "),
                }
                for item in error.errors()
            ]
        ) from None


@dataclass(frozen=True)
class ErpActionResult:
    """What the action did: 'done', 'repeat' (this webhook-id was already taken), 'refused' or 'unknown'."""

    outcome: str
    data: dict | None = None
    refusal: str | None = None
    status: Status | None = None


def act_for_erp(runtime: Runtime, action: ErpActionIn, delivery_id: str) -> ErpActionResult:
    """Apply the ERP's action as its user, once per `delivery_id`; refusals are audited like a card's."""
    actor = Actor(f"{action.actor.name} (ERP)", frozenset({Role.AP_SENDER}))
    key = delivery_key(delivery_id)
    for attempt in (1, 2):
        try:
            with UnitOfWork(runtime) as uow:
                session = uow.session
                seen = session.scalar(
                    select(WebhookDelivery.payload).where(
                        WebhookDelivery.source == SOURCE, WebhookDelivery.delivery_id == key
                    )
                )
                invoice_id = (
                    seen["invoice_id"]
                    if seen
                    else find_invoice(session, action.vendor_code, action.invoice_number, None)
                )
                if invoice_id is None:
                    return ErpActionResult("unknown")
                if seen:
                    return ErpActionResult("repeat", invoice_data(session, invoice_id))
                result = apply_action(uow, invoice_id, ACTIONS[action.action], actor, reason=action.reason)
                if not result.changed:
                    return ErpActionResult("refused", refusal=result.refusal, status=result.before)
                session.execute(
                    insert(WebhookDelivery.__table__),
                    {"source": SOURCE, "delivery_id": key, "payload": {"invoice_id": invoice_id}},
                )
            break
        except (ConcurrentChange, IntegrityError):
            # Two deliveries of one webhook-id, or a click at the same moment: the retry sees the winner.
            if attempt == 2:
                raise
    with runtime.sessions() as session:
        return ErpActionResult(
            "done", invoice_data(session, invoice_id), status=Status(session.get(Invoice, invoice_id).status)
        )
