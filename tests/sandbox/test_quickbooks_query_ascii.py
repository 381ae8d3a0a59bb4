"""The sandbox's query parser refuses any character outside ASCII as QBO's does, and pages vendors by 1,000."""

import pytest
import requests
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.vendor import Vendor


def query(sandbox, token: str, statement: str, method: str = "POST") -> requests.Response:
    """The statement sent as python-quickbooks sends it (POST application/text), in UTF-8, or as ?query= on a GET."""
    url = f"{sandbox.base}/v3/company/{sandbox.realm}/query"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if method == "GET":
        return requests.get(url, params={"query": statement}, headers=headers, timeout=5)
    body = statement.encode("utf-8")
    return requests.post(url, data=body, headers={**headers, "Content-Type": "application/text"}, timeout=5)


@pytest.fixture
def token(sandbox):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/tokens")["access_token"]


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_typographic_apostrophe_in_a_quoted_name_is_refused_with_intuits_lexical_error(sandbox, token, method):
    answer = query(sandbox, token, "select * from Vendor where DisplayName = 'Rosa’s Farm – Ecuador'", method)
    assert answer.status_code == 400
    [error] = answer.json()["Fault"]["Error"]
    assert answer.json()["Fault"]["type"] == "ValidationFault"
    assert (error["code"], error["Message"]) == ("4000", "Error parsing query")
    assert error["Detail"] == (
        "QueryParserError: Invalid content. Lexical error at line 1, column 47.  "
        'Encountered: "\\u2019" (8217), after : "\\\'Rosa"'
    )


@pytest.mark.parametrize(
    "statement, detail",
    [
        ("select * from Item where Name = 'Boot – Wolverine'", 'column 39.  Encountered: "\\u2013" (8211)'),
        ("select * from Vendor where DisplayName = 'Włodarski'", 'Encountered: "\\u0142" (322), after : "\\\'W"'),
        ("select * from Vendor where DisplayName = '珊珊 李'", 'Encountered: "\\u73ca" (29642), after : "\\\'"'),
        ("select * from Vendor where DisplayName = Cía", 'Encountered: "\\u00ed" (237), after : ""'),
        ("select * from Vendor where DisplayName = 'a\\'b’'", "after : \"\\'a\\\\\\'b\""),
    ],
    ids=["en-dash", "l-stroke", "cjk", "unquoted", "escapes-after"],
)
def test_any_character_beyond_ascii_quoted_or_not_is_code_4000(sandbox, token, statement, detail):
    answer = query(sandbox, token, statement)
    [error] = answer.json()["Fault"]["Error"]
    assert answer.status_code == 400 and error["code"] == "4000"
    assert detail in error["Detail"], error["Detail"]


def test_python_quickbooks_gets_a_validation_error_4000_for_an_accented_name(qb):
    with pytest.raises(QuickbooksException) as refused:
        Vendor.filter(DisplayName="Floricultura Cotopaxi Cía. Ltda.", qb=qb)
    assert refused.value.error_code == 4000 and "Lexical error" in refused.value.detail


def test_a_batch_query_item_with_a_non_ascii_name_is_refused_alone(sandbox, token):
    items = [
        {"bId": "1", "Query": "select * from Vendor where DisplayName = 'Jardines de Chía SAS'"},
        {"bId": "2", "Query": "select * from Vendor where DisplayName = 'Rosas del Ecuador S.A.'"},
    ]
    answer = requests.post(
        f"{sandbox.base}/v3/company/{sandbox.realm}/batch",
        json={"BatchItemRequest": items},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=5,
    ).json()["BatchItemResponse"]
    assert answer[0]["Fault"]["Error"][0]["code"] == "4000"
    assert [v["DisplayName"] for v in answer[1]["QueryResponse"]["Vendor"]] == ["Rosas del Ecuador S.A."]


def test_vendors_page_by_startposition_with_maxresults_capped_at_1000(sandbox, token):
    sandbox.control("POST", "/seed", vendors=[f"Farm {n:04d}" for n in range(2500)])
    total = query(sandbox, token, "select count(*) from Vendor").json()["QueryResponse"]["totalCount"]
    seen = []
    for start in (1, 1001, 2001, 3001):
        page = query(sandbox, token, f"select * from Vendor startposition {start} maxresults 1000").json()
        seen += [v["Id"] for v in page["QueryResponse"].get("Vendor", [])]
    assert len(seen) == len(set(seen)) == total == 2506
    capped = query(sandbox, token, "select * from Vendor startposition 1 maxresults 5000").json()["QueryResponse"]
    assert capped["maxResults"] == 1000 and len(capped["Vendor"]) == 1000


def test_the_stats_keep_each_query_text_for_counting_reads(sandbox, token):
    query(sandbox, token, "select * from Vendor startposition 1 maxresults 1000")
    query(sandbox, token, "select * from Vendor where DisplayName = 'Rosa’s Farm'")
    logged = sandbox.control("GET", f"/realms/{sandbox.realm}/stats")["queries"]
    assert logged == [
        "select * from Vendor startposition 1 maxresults 1000",
        "select * from Vendor where DisplayName = 'Rosa’s Farm'",
    ]
