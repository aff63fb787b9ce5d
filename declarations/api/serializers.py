"""Serializers of the broker API: input shapes checked, output shapes documented."""

from decimal import Decimal

from rest_framework import serializers

from declarations import validators
from declarations.models import (
    MAX_GOODS_ITEMS,
    Declaration,
    DeclarationType,
    Document,
    DocumentKind,
    GoodsItem,
    Severity,
    Status,
    VatPath,
)
from portal import limits
from portal.api_schema import (  # noqa: F401 (the API's modules import them here)
    PROBLEMS,
    FieldErrorSerializer,
    ProblemSerializer,
    StrictInput,
)
from shipments.models import Consignment, Shipment


def _text(model, name: str, **kwargs) -> serializers.CharField:
    """Free text, as long as the model field allows."""
    return serializers.CharField(max_length=limits.max_length(model, name), **kwargs)


def _integer(model, name: str, **kwargs) -> serializers.IntegerField:
    """A whole number the model field's column holds."""
    low, high = limits.integer_range(model, name)
    kwargs.setdefault("min_value", low)
    return serializers.IntegerField(max_value=high, **kwargs)


def _decimal(model, name: str, **kwargs) -> serializers.DecimalField:
    max_digits, places = limits.decimal_places(model, name)
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=places, **kwargs
    )


def _code(
    model, name: str, *checks, required: bool = True, **kwargs
) -> serializers.CharField:
    """A code: spaces, dots and dashes are allowed around it (hence the slack)
    and normalised away before it is stored within the model field's length."""
    return serializers.CharField(
        max_length=limits.max_length(model, name) + 4,
        validators=list(checks),
        required=required,
        **kwargs,
    )


def iso_code(length: int, check, **kwargs) -> serializers.CharField:
    """A country (2 letters) or currency (3): exactly that long, case aside."""
    return serializers.CharField(
        min_length=length, max_length=length, validators=[check], **kwargs
    )


class ItemInput(StrictInput):
    description = _text(GoodsItem, "description")
    hs_code = _code(GoodsItem, "hs_code", validators.validate_hs_code)
    origin_country = iso_code(2, validators.validate_country)
    quantity = _integer(GoodsItem, "quantity", min_value=1, default=1)
    item_value = _decimal(GoodsItem, "item_value", min_value=0)
    net_mass_kg = _decimal(
        GoodsItem,
        "net_mass_kg",
        min_value=Decimal("0.001"),
        required=False,
        allow_null=True,
    )
    product_id = _text(
        GoodsItem,
        "product_id",
        required=False,
        allow_blank=True,
        help_text="Merchant's product identifier (SKU); required from 1 November "
        "2026 (Delegated Regulation (EU) 2026/1022).",
    )
    manufacturer_product_id = _text(
        GoodsItem,
        "manufacturer_product_id",
        required=False,
        allow_blank=True,
        help_text="Manufacturer's product identifier (GTIN/EAN or the maker's part "
        "number); required from 1 November 2026.",
    )


class DeclarationInput(StrictInput):
    """A declaration as a broker files it. Field names are the manifest's columns."""

    type = serializers.ChoiceField(choices=DeclarationType.choices, default="H7")
    lrn = _text(
        Declaration,
        "lrn",
        required=False,
        help_text="Your reference; generated when omitted.",
    )
    submit = serializers.BooleanField(
        default=True, help_text="Submit at once (default) or keep as a draft."
    )
    mawb = _code(
        Shipment,
        "mawb",
        validators.validate_mawb,
        help_text="Master AWB, e.g. 172-12345675.",
    )
    hawb = _text(Consignment, "hawb")
    flight_number = _code(Shipment, "flight_number", validators.validate_flight_number)
    departure_airport = _code(
        Shipment, "departure_airport", validators.validate_airport
    )
    arrival_airport = _code(Shipment, "arrival_airport", validators.validate_airport)
    arrival_date = serializers.DateField()
    consignor_name = _text(Consignment, "consignor_name")
    consignor_address = _text(Consignment, "consignor_address")
    consignor_city = _text(Consignment, "consignor_city")
    consignor_postcode = _text(
        Consignment, "consignor_postcode", required=False, allow_blank=True
    )
    consignor_country = iso_code(2, validators.validate_country)
    consignee_name = _text(Consignment, "consignee_name")
    consignee_address = _text(Consignment, "consignee_address")
    consignee_city = _text(Consignment, "consignee_city")
    consignee_postcode = _text(
        Consignment, "consignee_postcode", required=False, allow_blank=True
    )
    consignee_country = iso_code(2, validators.validate_country)
    consignee_eori = _code(
        Consignment,
        "consignee_eori",
        validators.validate_eori,
        required=False,
        allow_blank=True,
    )
    vat_path = serializers.ChoiceField(choices=VatPath.choices, required=False)
    ioss_number = _code(
        Declaration,
        "ioss_number",
        validators.validate_ioss,
        required=False,
        allow_blank=True,
    )
    currency = iso_code(3, validators.validate_currency)
    transport_cost = _decimal(Consignment, "transport_cost", min_value=0, default=0)
    insurance_cost = _decimal(Consignment, "insurance_cost", min_value=0, default=0)
    gross_mass_kg = _decimal(Consignment, "gross_mass_kg", min_value=Decimal("0.001"))
    packages = _integer(Consignment, "packages", min_value=1, default=1)
    items = ItemInput(many=True, allow_empty=False, max_length=MAX_GOODS_ITEMS)

    def validate(self, attrs: dict) -> dict:
        if "vat_path" not in attrs:
            attrs["vat_path"] = (
                VatPath.IOSS if attrs.get("ioss_number") else VatPath.STANDARD
            )
        return attrs


class IssueOutput(serializers.Serializer):
    row = serializers.SerializerMethodField(
        help_text="Manifest row; null for filings by API."
    )
    hawb = serializers.SerializerMethodField()
    item = serializers.IntegerField(
        source="item.line",
        allow_null=True,
        default=None,
        help_text="Goods item number, or null for the consignment.",
    )
    code = serializers.CharField(help_text="The rule's code.")
    severity = serializers.ChoiceField(choices=Severity.choices)
    field = serializers.CharField()
    message = serializers.CharField()

    def get_row(self, issue) -> int | None:
        return issue.item.manifest_row if issue.item_id else None

    def get_hawb(self, issue) -> str:
        return issue.declaration.consignment.hawb


class ItemOutput(serializers.Serializer):
    line = serializers.IntegerField()
    description = serializers.CharField()
    hs_code = serializers.CharField()
    origin_country = serializers.CharField()
    quantity = serializers.IntegerField()
    item_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    net_mass_kg = serializers.DecimalField(
        max_digits=12, decimal_places=3, allow_null=True
    )
    product_id = serializers.CharField()
    manufacturer_product_id = serializers.CharField()


class StatusChangeOutput(serializers.Serializer):
    from_status = serializers.ChoiceField(choices=Status.choices)
    to_status = serializers.ChoiceField(choices=Status.choices)
    at = serializers.DateTimeField()
    by = serializers.CharField(
        source="actor_for_declarant",
        help_text='A colleague\'s name, "Customs" for an officer\'s decision, an '
        "API key, or the portal.",
    )
    reason = serializers.CharField()


class RateOutput(serializers.Serializer):
    currency = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        coerce_to_string=True,
        help_text="Units of the currency per EUR.",
    )
    ecb_date = serializers.DateField(help_text="The ECB publication the rate is from.")
    month = serializers.DateField(help_text="First day of the month it applies to.")


# When import VAT is paid: at clearance, at checkout (IOSS), at delivery.
DUE_AT = ["clearance", "checkout", "delivery"]


def money(**kwargs) -> serializers.DecimalField:
    """An amount: a decimal string with two decimals, never negative."""
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs
    )


class AtLeastCents(serializers.DecimalField):
    """Two decimals, or up to four where the value has them: a charge's base
    or per-unit amount (stored to 4 places) is shown exactly, "3" as "3.00"."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            max_digits=16, decimal_places=4, min_value=Decimal(0), **kwargs
        )

    def to_representation(self, value) -> str:
        exact = Decimal(str(value)).quantize(Decimal("0.0001")).normalize()
        return str(max(exact, exact.quantize(Decimal("0.01")), key=_places))


def _places(value: Decimal) -> int:
    return -value.as_tuple().exponent


class ChargeLineOutput(serializers.Serializer):
    code = serializers.CharField(help_text="The charge line's stable code.")
    kind = serializers.ChoiceField(
        choices=["duty_low_value", "duty_ad_valorem", "vat", "fee"]
    )
    label = serializers.CharField()
    base_eur = AtLeastCents(allow_null=True, help_text="What a percentage is of.")
    rate = serializers.CharField(allow_null=True, help_text="Percentage.")
    amount = AtLeastCents(allow_null=True, help_text="Fixed amount per unit.")
    amount_currency = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    item_line = serializers.IntegerField(allow_null=True)
    amount_eur = money(help_text="Rounded once, half up, to the cent.")
    due_at = serializers.ChoiceField(choices=DUE_AT)
    legal_source = serializers.CharField()
    confidence = serializers.ChoiceField(choices=["H", "M", "L"])
    indicative = serializers.BooleanField()
    note = serializers.CharField()


class ComputationOutput(serializers.Serializer):
    """Duty, VAT and fees line by line; the amounts are decimal strings."""

    on = serializers.DateField()
    currency = serializers.CharField()
    vat_path = serializers.ChoiceField(choices=VatPath.choices)
    low_value = serializers.BooleanField()
    intrinsic_value_eur = money()
    customs_value_eur = money()
    customs_duty_eur = money()
    import_vat_eur = money()
    vat_due_at = serializers.ChoiceField(choices=DUE_AT, allow_null=True)
    fees_eur = money()
    total_due_eur = money()
    indicative = serializers.BooleanField(
        default=False,
        help_text="True when a duty line is an indicative ad-valorem rate (a typical "
        "rate of the HS chapter, not the TARIC code's): the duty is an estimate."
    )
    rate = RateOutput()
    other_rates = RateOutput(many=True)
    lines = ChargeLineOutput(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file_name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField(help_text="Sniffed from the content.")
    outcome = serializers.ChoiceField(choices=Document.Outcome.choices)
    problems = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    invoice_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    invoice_currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    checked_at = serializers.DateTimeField(allow_null=True)


class DeclarationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    lrn = serializers.CharField()
    mrn = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=DeclarationType.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    manifest = serializers.SerializerMethodField(
        help_text="The manifest this declaration came from, or null when filed alone."
    )
    mawb = serializers.CharField(
        source="consignment.shipment.mawb", default=None, allow_null=True
    )
    hawb = serializers.CharField(source="consignment.hawb")
    flight_number = serializers.CharField(
        source="consignment.shipment.flight_number", default=""
    )
    departure_airport = serializers.CharField(
        source="consignment.shipment.departure_airport", default=""
    )
    arrival_airport = serializers.CharField(
        source="consignment.shipment.arrival_airport", default=""
    )
    arrival_date = serializers.DateField(
        source="consignment.shipment.arrival_date", default=None, allow_null=True
    )
    consignor_name = serializers.CharField(source="consignment.consignor_name")
    consignor_address = serializers.CharField(source="consignment.consignor_address")
    consignor_city = serializers.CharField(source="consignment.consignor_city")
    consignor_postcode = serializers.CharField(source="consignment.consignor_postcode")
    consignor_country = serializers.CharField(source="consignment.consignor_country")
    consignee_name = serializers.CharField(source="consignment.consignee_name")
    consignee_address = serializers.CharField(source="consignment.consignee_address")
    consignee_city = serializers.CharField(source="consignment.consignee_city")
    consignee_postcode = serializers.CharField(source="consignment.consignee_postcode")
    consignee_country = serializers.CharField(source="consignment.consignee_country")
    consignee_eori = serializers.CharField(source="consignment.consignee_eori")
    declarant_eori = serializers.CharField()
    vat_path = serializers.ChoiceField(choices=VatPath.choices)
    ioss_number = serializers.CharField()
    currency = serializers.CharField(source="consignment.currency")
    transport_cost = serializers.DecimalField(
        source="consignment.transport_cost", max_digits=12, decimal_places=2
    )
    insurance_cost = serializers.DecimalField(
        source="consignment.insurance_cost", max_digits=12, decimal_places=2
    )
    gross_mass_kg = serializers.DecimalField(
        source="consignment.gross_mass_kg",
        max_digits=12,
        decimal_places=3,
        allow_null=True,
    )
    packages = serializers.IntegerField(source="consignment.packages")
    customs_duty_eur = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    import_vat_eur = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    fees_eur = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    total_due_eur = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    customs_value_eur = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    exchange_rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        allow_null=True,
        help_text="Customs monthly rate used: units of the currency per EUR.",
    )
    exchange_rate_date = serializers.DateField(allow_null=True)
    computation = ComputationOutput(allow_null=True)
    additional_procedure_code = serializers.CharField()
    requested_documents = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(help_text="1, or more for an amendment.")
    previous_version = serializers.IntegerField(
        source="previous_version_id",
        allow_null=True,
        help_text="The version this one amends.",
    )
    invalidation_requested_at = serializers.DateTimeField(allow_null=True)
    documents = DocumentOutput(many=True)
    items = ItemOutput(many=True)
    # What the filer may see (declarations.disclosure): never a screening hit.
    issues = IssueOutput(many=True, source="trader_view.issues")
    status_history = StatusChangeOutput(
        many=True, source="trader_view.status_history"
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_manifest(self, declaration) -> int | None:
        return declaration.manifest_id


EXAMPLE = {
    "type": "H7",
    "lrn": "BRK-2026-000123",
    "mawb": "172-12345675",
    "hawb": "CN000000001BE",
    "flight_number": "CK251",
    "departure_airport": "CGO",
    "arrival_airport": "LGG",
    "arrival_date": "2026-11-20",
    "consignor_name": "Zhengzhou Bright Home Co. Ltd",
    "consignor_address": "88 Jingkai Rd",
    "consignor_city": "Zhengzhou",
    "consignor_postcode": "450000",
    "consignor_country": "CN",
    "consignee_name": "Anne Dupont",
    "consignee_address": "Rue Saint-Gilles 12",
    "consignee_city": "Liège",
    "consignee_postcode": "4000",
    "consignee_country": "BE",
    "vat_path": "IOSS",
    "ioss_number": "IM0560000012",
    "currency": "EUR",
    "transport_cost": "2.50",
    "gross_mass_kg": "0.420",
    "items": [
        {
            "description": "Cotton T-shirt for men",
            "hs_code": "610910",
            "origin_country": "CN",
            "quantity": 2,
            "item_value": "18.00",
            "net_mass_kg": "0.380",
            "product_id": "SKU-TS-001",
            "manufacturer_product_id": "5412345000013",
        }
    ],
}


class DocumentInput(StrictInput):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(
        help_text="PDF or XLSX; JPEG/PNG scans for a certificate of origin."
    )


class DeclarationSummaryOutput(DeclarationOutput):
    """A declaration as lists show it: everything but its computation, history
    and documents, which its own answer carries."""

    computation = None
    status_history = None
    documents = None
