"""Declarations rendered once per version and served from the cache.

Detail and list answers are the heaviest reads of the API. A declaration's
JSON depends only on rows that move its `updated_at` (or its consignment's), so
the rendered bytes are cached under those timestamps: a read then costs one
small query and one cache lookup, and a change is never served stale because
it changes the key.

The validation batch renders the full answer of the declarations it decides
(`render_ahead`): a broker who filed one polls for exactly that outcome, and
the worker has just read the same rows.
"""

import logging
from collections.abc import Iterable, Sequence

from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from declarations import selectors
from declarations.api.serializers import DeclarationOutput, DeclarationSummaryOutput
from declarations.models import Declaration

logger = logging.getLogger(__name__)

TTL_SECONDS = 60 * 60
_RENDER = JSONRenderer().render
# One serializer per shape, reused for every declaration: DRF deep-copies a
# serializer's fields each time one is made (about 4 ms for a declaration, four
# times the rendering itself), while `to_representation` keeps no state.
_SHAPES = {"full": DeclarationOutput(), "summary": DeclarationSummaryOutput()}

VERSION_FIELDS = ("id", "updated_at", "consignment__updated_at")


def version_key(shape: str, row: dict) -> str:
    stamp = (
        f"{row['updated_at'].timestamp()}:{row['consignment__updated_at'].timestamp()}"
    )
    return f"declaration:{shape}:{row['id']}:{stamp}"


def _render(declarations: Iterable[Declaration], shape: str) -> dict[str, bytes]:
    serializer = _SHAPES[shape]
    made = {}
    for declaration in declarations:
        row = {
            "id": declaration.pk,
            "updated_at": declaration.updated_at,
            "consignment__updated_at": declaration.consignment.updated_at,
        }
        made[version_key(shape, row)] = _RENDER(
            serializer.to_representation(declaration)
        )
    cache.set_many(made, TTL_SECONDS)
    return made


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
        found |= _render(fresh, shape)
    return [found[key] for key in keys if key in found]


def render_ahead(declaration_ids: Sequence[int]) -> None:
    """Cache the full answer of declarations that have just changed.

    Only an optimisation: a failure is logged, and the next read renders.
    """
    try:
        fresh = (
            Declaration.objects.filter(pk__in=declaration_ids)
            .select_related("consignment__shipment")
            .prefetch_related(*selectors.DETAIL)
        )
        _render(fresh, "full")
    except Exception:
        logger.warning("could not render declarations ahead", exc_info=True)
