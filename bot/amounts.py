"""Amounts as people read them on cards, answers and confirmation dialogs."""

from decimal import Decimal


def money(amount: Decimal, currency: str = "") -> str:
    """An amount as people read it: 'USD 1,093.50'."""
    return f"{currency} {amount:,.2f}".strip()
