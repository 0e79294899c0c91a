"""The core writes every text of an invoice through its Wording; the amounts never change."""

from decimal import Decimal

from plugin.billing import Customer, LineKind, Wording, bill_period

from .builders import MUELLER, OCTOBER, berlin, minutes_session
from .test_invoice import example_a_bill

# A stand-in catalog that marks every text it was asked for.
MARKED = Wording(lambda text: "»" + text, lambda one, many, n: "»" + (one if n == 1 else many))


def example_a(customer=MUELLER, wording=MARKED):
    return example_a_bill(customer, wording=wording).invoice


def test_every_line_is_written_in_the_wording_and_the_figures_stay():
    english, marked = example_a(wording=Wording()), example_a()
    assert all(line.description.startswith("»") for line in marked.lines)
    assert marked.lines[0].description == "»Remote Service Basic: monthly fee October 2026"
    assert marked.lines[4].description == "»Telephony: »2 calls, 33 min billed"
    assert [(x.kind, x.quantity, x.unit, x.unit_price, x.amount) for x in marked.lines] == \
        [(x.kind, x.quantity, x.unit, x.unit_price, x.amount) for x in english.lines]
    assert (marked.net, marked.vat_total, marked.gross) == \
        (english.net, english.vat_total, english.gross)


def test_the_vat_note_is_written_in_the_wording():
    abroad = Customer(1, "Müller Austria", Decimal("95.00"), vat_id="ATU12345678")
    assert example_a(abroad).notes == (
        "»Reverse charge: VAT is due from the recipient "
        "(Art. 196 Council Directive 2006/112/EC).",)


def test_amounts_inside_a_text_use_the_languages_decimal_mark():
    customer = Customer(2, "Huber", Decimal("90.00"))
    [line] = bill_period(OCTOBER, customer, [minutes_session(1, berlin(2026, 10, 5, 9), 20)],
                         wording=Wording(MARKED.gettext, MARKED.ngettext, ",")).invoice.lines
    assert line.kind is LineKind.NO_CONTRACT
    assert line.description == ("»Work without a contract: »2 units × 22,50 (»started "
                                "»15-minute units, 90,00 per hour)")
    assert line.unit_price == Decimal("22.50")


def test_periods_and_months_are_named_in_the_wording():
    german = Wording(months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
                             "August", "September", "Oktober", "November", "Dezember"))
    assert german.period(OCTOBER) == "Oktober 2026"
    assert german.month(OCTOBER.previous()) == "September"
    assert Wording().period(OCTOBER) == "October 2026"


def test_unit_prices_inside_a_text_keep_their_agreed_decimals():
    german = Wording(decimal_mark=",")
    assert [german.price(Decimal(x)) for x in ("45", "45.00", "24.375", "0.8")] == \
        ["45,00", "45,00", "24,375", "0,80"]
