"""Recorded answers of QBO and Intuit OAuth (tests/sandbox/recorded/), and what python-quickbooks raises on them."""

import re
from pathlib import Path

import pytest
import requests
from quickbooks import QuickBooks

RECORDED = Path(__file__).parents[1] / "sandbox" / "recorded"


def recorded(name: str) -> str:
    """The body of a recorded answer as the service sends it: without the header comment naming its source."""
    return re.sub(r"<!--.*?-->", "", (RECORDED / name).read_text(), flags=re.S).strip()


def answer(status: int, body: str) -> requests.Response:
    """An HTTP answer of `status` carrying `body` (XML or JSON by its first character), as requests returns it."""
    response = requests.Response()
    response.status_code, response._content = status, body.encode()
    response.headers["Content-Type"] = "application/xml" if body.startswith("<") else "application/json"
    return response


class Answering(requests.Session):
    """The session python-quickbooks sends through, answering one recorded body."""

    access_token = "token"

    def __init__(self, status: int, body: str):
        super().__init__()
        self.status, self.body = status, body

    def request(self, method, url, **kwargs):
        return answer(self.status, self.body)


def raised_by_python_quickbooks(status: int, body: str) -> Exception:
    """What python-quickbooks raises when QuickBooks answers a Bill create with `status` and `body`."""
    client = QuickBooks(company_id="9341455000000001", minorversion=75, use_decimal=True)
    client.session = Answering(status, body)
    with pytest.raises(Exception) as raised:
        client.create_object("Bill", "{}")
    return raised.value
