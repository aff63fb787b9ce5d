"""Export (B1) rules: exporter, destinations under embargo, dual-use goods."""

from collections.abc import Iterator

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
