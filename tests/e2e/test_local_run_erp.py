"""`make run` plays the ERP round trip: an upload reaches the local ERP as a signed event, and its panel shows it."""

import re

import requests
from dotenv import dotenv_values

from sandbox.erp import fresh_number
from tests.e2e.helpers import LocalRun, free_ports, wait


def test_an_upload_in_the_local_run_is_told_to_the_local_erp_and_shown_on_the_erp_panel_within_seconds(tmp_path):
    run = LocalRun(tmp_path, free_ports(3))
    try:
        kept = dotenv_values(tmp_path / "instance" / "local.env")
        secret, erp = kept["ERP_EVENTS_SECRET"], kept["ERP_EVENTS_URL"].removesuffix("/erp/events")
        assert secret.startswith("whsec_") and kept["ERP_API_TOKEN"]
        number = fresh_number()
        run.upload(number)

        def told():
            invoices = requests.get(f"{erp}/_sandbox/invoices", timeout=5).json()["invoices"]
            return next((data for data in invoices if data["invoice_number"] == number), None)

        # The worker pushed the upload's event, signed, and the local ERP verified it: a few seconds at most.
        data = wait(told, lambda: f"{number} at the local ERP; output:\n{''.join(run.lines[-30:])}", seconds=10)
        assert (data["status"], data["status_name"], data["sequence"]) == ("AP", "Pending Procurement Approval", 1)

        def shown():
            regions = requests.get(f"{run.slack}/_sandbox/page/regions", params={"as": "U0AP1"}, timeout=5).json()
            return re.search(
                rf'data-erp-invoice="{number}" data-status="AP">.*?Pending Procurement Approval',
                regions["regions"]["panel-erp"],
            )

        wait(shown, f"{number} Pending Procurement Approval on the ERP panel", seconds=5)
    finally:
        run.stop()
    assert secret not in "".join(run.lines), "the run's output shows ERP_EVENTS_SECRET"
