"""What Komet Sales can be told of an invoice: its two numbers, each within Komet's 10 characters.

Komet's public doc, "Mark a Vendor Invoice as Synchronized"
(kometsales.atlassian.net/wiki/spaces/APIDocs/pages/11177425): poNumber (required)(string:10) and
invoiceNumber (required)(string:10).
"""

# Komet's doc gives both numbers as string:10; a longer number could only be cut, which would name another invoice.
NUMBER_LIMIT = 10


def unmarkable(po_number: str, invoice_number: str) -> str | None:
    """Why Komet cannot be told of these numbers (one is over 10 characters), or None when it can."""
    too_long = [
        f"{what} {number} has {len(number)} characters"
        for what, number in (("PO number", po_number), ("invoice number", invoice_number))
        if len(number) > NUMBER_LIMIT
    ]
    if not too_long:
        return None
    return (
        f"Komet cannot be told this invoice is Synchronized: its {' and its '.join(too_long)}, and Komet holds "
        f"at most {NUMBER_LIMIT}"
    )
