"""Landed-cost quotes: duty, VAT and fees for a consignment that is not filed."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from declarations import validators
from declarations.api.serializers import (
    PROBLEMS,
    ComputationOutput,
    StrictInput,
    iso_code,
)
from declarations.models import VatPath
from declarations.pricing import (
    PricingError,
    PricingInput,
    PricingItem,
    consignment_price,
)
from reference.rates import RateUnavailable


class QuoteItemInput(StrictInput):
    hs_code = serializers.CharField(
        max_length=14, validators=[validators.validate_hs_code]
    )
    item_value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        help_text="Value of the whole line, in `currency`.",
    )
    quantity = serializers.IntegerField(min_value=1, default=1)


class QuoteInput(StrictInput):
    destination_country = iso_code(
        2,
        validators.validate_country,
        default="BE",
        help_text="Where transport ends. The consignment is priced as declared at "
        "LGG: Belgian import VAT and fees, whatever the destination.",
    )
    currency = iso_code(3, validators.validate_currency)
    vat_path = serializers.ChoiceField(choices=VatPath.choices, default="STANDARD")
    type = serializers.ChoiceField(
        choices=["H7", "H1"],
        required=False,
        help_text="Default: H7 for EUR 150 or less, else H1.",
    )
    on = serializers.DateField(required=False, help_text="Default: today.")
    transport_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), default=Decimal(0)
    )
    insurance_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), default=Decimal(0)
    )
    items = QuoteItemInput(many=True, allow_empty=False)


QUOTE_EXAMPLE = {
    "destination_country": "BE",
    "currency": "EUR",
    "vat_path": "STANDARD",
    "transport_cost": "5.00",
    "items": [
        {"hs_code": "610910", "item_value": "20.00", "quantity": 1},
        {"hs_code": "910211", "item_value": "40.00", "quantity": 1},
    ],
}


class QuoteCreate(GenericAPIView):
    serializer_class = ComputationOutput

    @extend_schema(
        operation_id="quotes_create",
        summary="Landed cost of a consignment: duty, VAT and fees, line by line",
        description="Prices a consignment that is not filed, with the same engine "
        "and dated charge lines that price declarations, at the customs monthly "
        "exchange rate. Nothing is stored. A month without a published rate is a "
        "400 on `currency` saying what is missing.",
        request=QuoteInput,
        responses={200: ComputationOutput, **PROBLEMS},
        examples=[
            OpenApiExample("The worked example", value=QUOTE_EXAMPLE, request_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        incoming = QuoteInput(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        on: date = data.get("on") or timezone.localdate()
        items = tuple(
            PricingItem(
                hs_code=validators.normalise_hs_code(i["hs_code"]),
                item_value=i["item_value"],
                quantity=i["quantity"],
            )
            for i in data["items"]
        )
        try:
            quote = consignment_price(
                consignment=PricingInput(
                    declaration_type=data.get("type") or "H7",
                    on=on,
                    destination_country=validators.normalise_code(
                        data["destination_country"]
                    ),
                    currency=validators.normalise_code(data["currency"]),
                    vat_path=data["vat_path"],
                    transport_cost=data["transport_cost"],
                    insurance_cost=data["insurance_cost"],
                    items=items,
                )
            )
        except RateUnavailable as exc:
            raise ValidationError({"currency": [str(exc)]}) from exc
        except PricingError as exc:
            raise ValidationError({"destination_country": [str(exc)]}) from exc
        return Response(ComputationOutput(quote.as_dict()).data)
