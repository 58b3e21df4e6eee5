"""Template filters for the care console's pages."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def breakable(value: object) -> SafeString:
    """An e-mail address that may wrap at '@' and '.' on a phone, instead of widening the page."""
    text = escape(str(value))
    return mark_safe(text.replace("@", "<wbr>@").replace(".", ".<wbr>"))  # noqa: S308 - escaped above
