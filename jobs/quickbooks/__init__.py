"""The QuickBooks Online gateway: the only package that imports python-quickbooks and intuitlib."""

from jobs.quickbooks.errors import QboPermanent, QboThrottled, QboTransient
from jobs.quickbooks.gateway import Gateway, quote
from jobs.quickbooks.payload import bill_body

__all__ = ["Gateway", "QboPermanent", "QboThrottled", "QboTransient", "bill_body", "quote"]
