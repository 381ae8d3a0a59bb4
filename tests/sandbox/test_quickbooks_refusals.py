"""The sandbox refuses access and throttles in the shapes QBO was recorded answering (tests/sandbox/recorded/qbo/)."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

RECORDED = Path(__file__).parent / "recorded" / "qbo"
NS = "{http://schema.intuit.com/finance/v3}"


def fault_of_xml(text: str) -> tuple:
    root = ET.fromstring(re.sub(r"<\?xml[^>]*\?>", "", text).strip())
    fault = root.find(f"{NS}Fault")
    error = fault.find(f"{NS}Error")
    return (fault.get("type"), error.get("code"), error.findtext(f"{NS}Message"), error.findtext(f"{NS}Detail"))


def answered(sandbox, token: str):
    return requests.get(
        f"{sandbox.base}/v3/company/{sandbox.realm}/query",
        params={"query": "select * from Vendor"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=5,
    )


@pytest.fixture
def token(sandbox):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")["access_token"]


@pytest.mark.parametrize(
    "kind, shape, status, recorded",
    [
        ("throttle", None, 429, "fault_429_throttle_3001.xml"),
        ("refused", "xml", 403, "fault_403_authorization_3100.xml"),
        ("access_lost", None, 401, "fault_401_authorization_120.xml"),
    ],
)
def test_xml_refusals_match_the_recorded_fault_even_to_a_json_client(sandbox, token, kind, shape, status, recorded):
    sandbox.fault(kind=kind, **({"shape": shape} if shape else {}))
    answer = answered(sandbox, token)
    assert answer.status_code == status and answer.headers["Content-Type"].startswith("application/xml")
    assert fault_of_xml(answer.text) == fault_of_xml((RECORDED / recorded).read_text())


def test_a_403_in_json_has_the_recorded_lowercase_keys_and_nulls(sandbox, token):
    sandbox.fault(kind="refused")
    answer = answered(sandbox, token)
    recorded = json.loads((RECORDED / "fault_403_application_authorization_3100.json").read_text())
    assert answer.status_code == 403
    body = answer.json()
    assert set(body) == set(recorded) and "Fault" not in body
    assert body["fault"] == recorded["fault"]


def test_access_lost_survives_a_refresh_because_the_grant_itself_is_still_valid(sandbox, token):
    sandbox.fault(kind="access_lost", count=2)
    assert answered(sandbox, token).status_code == 401
    fresh = sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")["access_token"]
    assert answered(sandbox, fresh).status_code == 401
    assert answered(sandbox, fresh).status_code == 200
