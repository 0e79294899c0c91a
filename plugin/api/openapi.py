"""The OpenAPI 3.1 document, assembled from the API routes, their @doc and their access rule."""

import re

from flask import current_app

from plugin.manifest import MANIFEST

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "field"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": ["string", "null"], "description": "The input field at fault"}}}}}


def _path_schema(rule, name: str) -> dict:
    """A path parameter's type as its converter says: <int:id> an integer, <key> a string."""
    converter = type(rule._converters.get(name)).__name__
    return {"type": "integer"} if converter == "IntegerConverter" else {"type": "string"}


def build() -> dict:
    base = current_app.extensions["quarterhour"].api_prefix
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("quarterhour.api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        info = getattr(view, "qh_doc", {"summary": rule.endpoint})
        who = sorted(getattr(view, "qh_access", ()))
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(base))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = {
                "operationId": rule.endpoint.removeprefix("quarterhour.api."),
                "summary": info["summary"],
                "x-roles": who,
                "parameters": [{"name": a, "in": "path", "required": True,
                                "schema": _path_schema(rule, a)} for a in sorted(rule.arguments)]
                + [{"name": name, "in": "query", "required": False, "schema": schema}
                   for name, schema in info.get("query", {}).items()],
                "responses": {str(info.get("status", 200)): {
                    "description": "OK",
                    **({"content": {"application/json": {"schema": info["response"]}}}
                       if info.get("response") else {})}},
            }
            if "anyone" in who:
                op["security"] = []
            else:
                op["responses"].update({
                    "401": {"description": "Not signed in", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "403": {"description": "Role not allowed", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                })
            if info.get("body"):
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": info["body"]}}}
                op["responses"]["422"] = {"description": "Invalid field", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{MANIFEST.name} API", "version": MANIFEST.version},
        "servers": [{"url": base}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token (Account page or "
                                          "`quarterhour create-token`)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The browser session; unsafe methods then need "
                                           "the X-CSRFToken header"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }
