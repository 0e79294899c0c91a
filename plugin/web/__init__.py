"""Screens: one module per concept, each with a blueprint `bp` and its menu entries `NAV`.

`NAV` is a list of (position, label, endpoint); an entry shows to whoever the endpoint's access
rule allows, so the menu never offers a page that would answer 403.
"""

import importlib
import pkgutil

from flask import Blueprint

_SKIP = {"errors", "forms"}


def modules(with_login: bool):
    for info in pkgutil.iter_modules(__path__):
        if info.name in _SKIP or (info.name == "auth" and not with_login):
            continue
        yield importlib.import_module(f"{__name__}.{info.name}")


def register(parent: Blueprint, with_login: bool) -> list[tuple[int, str, str]]:
    """Register every screen blueprint on the parent; return the menu, in order."""
    nav = []
    for module in modules(with_login):
        parent.register_blueprint(module.bp)
        nav += [(pos, label, f"quarterhour.{module.bp.name}{endpoint}")
                for pos, label, endpoint in getattr(module, "NAV", ())]
    return sorted(nav)


def said(e: Exception) -> str:
    """What a service refused, in the screen's language (an Explained error's catalog text);
    any other exception as it says itself."""
    from flask_babel import gettext

    return e.said(gettext) if hasattr(e, "said") else str(e)


def said_at(e: Exception, labels: dict[str, str]) -> str:
    """`said(e)` after the label of the field it names ("Note: say what was done"), for a
    message shown above a form rather than at its field."""
    label = labels.get(getattr(e, "field", None))
    return f"{label}: {said(e)}" if label else said(e)


def form_error(form, e) -> None:
    """Show a service's FieldError (or each of its FieldErrors) on the form field it names,
    unless the form found that field at fault already; else above the form."""
    from flask import flash

    for error in getattr(e, "errors", [e]):
        field = getattr(form, error.field, None)
        if field is not None:
            if not field.errors:
                field.errors = [said(error)]
        else:
            flash(said(error), "error")


def save_in_one_pass(form, save):
    """Validate a submitted form and let the service check every field too, in the same pass
    (so all errors show at once, at their fields); commit only when both agree. Returns what
    `save(form.data)` made, or None (the errors are on the form)."""
    from plugin.db import session
    from plugin.services.errors import FieldError

    valid = form.validate()
    if form.csrf_token.errors:
        return None
    try:
        row = save(form.data)
        if valid:
            session.commit()
            return row
    except FieldError as e:
        form_error(form, e)
    session.rollback()
    return None


def period_param(text: str | None, default):
    """The period a screen was asked for (YYYY-MM), else `default`; a malformed one is said
    in a flash message and the default shown instead."""
    from flask import flash

    from plugin.billing import Period

    if not text:
        return default
    try:
        return Period.parse(text)
    except ValueError as e:
        flash(f"period: {e}", "error")
        return default
