"""The rule book: every module here holds rules, which register themselves on import."""

import importlib
import pkgutil
from collections.abc import Mapping

from declarations.rules.base import (
    ConsignmentFacts,
    Issue,
    Rule,
    RuleSettingData,
    registry,
)

_SKIP = {"base"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SKIP:
        importlib.import_module(f"{__name__}.{_module.name}")


def rule_book(settings: Mapping[str, RuleSettingData]) -> tuple[Rule, ...]:
    """Every registered rule, with its settings applied: made once per batch."""
    return tuple(rule(settings.get(rule.code)) for rule in registry.rules)


def run_rules(facts: ConsignmentFacts) -> list[Issue]:
    """Every issue the rules in force at `facts.on` find, in a stable order."""
    reference = facts.reference
    rules = reference.rule_book or rule_book(reference.settings)
    issues: list[Issue] = []
    for rule in rules:
        if rule.applies(facts):
            issues.extend(rule.check(facts))
    return sorted(issues, key=lambda i: (i.item_line or 0, i.code, i.field))


__all__ = ["registry", "rule_book", "run_rules"]
