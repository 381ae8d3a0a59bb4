"""What each stored field of an invoice holds: the one source of the upload's bounds and the columns' sizes."""

# PostgreSQL's INTEGER; SQLite would hold more, and the two backends must refuse the same uploads.
COUNT_MAX = 2**31 - 1

MONEY_PRECISION = 14
AMOUNT_SCALE = 2
UNIT_PRICE_SCALE = 4
AMOUNT_DIGITS = MONEY_PRECISION - AMOUNT_SCALE
UNIT_PRICE_DIGITS = MONEY_PRECISION - UNIT_PRICE_SCALE

VENDOR_CODE = 64
VENDOR_NAME = 200
QB_ACCOUNTING_NAME = 100
CLASS_NAME = 100
INVOICE_NUMBER = 64
PO_NUMBER = 64
CURRENCY = 3
ATTACHMENT_URL = 2000
LINE_TEXT = 500

MAX_LINES = 1000
MAX_CHARGES = 100
