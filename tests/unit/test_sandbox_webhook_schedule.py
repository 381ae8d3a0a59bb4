"""Intuit's webhook retry schedule as the QuickBooks sandbox applies it: 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h,
6 h, then every 6 h; only a 2xx acknowledges a delivery."""

import pytest

from sandbox.quickbooks.delivery import acknowledged, retry_delay


@pytest.mark.parametrize(
    "retry, seconds",
    [(1, 10), (2, 20), (3, 30), (4, 300), (5, 1200), (6, 7200), (7, 14400), (8, 21600), (9, 21600), (40, 21600)],
)
def test_each_retry_waits_as_intuit_documents(retry, seconds):
    assert retry_delay(retry) == seconds


@pytest.mark.parametrize("status, ok", [(200, True), (204, True), (301, False), (401, False), (500, False)])
def test_only_a_2xx_acknowledges(status, ok):
    assert acknowledged(status) is ok
    assert acknowledged(None) is False
