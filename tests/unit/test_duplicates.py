"""Possible duplicates (docs/quickbooks.md): numbers compared as people retype them, and the flag as cards and
answers show it."""

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.answers import status_answer
from bot.cards import card_blocks
from invoices.duplicates import number_key
from invoices.statuses import Status
from services.views import DuplicateView
from tests.unit.views import invoice_view as view

LINK = "https://acme.slack.com/archives/C0PROCURE/p1796572566610104"
EARLIER = DuplicateView(3, "FE-20931", Status.SYNCHRONIZED, "USD", Decimal("1093.50"), "C0PROCURE", "1796572566.610104")


@pytest.mark.parametrize(
    "retyped", ["FE-20931", "fe 20931", "FE20931", "fe_20931", "FE.20931/", "#FE-20931", "Fe\t20 931"]
)
def test_the_retypings_of_one_number_share_its_key(retyped):
    assert number_key(retyped) == number_key("FE-20931") == "fe20931"


@pytest.mark.parametrize("other", ["FE-20932", "20931-FE", "FE-2093", "FE-209310", "FE+20931"])
def test_another_number_has_another_key(other):
    assert number_key(other) != number_key("FE-20931")


def card_texts(blocks) -> str:
    return "\n".join(str(block.to_dict()) for block in blocks)


def test_a_flagged_card_names_the_earlier_invoice_its_status_and_total_and_links_its_card():
    text = card_texts(card_blocks("procurement", view(possible_duplicate=EARLIER), duplicate_link=LINK))
    assert f"*Possible duplicate* of invoice *<{LINK}|FE-20931>* (Synchronized, USD 1,093.50)" in text
    assert "It can still be approved" in text


def test_without_a_link_from_slack_the_flag_still_names_the_invoice():
    text = card_texts(card_blocks("procurement", view(possible_duplicate=EARLIER)))
    assert "*Possible duplicate* of invoice *FE-20931* (Synchronized, USD 1,093.50)" in text


def test_an_unflagged_card_says_nothing_of_duplicates():
    assert "duplicate" not in card_texts(card_blocks("procurement", view())).lower()


def test_the_status_answer_names_the_possible_duplicate_with_its_link():
    flagged = view(possible_duplicate=replace(EARLIER, number="FE-20931 <b>"))
    answer = status_answer("fe 20931", [flagged], {flagged.id: LINK})
    assert f"Possible duplicate of invoice *<{LINK}|FE-20931 &lt;b&gt;>* (Synchronized, USD 1,093.50)" in answer
