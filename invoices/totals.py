"""Money rules of an uploaded invoice."""

from collections.abc import Iterable
from decimal import Decimal

CENT = Decimal("0.01")


def total_discrepancy(total: Decimal, amounts: Iterable[Decimal]) -> Decimal:
    """How far `total` is from the sum of line and charge amounts (zero when they agree to the cent)."""
    return (total - sum(amounts, Decimal(0))).quantize(CENT)
