"""The rule book: every module here holds rules, which register themselves on import."""

import importlib
import inspect
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


def rule_list(settings: Mapping[str, RuleSettingData]) -> list[dict]:
    """Every rule as officers read it: code, subject, severity, dates, risk
    points, declaration types and the rule with its source (the docstring)."""
    return sorted(
        (
            {
                "code": rule.code,
                "subject": type(rule).__module__.rsplit(".", 1)[-1],
                "severity": rule.effective_severity,
                "enabled": rule.setting.enabled,
                "applies_from": rule.effective_from,
                "applies_to": rule.effective_to,
                "risk_points": rule.risk_points,
                "declaration_types": ", ".join(rule.declaration_types),
                "text": " ".join(inspect.getdoc(rule).split()),
            }
            for rule in rule_book(settings)
        ),
        key=lambda r: (r["subject"], r["code"]),
    )


def run_rules(facts: ConsignmentFacts) -> list[Issue]:
    """Every issue the rules in force at `facts.on` find, in a stable order."""
    reference = facts.reference
    rules = reference.rule_book or rule_book(reference.settings)
    issues: list[Issue] = []
    for rule in rules:
        if rule.applies(facts):
            issues.extend(rule.check(facts))
    return sorted(issues, key=lambda i: (i.item_line or 0, i.code, i.field))


__all__ = ["registry", "rule_book", "rule_list", "run_rules"]
