"""Reference data models, one module per kind of reference data."""

from reference.models.charges import ChargeLine
from reference.models.nomenclature import Country, Currency, HsCode
from reference.models.rates import EcbRate
from reference.models.sanctions import SanctionsAlias, SanctionsEntry, SanctionsList

__all__ = [
    "ChargeLine",
    "Country",
    "Currency",
    "EcbRate",
    "HsCode",
    "SanctionsAlias",
    "SanctionsEntry",
    "SanctionsList",
]
