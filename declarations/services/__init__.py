"""Every write to a declaration: create, edit, submit, validate, decide."""

from declarations.services.filing import (
    CONSIGNMENT_FIELDS,
    DECLARATION_FIELDS,
    HEADER_FIELDS,
    ITEM_FIELDS,
    SHIPMENT_FIELDS,
    declaration_create,
    declaration_create_draft,
    declaration_update_field,
    goods_item_add,
    goods_item_remove,
    lrn_generate,
    normalise,
)
from declarations.services.lifecycle import (
    OFFICER_DECISIONS,
    Actor,
    customs_officer_group_ensure,
    declaration_decide,
    declaration_submit,
    transition,
)
from declarations.services.validation import (
    declaration_validate,
    declarations_validate,
    mrns_issue,
    transition_many,
)

__all__ = [
    "CONSIGNMENT_FIELDS", "DECLARATION_FIELDS", "HEADER_FIELDS", "ITEM_FIELDS",
    "OFFICER_DECISIONS", "SHIPMENT_FIELDS", "Actor", "customs_officer_group_ensure",
    "declaration_create", "declaration_create_draft", "declaration_decide",
    "declaration_submit", "declaration_update_field", "declaration_validate",
    "declarations_validate", "goods_item_add", "goods_item_remove", "lrn_generate",
    "mrns_issue", "normalise", "transition", "transition_many",
]  # fmt: skip
