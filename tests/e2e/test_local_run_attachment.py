"""`make run`: the example invoice uploaded from the Slack page's ERP panel ends with its PDF on its Bill."""

import requests

from sandbox.erp_host.files import example_pdf
from tests.e2e.helpers import LocalRun, free_ports, wait

NUMBER = "FE-20931"


def test_the_erp_panels_example_upload_ends_with_the_local_erps_pdf_on_its_bill_in_the_local_quickbooks(tmp_path):
    run = LocalRun(tmp_path, free_ports(3))
    try:
        answer = requests.post(
            f"{run.slack}/_sandbox/erp/upload",
            data={"user": "U0AP1", "variation": "example"},
            headers={"X-Requested-With": "fetch"},
            timeout=15,
        )
        assert answer.status_code < 400, answer.text
        run.synchronize(NUMBER)
        [bill] = run.bills()

        def attached():
            listed = requests.get(f"{run.qbo}/realms/default/attachables", timeout=10).json()["attachables"]
            return [a for a in listed if a["AttachableRef"][0]["EntityRef"]["value"] == bill["Id"]]

        [found] = wait(attached, lambda: f"a file on Bill {bill['Id']}; output:\n{''.join(run.lines[-40:])}", 30)
        assert (found["FileName"], found["ContentType"]) == (f"{NUMBER}.pdf", "application/pdf")
        served = requests.get(f"{run.qbo}/realms/default/attachables/{found['Id']}/file", timeout=10)
        assert served.content == example_pdf(NUMBER)

        def linked():
            regions = requests.get(f"{run.slack}/_sandbox/page/regions", params={"as": "U0AP1"}, timeout=5).json()
            return f">{NUMBER}.pdf</a>" in regions["regions"]["panel-quickbooks"]

        wait(linked, f"{NUMBER}.pdf linked in the QuickBooks panel's File column", seconds=5)
    finally:
        run.stop()
