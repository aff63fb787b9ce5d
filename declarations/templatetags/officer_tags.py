"""Template tags of the officers' admin pages."""

from django import template

from declarations.selectors_officer import sanctions_freshness

register = template.Library()


@register.inclusion_tag("admin/declarations/_sanctions_freshness.html")
def sanctions_lists() -> dict:
    """Which sanctions lists screening uses, how old they are, and a warning
    when one is missing or older than SANCTIONS_MAX_AGE_DAYS."""
    lists = sanctions_freshness()
    return {"lists": lists, "stale": [f for f in lists if f.stale]}
