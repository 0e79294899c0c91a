"""The start page: sends each user to where their work is."""

from flask import Blueprint, redirect, url_for

from plugin.access import SIGNED_IN, allow, current_user

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(SIGNED_IN)
def index():
    if current_user().roles & {"engineer", "billing"}:
        return redirect(url_for("quarterhour.tickets.ticket_list"))
    return redirect(url_for("quarterhour.users.user_list"))
