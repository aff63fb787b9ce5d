"""Forms of the declaration pages. They check shape only; services do the rest.

Every customs term a shipper meets on the page is explained in its help text, in
plain words; sections follow the order of the paperwork: the declaration,
transport, parties, goods, then value and VAT.
"""

from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from declarations import validators
from declarations.models import DeclarationType, DocumentKind, Status, VatPath


def _text(
    label,
    help_text="",
    *checks,
    required: bool = False,
    max_length: int = 150,
    autocomplete: str = "",
):
    field = forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        validators=list(checks),
    )
    if autocomplete:
        field.widget.attrs["autocomplete"] = autocomplete
    return field


def _amount(label, help_text="", *, decimals: int = 2, minimum=0):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=minimum,
        max_digits=12,
        decimal_places=decimals,
        required=False,
    )


# What each declaration type is for, in plain words: shown when a declaration is
# started and beside the type on its page.
TYPE_GUIDE = {
    DeclarationType.H7: _(
        "Import of a parcel worth EUR 150 or less (the price of the goods, "
        "without VAT, transport and insurance). The simplest declaration: each "
        "item needs a 6-digit HS code. Not for alcohol, tobacco, fuels or "
        "restricted goods."
    ),
    DeclarationType.H1: _(
        "Standard import: for goods worth more than EUR 150, or for alcohol, "
        "tobacco, fuels and restricted goods at any value. Each item needs its "
        "10-digit TARIC code, and duty is a percentage of the value."
    ),
    DeclarationType.EX: _(
        "Export: goods leaving the EU, e.g. an EU business selling to a buyer in "
        "China. No import duty or VAT; customs checks the exporter's EORI, the "
        "destination and restricted goods."
    ),
}


class NewDeclarationForm(forms.Form):
    """The choice made when a declaration is started."""

    type = forms.ChoiceField(
        label=_("What are you declaring?"),
        choices=DeclarationType.choices,
        initial=DeclarationType.H7,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean_type(self) -> str:
        # A bare "New declaration" post (no choice) starts an H7, the common case.
        return self.cleaned_data["type"] or DeclarationType.H7

    def type_options(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, explanation, checked) of each type, for the page."""
        chosen = self.data.get("type") or self.initial.get("type") or "H7"
        return [
            (value, label, TYPE_GUIDE[value], value == chosen)
            for value, label in DeclarationType.choices
        ]


class DeclarationHeaderForm(forms.Form):
    """The consignment-level fields of a declaration, saved one by one as they change.

    Fields are grouped on the page by `SECTIONS`; names are the manifest's columns.
    """

    type = forms.ChoiceField(
        label=_("Declaration type"),
        choices=DeclarationType.choices,
        help_text=_(
            "H7 for parcels worth EUR 150 or less; H1 above that or for alcohol, "
            "tobacco, fuels and restricted goods; Export for goods leaving the EU."
        ),
    )
    lrn = _text(
        _("Your reference (LRN)"),
        _(
            "Local reference number: any reference you like (an order number, for "
            "instance), unique among your declarations. We suggested one."
        ),
        required=True,
        max_length=22,
    )
    mawb = _text(
        _("Master air waybill (MAWB)"),
        _(
            "The airline's waybill number for the whole shipment on the plane: "
            "3-digit airline prefix and 8 digits, e.g. 172-12345675. Your "
            "forwarder gives it to you."
        ),
        validators.validate_mawb,
        max_length=16,
    )
    hawb = _text(
        _("House air waybill (HAWB)"),
        _(
            "The forwarder's number for this parcel inside the shipment, often "
            "its tracking number."
        ),
        max_length=35,
    )
    flight_number = _text(
        _("Flight"),
        _("Airline code and number, e.g. CK251."),
        validators.validate_flight_number,
        max_length=12,
    )
    departure_airport = _text(
        _("From airport"),
        _("3-letter IATA airport code, e.g. CGO for Zhengzhou."),
        validators.validate_airport,
        max_length=4,
    )
    arrival_airport = _text(
        _("To airport"),
        _("3-letter IATA airport code, e.g. LGG for Liège."),
        validators.validate_airport,
        max_length=4,
    )
    arrival_date = forms.DateField(
        label=_("Arrival date"),
        required=False,
        help_text=_("The day the flight lands (or leaves, for an export)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    gross_mass_kg = _amount(
        _("Gross mass (kg)"),
        _(
            "Weight of the whole parcel with its box and packing, in kilograms, "
            "e.g. 0.420. Never less than the net mass of the items."
        ),
        decimals=3,
        minimum=Decimal("0.001"),
    )
    packages = forms.IntegerField(
        label=_("Packages"),
        min_value=1,
        max_value=99_999,
        required=False,
        help_text=_("How many boxes or bags the consignment is in."),
    )
    consignor_name = _text(
        _("Consignor name"),
        _("Start typing to pick a party you used before."),
        autocomplete="off",
    )
    consignor_address = _text(_("Consignor street and number"))
    consignor_city = _text(_("Consignor city"), max_length=100)
    consignor_postcode = _text(_("Consignor postcode"), max_length=17)
    consignor_country = _text(
        _("Consignor country"),
        _("2-letter country code, e.g. CN for China."),
        validators.validate_country,
        max_length=4,
    )
    consignee_name = _text(
        _("Consignee name"),
        _("Start typing to pick a party you used before."),
        autocomplete="off",
    )
    consignee_address = _text(_("Consignee street and number, or PO box"))
    consignee_city = _text(_("Consignee city"), max_length=100)
    consignee_postcode = _text(
        _("Consignee postcode"),
        _("Leave empty only if the country has no postcodes."),
        max_length=17,
    )
    consignee_country = _text(
        _("Consignee country"),
        _("2-letter country code, e.g. BE for Belgium. It decides the VAT rate."),
        validators.validate_country,
        max_length=4,
    )
    consignee_eori = _text(
        _("Consignee EORI"),
        _(
            "EORI is the customs number of a business: 2-letter country code and "
            "up to 15 characters, e.g. BE0123456749. Only when the consignee is "
            "a business; leave empty for a private person."
        ),
        validators.validate_eori,
        max_length=20,
    )
    currency = _text(
        _("Invoice currency"),
        _("3-letter code of the currency on the invoice, e.g. EUR, USD or CNY."),
        validators.validate_currency,
        max_length=4,
    )
    transport_cost = _amount(
        _("Transport cost"),
        _(
            "Shipping paid to bring the goods to their destination, in the "
            "invoice currency, if the invoice shows it separately."
        ),
    )
    insurance_cost = _amount(
        _("Insurance cost"),
        _("Insurance of the transport, if the invoice shows it separately."),
    )
    vat_path = forms.ChoiceField(
        label=_("How is import VAT paid?"),
        choices=VatPath.choices,
        help_text=_(
            "IOSS if the seller charged EU VAT at checkout and gave an IOSS "
            "number; special arrangements if the carrier collects VAT from the "
            "buyer at delivery; standard if VAT is paid at customs clearance. "
            "This also sets the additional procedure code (CPC) customs expects: "
            "F48 for IOSS, F49 for special arrangements, F53 for standard."
        ),
    )
    ioss_number = _text(
        _("IOSS number"),
        _(
            "Import One-Stop-Shop number of the seller who charged EU VAT at "
            "checkout: IM and 10 digits, e.g. IM0560000012. Only for the IOSS path."
        ),
        validators.validate_ioss,
        max_length=16,
    )

    # (key, title, introduction, fields). The goods items come after the
    # consignee; `section_texts` adapts titles to the declaration type.
    SECTIONS = (
        ("declaration", _("The declaration"), "", ("type", "lrn")),
        (
            "transport",
            _("Transport"),
            _("How the goods travel: the flight and its waybills."),
            (
                "mawb",
                "hawb",
                "flight_number",
                "departure_airport",
                "arrival_airport",
                "arrival_date",
                "gross_mass_kg",
                "packages",
            ),
        ),
        (
            "consignor",
            _("Consignor (seller abroad)"),
            _("Who sends the goods."),
            (
                "consignor_name",
                "consignor_address",
                "consignor_city",
                "consignor_postcode",
                "consignor_country",
            ),
        ),
        (
            "consignee",
            _("Consignee (buyer in the EU)"),
            _("Who receives the goods."),
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
            "value",
            _("Value and VAT"),
            _(
                "Amounts are in the invoice currency; customs converts them to "
                "euros at the monthly customs rate."
            ),
            ("currency", "transport_cost", "insurance_cost", "vat_path", "ioss_number"),
        ),
    )
    # Sections shown before the goods items; the rest come after them.
    BEFORE_GOODS = ("declaration", "transport", "consignor", "consignee")
    # Fields that mean nothing for an export.
    IMPORT_ONLY = ("vat_path", "ioss_number")
    EXPORT_TITLES = {
        "consignor": (
            _("Consignor (the exporter in the EU)"),
            _("Who sends the goods out of the EU: usually your own business."),
        ),
        "consignee": (
            _("Consignee (buyer outside the EU)"),
            _("Who receives the goods abroad."),
        ),
    }

    @classmethod
    def sections_for(cls, declaration_type: str):
        """(key, title, intro, field names) of each section for a declaration type."""
        for key, title, intro, names in cls.SECTIONS:
            if declaration_type == DeclarationType.EX:
                title, intro = cls.EXPORT_TITLES.get(key, (title, intro))
                names = tuple(n for n in names if n not in cls.IMPORT_ONLY)
            yield key, title, intro, names

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
            if name in ("consignor_name", "consignee_name"):
                # Picking a saved party waits for the typed name to be saved.
                field.widget.attrs["hx-sync"] = "closest section:queue all"

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
        label=_("Description"),
        max_length=512,
        help_text=_(
            "Say exactly what it is: 'men's cotton T-shirt', not 'clothes', "
            "'gift', 'samples' or 'accessories', which customs refuses."
        ),
    )
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=14,
        validators=[validators.validate_hs_code],
        help_text=_(
            "The goods' code in the world customs nomenclature (Harmonized "
            "System): 6 digits for an H7 or an export, e.g. 610910 for cotton "
            "T-shirts; 10 digits (TARIC) for an H1. Type words or the first "
            "digits to search."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    origin_country = forms.CharField(
        label=_("Made in"),
        max_length=4,
        validators=[validators.validate_country],
        help_text=_(
            "Country of origin, where the goods were made: 2 letters, e.g. CN."
        ),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=9_999_999, initial=1
    )
    item_value = forms.DecimalField(
        label=_("Value"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Price paid for this line (all units together), in the invoice "
            "currency, without shipping."
        ),
    )
    net_mass_kg = forms.DecimalField(
        label=_("Net mass (kg)"),
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
        required=False,
        help_text=_("Weight of the goods alone, without packing."),
    )
    product_id = forms.CharField(
        label=_("Product ID"),
        max_length=70,
        required=False,
        help_text=_(
            "The seller's SKU or article number; required from 1 November 2026."
        ),
    )
    manufacturer_product_id = forms.CharField(
        label=_("Manufacturer's product ID"),
        max_length=70,
        required=False,
        help_text=_(
            "Barcode (GTIN/EAN) or the maker's part number; required from "
            "1 November 2026."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            described = f"help-item-{name}"
            if self.is_bound and self.errors.get(name):
                described += f" error-item-{name}"
            field.widget.attrs["aria-describedby"] = described


class DeclarationFilterForm(forms.Form):
    """The list's filters and search; bad values are reported, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("LRN, house or master AWB, MRN, or a party's name."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Status.choices],
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *DeclarationType.choices],
    )
    created_from = forms.DateField(
        label=_("Created from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = forms.DateField(
        label=_("Created to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # Set by the manifests page's "See its declarations" link.
    manifest = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error(
                "created_to", _("The end date is before the start date: swap them.")
            )
        return data


class DecisionForm(forms.Form):
    """An officer's reason, shown to the declarant, and documents asked for."""

    documents = forms.MultipleChoiceField(
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when asking for documents."),
    )

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The declarant reads this. Say what was checked or what is missing; "
            "never mention sanctions screening or a listed party (no tipping off)."
        ),
    )


class ClearanceForm(forms.Form):
    """An officer's reason for finding a matched party to be a namesake."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What tells this party from the listed one (date of birth, address, "
            "registration number…). Officers only read this."
        ),
    )
