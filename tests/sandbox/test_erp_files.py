"""`make run`'s example invoice names a PDF the local ERP serves, and only that address is opened to the app."""

import json
import re
from types import SimpleNamespace

from files.kinds import PDF, sniff
from files.policy import Policy
from sandbox import erp, local_erp
from sandbox.erp_host import create_app as create_erp
from sandbox.erp_host.files import example_pdf
from sandbox.slack import panels_erp
from sandbox.supervisor import Launcher
from services.intake.payload import parse_upload
from services.ports import FileRefused
from tests.sandboxes import ERP_SECRET

LOCAL_FILES = "http://127.0.0.1:8013/files/"


def test_the_local_erp_serves_each_invoices_pdf_made_in_code_with_a_sound_xref_table():
    client = create_erp(ERP_SECRET).test_client()
    answer = client.get("/files/FE-20931.pdf")
    assert (answer.status_code, answer.content_type) == (200, "application/pdf")
    assert answer.data == example_pdf("FE-20931") and sniff(answer.data, "FE-20931.pdf") == PDF
    assert b"(Vendor invoice FE-20931) Tj" in answer.data and answer.data.endswith(b"%%EOF\n")
    table = int(answer.data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert answer.data[table:].startswith(b"xref\n0 6\n")
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", answer.data), 1):
        assert answer.data[int(offset) :].startswith(b"%d 0 obj\n" % number)
    assert client.get("/files/FE-20931.exe").status_code == 404


def test_files_url_names_the_invoices_pdf_there_and_the_default_stays_the_designs_placeholder(capsys):
    assert erp.main(["--print", "--files-url", LOCAL_FILES]) == 0
    upload = json.loads(capsys.readouterr().out)
    parse_upload(upload)
    assert upload["invoice"]["attachment_url"] == f"{LOCAL_FILES}FE-20931.pdf"
    assert erp.build_upload(number="FE-777", files_url=LOCAL_FILES)["invoice"]["attachment_url"] == (
        f"{LOCAL_FILES}FE-777.pdf"
    )
    assert erp.build_upload()["invoice"]["attachment_url"] == "https://files.example.com/FE-20931.pdf"


def test_the_slack_pages_erp_panel_names_the_local_erps_files_when_it_runs_beside_it(monkeypatch):
    sent = []

    def post_upload(base, upload, secret):
        sent.append(upload)
        return SimpleNamespace(status_code=202, headers={}, content=b'{"id": 1, "status": "AP"}', reason="Accepted")

    monkeypatch.setattr(panels_erp, "post_upload", post_upload)
    panels_erp.ErpDesk("http://127.0.0.1:8000", "whsec_x", host_url="http://127.0.0.1:8013").upload("example")
    panels_erp.ErpDesk("http://127.0.0.1:8000", "whsec_x").upload("example")
    assert [upload["invoice"]["attachment_url"] for upload in sent] == [
        f"{LOCAL_FILES}FE-20931.pdf",
        "https://files.example.com/FE-20931.pdf",
    ]


def test_make_run_allows_the_local_erps_files_and_no_other_private_address(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATTACHMENT_ALLOWED_URLS", raising=False)
    (tmp_path / "instance").mkdir()
    launcher = Launcher()
    monkeypatch.setattr(
        launcher, "start", lambda *args, **kwargs: {"ERP_EVENTS_URL": "http://127.0.0.1:8013/erp/events"}
    )
    assert local_erp.start_erp(launcher, 8013, tmp_path / "instance", "local.env") == "http://127.0.0.1:8013"
    allowed = launcher.env["ATTACHMENT_ALLOWED_URLS"]
    assert allowed == LOCAL_FILES
    policy = Policy((allowed,))
    example = policy.check(f"{LOCAL_FILES}FE-20931.pdf")
    assert policy.vet(example, ["127.0.0.1"]) == ["127.0.0.1"]
    for elsewhere in ("http://127.0.0.1:8000/healthz", "http://127.0.0.1:8011/_sandbox/", "http://10.0.0.1/files/a"):
        try:
            policy.check(elsewhere)
        except FileRefused:
            continue
        raise AssertionError(f"{elsewhere} was allowed")
