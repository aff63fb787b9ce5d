"""Declarations and their documents in the broker API: one view per operation."""

import json

from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from declarations import selectors, services
from declarations.api import rendering
from declarations.api.serializers import (
    EXAMPLE,
    PROBLEMS,
    DeclarationInput,
    DeclarationOutput,
    DeclarationSummaryOutput,
    DocumentInput,
    DocumentOutput,
    ProblemSerializer,
)
from declarations.models import Declaration, DeclarationType, Status
from declarations.services.documents import document_upload


class DeclarationFilters(serializers.Serializer):
    """The list's query parameters, checked so a bad value is a 400, not a 500."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    type = serializers.ChoiceField(choices=DeclarationType.choices, required=False)
    hawb = serializers.CharField(required=False)
    lrn = serializers.CharField(required=False)
    mrn = serializers.CharField(required=False)
    manifest = serializers.IntegerField(required=False, min_value=1)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)

    def validate_manifest(self, value: int) -> str:
        return str(value)


class DeclarationListCreate(GenericAPIView):
    serializer_class = DeclarationOutput

    @extend_schema(
        operation_id="declarations_list",
        summary="List your declarations",
        parameters=[
            OpenApiParameter("status", enum=Status.values),
            OpenApiParameter("type", enum=DeclarationType.values),
            OpenApiParameter("hawb", str),
            OpenApiParameter("lrn", str),
            OpenApiParameter("mrn", str),
            OpenApiParameter(
                "manifest", int, description="Declarations of a manifest."
            ),
        ],
        description="The newest first, 50 a page (`page_size` up to 500), as "
        "summaries: a declaration's computation, history and documents are in "
        "its own answer.",
        responses={200: DeclarationSummaryOutput(many=True), **PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        filters = DeclarationFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organisation = request.user.organisation
        rows = selectors.declaration_list(
            organisation=organisation, **filters.validated_data
        ).values(*rendering.VERSION_FIELDS)
        page = self.paginate_queryset(rows)
        items = rendering.rendered(
            organisation=organisation, rows=page, shape="summary"
        )
        paginator = self.paginator
        body = b"".join(
            [
                b'{"next":',
                json.dumps(paginator.get_next_link()).encode(),
                b',"previous":',
                json.dumps(paginator.get_previous_link()).encode(),
                b',"results":[',
                b",".join(items),
                b"]}",
            ]
        )
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        operation_id="declarations_create",
        summary="File a declaration",
        description="Stores the declaration and, unless `submit` is false, submits it: "
        "the rule book then validates it in the background. Poll the declaration "
        "(or list by `lrn`) to see it become `accepted` with an MRN, or `rejected` "
        "with `issues` telling what to fix. A malformed request is refused with 400 "
        "and nothing is stored. The issues' messages are written in English, or in "
        "the language the submitting request asks for with `Accept-Language` when "
        "the portal speaks it (`fr`, `nl`, `zh-hans`); they keep that language "
        "when read later.",
        request=DeclarationInput,
        responses={201: DeclarationOutput, **PROBLEMS},
        examples=[
            OpenApiExample("An H7 with one item", value=EXAMPLE, request_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        incoming = DeclarationInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        submit = data.pop("submit")
        created = services.declaration_create(
            organisation=request.user.organisation,
            by=request.user,
            data=data,
            submit=submit,
        )
        declaration = selectors.declaration_detail(
            organisation=request.user.organisation, pk=created.pk
        )
        return Response(
            DeclarationOutput(declaration).data, status=status.HTTP_201_CREATED
        )


class DeclarationDetail(GenericAPIView):
    serializer_class = DeclarationOutput
    queryset = Declaration.objects.none()

    @extend_schema(
        operation_id="declarations_retrieve",
        summary="One declaration, with its status, issues, items and history",
        description="The whole declaration as last changed: poll it after "
        "filing until `status` is an outcome (`accepted` with an MRN, `rejected` "
        "with `issues`, `under_review`). Send the answer's ETag as "
        "If-None-Match to get a 304 while nothing changed.",
        responses={
            200: DeclarationOutput,
            404: OpenApiResponse(ProblemSerializer),
            **PROBLEMS,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        organisation = request.user.organisation
        row = (
            selectors.declarations_of(organisation=organisation)
            .filter(pk=pk)
            .values(*rendering.VERSION_FIELDS)
            .first()
        )
        if row is None:
            raise NotFound("No such object in your organisation.")
        (body,) = rendering.rendered(
            organisation=organisation, rows=[row], shape="full"
        )
        return HttpResponse(body, content_type="application/json")


class DeclarationDocuments(GenericAPIView):
    serializer_class = DocumentOutput
    queryset = Declaration.objects.none()
    parser_classes = [MultiPartParser]
    pagination_class = None

    @extend_schema(
        operation_id="declaration_documents_list",
        summary="A declaration's documents and what the checks found",
        description="Every document attached, with the outcome of "
        "its checks (`pending` until the background check ran).",
        responses={
            200: DocumentOutput(many=True),
            404: OpenApiResponse(ProblemSerializer),
            **PROBLEMS,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        declaration = selectors.declaration_detail(
            organisation=request.user.organisation, pk=pk
        )
        return Response(DocumentOutput(declaration.documents.all(), many=True).data)

    @extend_schema(
        operation_id="declaration_documents_upload",
        summary="Attach a document",
        description="Stores the file and checks it in the background: its real "
        "type, size, macros, and for an invoice its total against the declared "
        "value. Poll the document list for `outcome`. An upload answers a "
        "`documents_requested` declaration: once accepted, it goes back to review.",
        request={"multipart/form-data": DocumentInput},
        responses={
            202: DocumentOutput,
            404: OpenApiResponse(ProblemSerializer),
            409: OpenApiResponse(ProblemSerializer),
            **PROBLEMS,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        declaration = selectors.declaration_detail(
            organisation=request.user.organisation, pk=pk
        )
        incoming = DocumentInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        document = document_upload(
            declaration=declaration, by=request.user, **incoming.validated_data
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_202_ACCEPTED)
