"""The one error type services raise for a request they refuse, and error shapes.

It lives in the lowest app so that every app may raise it; the API's exception
handler turns it into problem+json, the pages into a message.
"""

from typing import Any

from rest_framework.exceptions import ErrorDetail


class ApplicationError(Exception):
    def __init__(self, message: str, *, status: int = 409, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def flatten_errors(detail: Any, prefix: str = "") -> list[dict]:
    """DRF's nested error dicts and lists as [{"field": "items[0].hs_code", ...}]."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if isinstance(key, int):  # DRF keys a list's errors by index
                out.extend(flatten_errors(value, f"{prefix}[{key}]"))
                continue
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(flatten_errors(value, path))
        return out
    if isinstance(detail, list):
        if all(isinstance(v, (str, ErrorDetail)) for v in detail):
            return [{"field": prefix, "message": str(v)} for v in detail]
        out = []
        for index, value in enumerate(detail):
            if value:
                out.extend(flatten_errors(value, f"{prefix}[{index}]"))
        return out
    return [{"field": prefix, "message": str(detail)}]
