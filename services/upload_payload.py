"""The vendor invoice upload as the ERP sends it, validated strictly (money as decimal strings)."""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from invoices.totals import total_discrepancy

_DECIMAL = re.compile(r"^\d{1,12}(\.\d{1,%d})?$")


def _decimal_string(places: int):
    pattern = re.compile(_DECIMAL.pattern % places)

    def parse(value: object) -> Decimal:
        if not isinstance(value, str):
            raise ValueError("must be a decimal string like \"12.50\", not a JSON number")
        if value.startswith("-"):
            raise ValueError("must not be negative")
        if not pattern.match(value):
            raise ValueError(f"must be a decimal string with at most {places} decimal places")
        return Decimal(value)

    return BeforeValidator(parse)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Amount = Annotated[Decimal, _decimal_string(2)]
UnitPrice = Annotated[Decimal, _decimal_string(4)]
Text = Annotated[str, Field(max_length=500), AfterValidator(_not_blank)]
Code = Annotated[str, Field(max_length=64), AfterValidator(_not_blank)]


class _Strict(BaseModel):
    # Unknown fields are ignored so the ERP can add fields without breaking intake.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class VendorIn(_Strict):
    code: Code
    name: Annotated[str, Field(max_length=200), AfterValidator(_not_blank)]
    qb_accounting_name: Annotated[str, Field(max_length=100)] | None = None
    default_class: Annotated[str, Field(max_length=100)] | None = None


class PurchaseOrderIn(_Strict):
    number: Code
    ship_date: date
    class_: str | None = Field(default=None, alias="class", max_length=100)


class LineIn(_Strict):
    product: Text
    boxes: Annotated[int, Field(ge=0)] | None = None
    units: Annotated[int, Field(ge=0)] | None = None
    unit_price: UnitPrice | None = None
    amount: Amount


class ChargeIn(_Strict):
    description: Text
    amount: Amount


class InvoiceIn(_Strict):
    number: Code
    date: date
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    total: Amount
    attachment_url: Annotated[str, Field(max_length=2000, pattern=r"^https?://")] | None = None
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=1000)]
    charges: Annotated[list[ChargeIn], Field(max_length=100)] = []


class UploadIn(_Strict):
    """An upload; sample in DESIGN.md §4:

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
        raise UploadInvalid([{
            "pointer": "#/invoice/total",
            "detail": f"total {invoice.total} does not equal the lines and charges, "
                      f"which add up to {invoice.total - off}",
        }])
    return upload


def _problem_item(item: dict) -> dict:
    pointer = "#/" + "/".join(str(part) for part in item["loc"])
    detail = item["msg"].removeprefix("Value error, ")
    return {"pointer": pointer, "detail": detail}
