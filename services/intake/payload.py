"""The vendor invoice upload as the ERP sends it, validated strictly (money as decimal strings)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from invoices import limits
from invoices.totals import total_discrepancy
from services.intake.fields import (
    Amount,
    CalendarDate,
    ClassName,
    Count,
    Currency,
    InvoiceNumber,
    LineText,
    PoNumber,
    QbAccountingName,
    UnitPrice,
    Url,
    VendorCode,
    VendorName,
)


class _Strict(BaseModel):
    # Unknown fields are ignored so the ERP can add fields without breaking intake.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class VendorIn(_Strict):
    # A blank QB accounting name or class is refused: absent or null keeps the stored one.
    code: VendorCode
    name: VendorName
    qb_accounting_name: QbAccountingName | None = None
    default_class: ClassName | None = None


class PurchaseOrderIn(_Strict):
    number: PoNumber
    ship_date: CalendarDate
    class_: ClassName | None = Field(default=None, alias="class")


class LineIn(_Strict):
    product: LineText
    boxes: Count | None = None
    units: Count | None = None
    unit_price: UnitPrice | None = None
    amount: Amount


class ChargeIn(_Strict):
    description: LineText
    amount: Amount


class InvoiceIn(_Strict):
    number: InvoiceNumber
    date: CalendarDate
    currency: Currency
    total: Amount
    attachment_url: Url | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=limits.MAX_LINES)]
    charges: Annotated[list[ChargeIn], Field(max_length=limits.MAX_CHARGES)] = []


class UploadIn(_Strict):
    """An upload; sample in docs/interfaces.md:

    {"vendor": {"code": "FLORSAB", "name": "Flores de la Sabana", "qb_accounting_name": "Flores de la Sabana SAS"},
     "purchase_order": {"number": "100482", "ship_date": "2026-11-20", "class": "Miami"},
     "invoice": {"number": "FE-20931", "date": "2026-11-19", "currency": "USD", "total": "1093.50",
                 "attachment_url": "https://files.example.com/FE-20931.pdf",
                 "lines": [{"product": "Rose Freedom 50cm", "boxes": 4, "units": 1200,
                            "unit_price": "0.3200", "amount": "384.00"}, ...],
                 "charges": [{"description": "Handling", "amount": "34.50"}]}}
    """

    vendor: VendorIn
    purchase_order: PurchaseOrderIn
    invoice: InvoiceIn

    def canonical(self) -> dict:
        """The content as JSON-safe data, decimals as strings, stable for hashing and storage."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class UploadInvalid(Exception):
    """An upload that fails validation; `errors` lists every offending field as RFC 9457 items."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def parse_upload(data: object) -> UploadIn:
    """Validate decoded JSON as an upload, or raise UploadInvalid naming every offending field."""
    try:
        upload = UploadIn.model_validate(data)
    except ValidationError as error:
        raise UploadInvalid([_problem_item(item) for item in error.errors()]) from None
    invoice = upload.invoice
    off = total_discrepancy(invoice.total, [x.amount for x in invoice.lines + invoice.charges])
    if off:
        raise UploadInvalid(
            [
                {
                    "pointer": "#/invoice/total",
                    "detail": f"total {invoice.total} does not equal the lines and charges, "
                    f"which add up to {invoice.total - off}",
                }
            ]
        )
    return upload


def _problem_item(item: dict) -> dict:
    pointer = "#/" + "/".join(str(part) for part in item["loc"])
    detail = item["msg"].removeprefix("Value error, ")
    return {"pointer": pointer, "detail": detail}
