"""The limits of a stored value, read from the model field that declares it.

A limit is written once, on the model field; the API's serializers, the pages'
forms and the manifest parser ask here, so that a value over it is refused with
the field's name instead of failing in the database or being cut short.
"""

from django.db import connection, models


def field_of(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def max_length(model: type[models.Model], name: str) -> int:
    return field_of(model, name).max_length


def integer_range(model: type[models.Model], name: str) -> tuple[int, int]:
    """The smallest and largest value the database column holds."""
    field = field_of(model, name)
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return max(low, 0) if "Positive" in field.get_internal_type() else low, high


def decimal_places(model: type[models.Model], name: str) -> tuple[int, int]:
    """(max_digits, decimal_places) of a DecimalField."""
    field = field_of(model, name)
    return field.max_digits, field.decimal_places
