"""The API's request schemas: the one check of every JSON body and query string (pydantic), and
the JSON Schema the OpenAPI document shows for them, so the two cannot drift.

Request schemas are not the response objects: they list what a client may send, refuse what it
may not (unknown fields, a list where text belongs, NUL characters, ids beyond the columns), and
every refusal is a 422 naming the field in the API's one error shape.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from flask import request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from plugin.api.errors import ApiError

# Ids and counts are 32-bit integer columns on both engines.
MAX_INT = 2**31 - 1
# No NUL character (PostgreSQL refuses it in text); documented as the pattern, so generated
# clients and schemathesis know it too.
NO_NUL = r"^[^\x00]*$"
# The dates and instants the API takes at all; what is plausible (an entry of this year, a
# period already begun) is judged later, in services/entry_checks.py, against the settings.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


def Text(max_length: int = 200, **kw) -> Any:
    return Annotated[str, Field(max_length=max_length, pattern=NO_NUL, **kw)]


Amount = Annotated[str, Field(pattern=r"^\d{1,10}(\.\d{1,4})?$", max_length=15,
                              description="a decimal number as a string, e.g. \"45.00\"",
                              examples=["45.00"])]
PeriodText = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-10"],
                                  description="a month, YYYY-MM")]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Instant = Annotated[AwareDatetime, Field(
    ge=datetime(FIRST_DAY.year, 1, 2, tzinfo=UTC), le=datetime(LAST_DAY.year, 12, 30, tzinfo=UTC),
    description="ISO 8601 with an offset, e.g. 2026-10-02T09:00:00+02:00")]


class Body(BaseModel):
    """A JSON request body: strict types (no "1" for 1, no 1 for "x"), no unknown field."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def given(self) -> dict:
        """The fields the client sent, as plain values (dates as date objects)."""
        return self.model_dump(exclude_unset=True)


class Query(BaseModel):
    """Query parameters: text by nature, so numbers are converted; no unknown parameter."""

    model_config = ConfigDict(extra="forbid")


def _where(loc: tuple) -> str:
    """The field at fault, as a dotted path; a list's item names the list ("roles", not
    "roles.0"), an item of a list of objects its field ("installations.0.name")."""
    parts = list(loc)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    return ".".join(str(part) for part in parts)


def _message(error: dict) -> str:
    ctx, kind = error.get("ctx") or {}, error["type"]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        return "must not contain NUL characters"
    if kind.startswith(("datetime_", "timezone_")):
        return ("is not an ISO 8601 date-time with an offset, e.g. 2026-10-02T09:00:00+02:00 "
                f"({error['msg']})")
    if kind.startswith("date_"):
        return f"is not a date YYYY-MM-DD ({error['msg']})"
    return error["msg"]


def refusal(e: ValidationError, allowed: list[str]) -> ApiError:
    """The first problem of a ValidationError as the API's error; unknown fields all named."""
    errors = e.errors(include_url=False)
    top = [x for x in errors if not x["loc"]]
    if top:
        return ApiError(400, "invalid_json",
                        "Send a JSON object with Content-Type: application/json.")
    unknown = [_where(x["loc"]) for x in errors if x["type"] == "extra_forbidden"]
    if unknown:
        return ApiError(422, "unknown_field",
                        f"Unknown field{'s' if len(unknown) > 1 else ''}: "
                        f"{', '.join(unknown)} (the fields are {', '.join(allowed)}).",
                        unknown[0])
    first = errors[0]
    name = _where(first["loc"])
    if first["type"] == "missing":
        return ApiError(422, "missing_field", f"'{name}' is required.", name)
    return ApiError(422, "invalid_field", f"'{name}': {_message(first)}.", name)


def parse_body(model: type[Body], optional: bool = False) -> Body:
    """The request's JSON body checked against `model`; `optional`: an empty body is {}."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        raw = b"{}"
    elif not request.is_json:
        raise ApiError(400, "invalid_json",
                       "Send a JSON object with Content-Type: application/json.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as e:
        if any(x["type"] == "json_invalid" for x in e.errors()):
            raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
        raise refusal(e, list(model.model_fields)) from None


def parse_query(model: type[Query]) -> Query:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as e:
        raise refusal(e, list(model.model_fields)) from None


def parse_form(model: type[Query]) -> Query:
    """Multipart form fields (besides the file) checked against `model`."""
    try:
        return model.model_validate(request.form.to_dict())
    except ValidationError as e:
        raise refusal(e, [*model.model_fields, "file"]) from None
