"""Reference data models, one module per kind of reference data."""

from reference.models.nomenclature import Country, Currency, HsCode

__all__ = ["Country", "Currency", "HsCode"]
