from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.billing.handled_calls import HandledTotals
from plugin.billing.offer_defaults import (
    DEFAULT_TEMPLATES,
    LANGUAGES,
    default_greeting,
    default_template,
    template_language,
)
from plugin.billing.offer_text import (
    KIND_PLACEHOLDERS,
    PLACEHOLDERS,
    TemplateError,
    TemplateKind,
    offer_values,
    placeholders,
    render,
    render_offer,
    template_kind,
    template_problems,
    validate_template,
)
from plugin.billing.profitability import check_cost_cap, check_flat, check_per_call
from plugin.billing.wording import Wording

from .builders import OCTOBER
from .profit_builders import cost_cap, pricing

D = Decimal
COMMA = Wording(decimal_mark=",")
OFFER_DAY = date(2026, 11, 3)


def german_day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


FLAT_590 = check_flat(pricing("flat", "490.00", "0.80", "15"), OCTOBER,
                      HandledTotals(calls=300, seconds=742 * 60))
PER_CALL_296 = check_per_call(pricing("per_call", "2.50", "0.80", "10"), OCTOBER,
                              HandledTotals(calls=310, seconds=1150 * 60))
CATEGORY_4 = check_cost_cap(cost_cap(3), OCTOBER, D("412.00"))
PER_MINUTE = check_cost_cap(cost_cap(7), OCTOBER, D("900.00"))


# -- the shipped texts -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "language"), sorted(DEFAULT_TEMPLATES))
def test_every_default_text_uses_only_its_kinds_placeholders(kind, language):
    template = DEFAULT_TEMPLATES[kind, language]
    assert (template.kind, template.language) == (kind, language)
    assert template_problems(template.subject, kind) == []
    assert template_problems(template.body, kind) == []
    assert set(placeholders(template.body)) <= KIND_PLACEHOLDERS[kind] <= set(PLACEHOLDERS)


def test_every_kind_is_shipped_in_english_german_and_norwegian():
    assert set(DEFAULT_TEMPLATES) == {(kind, lang) for kind in TemplateKind for lang in LANGUAGES}


@pytest.mark.parametrize("kind", list(TemplateKind))
@pytest.mark.parametrize("language", ["de", "nb"])
def test_a_translation_states_the_same_figures_as_the_english_text(kind, language):
    english, other = DEFAULT_TEMPLATES[kind, "en"], DEFAULT_TEMPLATES[kind, language]
    assert set(placeholders(other.body)) == set(placeholders(english.body))
    assert set(placeholders(other.subject)) == set(placeholders(english.subject))


@pytest.mark.parametrize(("kind", "language"), sorted(DEFAULT_TEMPLATES))
def test_a_follow_up_quotes_the_first_message_and_its_date(kind, language):
    used = set(placeholders(DEFAULT_TEMPLATES[kind, language].body))
    assert {"greeting"} <= used
    assert ({"first_message", "offer_date"} <= used) is kind.is_follow_up


@pytest.mark.parametrize(
    ("kind", "figures"),
    [
        (TemplateKind.COST_CAP, {"tolerance", "category", "new_category", "new_price"}),
        (TemplateKind.COST_CAP_PER_MINUTE, {"tolerance", "category", "new_price"}),
        (TemplateKind.FLAT, {"current_price", "period", "minutes", "reference_price",
                             "new_price", "alternative_price"}),
        (TemplateKind.PER_CALL, {"current_price", "period", "calls", "minutes",
                                 "reference_price", "new_price", "alternative_price"}),
        (TemplateKind.HOURLY_FLOOR, {"hours", "billed", "floor", "current_price", "new_price"}),
        (TemplateKind.BUDGET_ALERT, {"threshold", "used_minutes", "budget_minutes"}),
    ],
)
def test_a_first_message_states_what_the_seed_says_it_should(kind, figures):
    for language in LANGUAGES:
        template = DEFAULT_TEMPLATES[kind, language]
        used = set(placeholders(template.subject + template.body))
        assert figures <= used, language


# -- rendering -------------------------------------------------------------------------------


def test_the_flat_offer_of_section_5_in_english():
    values = offer_values(FLAT_590, greeting="Dear Ms Berg", offer_date=OFFER_DAY)
    offer = render_offer(default_template(TemplateKind.FLAT, "en"), values)
    assert offer.subject == "Your monthly flat rate for handled calls"
    assert offer.body.startswith("Dear Ms Berg,\n\nWe have reviewed your monthly flat rate of 490")
    assert "In the billing period 2026-10 we handled 300 incoming calls for you, 742 minutes" in (
        offer.body.replace("\n", " "))
    assert "742 minutes × 0.80 per minute = 593.60, rounded down" in offer.body.replace("\n", " ")
    assert "a monthly flat rate of 590.00 from the next" in offer.body.replace("\n", " ")
    assert "1.97 per call" in offer.body


def test_the_per_call_offer_of_section_5_in_german_uses_its_decimal_comma():
    values = offer_values(PER_CALL_296, greeting="Sehr geehrte Frau Berg", offer_date=OFFER_DAY,
                          wording=COMMA, day_text=german_day)
    body = render_offer(default_template(TemplateKind.PER_CALL, "de"), values).body
    text = body.replace("\n", " ")
    assert body.startswith("Sehr geehrte Frau Berg,\n\nwir haben Ihren Festpreis von 2,50 pro")
    assert "310 eingehende Anrufe für Sie angenommen, insgesamt 1150 Minuten" in text
    assert "einen Festpreis von 2,96 pro angenommenem Anruf" in text
    assert "1150 Minuten / 310 Anrufe × 0,80 pro Minute" in text
    assert "920,00 im Monat" in text


def test_the_cost_cap_offer_in_norwegian_with_the_currency():
    values = offer_values(CATEGORY_4, greeting="Hei", offer_date=OFFER_DAY, wording=COMMA,
                          currency="NOK")
    offer = render_offer(default_template(TemplateKind.COST_CAP, "nb"), values)
    assert offer.subject == "Kostnadstaket ditt: kategori 4 fra neste faktureringsperiode"
    text = offer.body.replace("\n", " ")
    assert "kom postene under kostnadstaket ditt på 412,00 NOK, altså mer enn 10 % over" in text
    assert "kategori 3 (350,00 NOK)" in text
    assert "kategori 4 (et tak på 450,00 NOK)" in text


def test_the_highest_category_is_offered_per_minute_billing_in_its_own_text():
    assert template_kind(CATEGORY_4) is TemplateKind.COST_CAP
    assert template_kind(PER_MINUTE) is TemplateKind.COST_CAP_PER_MINUTE
    assert template_kind(PER_MINUTE, follow_up=True) is TemplateKind.COST_CAP_PER_MINUTE_FOLLOW_UP
    assert template_kind(FLAT_590, follow_up=True) is TemplateKind.FLAT_FOLLOW_UP
    values = offer_values(PER_MINUTE, greeting="Dear Ms Berg", offer_date=OFFER_DAY)
    body = render_offer(default_template(TemplateKind.COST_CAP_PER_MINUTE, "en"), values).body
    assert "our highest category" in body
    assert "at 0.80 per minute" in body.replace("\n", " ")


def test_a_follow_up_quotes_the_first_message_with_the_date_it_was_sent():
    values = offer_values(FLAT_590, greeting="Hei", offer_date=OFFER_DAY, wording=COMMA)
    first = render_offer(default_template(TemplateKind.FLAT, "nb"), values)
    follow_up = offer_values(FLAT_590, greeting="Hei", offer_date=OFFER_DAY, wording=COMMA,
                             day_text=german_day, first_message=first.body)
    second = render_offer(default_template(TemplateKind.FLAT_FOLLOW_UP, "nb"), follow_up)
    assert second.subject == "Påminnelse: " + first.subject
    assert "e-posten vi sendte deg 03.11.2026" in second.body
    assert second.body.endswith("Dette skrev vi 03.11.2026:\n\n" + first.body)


def test_a_figure_the_finding_lacks_cannot_be_rendered():
    values = offer_values(check_cost_cap(cost_cap(7, per_minute_price=None), OCTOBER,
                                         D("900.00")), greeting="Hi", offer_date=OFFER_DAY)
    with pytest.raises(TemplateError, match=r"no value for \{new_price\}"):
        render_offer(default_template(TemplateKind.COST_CAP_PER_MINUTE, "en"), values)


def test_a_follow_up_needs_the_first_message():
    values = offer_values(FLAT_590, greeting="Hi", offer_date=OFFER_DAY)
    with pytest.raises(TemplateError, match=r"no value for \{first_message\}"):
        render_offer(default_template(TemplateKind.FLAT_FOLLOW_UP, "en"), values)


def test_prices_with_more_places_keep_them_and_amounts_show_cents():
    values = offer_values(PER_CALL_296, greeting="Hi", offer_date=OFFER_DAY, wording=COMMA)
    assert (values["value"], values["new_price"], values["limit"]) == ("2,9677", "2,96", "2,75")
    assert values["tolerance"] == "10"
    assert values["offer_date"] == "2026-11-03"


@pytest.mark.parametrize(
    ("language", "shipped"),
    [("de", "de"), ("de_AT", "de"), ("de-CH", "de"), ("nb", "nb"), ("no", "nb"), ("nn_NO", "nb"),
     ("en_GB", "en"), ("el", "en"), (None, "en"), ("", "en")],
)
def test_a_customers_language_finds_its_shipped_texts(language, shipped):
    assert template_language(language) == shipped
    assert default_template(TemplateKind.FLAT, language).language == shipped
    assert default_greeting(language)


def test_follow_up_kinds_pair_with_their_first_messages():
    for kind in TemplateKind:
        assert kind.follow_up.is_follow_up
        assert kind.follow_up.first == kind.first
        assert not kind.first.is_follow_up


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("{greting}, thanks", ["unknown placeholder {greting} (did you mean {greeting}?) at "
                               "line 1, column 1"]),
        ("{0} and {}", ["a numbered placeholder {0}: placeholders have names, e.g. {greeting} at "
                        "line 1, column 1",
                        "a numbered placeholder {}: placeholders have names, e.g. {greeting} at "
                        "line 1, column 9"]),
        ("{minutes:>5}", ["a placeholder takes no format or conversion: {minutes:>5} at line 1, "
                          "column 1"]),
        ("{greeting!r}", ["a placeholder takes no format or conversion: {greeting!r} at line 1, "
                          "column 1"]),
        ("{greeting.__class__}", ["{greeting.__class__} is not a placeholder name at line 1, "
                                  "column 1"]),
        ("Hi,\n100 } off", ["a '}' without its '{' at line 2, column 5 (write '}}' for a brace)"]),
        ("Hi,\n  {period", ["a '{' that is never closed at line 2, column 3 (write '{{' for a "
                            "brace)"]),
        ("{a{period}", ["a '{' that is never closed at line 1, column 1 (write '{{' for a brace)"]),
        ("{{greeting}} is how we write {greeting}", []),
        ("", []),
    ],
)
def test_a_template_names_every_problem_where_it_is(text, problems):
    assert template_problems(text) == problems


def test_a_placeholder_of_another_kind_is_unknown_to_this_one():
    problems = template_problems("{greeting}: category {new_category}", TemplateKind.FLAT)
    assert problems == ["unknown placeholder {new_category} in a flat text at line 1, column 22"]
    assert template_problems("{greeting}: category {new_category}", TemplateKind.COST_CAP) == []


def test_validate_raises_with_every_problem():
    with pytest.raises(TemplateError) as raised:
        validate_template("{greting} {tolerence} }", TemplateKind.FLAT)
    assert len(raised.value.problems) == 3
    assert "{greting}" in str(raised.value) and "{tolerence}" in str(raised.value)


def test_render_fills_named_placeholders_and_keeps_literal_braces():
    assert render("{{x}} {greeting}, {period}", {"greeting": "Hi", "period": "2026-10"}) == (
        "{x} Hi, 2026-10")


# -- properties ------------------------------------------------------------------------------

TEXT = st.text(st.sampled_from("ab ,.\n{}%:!0_"), max_size=40)
KNOWN = st.sampled_from(sorted(PLACEHOLDERS)).map(lambda name: "{" + name + "}")


@given(st.lists(TEXT.map(lambda t: t.replace("{", "{{").replace("}", "}}")) | KNOWN, max_size=8))
def test_a_text_of_known_placeholders_and_doubled_braces_is_valid(parts):
    text = "".join(parts)
    assert template_problems(text) == []
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    assert render(text, values) == text.format_map(values)


@given(st.lists(TEXT | KNOWN, max_size=8))
def test_the_validator_agrees_with_str_format(parts):
    text = "".join(parts)
    values = {name: "v" for name in PLACEHOLDERS}
    try:
        text.format_map(values)
        formats = True
    except (ValueError, KeyError, IndexError, AttributeError):
        formats = False
    if not formats:
        assert template_problems(text)  # whatever str.format refuses, validation names
    if not template_problems(text):
        assert formats
