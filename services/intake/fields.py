"""The field types of an upload, as strict as docs/interfaces.md says and bounded by what the columns hold."""

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, WithJsonSchema

from invoices import limits

# Single-line fields: C0, DEL and C1 controls, line and paragraph separators, and lone surrogates (which
# no database can encode) are refused rather than stored.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# Letters and symbols that render as nothing (Hangul fillers, the blank Braille pattern).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _refused_character(value: str) -> str | None:
    for character in value:
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            return f"U+{ord(character):04X}"
    return None


def _visible(value: str) -> bool:
    # Zero-width and other format characters (category Cf) show nothing, so they do not make text visible.
    return any(not c.isspace() and c not in _BLANK_GLYPHS and unicodedata.category(c) != "Cf" for c in value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    refused = _refused_character(value)
    if refused:
        raise ValueError(f"must be one line of printable text ({refused} is not allowed)")
    if not _visible(value):
        raise ValueError("must not be blank")
    return value.strip()


def text_type(length: int):
    """A required visible text field of at most `length` characters, e.g. text_type(limits.VENDOR_CODE)."""
    # The schema says what a client can check ahead: some character that is not white space, within the length.
    visible = {"minLength": 1, "pattern": r"\S"}
    return Annotated[str, BeforeValidator(_text), Field(max_length=length, json_schema_extra=visible)]


def _decimal_string(digits: int, places: int):
    pattern = re.compile(rf"[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?")

    def parse(value: object) -> Decimal:
        if not isinstance(value, str):
            raise ValueError('must be a decimal string like "12.50", not a JSON number')
        if value.startswith("-"):
            raise ValueError("must not be negative")
        if not pattern.fullmatch(value):
            raise ValueError(
                f"must be a decimal string of ASCII digits, at most {digits} before the point and {places} after it"
            )
        return Decimal(value)

    # Published as the string it must be (pydantic would describe a Decimal as "number or string").
    shape = {"type": "string", "pattern": f"^{pattern.pattern}$", "examples": ["12.50"]}
    return Annotated[Decimal, BeforeValidator(parse), WithJsonSchema(shape)]


def _calendar_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be a date string YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date YYYY-MM-DD") from None


def _currency(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(rf"[A-Z]{{{limits.CURRENCY}}}", value):
        raise ValueError('must be an ISO 4217 code of three capital letters, like "USD"')
    return value


def _url(value: object) -> str:
    if not isinstance(value, str) or not _URL_CHARACTERS.fullmatch(value):
        raise ValueError("must be an http or https URL made of the characters RFC 3986 allows")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("must be an http or https URL with a host") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https URL with a host")
    return value


Amount = _decimal_string(limits.AMOUNT_DIGITS, limits.AMOUNT_SCALE)
UnitPrice = _decimal_string(limits.UNIT_PRICE_DIGITS, limits.UNIT_PRICE_SCALE)
Count = Annotated[int, Field(strict=True, ge=0, le=limits.COUNT_MAX)]
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
_CURRENCY_SCHEMA = WithJsonSchema({"type": "string", "pattern": f"^[A-Z]{{{limits.CURRENCY}}}$"})
_URL_SCHEMA = {"format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
Currency = Annotated[str, BeforeValidator(_currency), _CURRENCY_SCHEMA]
Url = Annotated[str, BeforeValidator(_url), Field(max_length=limits.ATTACHMENT_URL, json_schema_extra=_URL_SCHEMA)]
VendorCode = text_type(limits.VENDOR_CODE)
VendorName = text_type(limits.VENDOR_NAME)
QbAccountingName = text_type(limits.QB_ACCOUNTING_NAME)
ClassName = text_type(limits.CLASS_NAME)
InvoiceNumber = text_type(limits.INVOICE_NUMBER)
PoNumber = text_type(limits.PO_NUMBER)
LineText = text_type(limits.LINE_TEXT)
