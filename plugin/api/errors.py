"""The API's one error shape: {"error": {"code", "message", "field"}}."""

from flask import jsonify


def api_error(status: int, code: str, message: str, field: str | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


class ApiError(Exception):
    """Raised by API views; rendered as {"error": {"code", "message", "field"}}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
