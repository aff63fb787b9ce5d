"""The broker API for webhook endpoints and their deliveries."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import webhooks
from accounts.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from portal.api_schema import NOT_FOUND, PROBLEMS, ProblemSerializer, StrictInput

TAGS = ["webhooks"]


class WebhookPayloadOutput(serializers.Serializer):
    """What a delivery sends as the envelope's `data`: the status change."""

    id = serializers.IntegerField(help_text="The declaration's id.")
    lrn = serializers.CharField()
    mrn = serializers.CharField(allow_null=True)
    hawb = serializers.CharField()
    status = serializers.ChoiceField(choices=WebhookEvent.choices)
    from_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema_field(WebhookPayloadOutput)
class PayloadField(serializers.JSONField):
    """The payload as it was sent, typed in the schema."""


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        help_text="The declaration statuses to be told about.",
        **kwargs,
    )


class WebhookEndpointInput(StrictInput):
    url = serializers.CharField(
        max_length=500,
        help_text="An https:// URL of your system that accepts POSTed JSON.",
    )
    events = _events_field()
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class WebhookEndpointPatch(StrictInput):
    url = serializers.CharField(max_length=500, required=False)
    events = _events_field(required=False)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices)
    )
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(
        help_text="The signing secret. Shown this once: store it now."
    )


class WebhookDeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="Also sent as X-Portal-Delivery.")
    endpoint = serializers.IntegerField(source="endpoint_id")
    event = serializers.ChoiceField(choices=WebhookEvent.choices)
    declaration_id = serializers.IntegerField()
    payload = PayloadField(help_text="The envelope's `data`.")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(
        allow_null=True, help_text="Your system's answer to the latest attempt."
    )
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    replay_of = serializers.IntegerField(source="replay_of_id", allow_null=True)


def _endpoint(request: Request, pk: int) -> WebhookEndpoint:
    try:
        return webhooks.webhook_endpoint_get(
            organisation=request.user.organisation, pk=pk
        )
    except WebhookEndpoint.DoesNotExist as exc:
        raise Http404 from exc


class WebhookEndpointListCreate(GenericAPIView):
    serializer_class = WebhookEndpointOutput
    queryset = WebhookEndpoint.objects.none()

    @extend_schema(
        operation_id="webhooks_list",
        summary="List your webhook endpoints",
        description="Active and deactivated endpoints, without "
        "their secrets.",
        tags=TAGS,
        responses={
            200: WebhookEndpointOutput(many=True),
            **PROBLEMS,
        },
    )
    def get(self, request: Request) -> Response:
        queryset = webhooks.webhook_endpoint_list(
            organisation=request.user.organisation
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookEndpointOutput(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register a webhook endpoint",
        description="Your URL is then POSTed each status change of your "
        "declarations that it subscribes to. The response carries the signing "
        "`secret`, once: it is never shown again. " + webhooks.SIGNATURE_HELP,
        tags=TAGS,
        request=WebhookEndpointInput,
        responses={201: WebhookEndpointCreatedOutput, **PROBLEMS},
    )
    def post(self, request: Request) -> Response:
        incoming = WebhookEndpointInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_endpoint_create(
            organisation=request.user.organisation,
            by=request.user,
            **incoming.validated_data,
        )
        endpoint.secret = secret
        return Response(
            WebhookEndpointCreatedOutput(endpoint).data,
            status=status.HTTP_201_CREATED,
        )


class WebhookEndpointDetail(GenericAPIView):
    serializer_class = WebhookEndpointOutput
    queryset = WebhookEndpoint.objects.none()

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One webhook endpoint",
        description="Its URL, events and whether it is active; not its secret.",
        tags=TAGS,
        responses={200: WebhookEndpointOutput, **NOT_FOUND, **PROBLEMS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookEndpointOutput(_endpoint(request, pk)).data)

    @extend_schema(
        operation_id="webhooks_update",
        summary="Change a webhook endpoint",
        description="Send only the fields to change. `is_active: true` "
        "reactivates a deactivated endpoint; the secret does not change.",
        tags=TAGS,
        request=WebhookEndpointPatch,
        responses={200: WebhookEndpointOutput, **NOT_FOUND, **PROBLEMS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        incoming = WebhookEndpointPatch(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_update(
            endpoint=endpoint, by=request.user, **incoming.validated_data
        )
        return Response(WebhookEndpointOutput(endpoint).data)

    @extend_schema(
        operation_id="webhooks_deactivate",
        summary="Deactivate a webhook endpoint",
        description="Nothing more is sent to it, pending retries included. The "
        "endpoint and its deliveries stay listed; PATCH `is_active` to resume.",
        tags=TAGS,
        request=None,
        responses={200: WebhookEndpointOutput, **NOT_FOUND, **PROBLEMS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = webhooks.webhook_endpoint_deactivate(
            endpoint=_endpoint(request, pk), by=request.user
        )
        return Response(WebhookEndpointOutput(endpoint).data)


class WebhookDeliveryList(GenericAPIView):
    serializer_class = WebhookDeliveryOutput
    queryset = WebhookDelivery.objects.none()

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="An endpoint's deliveries, newest first",
        description="Each delivery with its status, attempts and your system's "
        "last answer. Retries keep a delivery's id; a replay is a new delivery "
        "with `replay_of` set.",
        tags=TAGS,
        responses={200: WebhookDeliveryOutput(many=True), **NOT_FOUND, **PROBLEMS},
    )
    def get(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        queryset = webhooks.webhook_delivery_list(
            organisation=request.user.organisation, endpoint_id=endpoint.pk
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)


class WebhookDeliveryReplay(GenericAPIView):
    serializer_class = WebhookDeliveryOutput
    queryset = WebhookDelivery.objects.none()

    @extend_schema(
        operation_id="webhooks_deliveries_replay",
        summary="Send a delivery again",
        description="Queues a new delivery of the same payload to the same "
        "endpoint (`replay_of` is the original) and answers 202 with it. A "
        "deactivated endpoint is refused with 409.",
        tags=TAGS,
        request=None,
        responses={
            202: WebhookDeliveryOutput,
            409: OpenApiResponse(
                ProblemSerializer, description="The endpoint is deactivated."
            ),
            **NOT_FOUND,
            **PROBLEMS,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            delivery = webhooks.webhook_delivery_get(
                organisation=request.user.organisation, pk=pk
            )
        except WebhookDelivery.DoesNotExist as exc:
            raise Http404 from exc
        replay = webhooks.webhook_delivery_replay(delivery=delivery, by=request.user)
        return Response(
            WebhookDeliveryOutput(replay).data, status=status.HTTP_202_ACCEPTED
        )
