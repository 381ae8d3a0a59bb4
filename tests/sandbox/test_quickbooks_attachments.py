"""The sandbox's upload endpoint as python-quickbooks and a plain multipart client use it, and its refusals."""

import json
import time

import requests
from quickbooks.objects.attachable import Attachable
from quickbooks.objects.base import AttachableRef, Ref

from sandbox.slack import SlackState, create_app
from sandbox.slack.panels import Neighbours
from sandbox.slack.panels_quickbooks import FRESH_FOR
from tests.sandbox.quickbooks_client import make_bill

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attachable(bill_id: str, name: str = "FE-20931.pdf", content_type: str = "application/pdf") -> Attachable:
    linked = Attachable()
    ref = AttachableRef()
    ref.EntityRef = Ref()
    ref.EntityRef.type, ref.EntityRef.value = "Bill", bill_id
    linked.AttachableRef = [ref]
    linked.FileName, linked.ContentType = name, content_type
    return linked


def uploaded(qb, bill_id: str, data: bytes = PDF, **names) -> dict:
    """The upload's whole answer, through python-quickbooks' multipart (base64, LF line ends)."""
    return qb.create_object("Attachable", attachable(bill_id, **names).to_json(), _file_bytes=data)


def panel(page) -> str:
    """The QuickBooks panel of the Slack sandbox page, as the page's polling reads it."""
    return page.get("/_sandbox/page/regions", query_string={"as": "U0AP1"}).get_json()["regions"]["panel-quickbooks"]


def file_of(sandbox, attachable_id: str) -> requests.Response:
    return requests.get(f"{sandbox.base}/_sandbox/realms/{sandbox.realm}/attachables/{attachable_id}/file", timeout=5)


def test_python_quickbooks_attaches_a_pdf_to_a_bill_and_the_query_of_the_bill_finds_it(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    linked = attachable(bill.Id)
    linked._FileBytes = PDF
    saved = linked.save(qb=qb)
    [found] = qb.query(f"select * from Attachable where AttachableRef.EntityRef.value = '{bill.Id}'")["QueryResponse"][
        "Attachable"
    ]
    assert found["Id"] == saved.Id and found["FileName"] == "FE-20931.pdf" and found["Size"] == len(PDF)
    assert found["AttachableRef"] == [{"EntityRef": {"type": "Bill", "value": bill.Id}, "IncludeOnSend": False}]
    served = file_of(sandbox, saved.Id)
    assert served.content == PDF and served.headers["Content-Type"] == "application/pdf"
    other = make_bill(qb, doc_number="100482-FE-20932").save(qb=qb)
    assert (
        qb.query(f"select * from Attachable where AttachableRef.EntityRef.value = '{other.Id}'")["QueryResponse"] == {}
    )


def test_a_plain_binary_part_with_crlf_line_ends_is_read_byte_for_byte(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    metadata = json.loads(attachable(bill.Id).to_json())
    answer = requests.post(
        f"{sandbox.base}/v3/company/{sandbox.realm}/upload",
        files={
            "file_metadata_01": (None, json.dumps(metadata), "application/json"),
            "file_content_01": ("FE-20931.pdf", PDF + b"\r\n--not-the-end\r\n", "application/pdf"),
        },
        headers={"Authorization": f"Bearer {qb.auth_client.access_token}", "Accept": "application/json"},
        timeout=5,
    )
    [item] = answer.json()["AttachableResponse"]
    assert file_of(sandbox, item["Attachable"]["Id"]).content == PDF + b"\r\n--not-the-end\r\n"


def test_an_octet_stream_or_a_type_quickbooks_does_not_take_is_refused_inside_a_200(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    for names in (
        {"content_type": "application/octet-stream"},
        {"name": "setup.exe", "content_type": "application/pdf"},
        {"name": "FE-20931.zip", "content_type": "application/zip"},
    ):
        [item] = uploaded(qb, bill.Id, **names)["AttachableResponse"]
        [error] = item["Fault"]["Error"]
        assert error["code"] == "2010" and "is not a type QuickBooks accepts as an attachment" in error["Detail"]
    assert sandbox.control("GET", f"/realms/{sandbox.realm}/attachables")["attachables"] == []


def test_an_attachment_to_a_bill_that_does_not_exist_is_refused_as_object_not_found(sandbox, qb):
    [item] = uploaded(qb, "99999")["AttachableResponse"]
    assert item["Fault"]["Error"][0]["code"] == "610"


def test_the_slack_pages_quickbooks_panel_links_a_bills_file_by_its_name(sandbox, qb):
    bill = make_bill(qb).save(qb=qb)
    page = create_app(SlackState(), neighbours=Neighbours(quickbooks_url=sandbox.base)).test_client()
    shown = panel(page)
    assert 'title="No Attachable is linked to this Bill">none</td>' in shown
    [item] = uploaded(qb, bill.Id)["AttachableResponse"]
    attachable_id = item["Attachable"]["Id"]
    time.sleep(FRESH_FOR)
    shown = panel(page)
    link = f"{sandbox.base}/_sandbox/realms/default/attachables/{attachable_id}/file"
    assert f'<a href="{link}" target="_blank" data-attachable-id="{attachable_id}">FE-20931.pdf</a>' in shown
    assert requests.get(link, timeout=5).content == PDF
