"""A real Celery worker for a test: in this process, consuming from Redis, on a queue of the test's own.

A plain module (not a conftest): tests that need a worker wrap it in a fixture of their own settings.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery.contrib.testing.worker import start_worker

from hearth.interfaces.tasks.app import app
from tests.conftest import missing_service

REDIS_URL = "redis://127.0.0.1:6379/15"
SWAPPED = ("broker_url", "result_backend", "task_always_eager", "task_default_queue")


@contextmanager
def worker_on_redis() -> Iterator[None]:
    """Point the app at Redis and a fresh queue, and run a worker on that queue until the block ends.

    Skips (or fails under HEARTH_REQUIRE) without Redis. The queue is the test's own, so workers of other tests or
    benchmarks on the same Redis never take its messages.
    """
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        missing_service("redis", f"no Redis at {REDIS_URL}: {exc}")
    queue = f"hearth-test-{uuid.uuid4().hex[:8]}"
    previous = {key: app.conf[key] for key in SWAPPED}
    _forget_connections()
    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
            yield
    finally:
        app.conf.update(previous)
        _forget_connections()


def _forget_connections() -> None:
    """Make the app look up its broker pools and result backend again, by the addresses now configured.

    The app pools them by the broker of first use and never looks at ``broker_url`` again: a producer pooled by an
    earlier test for the default broker (RabbitMQ) sent a later test's messages there, and its Redis worker waited
    for them for ten minutes; a result backend kept from a test without one hid a failed chunk from the command.
    """
    app._pool = None  # kombu keeps the pools themselves, one per broker address: the next use finds the right one
    app.amqp._producer_pool = None
    app._backend_cache = None  # the result backend, kept the same way (per thread when it is not thread-safe)
    app._local.backend = None
