"""Screen: our company as the invoices' seller (admin), with the trail of its changes."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from plugin.access import allow, current_user
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.services import company as service
from plugin.web.forms import CompanyForm

bp = Blueprint("company", __name__)
NAV = [(85, "Company", ".company_edit")]


@bp.route("/admin/company", methods=["GET", "POST"])
@allow("admin")
def company_edit():
    current = service.company(settings())
    form = CompanyForm(data={**current.as_dict(),
                             "payment_terms_days": str(current.payment_terms_days)})
    status = 200
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in service.FIELDS if name != "logo"}
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            data["logo"] = (upload.mimetype, "", upload.read())
        data["remove_logo"] = form.remove_logo.data
        try:
            service.save(data, settings(), current_user(), utcnow())
            session.commit()
            flash(_("Company settings saved."))
            return redirect(url_for(".company_edit"))
        except service.CompanyError as e:
            session.rollback()
            for name, error in e.errors.items():
                field = getattr(form, name)
                field.errors = [*field.errors, error.said(_)]
    if form.errors:
        status = 400
    return render_template("quarterhour/company.html", form=form, company=current,
                           changes=service.changes()), status
