"""Which attachment URLs may be fetched, which addresses they may reach, and which files QuickBooks takes."""

import io
import zipfile

import pytest

from files.kinds import CSV, DOC, DOCX, GIF, JPEG, PDF, PNG, RTF, TEXT, TIFF, XLS, XLSX, XML, file_name, sniff
from files.policy import Policy, non_public
from services.ports import FileRefused

LOCAL = "http://127.0.0.1:8013/files/"


def refused(call, *args) -> str:
    with pytest.raises(FileRefused) as caught:
        call(*args)
    return str(caught.value)


def test_by_default_only_https_urls_are_fetched():
    assert Policy().check("https://files.example.com/FE-20931.pdf").host == "files.example.com"
    assert "is not an https:// URL" in refused(Policy().check, "http://files.example.com/FE-20931.pdf")


@pytest.mark.parametrize(
    "address, why",
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.7", "a private address"),
        ("172.16.5.4", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("100.64.0.1", "not a public address"),
        ("fd00::1", "a private address"),
    ],
)
def test_every_kind_of_non_public_address_is_named(address, why):
    assert non_public(address) == why


def test_public_addresses_pass():
    assert non_public("93.184.215.14") is None and non_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None


def test_a_host_resolving_to_one_private_address_among_public_ones_is_refused():
    target = Policy().check("https://files.example.com/a.pdf")
    assert Policy().vet(target, ["93.184.215.14"]) == ["93.184.215.14"]
    why = refused(Policy().vet, target, ["93.184.215.14", "10.0.0.5"])
    assert why == "files.example.com resolves to 10.0.0.5, a private address, which invoice-sync never connects to"


def test_an_allowed_prefix_covers_its_own_path_only():
    policy = Policy((LOCAL, "https://erp.example.com/docs"))
    assert policy.check(f"{LOCAL}FE-20931.pdf").port == 8013
    assert policy.check("https://erp.example.com/docs/a.pdf").request_target == "/docs/a.pdf"
    for url in (
        "http://127.0.0.1:8013/secret",
        "http://127.0.0.1:8014/files/a.pdf",
        "https://127.0.0.1:8013/files/a.pdf",
        "https://erp.example.com/docsecret.pdf",
        "https://erp.example.com.evil.test/docs/a.pdf",
    ):
        assert "is not under any of the prefixes ATTACHMENT_ALLOWED_URLS allows" in refused(policy.check, url), url


@pytest.mark.parametrize(
    "url, said",
    [
        ("https://files.example.com@10.0.0.1/a.pdf", "carries a user name or password"),
        ("https://files.example.com/docs/../admin", "has . or .. in its path"),
        ("https://files.example.com/docs/%2e%2e/admin", "has . or .. in its path"),
        ("ftp://files.example.com/a.pdf", "is not an http:// or https:// URL with a host"),
    ],
)
def test_urls_that_could_leave_their_prefix_are_refused(url, said):
    assert said in refused(Policy(("https://files.example.com/docs/",)).check, url)


def test_a_prefix_naming_a_private_ip_reaches_it_and_a_name_resolving_there_does_not():
    policy = Policy((LOCAL, "http://erp.internal/files/"))
    assert policy.vet(policy.check(f"{LOCAL}a.pdf"), ["127.0.0.1"]) == ["127.0.0.1"]
    named = policy.check("http://erp.internal/files/a.pdf")
    assert "erp.internal resolves to 10.0.0.9, a private address" in refused(policy.vet, named, ["10.0.0.9"])


def test_without_prefixes_an_ip_literal_url_is_vetted_like_any_host():
    target = Policy().check("https://127.0.0.1/a.pdf")
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in refused(Policy().vet, target, ["127.0.0.1"])


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, name, kind",
    [
        (b"%PDF-1.4\n%...", "a.pdf", PDF),
        (b"%PDF-1.7", "no-extension", PDF),
        (b"\x89PNG\r\n\x1a\n....", "a.png", PNG),
        (b"\xff\xd8\xff\xe0JFIF", "a.jpg", JPEG),
        (b"GIF89a....", "a.gif", GIF),
        (b"II*\x00....", "a.tif", TIFF),
        (b"MM\x00*....", "a.tiff", TIFF),
        (b"{\\rtf1\\ansi hello}", "a.rtf", RTF),
        (b'\xef\xbb\xbf<?xml version="1.0"?><invoice/>', "a.xml", XML),
        ("Rosa’s Farm – 1.200 stems\n".encode(), "a.txt", TEXT),
        (b"number,total\nFE-20931,1093.50\n", "a.csv", CSV),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "a.doc", DOC),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "a.XLS", XLS),
        (_zip("[Content_Types].xml", "word/document.xml"), "a.docx", DOCX),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), "a.xlsx", XLSX),
    ],
)
def test_accepted_types_are_read_from_the_bytes(data, name, kind):
    assert sniff(data, name) == kind


def test_a_pdf_named_like_a_spreadsheet_is_still_a_pdf_and_a_binary_named_pdf_is_refused():
    assert sniff(b"%PDF-1.4", "invoice.xlsx") == PDF
    assert "none of the types QuickBooks accepts (PDF, PNG" in refused(sniff, b"MZ\x90\x00\x03\x00", "invoice.pdf")


@pytest.mark.parametrize(
    "data, said",
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00\x00garbage", "none of the types QuickBooks accepts"),
        (b"text with a \x00 NUL", "none of the types QuickBooks accepts"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "Office 97-2003 document"),
        (_zip("payload.exe"), "a ZIP archive, not a Word or Excel document"),
        (b"PK\x03\x04broken", "not a readable one"),
    ],
)
def test_other_files_are_refused_saying_what_they_are(data, said):
    assert said in refused(sniff, data, "invoice.bin")


def test_the_name_quickbooks_shows_comes_from_the_url_with_the_type_read_from_the_bytes():
    assert file_name("/files/FE-20931.pdf", PDF) == "FE-20931.pdf"
    assert file_name("/files/FE-20931", PDF) == "FE-20931.pdf"
    assert file_name("/download/FE%2020931.PDF", PNG) == "FE_20931.png"
    assert file_name("/", PDF) == "invoice.pdf"
