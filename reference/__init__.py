"""Reference data: HS nomenclature, countries, currencies and exchange rates."""
