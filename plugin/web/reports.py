"""Screens: the charts, each drawn as SVG on the server, with its table, CSV and JSON."""

from decimal import Decimal

from flask import Blueprint, Response, abort, flash, render_template, request
from flask_babel import gettext

from plugin import csv_export
from plugin.access import allow, current_user
from plugin.config import settings
from plugin.db import session, utcnow
from plugin.models import Contract
from plugin.services import charts as service
from plugin.web import said

bp = Blueprint("reports", __name__)
NAV = [(49, "Reports", ".report_index")]
WIDTH, HEIGHT, PAD = 720, 300, 40
COLOURS = ("#2f6f9f", "#d9822b", "#4c9a52", "#b04a5a", "#7a5fa6", "#8c7b3a", "#3a8c8c")


def _chart(key: str) -> service.Chart:
    user = current_user()
    try:
        return service.build(key, request.args, settings(), utcnow(), user.id, set(user.roles))
    except LookupError:
        abort(404)
    except PermissionError:
        abort(403)
    except service.ChartError as e:
        flash(said(e), "error")
        abort(400)


@bp.route("/reports")
@allow("admin", "billing", "engineer")
def report_index():
    user = current_user()
    keys = list(service.CHARTS) if set(user.roles) & {"admin", "billing"} else ["engineer-hours"]
    contracts = session.query(Contract.id, Contract.name).order_by(Contract.name).all()
    return render_template("quarterhour/reports.html", keys=keys, contracts=contracts,
                           titles=service.TITLES)


@bp.route("/reports/<key>")
@allow("admin", "billing", "engineer")
def report(key: str):
    chart = _chart(key)
    return render_template("quarterhour/report.html", chart=chart, svg=layout(chart),
                           args=request.args.to_dict(), translate=gettext)


@bp.route("/reports/<key>.csv")
@allow("admin", "billing", "engineer")
def report_csv(key: str):
    chart = _chart(key)
    head, *body = chart.rows(gettext)
    data = csv_export.write(head, [dict(zip(head, row, strict=True)) for row in body])
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{chart.key}.csv"'})


def layout(chart: service.Chart) -> dict:
    """Where each bar, point and tick goes on a WIDTH x HEIGHT canvas: drawing only, so plain
    floats; the figures themselves stay Decimals in the table beside it."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.style == "stacked":
        values += [sum((s.values[i] or Decimal(0)) for s in chart.series)
                   for i in range(len(chart.labels))]
    top = float(max(values, default=Decimal(0))) or 1.0
    n = max(len(chart.labels), 1)
    slot = (WIDTH - 2 * PAD) / n

    def y(v) -> float:
        return round(HEIGHT - PAD - float(v) / top * (HEIGHT - 2 * PAD), 1)

    shapes, lines = [], []
    for si, s in enumerate(chart.series):
        colour = COLOURS[si % len(COLOURS)]
        if chart.style == "line":
            points = [f"{round(PAD + slot * (i + 0.5), 1)},{y(v)}"
                      for i, v in enumerate(s.values) if v is not None]
            lines.append({"points": " ".join(points), "colour": colour, "label": s.label})
            continue
        for i, v in enumerate(s.values):
            if v is None:
                continue
            if chart.style == "stacked":
                below = sum((t.values[i] or Decimal(0)) for t in chart.series[:si])
                x, w = PAD + slot * i + slot * 0.15, slot * 0.7
                top_y, bottom_y = y(below + v), y(below)
            else:
                w = slot * 0.8 / len(chart.series)
                x = PAD + slot * i + slot * 0.1 + w * si
                top_y, bottom_y = y(v), y(0)
            shapes.append({"x": round(x, 1), "y": top_y, "w": round(w, 1),
                           "h": round(bottom_y - top_y, 1), "colour": colour,
                           "title": f"{s.label} · {chart.labels[i]}: {v}"})
    step = max(1, n // 12)
    ticks = [{"x": round(PAD + slot * (i + 0.5), 1), "label": label}
             for i, label in enumerate(chart.labels) if i % step == 0]
    return {"width": WIDTH, "height": HEIGHT, "pad": PAD, "shapes": shapes, "lines": lines,
            "ticks": ticks, "top": f"{Decimal(str(top)).normalize():f}", "colours": COLOURS,
            "legend": [(s, COLOURS[i % len(COLOURS)]) for i, s in enumerate(chart.series)]}
