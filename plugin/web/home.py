"""The start page: sends each user to where their work is."""

from flask import Blueprint, redirect, url_for

from plugin.access import SIGNED_IN, allow, current_user

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(SIGNED_IN)
def index():
    roles = current_user().roles
    if "engineer" in roles:  # the timer is the engineer's daily work
        return redirect(url_for("quarterhour.tickets.ticket_list"))
    if "billing" in roles:
        return redirect(url_for("quarterhour.invoices.billing_page"))
    return redirect(url_for("quarterhour.users.user_list"))
