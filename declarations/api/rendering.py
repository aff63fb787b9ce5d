"""Declarations rendered once per version and served from the cache.

Detail and list answers are the heaviest reads of the API. A declaration's
JSON depends only on rows that move its `updated_at` (or its consignment's), so
the rendered bytes are cached under those timestamps: a read then costs one
small query and one cache lookup, and a change is never served stale because
it changes the key.
"""

from collections.abc import Sequence

from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from declarations import selectors
from declarations.api.serializers import DeclarationOutput, DeclarationSummaryOutput

TTL_SECONDS = 60 * 60
_RENDER = JSONRenderer().render
_SHAPES = {"full": DeclarationOutput, "summary": DeclarationSummaryOutput}


def version_key(shape: str, row: dict) -> str:
    stamp = (
        f"{row['updated_at'].timestamp()}:{row['consignment__updated_at'].timestamp()}"
    )
    return f"declaration:{shape}:{row['id']}:{stamp}"


VERSION_FIELDS = ("id", "updated_at", "consignment__updated_at")


def rendered(*, organisation, rows: Sequence[dict], shape: str) -> list[bytes]:
    """The JSON of each declaration in `rows` (dicts of VERSION_FIELDS), in order."""
    keys = [version_key(shape, row) for row in rows]
    found = cache.get_many(keys)
    missing = [
        row["id"] for row, key in zip(rows, keys, strict=True) if key not in found
    ]
    if missing:
        fresh = selectors.declaration_list(organisation=organisation).filter(
            pk__in=missing
        )
        serializer = _SHAPES[shape]
        made = {}
        for declaration in fresh:
            row = {
                "id": declaration.pk,
                "updated_at": declaration.updated_at,
                "consignment__updated_at": declaration.consignment.updated_at,
            }
            made[version_key(shape, row)] = _RENDER(serializer(declaration).data)
        cache.set_many(made, TTL_SECONDS)
        found |= made
    return [found[key] for key in keys if key in found]
