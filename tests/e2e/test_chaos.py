"""The short chaos run (bench/chaos.py): 100 invoices through the public interfaces while QuickBooks throttles,
fails and loses answers, the ERP answers 503, a worker is SIGKILLed and Redis is flushed, and nothing is lost or
doubled."""

import pytest

from bench.chaos import parser_of, run

SHORT = [
    "--invoices",
    "100",
    "--kills",
    "1",
    "--kill-every",
    "8",
    "--throttle-backoff",
    "5",
    "--leave-erp-retries",
    "--seconds",
    "170",
]


@pytest.mark.timeout(240)
def test_a_hundred_invoices_through_chaos_end_synchronized_once_with_every_line_and_event_told_once():
    figures, happened = run(parser_of().parse_args(SHORT))
    assert (figures.invoices, figures.synchronized, figures.bills) == (100, 100, 100), figures
    assert (figures.duplicate_bills, figures.lost, figures.stuck) == (0, 0, 0), figures
    assert (figures.lines_missing, figures.lines_doubled) == (0, 0), figures
    assert (figures.erp_missing, figures.erp_out_of_order) == (0, 0), figures
    assert happened["kills"] == 1 and happened["flushed_at"] is not None, happened
