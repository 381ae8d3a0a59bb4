"""plumbing.slow_clients: which bodies web reads ahead without a thread, and when a request is whole."""

from plumbing.slow_clients import BODY_LIMIT, HEAD_LIMIT, _Arriving, body_length

HEAD = b"POST /webhooks/vendor-invoices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"


def test_a_body_of_announced_length_is_read_ahead_and_anything_a_thread_must_read_is_not():
    assert body_length(b"GET /healthz HTTP/1.1\r\nHost: x") == 0
    assert body_length(HEAD + b"\r\nContent-Length: 12") == 12
    assert body_length(HEAD + b"\r\ncontent-length:  12 ") == 12
    assert body_length(HEAD + f"\r\nContent-Length: {BODY_LIMIT}".encode()) == BODY_LIMIT
    # Larger (the app refuses it unread), chunked, waiting for 100 Continue, or for gunicorn's parser to refuse.
    assert body_length(HEAD + f"\r\nContent-Length: {BODY_LIMIT + 1}".encode()) is None
    assert body_length(HEAD + b"\r\nTransfer-Encoding: chunked") is None
    assert body_length(HEAD + b"\r\nContent-Length: 12\r\nExpect: 100-continue") is None
    assert body_length(HEAD + b"\r\nContent-Length: 12\r\nContent-Length: 12") is None
    assert body_length(HEAD + b"\r\nContent-Length: -1") is None


def test_a_request_is_ready_once_its_head_and_body_are_in_whatever_the_pieces():
    request = _Arriving(b"", now=0)
    whole = HEAD + b"\r\nContent-Length: 2\r\n\r\n{}"
    for byte in whole[:-1]:
        request.data += bytes([byte])
        assert request.progress(now=1) == "waiting"
    assert request.deadline == 1 + 10  # the body's own deadline, from the head's end
    request.data += whole[-1:]
    assert request.progress(now=2) == "ready"
    assert request.head_end == len(whole) - 2


def test_a_head_without_its_end_past_the_limit_is_too_large():
    request = _Arriving(b"GET / HTTP/1.1\r\nX: " + b"x" * HEAD_LIMIT, now=0)
    assert request.progress(now=0) == "too large"
