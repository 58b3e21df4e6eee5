"""The deterministic demo supplier that `make run` loads.

The top domain area: it is built only from the other areas' operations.
"""
