"""Reads of manifests and their issues, scoped to the organisation that asks."""

import csv
import io
from collections.abc import Iterator

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from shipments.manifest_parsing import neutralise_cell
from shipments.models import Manifest, ManifestIssue

ISSUE_CSV_HEADER = ("row", "hawb", "code", "severity", "field", "message")


def manifests_of(*, organisation: Organisation) -> QuerySet[Manifest]:
    return Manifest.objects.filter(organisation=organisation)


def manifest_detail(*, organisation: Organisation, pk: int) -> Manifest:
    return get_object_or_404(manifests_of(organisation=organisation), pk=pk)


def manifest_issues(
    *, manifest: Manifest, code: str = "", severity: str = ""
) -> QuerySet[ManifestIssue]:
    issues = ManifestIssue.objects.filter(manifest=manifest)
    if code:
        issues = issues.filter(code=code)
    if severity:
        issues = issues.filter(severity=severity)
    return issues.order_by("row", "id")


def manifest_issue_codes(*, manifest: Manifest) -> list[tuple[str, int]]:
    """Each rule code found in the manifest and how often, for the filter."""
    return list(
        ManifestIssue.objects.filter(manifest=manifest)
        .values_list("code")
        .order_by("code")
        .annotate(count=Count("id"))
    )


def manifest_issues_csv(issues: QuerySet[ManifestIssue]) -> Iterator[str]:
    """The issues as CSV lines, streamed; cells that a spreadsheet would run as a
    formula are neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ISSUE_CSV_HEADER)
    for issue in issues.values_list(*ISSUE_CSV_HEADER).iterator(chunk_size=5000):
        writer.writerow(
            [issue[0] if issue[0] is not None else ""]
            + [neutralise_cell(str(value)) for value in issue[1:]]
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
