"""Slowing repeated sign-in failures before django-axes locks the address or IP (ADR 0005).

After HEARTH_LOGIN_SLOW_AFTER failures within the cool-off window, each further attempt from that
address or IP must wait HEARTH_LOGIN_SLOW_SECONDS, doubling with each failure, since the last one.
An attempt made too early is not checked at all, so it can neither succeed nor count as a failure.
Unknown addresses are slowed exactly like known ones: the wait reveals nothing.
"""

import math
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum


def recent_failures(*, condition: Q, now: datetime) -> tuple[int, datetime | None]:
    """Failed sign-ins matching ``condition`` within the django-axes cool-off, and when the last one was.

    The one reading of axes' records, shared by the slowing here and the lock-out status shown to care staff.
    """
    attempts = AccessAttempt.objects.filter(condition)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=now - cool_off)
    recent = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return recent["failures"] or 0, recent["last"]


def sign_in_wait_seconds(*, email: str, ip_address: str, now: datetime) -> int:
    """Seconds before another sign-in attempt for this address or from this IP will be checked; 0 = now."""
    slow_after: int = settings.HEARTH_LOGIN_SLOW_AFTER
    base_seconds: int = settings.HEARTH_LOGIN_SLOW_SECONDS
    if base_seconds <= 0:
        return 0
    wait = 0
    for condition in (Q(username=email), Q(ip_address=ip_address)):
        failures, last = recent_failures(condition=condition, now=now)
        if failures < slow_after or last is None:
            continue
        delay = base_seconds * 2 ** (failures - slow_after)
        elapsed = (now - last).total_seconds()
        wait = max(wait, math.ceil(delay - elapsed))
    return wait
