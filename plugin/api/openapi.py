"""The OpenAPI 3.1 document, assembled from the API routes, their @doc and their access rule.

Request bodies, queries and multipart forms come from the pydantic schemas the routes check
their input with (plugin/api/schemas.py), so the document says what the API does.
"""

import re

from flask import current_app

from plugin.api.schemas import MAX_INT
from plugin.manifest import MANIFEST

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "field"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "field": {"type": ["string", "null"], "description": "The input field at fault"}}}}}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
REF = "#/components/schemas/{model}"


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _schema(model, components: dict) -> dict:
    """The model's JSON Schema; its nested models go to components.schemas. (A dict: a route
    not yet on the validation layer, described by hand.)"""
    if isinstance(model, dict):
        return model
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    return schema


def _parameters(model, components: dict) -> list[dict]:
    if isinstance(model, dict):  # not yet on the validation layer: {name: schema}
        return [{"name": name, "in": "query", "required": False, "schema": schema}
                for name, schema in model.items()]
    schema = _schema(model, components)
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        out.append({"name": name, "in": "query", "required": name in required,
                    "schema": prop, **({"description": description} if description else {})})
    return out


def _operation(rule, view, method: str, components: dict) -> dict:
    info = getattr(view, "qh_doc", {"summary": rule.endpoint})
    who = sorted(getattr(view, "qh_access", ()))
    media = info.get("media_types") or ()
    ok: dict = {"description": "OK"}
    if media:
        ok["content"] = {m: {"schema": {}} for m in media}
    elif info.get("response"):
        ok["content"] = {"application/json": {"schema": info["response"]}}
    op = {
        "operationId": rule.endpoint.removeprefix("quarterhour.api."),
        "summary": info["summary"],
        "x-roles": who,
        "parameters": [{"name": a, "in": "path", "required": True,
                        "schema": _path_schema(rule, a)} for a in sorted(rule.arguments)],
        "responses": {str(info.get("status", 200)): ok},
    }
    responses = op["responses"]
    if info.get("query"):
        op["parameters"] += _parameters(info["query"], components)
    if info.get("body"):
        op["requestBody"] = {"required": not info.get("optional_body"), "content": {
            "application/json": {"schema": _schema(info["body"], components)}}}
    if info.get("form"):
        schema = _schema(info["form"], components)
        schema["properties"] = {"file": {"type": "string", "format": "binary",
                                         "description": "the file"}, **schema["properties"]}
        schema["required"] = ["file", *schema.get("required", ())]
        op["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": schema}}}
    if "anyone" in who:
        op["security"] = []
    else:
        responses["401"] = _error("Not signed in")
        responses["403"] = _error("Role not allowed")
    if method != "GET":
        responses["400"] = _error("Not a JSON object, or no X-CSRFToken with a session cookie")
    if rule.arguments:
        responses["404"] = _error("No such object (or not one you may see)")
    if info.get("body") or info.get("query") or info.get("form") or method != "GET":
        responses["422"] = _error("A field is missing, unknown or invalid: `field` names it")
    for status, schema in (info.get("also") or {}).items():
        responses[str(status)] = {"description": "OK", "content": {
            "application/json": {"schema": schema}}}
    for status, description in (info.get("errors") or {}).items():
        responses[str(status)] = _error(description)
    return op


def _path_schema(rule, name: str) -> dict:
    """A path parameter's type as its converter says: <int:id> an integer, <key> a string."""
    converter = type(rule._converters.get(name)).__name__
    if converter == "IntegerConverter":
        return {"type": "integer", "minimum": 0, "maximum": MAX_INT}
    return {"type": "string"}


def build() -> dict:
    base = current_app.extensions["quarterhour"].api_prefix
    paths: dict[str, dict] = {}
    components: dict[str, dict] = {"Error": ERROR}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("quarterhour.api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(base))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, method,
                                                                     components)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{MANIFEST.name} API", "version": MANIFEST.version},
        "servers": [{"url": base}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
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
