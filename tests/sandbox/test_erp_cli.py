"""`python -m sandbox.erp`: a --help that lists the variations, each option building the upload it names."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from flask import Flask, request
from standardwebhooks.webhooks import Webhook

from sandbox import erp
from sandbox.slack import serve_in_thread
from services.intake.payload import parse_upload

SECRET = "whsec_" + "dGVzdC1lcnAtY2xpLXNlY3JldC1mb3ItdGhlLXRlc3Rz"


def printed(capsys, *argv: str) -> dict:
    assert erp.main([*argv, "--print"]) == 0
    upload = json.loads(capsys.readouterr().out)
    parse_upload(upload)  # the product's own validation takes every variation
    return upload


def test_help_exits_zero_and_lists_every_variation():
    shown = subprocess.run([sys.executable, "-m", "sandbox.erp", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stderr == ""
    for option in (
        "--new-number",
        "--number",
        "--total",
        "--no-qb-name",
        "--long-bill-number",
        "--closed-period",
        "--ship-date",
        "--webhook-id",
        "--secret",
        "--print",
    ):
        assert option in shown.stdout


def test_without_options_the_upload_is_the_example_of_the_design(capsys):
    assert printed(capsys) == erp.EXAMPLE_UPLOAD


def test_a_new_number_is_one_the_example_does_not_use_and_names_its_document(capsys):
    first = printed(capsys, "--new-number")
    assert first["invoice"]["number"] != "FE-20931" and first["invoice"]["number"].startswith("FE-")
    assert first["invoice"]["attachment_url"] == f"https://files.example.com/{first['invoice']['number']}.pdf"
    assert printed(capsys, "--number", "FE-777")["invoice"]["number"] == "FE-777"


def test_a_changed_total_still_adds_up_through_the_handling_charge(capsys):
    upload = printed(capsys, "--total", "1200.00")
    invoice = upload["invoice"]
    assert invoice["total"] == "1200.00" and invoice["charges"] == [{"description": "Handling", "amount": "141.00"}]
    assert invoice["lines"] == erp.EXAMPLE_UPLOAD["invoice"]["lines"]


@pytest.mark.parametrize(
    "total, said",
    [
        ("1000.00", "below 1059.00"),
        ("12.345", "at most 2 decimals"),
        ("abc", "not an amount"),
        ("-5", "positive amount"),
    ],
)
def test_a_total_that_cannot_be_made_is_refused_with_usage_and_status_2(capsys, total, said):
    with pytest.raises(SystemExit) as stopped:
        erp.main(["--total", total, "--print"])
    captured = capsys.readouterr()
    assert stopped.value.code == 2 and said in captured.err and captured.out == ""


def test_no_qb_name_sends_a_vendor_never_seen_without_a_qb_accounting_name(capsys):
    vendor = printed(capsys, "--no-qb-name")["vendor"]
    assert vendor == {"code": "CAMPOVERDE", "name": "Campo Verde Flowers"} and "qb_accounting_name" not in vendor


def test_a_long_bill_number_exceeds_quickbooks_21_characters_with_the_default_format(capsys):
    upload = printed(capsys, "--long-bill-number")
    bill_number = f"{upload['purchase_order']['number']}-{upload['invoice']['number']}"
    assert len(bill_number) > 21 and upload["invoice"]["number"] == erp.LONG_INVOICE_NUMBER


def test_a_closed_period_sets_an_early_ship_date_and_the_invoice_a_day_before(capsys):
    upload = printed(capsys, "--closed-period")
    assert upload["purchase_order"]["ship_date"] == "2024-01-15" and upload["invoice"]["date"] == "2024-01-14"
    assert printed(capsys, "--ship-date", "2025-03-01")["purchase_order"]["ship_date"] == "2025-03-01"


def test_variations_combine(capsys):
    upload = printed(capsys, "--new-number", "--total", "1100.00", "--no-qb-name", "--closed-period")
    assert upload["invoice"]["number"] != "FE-20931" and upload["invoice"]["total"] == "1100.00"
    assert upload["vendor"]["code"] == "CAMPOVERDE" and upload["purchase_order"]["ship_date"] == "2024-01-15"
    assert Decimal(upload["invoice"]["charges"][0]["amount"]) == Decimal("41.00")


def test_the_upload_is_posted_signed_with_standard_webhooks_and_the_answer_decides_the_status(capsys):
    received = []
    app = Flask("stand-in-app")

    @app.post("/webhooks/vendor-invoices")
    def intake():
        body = request.get_data()
        Webhook(SECRET).verify(body, dict(request.headers))
        received.append((request.headers["webhook-id"], json.loads(body)))
        return {"id": 1, "status": "AP", "revision": 1}, 202 if len(received) == 1 else 409

    url, stop = serve_in_thread(app)
    try:
        assert erp.main([url, "--secret", SECRET, "--total", "1100.00", "--webhook-id", "msg_fixed"]) == 0
        assert erp.main([url, "--secret", SECRET]) == 1
    finally:
        stop()
    assert received[0][0] == "msg_fixed" and received[0][1]["invoice"]["total"] == "1100.00"
    assert received[1][0].startswith("msg_") and received[1][0] != "msg_fixed"
    assert capsys.readouterr().out.startswith("202 ")


def test_an_unreachable_app_is_said_plainly_with_status_1(capsys):
    assert erp.main(["http://127.0.0.1:9", "--secret", SECRET]) == 1
    error = capsys.readouterr().err
    assert "could not reach the app at http://127.0.0.1:9" in error and "Traceback" not in error
