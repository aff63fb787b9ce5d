"""Declaration actions in the broker API: bulk filing, submit, amend, invalidate."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.errors import flatten_errors
from declarations import selectors
from declarations.api.serializers import (
    EXAMPLE,
    PROBLEMS,
    DeclarationInput,
    DeclarationOutput,
    FieldErrorSerializer,
    ProblemSerializer,
    StrictInput,
)
from declarations.models import Declaration, Status
from declarations.services import declaration_submit
from declarations.services.versions import (
    declaration_amend,
    declaration_invalidation_request,
    declarations_create_bulk,
)

BULK_LIMIT = 1000
NOT_FOUND = {
    404: OpenApiResponse(ProblemSerializer, description="Not in your organisation.")
}
CONFLICT = {
    409: OpenApiResponse(ProblemSerializer, description="Not allowed in this status.")
}


@extend_schema_field(DeclarationInput)
class DeclarationEntry(serializers.DictField):
    """One declaration of a bulk request: checked on its own by DeclarationInput,
    so that an invalid one is reported by index and the others still filed."""


class BulkInput(StrictInput):
    submit = serializers.BooleanField(
        default=True, help_text="Submit each one created."
    )
    declarations = serializers.ListField(
        child=DeclarationEntry(),
        min_length=1,
        max_length=BULK_LIMIT,
        help_text=f"Up to {BULK_LIMIT} declarations, each as for a single create.",
    )


class BulkResult(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the request, from 0.")
    result = serializers.ChoiceField(choices=["created", "invalid"])
    id = serializers.IntegerField(allow_null=True)
    lrn = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_null=True,
        help_text="The status when the answer was made; validation goes on in "
        "the background, so poll the declaration for its outcome.",
    )
    errors = FieldErrorSerializer(many=True)


class BulkOutput(serializers.Serializer):
    created = serializers.IntegerField()
    invalid = serializers.IntegerField()
    results = BulkResult(many=True)


class DeclarationBulkCreate(GenericAPIView):
    serializer_class = BulkOutput

    @extend_schema(
        operation_id="declarations_bulk_create",
        summary="File up to 1,000 declarations in one call",
        description="Each declaration is checked and stored on its own: the answer "
        "lists, in request order, which were created (with id, LRN and their "
        "status when answered) and which were invalid (with field errors, "
        "unknown fields included). Nothing invalid is stored. Send "
        "an Idempotency-Key to retry safely.",
        request=BulkInput,
        responses={200: BulkOutput, **PROBLEMS},
        examples=[
            OpenApiExample(
                "Two declarations",
                value={
                    "declarations": [
                        EXAMPLE,
                        EXAMPLE | {"lrn": "BRK-2026-000124", "hawb": "CN000000002BE"},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        incoming = BulkInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        checked, results = [], [None] * len(incoming.validated_data["declarations"])
        for index, raw in enumerate(incoming.validated_data["declarations"]):
            entry = DeclarationInput(data=raw)
            if entry.is_valid():
                data = dict(entry.validated_data)
                data.pop("submit", None)
                checked.append((index, data))
            else:
                results[index] = _invalid(index, flatten_errors(entry.errors))
        outcomes = declarations_create_bulk(
            organisation=request.user.organisation,
            by=request.user,
            entries=[data for _, data in checked],
            submit=incoming.validated_data["submit"],
        )
        # Read again: a declaration may have moved on (validated, even sent
        # to review) since the service returned it.
        statuses = dict(
            Declaration.objects.filter(
                pk__in=[o["created"].pk for o in outcomes if "created" in o]
            ).values_list("pk", "status")
        )
        for (index, _), outcome in zip(checked, outcomes, strict=True):
            if created := outcome.get("created"):
                results[index] = {
                    "index": index,
                    "result": "created",
                    "id": created.pk,
                    "lrn": created.lrn,
                    "status": statuses[created.pk],
                    "errors": [],
                }
            else:
                results[index] = _invalid(index, flatten_errors(outcome["errors"]))
        created = sum(1 for r in results if r["result"] == "created")
        body = {
            "created": created,
            "invalid": len(results) - created,
            "results": results,
        }
        return Response(BulkOutput(body).data)


def _invalid(index: int, errors: list[dict]) -> dict:
    return {
        "index": index,
        "result": "invalid",
        "id": None,
        "lrn": None,
        "status": None,
        "errors": errors,
    }


class DeclarationSubmit(GenericAPIView):
    serializer_class = DeclarationOutput
    queryset = Declaration.objects.none()

    @extend_schema(
        operation_id="declarations_submit",
        summary="Submit a draft (or a corrected rejected declaration)",
        description="Queues the declaration's validation by the rule book. Its "
        "issues' messages are written in English, or in the language this request "
        "asks for with `Accept-Language` when the portal speaks it (`fr`, `nl`, "
        "`zh-hans`).",
        request=None,
        responses={202: DeclarationOutput, **NOT_FOUND, **CONFLICT, **PROBLEMS},
    )
    def post(self, request: Request, pk: int) -> Response:
        organisation = request.user.organisation
        declaration = selectors.declaration_detail(organisation=organisation, pk=pk)
        declaration_submit(declaration=declaration, by=request.user)
        fresh = selectors.declaration_detail(organisation=organisation, pk=pk)
        return Response(DeclarationOutput(fresh).data, status=status.HTTP_202_ACCEPTED)


class DeclarationAmend(GenericAPIView):
    serializer_class = DeclarationOutput
    queryset = Declaration.objects.none()

    @extend_schema(
        operation_id="declarations_amend",
        summary="Amend an accepted, unreleased declaration",
        description="Files the whole declaration again as a new version under the "
        "same LRN (`version` + 1, `previous_version` set). The old version stays "
        "readable and accepted until the new one is accepted; then it becomes "
        "`invalidated`. Only accepted declarations not yet released can be "
        "amended (409 otherwise); after release the IOSS number cannot change.",
        request=DeclarationInput,
        responses={201: DeclarationOutput, **NOT_FOUND, **CONFLICT, **PROBLEMS},
        examples=[OpenApiExample("An amendment", value=EXAMPLE, request_only=True)],
    )
    def post(self, request: Request, pk: int) -> Response:
        organisation = request.user.organisation
        declaration = selectors.declaration_detail(organisation=organisation, pk=pk)
        incoming = DeclarationInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        submit = data.pop("submit")
        data.pop("lrn", None)
        amended = declaration_amend(
            declaration=declaration, by=request.user, data=data, submit=submit
        )
        fresh = selectors.declaration_detail(organisation=organisation, pk=amended.pk)
        return Response(DeclarationOutput(fresh).data, status=status.HTTP_201_CREATED)


class InvalidationInput(StrictInput):
    reason = serializers.CharField(max_length=1000, help_text="Why, for the officer.")


class DeclarationInvalidate(GenericAPIView):
    serializer_class = DeclarationOutput
    queryset = Declaration.objects.none()

    @extend_schema(
        operation_id="declarations_invalidate",
        summary="Ask for invalidation, with a reason",
        description="An accepted declaration is invalidated at once. For a released "
        "one the request is recorded (`invalidation_requested_at`) and a customs "
        "officer decides; watch its status. Other statuses answer 409.",
        request=InvalidationInput,
        responses={202: DeclarationOutput, **NOT_FOUND, **CONFLICT, **PROBLEMS},
    )
    def post(self, request: Request, pk: int) -> Response:
        organisation = request.user.organisation
        declaration = selectors.declaration_detail(organisation=organisation, pk=pk)
        incoming = InvalidationInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        declaration_invalidation_request(
            declaration=declaration,
            by=request.user,
            reason=incoming.validated_data["reason"],
        )
        fresh = selectors.declaration_detail(organisation=organisation, pk=pk)
        return Response(DeclarationOutput(fresh).data, status=status.HTTP_202_ACCEPTED)
