"""Vendor-name suggestions (issue 16 item 3) and an approved invoice's card saying what to do when it cannot be sent."""

from datetime import date

import pytest

from bot.cards import card_blocks
from bot.mrkdwn import neutral
from invoices.rules import send_blockers
from invoices.vendor_names import closest, no_such_vendor, normalized
from services.views import InvoiceView
from tests.unit.views import invoice_view

COMPANY = (
    "Rosaprima S.A.",
    "Flores de la Sabana SAS",
    "Rosa's Farm",
    "Floricultura Cotopaxi Cía. Ltda.",
    "Rosas del Ecuador S.A.",
    "Hacienda La Pradera Flowers",
    "Jardines de Chía SAS",
    "Rosaprima Holdings Inc.",
)


@pytest.mark.parametrize(
    "name, compared",
    [
        ("Rosaprima S.A.", "rosaprima"),
        ("ROSAPRIMA SA", "rosaprima"),
        ("Floricultura Cotopaxi Cía. Ltda.", "floricultura cotopaxi"),
        ("Jardines de Chía S.A.S.", "jardines de chia"),
        ("Rosa’s Farm – Ecuador", "rosas farm ecuador"),
        ("Acme, LLC", "acme"),
        ("Blooms B.V.", "blooms"),
        ("Flowers Inc", "flowers"),
        ("S.A.", "sa"),  # nothing but a legal form is compared as itself
    ],
)
def test_case_accents_punctuation_and_company_suffixes_are_ignored(name, compared):
    assert normalized(name) == compared


@pytest.mark.parametrize(
    "name, suggested",
    [
        ("Rosaprima SA", ("Rosaprima S.A.", "Rosaprima Holdings Inc.")),
        ("rosaprima", ("Rosaprima S.A.", "Rosaprima Holdings Inc.")),
        ("Rosa Prima LLC", ("Rosaprima S.A.", "Rosaprima Holdings Inc.")),
        ("Rosas Ecuador", ("Rosas del Ecuador S.A.",)),
        ("Jardines de Chia Ltda", ("Jardines de Chía SAS",)),
        ("Flores Sabana", ("Flores de la Sabana SAS",)),
        ("Cotopaxi Cia Ltda", ("Floricultura Cotopaxi Cía. Ltda.",)),
        ("Acme Imports", ()),
        ("", ()),
    ],
)
def test_the_closest_quickbooks_names_best_first_and_at_most_three(name, suggested):
    assert closest(name, COMPANY) == suggested


def test_never_more_than_three_and_never_the_name_itself():
    many = [f"Rosaprima {suffix}" for suffix in ("S.A.", "SAS", "LLC", "Inc.", "BV")]
    assert len(closest("Rosaprima", many)) == 3
    assert closest("Rosaprima S.A.", ["Rosaprima S.A."]) == ()


def test_the_failure_names_what_quickbooks_has_and_what_to_do():
    said = no_such_vendor("Rosaprima SA", COMPANY[:-1])
    # One name is suggested here: the holding company's is left out of this list.
    assert said.startswith(
        "QuickBooks has no active vendor named exactly 'Rosaprima SA'; did you mean 'Rosaprima S.A.'? "
    )
    assert "in the ERP and upload the invoice again" in said and "in QuickBooks and Retry" in said
    three = no_such_vendor("Rosaprima", [*COMPANY, "Rosaprima SAS"])
    assert "did you mean 'Rosaprima S.A.', 'Rosaprima SAS' or 'Rosaprima Holdings Inc.'?" in three
    assert "did you mean" not in no_such_vendor("Acme Imports", COMPANY)
    case = no_such_vendor("ROSAPRIMA S.A.", COMPANY)
    assert "(it has 'Rosaprima S.A.', which differs in letter case" in case


def view(**changes) -> InvoiceView:
    return invoice_view(**{"vendor_name": "Rosaprima", "payee": None, "ship_date": date(2026, 11, 2), **changes})


def card_text(shown: InvoiceView) -> str:
    return "\n".join(str(block.to_dict()) for block in card_blocks("accounting", shown))


@pytest.mark.parametrize(
    "name, number, told",
    [
        (None, "100482-FE-20931", "upload the invoice again (create the vendor in QuickBooks first if it has none)"),
        ("Rosaprima S.A.", "100482-FE-2093100000000", "shorten BILL_NUMBER_FORMAT"),
    ],
)
def test_an_approved_invoice_that_cannot_be_sent_says_on_its_card_what_to_do(name, number, told):
    blockers = send_blockers(name, number)
    text = card_text(view(payee=name, bill_number=number, blockers=blockers))
    assert "Cannot be sent:" in text and neutral(told) in text  # shown as typed: BILL_NUMBER_FORMAT is no italics
    assert "Send to External System" not in text
    assert "Send to External System" in card_text(view(payee="Rosaprima S.A.", blockers=()))
