"""Menus mark the page being shown (aria-current), for screen readers and, through site.css, for the eye."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def aria_current(context: template.Context, url_name: str) -> SafeString:
    """` aria-current="page"` when the request is for `url_name`'s page, otherwise nothing."""
    return mark_safe(' aria-current="page"') if context["request"].path == reverse(url_name) else SafeString("")
