"""Consignees in territories outside the EU customs territory or VAT area."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from declarations.rules.base import ConsignmentFacts, Issue, Rule


class ConsigneeInCustomsTerritory(Rule):
    """Goods released for free circulation at LGG are for the customs territory of
    the Union. Ceuta, Melilla, Heligoland, Büsingen, Livigno, the Faroe Islands,
    Greenland and the overseas countries and territories (Saint-Barthélemy,
    Saint Pierre and Miquelon) are outside it (Art. 4 Regulation (EU) No
    952/2013; Art. 6(2) Directive 2006/112/EC), so a parcel for them cannot be
    declared for import here. Recognised from the country code, postcode or city
    (reference/data/territories.csv)."""

    code = "TERR-CUSTOMS"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        territory = facts.consignee_territory
        if territory is None or territory.in_customs_territory:
            return
        yield self.issue(
            "consignee_country",
            _(
                "The consignee is in %(territory)s, outside the customs territory of "
                "the Union (Art. 4 Union Customs Code): goods for it are not released "
                "for free circulation at LGG. Send them on under transit or export "
                "and declare them on arrival in %(territory)s, or correct the address."
            )
            % {"territory": territory.name},
        )


class ConsigneeInVatArea(Rule):
    """The Canary Islands, Åland, Mount Athos, Campione d'Italia and the French
    outermost regions (Guadeloupe, Martinique, French Guiana, Réunion, Mayotte,
    Saint-Martin) are inside the customs territory but outside the EU VAT area
    (Art. 6(1) Directive 2006/112/EC). No EU import VAT is due for them, so
    neither IOSS (Art. 143(1)(ca), 369l: distance sales to the EU VAT area) nor
    the special arrangements (Art. 369y) can be used."""

    code = "TERR-VAT"
    declaration_types = ("H7", "H1")

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        territory = facts.consignee_territory
        if territory is None or not territory.in_customs_territory:
            return
        if territory.in_vat_area or facts.vat_path not in ("IOSS", "SPECIAL"):
            return
        yield self.issue(
            "vat_path",
            _(
                "The consignee is in %(territory)s, outside the EU VAT area (Art. 6 "
                "VAT Directive): no EU import VAT is due there, so the %(path)s path "
                "cannot be used. Declare it on the STANDARD path in the member state "
                "where its transport ends, where the local import taxes apply."
            )
            % {"territory": territory.name, "path": facts.vat_path},
        )
