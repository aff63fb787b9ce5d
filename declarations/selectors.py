"""Reads of declarations, always scoped to the organisation that asks."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from declarations.models import Declaration, StatusChange, ValidationIssue

# What a declaration's page or API answer shows, fetched in one query each.
DETAIL = (
    "items",
    Prefetch("issues", ValidationIssue.objects.select_related("item")),
    Prefetch(
        "status_changes",
        StatusChange.objects.select_related("by_user", "by_api_key").order_by(
            "at", "pk"
        ),
    ),
    "documents",
)


def declarations_of(*, organisation: Organisation) -> QuerySet[Declaration]:
    return Declaration.objects.filter(organisation=organisation).select_related(
        "consignment__shipment"
    )


def declaration_detail(*, organisation: Organisation, pk: int) -> Declaration:
    """One declaration of `organisation` with all its page shows; 404 otherwise."""
    queryset = declarations_of(organisation=organisation).prefetch_related(*DETAIL)
    return get_object_or_404(queryset, pk=pk)


def declaration_list(
    *,
    organisation: Organisation,
    status: str = "",
    type: str = "",
    hawb: str = "",
    lrn: str = "",
    mrn: str = "",
    manifest: str = "",
    created_after=None,
    created_before=None,
) -> QuerySet[Declaration]:
    queryset = declarations_of(organisation=organisation).prefetch_related(*DETAIL)
    if status:
        queryset = queryset.filter(status=status)
    if type:
        queryset = queryset.filter(type=type)
    if hawb:
        queryset = queryset.filter(consignment__hawb=hawb)
    if lrn:
        queryset = queryset.filter(lrn=lrn)
    if mrn:
        queryset = queryset.filter(mrn=mrn)
    if created_after:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before:
        queryset = queryset.filter(created_at__lt=created_before)
    if manifest:
        queryset = queryset.filter(manifest_id=manifest if manifest.isdigit() else -1)
    return queryset
