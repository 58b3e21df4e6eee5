"""Argon2id at its lowest cost, for the tests.

Every password and security answer a test makes is still an Argon2id hash, checked by the same code that checks a
production one; only the cost (memory, passes, lanes) is cut, from Django's 100 MiB and 150 ms a hash to under a
millisecond. The hashes carry their parameters, so a test that checks a production hash still checks it at its own
cost. The servers the tests start in another process (gunicorn, runserver) keep Django's cost.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
