"""The Bill number (QuickBooks' DocNumber): how it is composed, and the limit QuickBooks puts on it."""

from dataclasses import dataclass
from string import Formatter

DOC_NUMBER_MAX = 21
FIELDS = ("po_number", "invoice_number", "vendor_code")


@dataclass(frozen=True)
class BillNumbering:
    """BILL_NUMBER_FORMAT as a policy, built once from the settings, e.g. '{po_number}-{invoice_number}'."""

    template: str

    def compose(self, *, po_number: str, invoice_number: str, vendor_code: str) -> str:
        """The Bill number of these values, e.g. '100482-FE-20931'."""
        return self.template.format(po_number=po_number, invoice_number=invoice_number, vendor_code=vendor_code)

    def parts(self) -> list[tuple[str, str | None]]:
        """The template as (literal text, field name or None) pairs, for composing it in SQL."""
        found = []
        for text, name, spec, conversion in Formatter().parse(self.template):
            if spec or conversion:
                raise ValueError(f"BILL_NUMBER_FORMAT may not use format specs: {self.template!r}")
            found.append((text, name))
        return found


def too_long(number: str) -> str | None:
    """Why QuickBooks would refuse this Bill number (HTTP 400, code 2050), or None when it fits."""
    if len(number) <= DOC_NUMBER_MAX:
        return None
    return f"the Bill number {number} has {len(number)} characters; QuickBooks allows at most {DOC_NUMBER_MAX}"
