"""The broker API for manifests: upload, progress, issues (JSON pages or CSV)."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from declarations.api.serializers import PROBLEMS
from declarations.models import Severity
from declarations.pipeline import manifest_progress
from declarations.services.manifests import manifest_submit
from portal.api_pagination import CursorPagination
from portal.api_schema import NOT_FOUND, StrictInput
from shipments import selectors
from shipments.models import Manifest


class ManifestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Manifest.Status.choices)
    file_name = serializers.CharField(source="original_name")
    rows_total = serializers.IntegerField(help_text="Data rows read (known once read).")
    rows_processed = serializers.IntegerField(help_text="Data rows read so far.")
    consignments_total = serializers.IntegerField()
    consignments_validated = serializers.IntegerField()
    consignments_accepted = serializers.IntegerField()
    consignments_rejected = serializers.IntegerField()
    consignments_under_review = serializers.IntegerField()
    consignments_unchanged = serializers.IntegerField(
        help_text="Already accepted by an earlier upload: not duplicated."
    )
    error = serializers.CharField(help_text="Why the manifest failed, if it did.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, manifest: Manifest) -> dict:
        data = super().to_representation(manifest)
        data.update(manifest_progress(manifest=manifest))
        return data


class ManifestInput(StrictInput):
    file = serializers.FileField(
        help_text="CSV (UTF-8) or XLSX, see the manifest format."
    )


class ManifestIssueOutput(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1-based data row.")
    hawb = serializers.CharField()
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    field = serializers.CharField()
    message = serializers.CharField()


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class ManifestUpload(GenericAPIView):
    serializer_class = ManifestOutput
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="manifests_create",
        summary="Upload a flight manifest",
        description="Accepts a CSV or XLSX manifest (see the manifest format) and "
        "processes it in the background: poll the manifest until `status` is "
        "`done`. The very same file uploaded again is recognised by its content "
        "and answered with the first manifest (200), changing nothing. A file that "
        "is not a manifest (an image, a CSV without header, over the size limit, a "
        "zip bomb) is refused with 400 and nothing is stored.",
        request={"multipart/form-data": ManifestInput},
        responses={
            202: ManifestOutput,
            200: OpenApiResponse(ManifestOutput, description="Same file as before."),
            **PROBLEMS,
        },
    )
    def post(self, request: Request) -> Response:
        incoming = ManifestInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        manifest, created = manifest_submit(
            organisation=request.user.organisation,
            upload=incoming.validated_data["file"],
            by=request.user,
        )
        return Response(
            ManifestOutput(manifest).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )


class ManifestDetail(GenericAPIView):
    serializer_class = ManifestOutput
    queryset = Manifest.objects.none()

    @extend_schema(
        operation_id="manifests_retrieve",
        summary="A manifest's progress and totals",
        description="Poll it after an upload: `rows_processed` counts up to "
        "`rows_total`, and `status` ends `done` (or `failed`, with `error`).",
        responses={
            200: ManifestOutput,
            **NOT_FOUND,
            **PROBLEMS,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        manifest = selectors.manifest_detail(
            organisation=request.user.organisation, pk=pk
        )
        return Response(ManifestOutput(manifest).data)


class IssuePagination(CursorPagination):
    """In the order issues were found; stable while a manifest is processed."""

    ordering = "id"
    page_size = 100


ISSUE_FILTERS = [
    OpenApiParameter("code", str, description="A rule code, e.g. HS-EXISTS."),
    OpenApiParameter("severity", enum=Severity.values),
]


def _issues_csv(manifest: Manifest, issues) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        selectors.manifest_issues_csv(issues), content_type="text/csv; charset=utf-8"
    )
    name = f"manifest-{manifest.pk}-issues.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ManifestIssues(GenericAPIView):
    serializer_class = ManifestIssueOutput
    queryset = Manifest.objects.none()
    pagination_class = IssuePagination
    # `?format=csv` (the fixed contract) still answers CSV; the schema types
    # that answer on its own operation, manifests_issues_csv.
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def _issues(self, request: Request, pk: int):
        manifest = selectors.manifest_detail(
            organisation=request.user.organisation, pk=pk
        )
        issues = selectors.manifest_issues(
            manifest=manifest,
            code=request.query_params.get("code", ""),
            severity=request.query_params.get("severity", ""),
        )
        return manifest, issues

    @extend_schema(
        operation_id="manifests_issues",
        summary="A manifest's issues, row by row",
        description="Rows that could not be read and every rule's verdict on the "
        "manifest's consignments, in the order found, 100 a page. The same "
        "issues as one CSV file: `GET /api/v1/manifests/{id}/issues.csv`.",
        parameters=ISSUE_FILTERS,
        responses={200: ManifestIssueOutput(many=True), **NOT_FOUND, **PROBLEMS},
    )
    def get(self, request: Request, pk: int):
        manifest, issues = self._issues(request, pk)
        if request.accepted_renderer.format == "csv":
            return _issues_csv(manifest, issues)
        page = self.paginate_queryset(issues)
        return self.get_paginated_response(ManifestIssueOutput(page, many=True).data)


class ManifestIssuesCsv(ManifestIssues):
    pagination_class = None
    renderer_classes = [CSVRenderer, renderers.JSONRenderer]

    @extend_schema(
        operation_id="manifests_issues_csv",
        summary="A manifest's issues as one CSV file",
        description="All the issues (or those of `code` and `severity`) as UTF-8 "
        "CSV with a header row: row, hawb, code, severity, field, message. Cells "
        "a spreadsheet would run as a formula are neutralised. Also answered by "
        "`GET /api/v1/manifests/{id}/issues/?format=csv`.",
        parameters=ISSUE_FILTERS,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The issues, one a line."
            ),
            **NOT_FOUND,
            **PROBLEMS,
        },
    )
    def get(self, request: Request, pk: int):
        return _issues_csv(*self._issues(request, pk))
