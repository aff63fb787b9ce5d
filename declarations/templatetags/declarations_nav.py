"""Template tags of the site's navigation that need declarations' data."""

from django import template

from declarations.selectors_pages import unread_notification_count

register = template.Library()


@register.simple_tag
def unread_notifications(organisation) -> int:
    """How many of the organisation's notifications nobody has read yet."""
    if organisation is None or organisation.is_customs:
        return 0
    return unread_notification_count(organisation=organisation)
