"""API: the OpenAPI document."""

from flask import jsonify

from plugin.access import ANYONE, allow
from plugin.api import bp, doc


@bp.get("/openapi.json")
@allow(ANYONE)
@doc("This document")
def openapi():
    from plugin.api.openapi import build

    return jsonify(build())
