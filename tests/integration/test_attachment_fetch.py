"""Fetching an invoice's file over real HTTP: every refusal with its reason, redirects checked hop by hop."""

import ssl
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, Response, redirect, request
from werkzeug.serving import make_server

from files import policy
from files.fetch import MAX_BYTES, Fetcher
from sandbox.quickbooks import serve_in_thread
from services.ports import FileRefused, FileUnavailable

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def file_server() -> Flask:
    app = Flask(__name__)

    @app.get("/files/FE-20931.pdf")
    def pdf():
        return Response(PDF, content_type="application/octet-stream")

    @app.get("/files/host.txt")
    def host():
        return Response(request.headers["Host"], content_type="text/plain")

    @app.get("/files/moved")
    def moved():
        return redirect("/files/FE-20931.pdf", 302)

    @app.get("/files/to-outside")
    def to_outside():
        return redirect("/private/keys", 307)

    @app.get("/files/to-internal")
    def to_internal():
        return redirect("http://internal.test/files/FE-20931.pdf", 302)

    @app.get("/files/loop")
    def loop():
        return redirect("/files/loop", 302)

    @app.get("/files/huge.pdf")
    def huge():
        # No Content-Length: only counting while reading stops it.
        def chunks():
            yield b"%PDF-1.4\n"
            for _ in range(MAX_BYTES // 65536 + 2):
                yield b"0" * 65536

        return Response(chunks(), content_type="application/pdf")

    @app.get("/files/declared-huge.pdf")
    def declared_huge():
        # Announced, never sent: the announcement alone is refused.
        return Response(iter([b"%PDF"]), headers={"Content-Length": str(MAX_BYTES + 1)}, content_type="application/pdf")

    @app.get("/files/setup.exe")
    def exe():
        return Response(b"MZ\x90\x00\x03\x00\x00\x00" * 64, content_type="application/pdf")

    @app.get("/files/slow.pdf")
    def slow():
        time.sleep(1.5)
        return Response(PDF, content_type="application/pdf")

    @app.get("/files/busy.pdf")
    def busy():
        return Response("try later", status=503)

    @app.get("/files/gone.pdf")
    def gone():
        return Response("no such file", status=404)

    return app


@pytest.fixture(scope="module")
def served():
    base, stop = serve_in_thread(file_server())
    yield base
    stop()


def fetcher(base: str, *more: str, resolver=None) -> Fetcher:
    """A fetcher allowing `base`/files/ (and `more`), with short timeouts; `resolver` stands in for DNS."""
    options = {"resolver": resolver} if resolver else {}
    return Fetcher((f"{base}/files/", *more), connect_timeout=0.5, read_timeout=0.5, **options)


def reason(error_type, call, *args) -> str:
    with pytest.raises(error_type) as caught:
        call(*args)
    return str(caught.value)


def test_an_allowed_pdf_is_fetched_whole_and_typed_from_its_bytes_not_its_header(served):
    fetched = fetcher(served).fetch(f"{served}/files/FE-20931.pdf")
    assert (fetched.name, fetched.content_type, fetched.data) == ("FE-20931.pdf", "application/pdf", PDF)


def test_an_allowed_redirect_is_followed_and_the_file_keeps_the_name_the_invoice_gave(served):
    fetched = fetcher(served).fetch(f"{served}/files/moved")
    assert (fetched.name, fetched.data) == ("moved.pdf", PDF)


def test_a_url_outside_the_allowed_prefixes_is_refused_without_a_request(served):
    said = reason(FileRefused, fetcher(served).fetch, "https://files.example.com/FE-20931.pdf")
    assert said == (
        "https://files.example.com/FE-20931.pdf is not under any of the prefixes ATTACHMENT_ALLOWED_URLS allows"
    )


def test_by_default_a_private_address_is_refused_before_connecting():
    said = reason(FileRefused, Fetcher().fetch, "https://localhost/FE-20931.pdf")
    assert said.startswith("localhost resolves to ") and "a loopback address" in said
    said = reason(FileRefused, Fetcher().fetch, "https://169.254.169.254/latest/meta-data")
    assert "a link-local address" in said


def test_the_connection_goes_to_the_address_vetted_with_the_name_as_host_and_dns_asked_once(served, monkeypatch):
    # The local server stands for a public one; a second DNS answer (rebinding) would be private.
    monkeypatch.setattr(policy, "non_public", lambda address: None if address == "127.0.0.1" else "a private address")
    asked = []

    def rebinding(host, port):
        asked.append(host)
        return ["127.0.0.1"] if len(asked) == 1 else ["10.0.0.7"]

    port = served.rsplit(":", 1)[1]
    named = Fetcher((f"http://files.test:{port}/files/",), resolver=rebinding)
    assert named.fetch(f"http://files.test:{port}/files/host.txt").data == f"files.test:{port}".encode()
    assert asked == ["files.test"]
    said = reason(FileRefused, named.fetch, f"http://files.test:{port}/files/host.txt")
    assert said == "files.test resolves to 10.0.0.7, a private address, which invoice-sync never connects to"


def test_a_redirect_out_of_the_allowed_prefixes_is_refused(served):
    said = reason(FileRefused, fetcher(served).fetch, f"{served}/files/to-outside")
    assert said == f"{served}/private/keys is not under any of the prefixes ATTACHMENT_ALLOWED_URLS allows"


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused_even_when_allowed(served):
    internal = fetcher(served, "http://internal.test/files/", resolver=lambda host, port: ["10.20.30.40"])
    said = reason(FileRefused, internal.fetch, f"{served}/files/to-internal")
    assert said == "internal.test resolves to 10.20.30.40, a private address, which invoice-sync never connects to"


def test_more_than_five_redirects_are_refused(served):
    assert "redirected more than 5 times" in reason(FileRefused, fetcher(served).fetch, f"{served}/files/loop")


def test_a_file_over_25_mib_is_abandoned_while_reading(served):
    said = reason(FileRefused, fetcher(served).fetch, f"{served}/files/huge.pdf")
    assert said == "the file is larger than 25 MiB"
    said = reason(FileRefused, fetcher(served).fetch, f"{served}/files/declared-huge.pdf")
    assert said == f"the file is larger than 25 MiB ({MAX_BYTES + 1:,} bytes)"


def test_a_file_of_another_type_is_refused_whatever_its_content_type_says(served):
    said = reason(FileRefused, fetcher(served).fetch, f"{served}/files/setup.exe")
    assert said.startswith("the file is none of the types QuickBooks accepts (PDF, PNG, JPEG")


def test_a_server_that_does_not_answer_in_time_is_a_transient_failure(served):
    said = reason(FileUnavailable, fetcher(served).fetch, f"{served}/files/slow.pdf")
    assert said == "the file server at 127.0.0.1 did not answer within 0.5 s"


def test_5xx_and_a_refused_connection_are_transient_and_a_404_is_not(served):
    said = reason(FileUnavailable, fetcher(served).fetch, f"{served}/files/busy.pdf")
    assert said == f"the file server answered 503 for {served}/files/busy.pdf"
    closed = Fetcher(("http://127.0.0.1:9/files/",), connect_timeout=0.5)
    said = reason(FileUnavailable, closed.fetch, "http://127.0.0.1:9/files/FE-20931.pdf")
    assert said.startswith("could not connect to 127.0.0.1:9 (") and "refused" in said.lower()
    said = reason(FileRefused, fetcher(served).fetch, f"{served}/files/gone.pdf")
    assert said == f"the file server answered 404 NOT FOUND for {served}/files/gone.pdf"


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    """A self-signed certificate for `name` and its key, as PEM files: (certificate, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.mark.parametrize("served_as, fetched", [("files.test", True), ("other.test", False)])
def test_https_goes_to_the_vetted_address_and_checks_the_certificate_against_the_name(
    tmp_path, monkeypatch, served_as, fetched
):
    cert, key = _certificate(tmp_path, served_as)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = make_server("127.0.0.1", 0, file_server(), threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setattr(policy, "non_public", lambda address: None)
    try:
        prefix = f"https://files.test:{server.server_port}/files/"
        pinned = Fetcher((prefix,), resolver=lambda *_: ["127.0.0.1"], ca_certs=cert)
        url = f"{prefix}host.txt"
        if fetched:
            assert pinned.fetch(url).data == f"files.test:{server.server_port}".encode()
        else:
            said = reason(FileRefused, pinned.fetch, url)
            assert said.startswith("the TLS connection to files.test was refused: ")
    finally:
        server.shutdown()
        server.server_close()
