"""Pure building blocks shared by every layer: money, periods, the working-day calendar and supply identifiers.

Nothing here imports Django, so the domain's calculations can use these types in fast tests without a database.
"""
