"""Offer templates admins edit per kind and language; the shipped texts until one is saved."""

from dataclasses import dataclass

from sqlalchemy import select

from plugin.billing.offer_defaults import LANGUAGES, default_template, template_language
from plugin.billing.offer_text import (
    OfferTemplate,
    TemplateError,
    TemplateKind,
    template_problems,
)
from plugin.db import session
from plugin.models import OfferTemplate as TemplateRow
from plugin.services.errors import FieldError


@dataclass(frozen=True)
class Shown:
    template: OfferTemplate
    edited: bool  # False: the shipped text


def kind_of(value: str) -> TemplateKind:
    try:
        return TemplateKind(value)
    except ValueError:
        raise FieldError("kind", "%(value)r is not a kind of template: %(choices)s", value=value,
                         choices=', '.join(TemplateKind)) from None


def language_of(value: str) -> str:
    if value not in LANGUAGES:
        raise FieldError("language", "%(value)r: templates are kept in %(choices)s", value=value,
                         choices=', '.join(LANGUAGES))
    return value


def template(kind: TemplateKind, language: str | None) -> Shown:
    """The text in use for a kind in a customer's language (the shipped languages: de, en,
    nb; others get English)."""
    language = template_language(language)
    row = session.scalar(select(TemplateRow).where(TemplateRow.key == str(kind),
                                                   TemplateRow.language == language))
    if row is None:
        return Shown(default_template(kind, language), False)
    return Shown(OfferTemplate(kind, language, row.subject, row.body), True)


def all_templates() -> list[Shown]:
    return [template(kind, language) for kind in TemplateKind for language in LANGUAGES]


def save_template(kind: str, language: str, subject: str, body: str) -> Shown:
    """Validate and store; every problem names its placeholder, line and column, nothing is
    stored while one remains (an unknown placeholder is an error naming it)."""
    kind, language = kind_of(kind), language_of(language)
    subject = (subject or "").strip()
    if not subject or "\n" in subject or len(subject) > 300:
        raise FieldError("subject", "one line of 1 to 300 characters")
    if not (body or "").strip():
        raise FieldError("body", "is required")
    for name, text in (("subject", subject), ("body", body)):
        problems = template_problems(text, kind)
        if problems:
            # The core's own words (billing.offer_text), in English.
            raise FieldError(name, "%(problems)s", problems="; ".join(problems))
    row = session.scalar(select(TemplateRow).where(TemplateRow.key == str(kind),
                                                   TemplateRow.language == language))
    row = row or TemplateRow(key=str(kind), language=language)
    row.subject, row.body = subject, body
    session.add(row)
    session.flush()
    return Shown(OfferTemplate(kind, language, subject, body), True)


def reset_template(kind: str, language: str) -> Shown:
    """Back to the shipped text."""
    kind, language = kind_of(kind), language_of(language)
    row = session.scalar(select(TemplateRow).where(TemplateRow.key == str(kind),
                                                   TemplateRow.language == language))
    if row is not None:
        session.delete(row)
        session.flush()
    return Shown(default_template(kind, language), False)


__all__ = ["Shown", "TemplateError", "all_templates", "reset_template", "save_template",
           "template"]
