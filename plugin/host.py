"""The host hook: a host's own ticket page embeds our timer bar, a start button and what work
costs the customer, for the ticket it knows by (external_source, external_id).

In a Jinja template of the host: `{{ quarterhour_ticket_panel("rt", ticket.id) }}`; in Python:
`plugin.host.ticket_panel("rt", "4711")`. docs/plugin.md shows both.
"""

from flask import Flask, render_template
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import select

from plugin.access import current_user
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Ticket
from plugin.services.statement import cost_preview
from plugin.web.timers import StartForm, running_timer


def ticket_panel(external_source: str, external_id, assets: bool = True) -> Markup:
    """The panel's HTML for the signed-in Quarterhour user, or "" for anyone else (a host page
    stays usable for users who have no role with us). `assets`: include our CSS and script
    (once per page)."""
    user = current_user()
    if user is None:
        return Markup("")
    ticket = session.scalar(select(Ticket).where(Ticket.external_source == external_source,
                                                 Ticket.external_id == str(external_id)))
    cost = cost_preview(ticket, utcnow(), settings(), gettext) if ticket is not None else None
    # autoescaped by Jinja (a .html template): safe to mark as markup
    return Markup(render_template(  # noqa: S704
        "quarterhour/_host_panel.html", ticket=ticket, cost=cost, timer=running_timer(),
        start_form=StartForm(formdata=None), is_engineer="engineer" in user.roles,
        assets=assets, external=f"{external_source}:{external_id}"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["quarterhour_ticket_panel"] = ticket_panel
