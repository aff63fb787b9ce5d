"""Export (B1) rules: exporter, destinations under embargo, dual-use goods."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from declarations.models import Severity
from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule, Rule

# Destinations under broad EU trade restrictions (Council Regulations (EU)
# 833/2014 Russia, 765/2006 Belarus, 2017/1509 North Korea, 36/2012 Syria,
# 267/2012 Iran): an officer checks each export to them.
EMBARGOED = {
    "RU": gettext_lazy("Russia"),
    "BY": gettext_lazy("Belarus"),
    "KP": gettext_lazy("North Korea"),
    "SY": gettext_lazy("Syria"),
    "IR": gettext_lazy("Iran"),
}
# Chapters and headings that often hold dual-use items (Regulation (EU) 2021/821).
DUAL_USE_PREFIXES = {
    "93": gettext_lazy("arms"),
    "8401": gettext_lazy("nuclear reactors"),
    "8526": gettext_lazy("radar"),
    "9013": gettext_lazy("lasers"),
    "8802": gettext_lazy("aircraft and drones"),
    "8806": gettext_lazy("unmanned aircraft"),
    "2844": gettext_lazy("radioactive elements"),
}


class ExporterEori(Rule):
    """An export declaration needs the exporter's EORI (Art. 9 UCC; Annex B UCC
    DA, data element 13 01 017)."""

    code = "EX-EXPORTER-EORI"
    declaration_types = ("EX",)

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if not facts.declarant_eori:
            yield self.issue(
                "declarant_eori",
                _(
                    "An export needs the exporter's EORI: add it to your organisation "
                    "profile."
                ),
            )


class EmbargoedDestination(Rule):
    """Exports to destinations under EU restrictive measures are checked by an
    officer before exit (Art. 215 TFEU and the Council Regulations per country)."""

    code = "EX-EMBARGO"
    declaration_types = ("EX",)
    severity = Severity.WARNING
    risk_points = 60

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if name := EMBARGOED.get(facts.consignee_country):
            yield self.issue(
                "consignee_country",
                _(
                    "%(country)s is under EU restrictive measures: an officer checks "
                    "this export; have the licence or proof that the goods are not "
                    "listed ready."
                )
                % {"country": name},
            )


class DualUseGoods(ItemRule):
    """Dual-use items need an export authorisation (Regulation (EU) 2021/821,
    Art. 3)."""

    code = "EX-DUAL-USE"
    declaration_types = ("EX",)
    severity = Severity.WARNING
    risk_points = 40

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        for length in (4, 2):
            if kind := DUAL_USE_PREFIXES.get(item.hs_code[:length]):
                yield self.issue(
                    "hs_code",
                    _(
                        "HS %(code)s (%(kind)s) may be a dual-use item: attach the "
                        "export authorisation or a statement that it is not listed."
                    )
                    % {"code": item.hs_code, "kind": kind},
                    item,
                )
                return


class ExporterEstablishedInTheEu(Rule):
    """The exporter is a person established in the customs territory of the
    Union (Art. 1(19) Delegated Regulation (EU) 2015/2446) [H]: on an export the
    consignor, the seller who ships the goods out, must be in a member state
    (or Northern Ireland)."""

    code = "EX-EXPORTER-EU"
    declaration_types = ("EX",)

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        country = facts.consignor_country
        known = facts.reference.countries
        if country and country in known and country not in facts.reference.eu_vat_area:
            yield self.issue(
                "consignor_country",
                _(
                    "The exporter (consignor) is in %(country)s: an exporter must be "
                    "established in the EU customs territory (Art. 1(19) Delegated "
                    "Regulation (EU) 2015/2446). Give the EU seller as consignor, or "
                    "have the goods exported by an EU-established person."
                )
                % {"country": country},
            )


@dataclass(frozen=True)
class ExportBan:
    hs_prefix: str
    # The ban applies above this value per item; -1: whatever the value.
    min_unit_value_eur: Decimal
    what: str
    source: str


DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def russia_belarus_bans() -> tuple[ExportBan, ...]:
    """Goods banned for export to Russia and Belarus, longest prefix first
    (declarations/data/export_bans_ru_by.csv, with its sources)."""
    text = (DATA / "export_bans_ru_by.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    bans = [
        ExportBan(
            hs_prefix=row["hs_prefix"],
            min_unit_value_eur=Decimal(row["min_unit_value_eur"] or "-1"),
            what=row["what"],
            source=row["source"],
        )
        for row in csv.DictReader(lines)
    ]
    return tuple(sorted(bans, key=lambda b: -len(b.hs_prefix)))


class RussiaBelarusExportBan(ItemRule):
    """Goods listed in Council Regulation (EU) 833/2014 (Russia) and Council
    Regulation (EC) 765/2006 (Belarus) may not be sold, supplied or exported to
    those countries: dual-use and advanced technology (Art. 2, 2a, Annex VII),
    and the luxury goods of Annex XVIII over EUR 300 per item, perfumes among
    them (Art. 3h) [H]. The HS list is data with its source
    (declarations/data/export_bans_ru_by.csv) [M]."""

    code = "EX-RU-BY-BAN"
    declaration_types = ("EX",)

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        country = facts.consignee_country
        if country not in ("RU", "BY"):
            return
        ban = next(
            (b for b in russia_belarus_bans() if item.hs_code.startswith(b.hs_prefix)),
            None,
        )
        if ban is None:
            return
        regulation = (
            "Council Regulation (EU) 833/2014"
            if country == "RU"
            else "Council Regulation (EC) 765/2006"
        )
        if ban.min_unit_value_eur < 0:
            yield self.issue(
                "hs_code",
                _(
                    "HS code %(code)s (%(what)s) may not be exported to %(country)s "
                    "(%(regulation)s; %(source)s): remove the item; this export "
                    "cannot be made."
                )
                % {
                    "code": item.hs_code,
                    "what": ban.what,
                    "country": EMBARGOED[country],
                    "regulation": regulation,
                    "source": ban.source,
                },
                item,
            )
            return
        unit = facts.to_eur(item.item_value / max(item.quantity, 1))
        if unit is not None and unit > ban.min_unit_value_eur:
            yield self.issue(
                "item_value",
                _(
                    "HS code %(code)s (%(what)s) at EUR %(unit)s per item is a luxury "
                    "good over EUR %(limit)s, which may not be exported to "
                    "%(country)s (%(regulation)s; %(source)s): remove the item; this "
                    "export cannot be made."
                )
                % {
                    "code": item.hs_code,
                    "what": ban.what,
                    "unit": unit.quantize(Decimal("0.01")),
                    "limit": ban.min_unit_value_eur,
                    "country": EMBARGOED[country],
                    "regulation": regulation,
                    "source": ban.source,
                },
                item,
            )


class ChinaCrossBorderRetailLimits(Rule):
    """Advice, not an EU rule: China admits cross-border e-commerce retail imports
    (modes 9610/1210) up to CNY 5,000 per order and CNY 26,000 per person per
    year, for goods on its positive list (MOF/GACS/SAT Announcement 2018 No. 49;
    positive list, MOF Announcement 2019 No. 96) [H]. Over the order limit the
    goods are taxed as general trade. The limits are parameters."""

    code = "EX-CN-RETAIL"
    declaration_types = ("EX",)
    severity = Severity.INFO
    parameters = {"order_limit_cny": "5000", "annual_limit_cny": "26000"}

    def check(self, facts: ConsignmentFacts) -> Iterator[Issue]:
        if facts.consignee_country != "CN":
            return
        order = Decimal(self.param("order_limit_cny"))
        values = {
            "order": f"{order:,.0f}",
            "year": f"{Decimal(self.param('annual_limit_cny')):,.0f}",
        }
        value_cny = self._value_cny(facts)
        if value_cny is not None and value_cny > order:
            yield Issue(
                code=self.code,
                severity=Severity.WARNING,
                field="item_value",
                message=_(
                    "Advice for China: this order is worth about CNY %(value)s, over "
                    "China's cross-border e-commerce limit of CNY %(order)s per "
                    "order; the buyer would pay general-trade duty and taxes. Split "
                    "it only if they are really separate orders."
                )
                % (values | {"value": f"{value_cny:,.0f}"}),
            )
            return
        yield self.issue(
            "consignee_country",
            _(
                "Advice for China: cross-border e-commerce retail imports are "
                "limited to CNY %(order)s per order and CNY %(year)s per person per "
                "year, for goods on China's positive list; check the goods are on "
                "it. This is China's rule, not an EU requirement."
            )
            % values,
        )

    @staticmethod
    def _value_cny(facts: ConsignmentFacts) -> Decimal | None:
        if facts.currency == "CNY":
            return facts.intrinsic_value
        value_eur = facts.intrinsic_value_eur
        if value_eur is None or facts.cny_per_eur is None:
            return None
        return value_eur * facts.cny_per_eur
