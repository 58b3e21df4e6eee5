"""Fixed-window rate limits on the public forms that send e-mail or queue work for staff.

"Forgot password" and "Get login details" answer the same whatever is typed, so they can be used to
flood an inbox or the care queue; past the limit they still answer the same but do nothing. Counts
live in Django's cache (HEARTH_CACHE_URL: Redis shared by every web server in production).
"""

import hashlib
import time
from datetime import timedelta

from django.core.cache import cache


def within_limit(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one use of `scope` by `key` in the current window; False once the limit is passed."""
    seconds = int(window.total_seconds())
    bucket = int(time.time()) // seconds
    digest = hashlib.sha256(f"{scope}:{key}:{bucket}".encode()).hexdigest()
    cache_key = f"hearth:ratelimit:{digest}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        count = 1
    return count <= limit
