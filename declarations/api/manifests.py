"""The broker API for manifests: upload, progress, issues (JSON or CSV)."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from declarations.api.serializers import PROBLEMS, ProblemSerializer
from declarations.pipeline import manifest_progress
from declarations.services.manifests import manifest_submit
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


class ManifestInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8) or XLSX, see the manifest format."
    )


class ManifestIssueOutput(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1-based data row.")
    hawb = serializers.CharField()
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
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
        responses={
            200: ManifestOutput,
            404: OpenApiResponse(ProblemSerializer),
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


class ManifestIssues(GenericAPIView):
    serializer_class = ManifestIssueOutput
    queryset = Manifest.objects.none()
    pagination_class = IssuePagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="manifests_issues",
        summary="A manifest's issues, row by row",
        description="Rows that could not be read and every rule's verdict on the "
        "manifest's consignments, ordered by row. `?format=csv` returns all of "
        "them as a CSV file (row, hawb, code, severity, field, message); formula-"
        "like cells are neutralised.",
        parameters=[
            OpenApiParameter("code", str, description="A rule code, e.g. HS-EXISTS."),
            OpenApiParameter("severity", enum=["error", "warning", "info"]),
            OpenApiParameter("format", enum=["json", "csv"]),
        ],
        responses={
            (200, "application/json"): ManifestIssueOutput(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            404: OpenApiResponse(ProblemSerializer),
            **PROBLEMS,
        },
    )
    def get(self, request: Request, pk: int):
        manifest = selectors.manifest_detail(
            organisation=request.user.organisation, pk=pk
        )
        issues = selectors.manifest_issues(
            manifest=manifest,
            code=request.query_params.get("code", ""),
            severity=request.query_params.get("severity", ""),
        )
        if request.accepted_renderer.format == "csv":
            response = StreamingHttpResponse(
                selectors.manifest_issues_csv(issues), content_type="text/csv"
            )
            name = f"manifest-{manifest.pk}-issues.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        page = self.paginate_queryset(issues)
        return self.get_paginated_response(ManifestIssueOutput(page, many=True).data)
