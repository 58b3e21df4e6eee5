"""The number of meter readings waiting for care staff, for the console's menu."""

from django import template

from hearth.domain.metering import review

register = template.Library()


@register.simple_tag
def readings_for_review_count() -> int:
    return review.count_for_review()
