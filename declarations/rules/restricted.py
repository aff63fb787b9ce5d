"""Goods that are often restricted: an officer checks them before release.

Chinese e-commerce sends medicines, seeds, food of animal origin, CITES species,
fireworks, aerosols and lithium batteries every day. Most such parcels are
lawful with the right certificate, so these rules do not reject: each hit is a
warning whose risk points reach the review threshold, with its legal source.
Which HS codes (or words) are caught is a rule parameter, so a RuleSetting
changes the list as data [M].
"""

import re
from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _

from declarations.models import Severity
from declarations.rules.base import ConsignmentFacts, Issue, ItemFacts, ItemRule


class RestrictedGoodsRule(ItemRule):
    """Base: an item whose HS code starts with one of `hs_prefixes` goes to an
    officer (Art. 46 and 134 UCC, controls under other Union legislation)."""

    severity = Severity.WARNING
    risk_points = 50
    declaration_types = ("H7", "H1")

    def matches(self, item: ItemFacts) -> bool:
        prefixes: Sequence[str] = self.param("hs_prefixes")
        return item.hs_code.startswith(tuple(prefixes))

    def message(self) -> str:
        raise NotImplementedError

    def check_item(self, item: ItemFacts, facts: ConsignmentFacts) -> Iterator[Issue]:
        if self.matches(item):
            yield self.issue(
                "hs_code", self.message() % {"code": item.hs_code}, item
            )


class Medicines(RestrictedGoodsRule):
    """Medicinal products (HS 3003, 3004) may only be placed on the Union market
    with a marketing authorisation, and falsified medicines are stopped (Art. 6
    and 52a Directive 2001/83/EC) [H]."""

    code = "RISK-MEDICINE"
    parameters = {"hs_prefixes": ["3003", "3004"]}

    def message(self) -> str:
        return _(
            "HS code %(code)s is a medicine (Directive 2001/83/EC): an officer "
            "checks it; keep the prescription or the marketing authorisation ready."
        )


class PlantsAndSeeds(RestrictedGoodsRule):
    """Plants, seeds for sowing, fresh fruit and vegetables and raw wood need a
    phytosanitary certificate to enter the Union (Art. 72-73 Regulation (EU)
    2016/2031; Annex XI Implementing Regulation (EU) 2019/2072) [H]; the HS
    list is a dated parameter [M]."""

    code = "RISK-PHYTO"
    parameters = {
        "hs_prefixes": [
            "06", "07", "08", "1209", "1211", "1404", "4401", "4403", "4406",
        ]  # fmt: skip
    }

    def message(self) -> str:
        return _(
            "HS code %(code)s is plants, seeds or plant products (Regulation (EU) "
            "2016/2031): an officer checks it; attach the phytosanitary certificate."
        )


class AnimalProducts(RestrictedGoodsRule):
    """Products of animal origin (meat, fish, dairy, eggs, honey, pet food) enter
    the Union only through a border control post with an official certificate
    (Art. 47 Regulation (EU) 2017/625; Implementing Regulation (EU) 2019/2007;
    Delegated Regulation (EU) 2019/2122 for the few exemptions) [H]; the HS list
    is a dated parameter [M]."""

    code = "RISK-ANIMAL-PRODUCT"
    parameters = {
        "hs_prefixes": ["01", "02", "03", "04", "05", "16", "230910"],
    }

    def message(self) -> str:
        return _(
            "HS code %(code)s is a product of animal origin (Regulation (EU) "
            "2017/625): an officer checks it; it needs the border control post's "
            "certificate."
        )


class CitesSpecies(RestrictedGoodsRule):
    """Specimens of CITES species need an import permit or notification (Art. 4-5
    Council Regulation (EC) 338/97): ivory, coral, tortoise-shell, reptile
    leather, caviar, raw furskins, live animals, tropical woods such as rosewood
    [H]; the HS list is a dated parameter [M]."""

    code = "RISK-CITES"
    parameters = {
        "hs_prefixes": [
            "0106", "050710", "050790", "0508", "160431", "411330", "4301",
            "440349", "440729", "440799", "9601",
        ]  # fmt: skip
    }

    def message(self) -> str:
        return _(
            "HS code %(code)s may be a CITES species (Regulation (EC) 338/97): an "
            "officer checks it; attach the CITES import permit, or evidence that "
            "the species is not listed."
        )


class Fireworks(RestrictedGoodsRule):
    """Fireworks and explosives (HS 3601-3604) are dangerous goods of class 1,
    mostly forbidden by air, and pyrotechnic articles need CE marking (ICAO
    Technical Instructions; IATA Dangerous Goods Regulations; Directive
    2013/29/EU) [H]."""

    code = "DG-FIREWORKS"
    parameters = {"hs_prefixes": ["3601", "3602", "3603", "3604"]}

    def message(self) -> str:
        return _(
            "HS code %(code)s is fireworks or explosives (dangerous goods class 1, "
            "Directive 2013/29/EU): an officer checks it; attach the carrier's "
            "dangerous-goods declaration."
        )


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


class DescribedDangerousGoods(RestrictedGoodsRule):
    """Base: an item whose description names one of `words` goes to an officer."""

    def matches(self, item: ItemFacts) -> bool:
        text = _words(item.description)
        return any(_words(word) in text for word in self.param("words"))


class Aerosols(DescribedDangerousGoods):
    """Pressurised aerosols are dangerous goods of class 2 (UN 1950) by air, with
    quantity limits and a dangerous-goods declaration (ICAO Technical
    Instructions; IATA Dangerous Goods Regulations) [H]. They have no HS code of
    their own, so the description is read; the words are a parameter [M]."""

    code = "DG-AEROSOL"
    parameters = {
        "words": [
            "aerosol", "spray can", "spray paint", "hairspray", "hair spray",
            "deodorant spray", "pressurised", "pressurized", "compressed gas",
        ]  # fmt: skip
    }

    def message(self) -> str:
        return _(
            "HS code %(code)s is described as a pressurised aerosol (dangerous "
            "goods class 2, UN 1950, by air): an officer checks it; attach the "
            "carrier's dangerous-goods declaration."
        )


class LithiumBatteries(DescribedDangerousGoods):
    """Batteries (HS 8506, 8507), and lithium batteries packed with or inside
    equipment, are dangerous goods of class 9 by air (UN 3480/3481/3090/3091):
    the air waybill needs the carrier's dangerous-goods declaration or marking
    (ICAO Technical Instructions; IATA Dangerous Goods Regulations, packing
    instructions 965-970) [H]. Equipment is caught when its description names
    the battery; the words and codes are parameters [M]."""

    code = "DG-BATTERY"
    parameters = {
        "hs_prefixes": ["8506", "8507"],
        "words": [
            "battery", "batteries", "lithium", "li ion", "li-ion", "lipo",
            "power bank", "powerbank",
        ]  # fmt: skip
    }

    def matches(self, item: ItemFacts) -> bool:
        return RestrictedGoodsRule.matches(self, item) or super().matches(item)

    def message(self) -> str:
        return _(
            "HS code %(code)s is or contains batteries, dangerous goods by air "
            "(UN 3480/3481/3090/3091): an officer checks it; make sure the air "
            "waybill carries the dangerous-goods declaration."
        )
