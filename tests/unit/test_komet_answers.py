"""How Komet's answers are read (erp/komet.py): its documented status either way, everything else in words."""

import socket

import pytest

from erp.komet import KometSales, komet_status, read_answer
from services.ports import KometOutcome

MARKED, REFUSED, TRANSIENT = KometOutcome.MARKED, KometOutcome.REFUSED, KometOutcome.TRANSIENT
TOKEN = "a-komet-company-token-never-shown"


@pytest.mark.parametrize("body", ['{"status": "1", "message": "OK"}', '{"status": 1, "message": "OK"}'])
def test_status_one_as_the_docs_string_example_or_its_integer_type_is_marked(body):
    answer = read_answer(200, "OK", body)
    assert (answer.outcome, answer.text) == (MARKED, "OK")


@pytest.mark.parametrize("status", ['"0"', "0", '" 0 "'])
def test_status_zero_is_a_refusal_carrying_komets_message(status):
    answer = read_answer(200, "OK", f'{{"status": {status}, "message": "Vendor invoice  not found"}}')
    assert (answer.outcome, answer.text) == (REFUSED, "Vendor invoice not found")


def test_a_refusal_without_a_message_still_says_something():
    assert read_answer(200, "OK", '{"status": "0"}').text == "Komet gave no reason"


@pytest.mark.parametrize("value", [True, False, 2, "yes", None, 1.0, [1]])
def test_only_the_documented_values_count_as_a_status(value):
    assert komet_status(value) is None


@pytest.mark.parametrize(
    "status, body, words",
    [
        (200, "<html>Komet is down for maintenance</html>", "without the documented status: <html>Komet"),
        (200, "", "without the documented status and no body"),
        (200, '{"result": "ok"}', "without the documented status"),
        (200, '["status", 1]', "without the documented status"),
        (200, '{"status": "2", "message": "?"}', "which its doc does not describe"),
        (401, "Unauthorized", "Komet answered 401 Unauthorized without the documented status"),
        (301, "", "a redirect, which invoice-sync does not follow"),
    ],
)
def test_an_unexpected_answer_is_a_refusal_in_plain_words_never_a_crash(status, body, words):
    answer = read_answer(status, {200: "OK", 401: "Unauthorized", 301: "Moved Permanently"}[status], body)
    assert answer.outcome is REFUSED and words in answer.text


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_timeouts_throttling_and_server_errors_are_transient_with_retry_after(status):
    answer = read_answer(status, "Busy", '{"error": "busy"}', "30")
    assert (answer.outcome, answer.retry_after) == (TRANSIENT, 30.0)
    assert answer.text == f'Komet answered {status} Busy: {{"error": "busy"}}'


def test_a_long_answer_is_cut_to_the_docs_500_characters():
    assert len(read_answer(200, "OK", '{"status": 0, "message": "' + "x" * 900 + '"}').text) == 500


def test_a_refused_connection_is_transient_and_no_text_or_repr_shows_the_token():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    komet = KometSales(f"http://127.0.0.1:{port}/api/", TOKEN)
    answer = komet.mark_synchronized("100482", "FE-20931")
    assert answer.outcome is TRANSIENT and "could not be reached" in answer.text
    assert komet.url == f"http://127.0.0.1:{port}/api/vendor.invoice.mark.sync"
    assert TOKEN not in answer.text + repr(komet)
