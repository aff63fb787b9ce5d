"""The rule book: every module here holds rules, which register themselves on import."""

import importlib
import pkgutil

from declarations.rules.base import ConsignmentFacts, Issue, registry

_SKIP = {"base"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SKIP:
        importlib.import_module(f"{__name__}.{_module.name}")


def run_rules(facts: ConsignmentFacts) -> list[Issue]:
    """Every issue the rules in force at `facts.on` find, in a stable order."""
    issues: list[Issue] = []
    settings = facts.reference.settings
    for rule_class in registry.rules:
        rule = rule_class(settings.get(rule_class.code))
        if rule.applies(facts):
            issues.extend(rule.check(facts))
    return sorted(issues, key=lambda i: (i.item_line or 0, i.code, i.field))


__all__ = ["run_rules", "registry"]
