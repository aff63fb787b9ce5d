"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of the API nests deeper than a few levels (a declaration, its
# items, an item's fields); 32 leaves room and keeps every later step (the
# serializers, the idempotency hash, a JSONField) far from Python's recursion
# limit.
MAX_DEPTH = 32


class DepthLimitedJSONParser(JSONParser):
    """A body nested deeper than MAX_DEPTH is a 400, not a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep()) from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return (
        f"JSON parse error - the body nests deeper than {MAX_DEPTH} levels; "
        "send the objects and lists the API documents."
    )


def _depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit`, without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in value)
    return False
