"""Billing: turning consumption and prices into the lines of a bill (T&C 8.3, 8.4).

``calculation`` is the pure arithmetic core: plain values in, plain values out, no database, so every figure on a
bill can be checked against an independent reference in unit tests.
"""
