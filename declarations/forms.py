"""Forms of the declaration page. They check shape only; services do the rest."""

from decimal import Decimal

from django import forms
from django.urls import reverse

from declarations import validators
from declarations.models import DeclarationType, DocumentKind, VatPath


def _text(
    label: str,
    help_text: str = "",
    *checks,
    required: bool = False,
    max_length: int = 150,
):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        validators=list(checks),
    )


class DeclarationHeaderForm(forms.Form):
    """The consignment-level fields of a declaration, saved one by one as they change.

    Fields are grouped on the page by `SECTIONS`; names are the manifest's columns.
    """

    type = forms.ChoiceField(
        label="Declaration type",
        choices=DeclarationType.choices,
        help_text="H7 for parcels worth EUR 150 or less; H1 above that or for excise "
        "and restricted goods; Export for goods leaving the EU.",
    )
    lrn = _text(
        "Your reference (LRN)",
        "Any reference you like, unique among your declarations; we suggested one.",
        required=True,
        max_length=22,
    )
    vat_path = forms.ChoiceField(
        label="How is import VAT paid?",
        choices=VatPath.choices,
        help_text="IOSS if the seller charged EU VAT at checkout and gave an IOSS "
        "number.",
    )
    ioss_number = _text(
        "IOSS number",
        "The seller's Import One-Stop-Shop number: IM and 10 digits.",
        validators.validate_ioss,
        max_length=16,
    )
    mawb = _text(
        "Master air waybill (MAWB)",
        "The airline's waybill number for the whole shipment, e.g. 172-12345675.",
        validators.validate_mawb,
        max_length=16,
    )
    hawb = _text(
        "House air waybill (HAWB)",
        "The parcel's own tracking number from the forwarder.",
        max_length=35,
    )
    flight_number = _text(
        "Flight", "e.g. CK251", validators.validate_flight_number, max_length=12
    )
    departure_airport = _text(
        "From airport",
        "3-letter IATA code, e.g. CGO",
        validators.validate_airport,
        max_length=4,
    )
    arrival_airport = _text(
        "To airport",
        "3-letter IATA code, e.g. LGG",
        validators.validate_airport,
        max_length=4,
    )
    arrival_date = forms.DateField(
        label="Arrival date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    consignor_name = _text("Name", "The seller who sends the goods.")
    consignor_address = _text("Street and number")
    consignor_city = _text("City", max_length=100)
    consignor_postcode = _text("Postcode", max_length=17)
    consignor_country = _text(
        "Country", "2-letter code, e.g. CN", validators.validate_country, max_length=4
    )
    consignee_name = _text("Name", "The buyer who receives the goods.")
    consignee_address = _text("Street and number, or PO box")
    consignee_city = _text("City", max_length=100)
    consignee_postcode = _text("Postcode", max_length=17)
    consignee_country = _text(
        "Country", "2-letter code, e.g. BE", validators.validate_country, max_length=4
    )
    consignee_eori = _text(
        "Consignee EORI",
        "Only when the buyer is a business.",
        validators.validate_eori,
        max_length=20,
    )
    currency = _text(
        "Currency",
        "Of the invoice, e.g. EUR, USD, CNY",
        validators.validate_currency,
        max_length=4,
    )
    transport_cost = forms.DecimalField(
        label="Transport cost",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="To the place of destination, if shown separately.",
    )
    insurance_cost = forms.DecimalField(
        label="Insurance cost",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    gross_mass_kg = forms.DecimalField(
        label="Gross mass (kg)",
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
        required=False,
        help_text="Weight of the parcel with its packing.",
    )
    packages = forms.IntegerField(label="Packages", min_value=1, required=False)

    SECTIONS = (
        ("Declaration", ("type", "lrn", "vat_path", "ioss_number")),
        (
            "Transport",
            (
                "mawb",
                "hawb",
                "flight_number",
                "departure_airport",
                "arrival_airport",
                "arrival_date",
            ),
        ),
        (
            "Consignor (seller)",
            (
                "consignor_name",
                "consignor_address",
                "consignor_city",
                "consignor_postcode",
                "consignor_country",
            ),
        ),
        (
            "Consignee (buyer)",
            (
                "consignee_name",
                "consignee_address",
                "consignee_city",
                "consignee_postcode",
                "consignee_country",
                "consignee_eori",
            ),
        ),
        (
            "Value and weight",
            (
                "currency",
                "transport_cost",
                "insurance_cost",
                "gross_mass_kg",
                "packages",
            ),
        ),
    )

    def __init__(self, *args, declaration=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if declaration is None:
            return
        for name, field in self.fields.items():
            if not declaration.is_editable:
                field.disabled = True
                continue
            field.widget.attrs.update(
                {
                    "hx-post": reverse(
                        "declarations:field", args=[declaration.pk, name]
                    ),
                    "hx-trigger": "change",
                    "hx-target": f"#field-{name}",
                    "hx-swap": "outerHTML",
                    "hx-include": "this",
                    "aria-describedby": f"help-{name} msg-{name}",
                }
            )

    @classmethod
    def initial_for(cls, declaration) -> dict:
        consignment = declaration.consignment
        shipment = consignment.shipment
        initial = {
            f: getattr(declaration, f)
            for f in ("type", "lrn", "vat_path", "ioss_number")
        }
        for name in cls.base_fields:
            if name in initial:
                continue
            if name in (
                "mawb",
                "flight_number",
                "departure_airport",
                "arrival_airport",
                "arrival_date",
            ):
                initial[name] = getattr(shipment, name) if shipment else None
            else:
                initial[name] = getattr(consignment, name)
        return initial

    def clean_one(self, name: str):
        """Clean a single field's submitted value, raising ValidationError."""
        field = self.fields[name]
        value = field.widget.value_from_datadict(
            self.data, self.files, self.add_prefix(name)
        )
        return field.clean(value)


class GoodsItemForm(forms.Form):
    description = forms.CharField(
        label="Description",
        max_length=512,
        help_text="Say exactly what it is: 'men's cotton T-shirt', not 'clothes' or "
        "'gift'.",
    )
    hs_code = forms.CharField(
        label="HS code",
        max_length=14,
        validators=[validators.validate_hs_code],
        help_text="6 digits, e.g. 610910 for cotton T-shirts.",
    )
    origin_country = forms.CharField(
        label="Made in",
        max_length=4,
        validators=[validators.validate_country],
        help_text="2-letter country code, e.g. CN.",
    )
    quantity = forms.IntegerField(label="Quantity", min_value=1, initial=1)
    item_value = forms.DecimalField(
        label="Value",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Price paid for this line, without shipping.",
    )
    net_mass_kg = forms.DecimalField(
        label="Net mass (kg)",
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
        required=False,
    )
    product_id = forms.CharField(
        label="Product ID",
        max_length=70,
        required=False,
        help_text="SKU or barcode (GTIN), if you have one.",
    )


class DecisionForm(forms.Form):
    """An officer's reason, shown to the declarant, and documents asked for."""

    documents = forms.MultipleChoiceField(
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only when asking for documents.",
    )

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The declarant reads this. Say what was checked or what is missing.",
    )
